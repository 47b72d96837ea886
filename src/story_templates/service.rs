//! Storytelling templates: the shipped ones installed at start, coordinators' own, and
//! drafting a post from one. Shipped templates (no institution) are visible to everyone;
//! an institution's own templates only to its people.

use std::collections::BTreeMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Select, Set,
};
use serde::Serialize;

use super::forms::TemplateRequest;
use super::rules::{self, TemplateError};
use crate::audit::record as audit;
use crate::auth::guards::CurrentUser;
use crate::auth::roles::Scope;
use crate::db::begin_write;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use entity::story_templates;

pub const MAX_NAME_CHARS: usize = 120;
/// A template's name.
pub const TEMPLATE_NAME: crate::text::Text = crate::text::Text::line(1, MAX_NAME_CHARS);
/// A template's description, example and guidance for a blank.
pub const TEMPLATE_TEXT: crate::text::Text = crate::text::Text::lines(0, MAX_TEXT_CHARS);
pub const MAX_TEXT_CHARS: usize = 5_000;
/// The longest text an ambassador may put in one blank.
pub const MAX_FIELD_CHARS: usize = 5_000;
/// What an ambassador writes in a blank.
pub const BLANK_TEXT: crate::text::Text = crate::text::Text::lines(0, MAX_FIELD_CHARS);

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TemplateView {
    pub id: i64,
    /// Empty for templates Duta ships.
    pub institution_id: Option<i64>,
    pub shipped: bool,
    pub name: String,
    pub description: String,
    pub body: String,
    /// The blanks in order of appearance.
    pub blanks: Vec<String>,
    pub guidance: BTreeMap<String, String>,
    pub example: String,
    /// Taken out of the library: not offered for new briefs, still shown with the briefs
    /// that chose it.
    pub archived: bool,
    /// The caller may change or archive it (their institution's own, not shipped).
    #[serde(skip)]
    pub editable: bool,
}

pub fn view(m: &story_templates::Model) -> TemplateView {
    let guidance: BTreeMap<String, String> = serde_json::from_str(&m.guidance).unwrap_or_default();
    TemplateView {
        id: m.id,
        institution_id: m.institution_id,
        shipped: m.slug.is_some(),
        name: m.name.clone(),
        description: m.description.clone(),
        blanks: rules::blanks(&m.body).unwrap_or_default(),
        body: m.body.clone(),
        guidance,
        example: m.example.clone(),
        archived: m.archived_at.is_some(),
        editable: false,
    }
}

/// Installs the templates Duta ships that are not in the database yet (by slug); a
/// template already there is left as it is.
pub async fn install_shipped(db: &DatabaseConnection) -> AppResult<()> {
    let txn = begin_write(db).await?;
    for t in rules::shipped() {
        let present = story_templates::Entity::find()
            .filter(story_templates::Column::Slug.eq(t.slug.as_str()))
            .one(&txn)
            .await?
            .is_some();
        if present {
            continue;
        }
        let now = Utc::now();
        // Several nodes may start at once on one database: the first to install a
        // template wins and the others leave it (no unique violation stops a start).
        let template = story_templates::ActiveModel {
            institution_id: Set(None),
            slug: Set(Some(t.slug.clone())),
            name: Set(t.name.clone()),
            description: Set(t.description.clone()),
            body: Set(t.body.clone()),
            guidance: Set(serde_json::to_string(&t.guidance).map_err(AppError::internal)?),
            example: Set(t.example.clone()),
            created_by: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        story_templates::Entity::insert(template)
            .on_conflict_do_nothing_on([story_templates::Column::Slug])
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Templates the user may see and use: the shipped ones and their institution's.
pub fn visible(user: &CurrentUser) -> Select<story_templates::Entity> {
    let q = story_templates::Entity::find();
    match user.scope() {
        Scope::All => q,
        Scope::Institution { institution_id, .. } => q.filter(
            Condition::any()
                .add(story_templates::Column::InstitutionId.is_null())
                .add(story_templates::Column::InstitutionId.eq(institution_id)),
        ),
    }
}

/// The library: the templates the caller may offer with a new brief (archived ones left
/// out; see [`list_archived`]).
pub async fn list_templates(
    db: &DatabaseConnection,
    user: &CurrentUser,
) -> AppResult<Vec<TemplateView>> {
    let rows = visible(user)
        .filter(story_templates::Column::ArchivedAt.is_null())
        .order_by_asc(story_templates::Column::InstitutionId)
        .order_by_asc(story_templates::Column::Id)
        .all(db)
        .await?;
    Ok(rows.iter().map(view).collect())
}

/// The caller's archived templates, newest archived first.
pub async fn list_archived(
    db: &DatabaseConnection,
    user: &CurrentUser,
) -> AppResult<Vec<TemplateView>> {
    let rows = visible(user)
        .filter(story_templates::Column::ArchivedAt.is_not_null())
        .order_by_desc(story_templates::Column::ArchivedAt)
        .order_by_asc(story_templates::Column::Id)
        .all(db)
        .await?;
    Ok(rows.iter().map(view).collect())
}

/// Templates by id, archived ones included (those a brief chose), in the ids' order.
pub async fn templates_by_id(
    db: &DatabaseConnection,
    user: &CurrentUser,
    ids: &[i64],
) -> AppResult<Vec<TemplateView>> {
    let rows = visible(user)
        .filter(story_templates::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(ids
        .iter()
        .filter_map(|id| rows.iter().find(|r| r.id == *id).map(view))
        .collect())
}

/// Whether the caller may change a template: an institution's own (never a shipped
/// one), by a coordinator of that institution or an admin.
pub fn may_change(user: &CurrentUser, t: &story_templates::Model) -> bool {
    t.slug.is_none()
        && match user.scope() {
            Scope::All => user.role == crate::auth::roles::Role::Admin,
            Scope::Institution { institution_id, .. } => {
                user.role == crate::auth::roles::Role::Coordinator
                    && t.institution_id == Some(institution_id)
            }
        }
}

/// A template the caller may change: 404 when they cannot see it, 409 when it is one
/// Duta ships (shared by every institution).
async fn get_changeable(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
) -> AppResult<story_templates::Model> {
    let t = get_template_for(db, user, id).await?;
    if !may_change(user, &t) {
        return Err(AppError::Conflict(FieldErrors::single(
            "id",
            Msg::new("templates.shipped_readonly"),
        )));
    }
    Ok(t)
}

/// Changes an institution's template; briefs that chose it show the new text. Audited
/// with what changed.
pub async fn update_template(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    req: &TemplateRequest,
    ip: &ClientIp,
) -> AppResult<TemplateView> {
    let current = get_changeable(db, user, id).await?;
    let guidance = check_template(req).map_err(AppError::Validation)?;
    if req
        .institution_id
        .is_some_and(|i| Some(i) != current.institution_id)
    {
        return Err(AppError::Validation(FieldErrors::single(
            "institution_id",
            Msg::conflict("templates.institution_fixed"),
        )));
    }
    let txn = begin_write(db).await?;
    let mut m: story_templates::ActiveModel = current.clone().into();
    m.name = Set(req.name.trim().to_string());
    m.description = Set(req.description.trim().to_string());
    m.body = Set(req.body.trim().to_string());
    m.guidance = Set(serde_json::to_string(&guidance).map_err(AppError::internal)?);
    m.example = Set(req.example.trim().to_string());
    m.updated_at = Set(Utc::now());
    let saved = m.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "template.update",
            target_type: "story_template",
            target_id: Some(saved.id),
            institution_id: saved.institution_id,
            detail: serde_json::json!({
                "from": {"name": current.name, "body": current.body},
                "to": {"name": saved.name, "body": saved.body},
            }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(view(&saved))
}

/// Archives a template (`archive`) or puts it back in the library. Nothing is deleted:
/// briefs that chose it keep showing it and ambassadors still compose from it. 409 when
/// it already is in the state asked for.
pub async fn set_archived(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    archive: bool,
    ip: &ClientIp,
) -> AppResult<TemplateView> {
    let current = get_changeable(db, user, id).await?;
    if current.archived_at.is_some() == archive {
        return Err(AppError::Conflict(FieldErrors::single(
            "id",
            Msg::new(if archive {
                "templates.already_archived"
            } else {
                "templates.not_archived"
            }),
        )));
    }
    let txn = begin_write(db).await?;
    let now = Utc::now();
    let updated = story_templates::Entity::update_many()
        .col_expr(
            story_templates::Column::ArchivedAt,
            sea_orm::sea_query::Expr::value(archive.then_some(now)),
        )
        .col_expr(
            story_templates::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(story_templates::Column::Id.eq(id))
        .filter(if archive {
            story_templates::Column::ArchivedAt.is_null()
        } else {
            story_templates::Column::ArchivedAt.is_not_null()
        })
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(AppError::Conflict(FieldErrors::single(
            "id",
            Msg::new("templates.already_archived"),
        )));
    }
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: if archive {
                "template.archive"
            } else {
                "template.restore"
            },
            target_type: "story_template",
            target_id: Some(id),
            institution_id: current.institution_id,
            detail: serde_json::json!({ "name": current.name }),
            ip: Some(ip),
        },
    )
    .await?;
    let saved = story_templates::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    txn.commit().await?;
    Ok(view(&saved))
}

pub async fn get_template_for(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
) -> AppResult<story_templates::Model> {
    visible(user)
        .filter(story_templates::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

fn template_error(e: &TemplateError) -> Msg {
    match e {
        TemplateError::Unclosed(at) => Msg::new(e.key()).arg("at", at + 1),
        TemplateError::BadName(name) => Msg::new(e.key()).arg("name", name),
        TemplateError::TooLong => Msg::new(e.key()).arg("max", rules::MAX_BODY_CHARS),
        TemplateError::NoBlanks => Msg::new(e.key()),
    }
}

/// Checks a template request; the cleaned guidance (trimmed, only the body's blanks) on
/// success.
pub fn check_template(req: &TemplateRequest) -> Result<BTreeMap<String, String>, FieldErrors> {
    let mut errors = FieldErrors::new();
    if req.name.trim().is_empty() {
        errors.add("name", Msg::new("templates.name_required"));
    } else if TEMPLATE_NAME.clean(&req.name).is_none() {
        errors.add("name", Msg::new("form.too_long").arg("max", MAX_NAME_CHARS));
    }
    for (field, text) in [("description", &req.description), ("example", &req.example)] {
        if TEMPLATE_TEXT.clean(text).is_none() {
            errors.add(field, Msg::new("form.too_long").arg("max", MAX_TEXT_CHARS));
        }
    }
    if !rules::body_chars_ok(&req.body) {
        errors.add("body", Msg::new("templates.control_chars"));
    }
    let mut guidance = BTreeMap::new();
    match rules::blanks(&req.body) {
        Err(e) => errors.add("body", template_error(&e)),
        Ok(blanks) => {
            let (missing, extra) = rules::guidance_mismatch(&blanks, &req.guidance);
            if !missing.is_empty() {
                errors.add(
                    "guidance",
                    Msg::new("templates.guidance_missing").arg("names", missing.join(", ")),
                );
            }
            if !extra.is_empty() {
                let shown: Vec<String> =
                    extra.iter().map(|n| n.chars().take(40).collect()).collect();
                errors.add(
                    "guidance",
                    Msg::new("templates.guidance_extra").arg("names", shown.join(", ")),
                );
            }
            for b in blanks {
                let raw = req.guidance.get(&b).map(String::as_str).unwrap_or_default();
                let text = TEMPLATE_TEXT.clean(raw).unwrap_or_else(|| {
                    errors.add(
                        "guidance",
                        Msg::new("form.too_long").arg("max", MAX_TEXT_CHARS),
                    );
                    String::new()
                });
                guidance.insert(b, text);
            }
        }
    }
    if errors.is_empty() {
        Ok(guidance)
    } else {
        Err(errors)
    }
}

/// Adds a template to the caller's institution (an admin names the institution).
pub async fn create_template(
    db: &DatabaseConnection,
    user: &CurrentUser,
    req: &TemplateRequest,
    ip: &ClientIp,
) -> AppResult<TemplateView> {
    let guidance = check_template(req).map_err(AppError::Validation)?;
    if req.institution_id.is_some_and(|id| id < 1) {
        return Err(AppError::Validation(FieldErrors::single(
            "institution_id",
            Msg::new("users.institution_unknown"),
        )));
    }
    let institution_id = match user.scope() {
        Scope::Institution { institution_id, .. } => {
            if req.institution_id.is_some_and(|id| id != institution_id) {
                return Err(AppError::Validation(FieldErrors::single(
                    "institution_id",
                    Msg::conflict("users.institution_unknown"),
                )));
            }
            institution_id
        }
        Scope::All => {
            // The caller has no institution of their own: a conflict with who they are,
            // not a fault of the body's shape.
            let Some(id) = req.institution_id else {
                let mut errors = FieldErrors::new();
                errors.add(
                    "institution_id",
                    Msg::conflict("users.institution_required"),
                );
                return Err(AppError::Validation(errors));
            };
            entity::institutions::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or(AppError::NotFound)
                .map_err(|e| e.at_field("institution_id", "users.institution_unknown"))?
                .id
        }
    };
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let saved = story_templates::ActiveModel {
        institution_id: Set(Some(institution_id)),
        slug: Set(None),
        name: Set(req.name.trim().to_string()),
        description: Set(req.description.trim().to_string()),
        body: Set(req.body.trim().to_string()),
        guidance: Set(serde_json::to_string(&guidance).map_err(AppError::internal)?),
        example: Set(req.example.trim().to_string()),
        created_by: Set(Some(user.id())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "template.create",
            target_type: "story_template",
            target_id: Some(saved.id),
            institution_id: Some(institution_id),
            detail: serde_json::json!({ "name": saved.name }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(view(&saved))
}

/// A draft for one platform, its length as that platform counts, and whether it fits.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Rendered {
    pub platform: String,
    pub text: String,
    pub length: usize,
    pub limit: usize,
    pub fits: bool,
    /// The draft mostly repeats the brief's sample wording (or the template's example):
    /// the ambassador is nudged to tell it in their own words.
    pub nudge: bool,
}

/// Checks the filled blanks against the template: every name must be a blank of it, and
/// no text may be longer than [`MAX_FIELD_CHARS`].
pub fn check_fields(
    template: &story_templates::Model,
    fields: &BTreeMap<String, String>,
) -> Result<(), FieldErrors> {
    let blanks = rules::blanks(&template.body).unwrap_or_default();
    let mut errors = FieldErrors::new();
    for (name, value) in fields {
        if !blanks.contains(name) {
            let shown: String = name.chars().take(40).collect();
            // A name no blank could have is malformed; a possible one this template
            // lacks clashes with the stored template.
            let msg = if rules::valid_name(name) {
                Msg::conflict("compose.unknown_blank")
            } else {
                Msg::new("compose.unknown_blank")
            };
            errors.add("fields", msg.arg("name", shown));
        } else if BLANK_TEXT.clean(value).is_none() {
            errors.add(
                &format!("fields.{name}"),
                Msg::new("form.too_long").arg("max", MAX_FIELD_CHARS),
            );
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// What a draft takes from its brief: the tags to append and the wording it should not
/// copy too closely.
pub struct BriefWording<'a> {
    pub hashtags: &'a [String],
    pub mentions: &'a [String],
    pub sample: &'a str,
    pub key_messages: &'a str,
}

/// Renders a draft without a database: the template, the blanks, and optionally the
/// brief's tags and sample wording.
pub fn render_for(
    template: &story_templates::Model,
    platform: &str,
    fields: &BTreeMap<String, String>,
    brief: Option<BriefWording<'_>>,
) -> Rendered {
    let body = rules::render(&template.body, fields);
    let (text, sample) = match brief {
        Some(b) => (
            rules::append_tags(&body, b.hashtags, b.mentions),
            format!("{}\n{}\n{}", b.sample, b.key_messages, template.example),
        ),
        None => (body.clone(), template.example.clone()),
    };
    let limit = rules::limit(platform).unwrap_or(0);
    let length = rules::length(platform, &text);
    Rendered {
        platform: platform.to_string(),
        nudge: rules::repeated_share(&body, &sample) > rules::NUDGE_SHARE,
        fits: length <= limit,
        length,
        limit,
        text,
    }
}
