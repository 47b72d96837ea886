//! Briefs: written and published by coordinators, read by the ambassadors of their
//! audience. Every read filters by the caller's scope in the query: coordinators see their
//! institution's briefs (a subtree coordinator only those addressed inside the subtree);
//! an approved ambassador sees published briefs of their institution addressed to the
//! whole institution or to their work unit or one above it.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select, Set,
};
use serde::Serialize;

use super::forms::{BriefRequest, Fact, PauseRequest};
use super::rules::{
    self, clean_tags, parse_instant, IsoWeek, TagError, CATEGORIES, MAX_FACTS, PLATFORMS,
    PRIORITIES,
};
use crate::ambassadors::service::{own_of, Own};
use crate::audit::record as audit;
use crate::auth::guards::CurrentUser;
use crate::auth::roles::{Role, Scope};
use crate::db::begin_write;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::notify::Mailer;
use crate::settings::service::programme_timezone;
use crate::story_templates::service as templates;
use crate::web::i18n::Lang;
use entity::{
    ambassadors, brief_images, brief_templates, brief_work_units, briefs, crisis_pauses, drafts,
    notifications, story_templates, submissions, users, work_units,
};

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_TEXT_CHARS: usize = 5_000;
pub const MAX_UNITS: usize = 200;
pub const MAX_TEMPLATES: usize = 20;
/// The notice ambassadors see while briefs are paused.
pub const NOTICE: crate::text::Text = crate::text::Text::lines(1, 1_000);
/// A brief's title.
pub const TITLE: crate::text::Text = crate::text::Text::line(1, MAX_TITLE_CHARS);
/// Key messages, dos, don'ts and the sample wording.
pub const BRIEF_TEXT: crate::text::Text = crate::text::Text::lines(0, MAX_TEXT_CHARS);
/// A fact and where it comes from.
pub const FACT_TEXT: crate::text::Text = crate::text::Text::lines(1, 1_000);
pub const FACT_SOURCE: crate::text::Text = crate::text::Text::line(0, 500);

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BriefImageView {
    pub id: i64,
    pub media_id: i64,
    pub alt: String,
    /// Focal point, in thousandths of the width and height.
    pub focal_x: i32,
    pub focal_y: i32,
    /// The focal point in whole percent, as the page shows it.
    /// The focal point in percent of width and height: `[x, y]`.
    #[schema(value_type = Vec<i32>, min_items = 2, max_items = 2)]
    pub focal_percent: (i32, i32),
    /// The variants ready to download (instagram_square, instagram_portrait, x, facebook).
    pub variants: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BriefView {
    pub id: i64,
    pub institution_id: i64,
    pub week: String,
    pub title: String,
    pub category: String,
    pub key_messages: String,
    pub facts: Vec<Fact>,
    pub hashtags: Vec<String>,
    pub mentions: Vec<String>,
    pub dos: String,
    pub donts: String,
    pub sample: String,
    pub platforms: Vec<String>,
    pub deadline: DateTime<Utc>,
    pub priority: String,
    /// institution or units
    pub audience: String,
    pub work_unit_ids: Vec<i64>,
    pub template_ids: Vec<i64>,
    /// As stored: draft, scheduled, published or closed.
    pub status: String,
    /// What ambassadors see now: a scheduled brief whose time has come is published.
    pub state: String,
    pub publish_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The institution's crisis switch is on.
    pub paused: bool,
    pub images: Vec<BriefImageView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn json_list<T: serde::de::DeserializeOwned>(text: &str) -> Vec<T> {
    serde_json::from_str(text).unwrap_or_default()
}

/// What a brief is now: a scheduled brief whose publish time has passed is published.
pub fn state_of(b: &briefs::Model, now: DateTime<Utc>) -> &'static str {
    match b.status.as_str() {
        "closed" => "closed",
        "published" => "published",
        "scheduled" if b.publish_at.is_some_and(|t| t <= now) => "published",
        "scheduled" => "scheduled",
        _ => "draft",
    }
}

use crate::org::service::subtree_units;

/// Briefs staff may see: their institution's; for a subtree scope, only briefs addressed
/// to units inside the subtree.
pub fn staff_scoped(user: &CurrentUser) -> Select<briefs::Entity> {
    let q = briefs::Entity::find();
    match user.scope() {
        Scope::All => q,
        Scope::Institution {
            institution_id,
            work_unit_path,
        } => {
            let q = q.filter(briefs::Column::InstitutionId.eq(institution_id));
            match work_unit_path {
                None => q,
                Some(p) => q.filter(briefs::Column::Audience.eq("units")).filter(
                    briefs::Column::Id.not_in_subquery(
                        Query::select()
                            .column(brief_work_units::Column::BriefId)
                            .from(brief_work_units::Entity)
                            .and_where(
                                brief_work_units::Column::WorkUnitId
                                    .not_in_subquery(subtree_units(&p)),
                            )
                            .to_owned(),
                    ),
                ),
            }
        }
    }
}

/// The approved ambassador behind a user, with their work unit's path and accounts.
pub async fn reader_of(db: &impl ConnectionTrait, user: &CurrentUser) -> AppResult<Option<Own>> {
    if user.role != Role::Ambassador {
        return Ok(None);
    }
    Ok(own_of(db, user.id())
        .await?
        .filter(|o| o.record.status == "approved"))
}

/// Published briefs addressed to an ambassador (closed ones included; the caller picks).
pub fn addressed_to(
    amb: &ambassadors::Model,
    unit_path: &str,
    now: DateTime<Utc>,
) -> Select<briefs::Entity> {
    briefs::Entity::find()
        .filter(briefs::Column::InstitutionId.eq(amb.institution_id))
        .filter(
            Condition::any()
                .add(briefs::Column::Status.is_in(["published", "closed"]))
                .add(
                    Condition::all()
                        .add(briefs::Column::Status.eq("scheduled"))
                        .add(briefs::Column::PublishAt.lte(now)),
                ),
        )
        .filter(
            Condition::any()
                .add(briefs::Column::Audience.eq("institution"))
                .add(
                    briefs::Column::Id.in_subquery(
                        Query::select()
                            .column(brief_work_units::Column::BriefId)
                            .from(brief_work_units::Entity)
                            .and_where(
                                brief_work_units::Column::WorkUnitId
                                    .is_in(rules::path_ids(unit_path)),
                            )
                            .to_owned(),
                    ),
                ),
        )
}

/// Briefs the user may read: staff by scope, ambassadors those addressed to them.
async fn readable(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
) -> AppResult<Select<briefs::Entity>> {
    if user.role == Role::Ambassador {
        match reader_of(db, user).await? {
            Some(own) => Ok(addressed_to(&own.record, &own.unit_path, Utc::now())),
            None => Ok(briefs::Entity::find().filter(briefs::Column::Id.eq(-1))),
        }
    } else {
        Ok(staff_scoped(user))
    }
}

pub async fn get_brief_for(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    id: i64,
) -> AppResult<briefs::Model> {
    readable(db, user)
        .await?
        .filter(briefs::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// A brief a coordinator (or admin) may change.
pub async fn get_managed_brief(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    id: i64,
) -> AppResult<briefs::Model> {
    if !matches!(user.role, Role::Coordinator | Role::Admin) {
        return Err(AppError::NotFound);
    }
    staff_scoped(user)
        .filter(briefs::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn get_brief_view_for(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
) -> AppResult<BriefView> {
    let b = get_brief_for(db, user, id).await?;
    Ok(views_of(db, vec![b]).await?.remove(0))
}

/// The open crisis pause of an institution, if any.
pub async fn active_pause(
    db: &impl ConnectionTrait,
    institution_id: i64,
) -> AppResult<Option<crisis_pauses::Model>> {
    Ok(crisis_pauses::Entity::find()
        .filter(crisis_pauses::Column::InstitutionId.eq(institution_id))
        .filter(crisis_pauses::Column::EndedAt.is_null())
        .one(db)
        .await?)
}

/// Views of briefs with their units, templates, images and pause, in four queries.
pub async fn views_of(
    db: &impl ConnectionTrait,
    rows: Vec<briefs::Model>,
) -> AppResult<Vec<BriefView>> {
    views_with(db, rows, None).await
}

/// [`views_of`], with the paused institutions when the caller already knows them.
async fn views_with(
    db: &impl ConnectionTrait,
    rows: Vec<briefs::Model>,
    paused: Option<Vec<i64>>,
) -> AppResult<Vec<BriefView>> {
    let ids: Vec<i64> = rows.iter().map(|b| b.id).collect();
    let mut units: HashMap<i64, Vec<i64>> = HashMap::new();
    for r in brief_work_units::Entity::find()
        .filter(brief_work_units::Column::BriefId.is_in(ids.clone()))
        .all(db)
        .await?
    {
        units.entry(r.brief_id).or_default().push(r.work_unit_id);
    }
    let mut templates: HashMap<i64, Vec<i64>> = HashMap::new();
    for r in brief_templates::Entity::find()
        .filter(brief_templates::Column::BriefId.is_in(ids.clone()))
        .all(db)
        .await?
    {
        templates.entry(r.brief_id).or_default().push(r.template_id);
    }
    let mut images: HashMap<i64, Vec<BriefImageView>> = HashMap::new();
    for r in brief_images::Entity::find()
        .filter(brief_images::Column::BriefId.is_in(ids.clone()))
        .order_by_asc(brief_images::Column::Position)
        .order_by_asc(brief_images::Column::Id)
        .all(db)
        .await?
    {
        let variants: BTreeMap<String, String> =
            serde_json::from_str(&r.variants).unwrap_or_default();
        images.entry(r.brief_id).or_default().push(BriefImageView {
            id: r.id,
            media_id: r.media_id,
            alt: r.alt,
            focal_x: r.focal_x,
            focal_y: r.focal_y,
            focal_percent: ((r.focal_x + 5) / 10, (r.focal_y + 5) / 10),
            variants: variants.into_keys().collect(),
        });
    }
    let paused: Vec<i64> = match paused {
        Some(p) => p,
        None => {
            let institutions: Vec<i64> = rows.iter().map(|b| b.institution_id).collect();
            crisis_pauses::Entity::find()
                .filter(crisis_pauses::Column::InstitutionId.is_in(institutions))
                .filter(crisis_pauses::Column::EndedAt.is_null())
                .all(db)
                .await?
                .into_iter()
                .map(|p| p.institution_id)
                .collect()
        }
    };
    let now = Utc::now();
    Ok(rows
        .into_iter()
        .map(|b| {
            let mut u = units.remove(&b.id).unwrap_or_default();
            u.sort_unstable();
            let mut t = templates.remove(&b.id).unwrap_or_default();
            t.sort_unstable();
            BriefView {
                state: state_of(&b, now).to_string(),
                paused: paused.contains(&b.institution_id),
                images: images.remove(&b.id).unwrap_or_default(),
                work_unit_ids: u,
                template_ids: t,
                facts: json_list(&b.facts),
                hashtags: json_list(&b.hashtags),
                mentions: json_list(&b.mentions),
                platforms: json_list(&b.platforms),
                id: b.id,
                institution_id: b.institution_id,
                week: b.week,
                title: b.title,
                category: b.category,
                key_messages: b.key_messages,
                dos: b.dos,
                donts: b.donts,
                sample: b.sample,
                deadline: b.deadline,
                priority: b.priority,
                audience: b.audience,
                status: b.status,
                publish_at: b.publish_at,
                closed_at: b.closed_at,
                created_at: b.created_at,
                updated_at: b.updated_at,
            }
        })
        .collect())
}

/// A checked brief request, ready to store.
pub struct Checked {
    pub institution_id: i64,
    pub week: IsoWeek,
    pub title: String,
    pub category: String,
    pub key_messages: String,
    pub facts: Vec<Fact>,
    pub hashtags: Vec<String>,
    pub mentions: Vec<String>,
    pub dos: String,
    pub donts: String,
    pub sample: String,
    pub platforms: Vec<String>,
    pub deadline: DateTime<Utc>,
    pub priority: String,
    pub unit_ids: Vec<i64>,
    pub template_ids: Vec<i64>,
    pub status: String,
    pub publish_at: Option<DateTime<Utc>>,
}

fn text_field(errors: &mut FieldErrors, field: &str, text: &str) -> String {
    BRIEF_TEXT.clean(text).unwrap_or_else(|| {
        errors.add(field, Msg::new("form.too_long").arg("max", MAX_TEXT_CHARS));
        String::new()
    })
}

/// Checks every field of a brief request. Units and templates out of the caller's reach
/// are conflicts at their field (the same answer as for ids that do not exist, so ids
/// cannot be probed); everything else is a field error.
/// A national brief's content, checked by the rules of a brief (no institution, no units,
/// shared templates only): what `narratives` stores and institutions adopt.
pub async fn check_national(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    req: &BriefRequest,
) -> AppResult<Checked> {
    check_brief(db, user, req, None, true).await
}

async fn check_brief(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    req: &BriefRequest,
    existing: Option<&briefs::Model>,
    national: bool,
) -> AppResult<Checked> {
    let mut errors = FieldErrors::new();
    let tz = programme_timezone_of(db).await?;
    let now = Utc::now();

    let institution_id = match (existing, user.scope()) {
        // No institution's: units and institution templates match none.
        _ if national => 0,
        (Some(b), _) => b.institution_id,
        (None, Scope::Institution { institution_id, .. }) => institution_id,
        (None, Scope::All) => match req.institution_id {
            Some(id) => {
                entity::institutions::Entity::find_by_id(id)
                    .one(db)
                    .await?
                    .ok_or(AppError::NotFound)
                    .map_err(|e| e.at_field("institution_id", "users.institution_unknown"))?
                    .id
            }
            None => {
                // The caller has no institution of their own to write for.
                errors.add(
                    "institution_id",
                    Msg::conflict("users.institution_required"),
                );
                -1
            }
        },
    };

    let title = req.title.trim().to_string();
    if title.is_empty() {
        errors.add("title", Msg::new("briefs.title_required"));
    } else if TITLE.clean(&req.title).is_none() {
        errors.add(
            "title",
            Msg::new("form.too_long").arg("max", MAX_TITLE_CHARS),
        );
    }
    let week = match IsoWeek::parse(&req.week) {
        Ok(w) => Some(w),
        Err(e) => {
            errors.add("week", Msg::new(e.key()));
            None
        }
    };
    let category = req.category.clone();
    if !CATEGORIES.contains(&category.as_str()) {
        errors.add("category", Msg::new("briefs.category_invalid"));
    }
    let key_messages = text_field(&mut errors, "key_messages", &req.key_messages);
    let dos = text_field(&mut errors, "dos", &req.dos);
    let donts = text_field(&mut errors, "donts", &req.donts);
    let sample = text_field(&mut errors, "sample", &req.sample);

    let facts: Vec<Fact> = req
        .facts
        .iter()
        .map(|f| Fact {
            text: f.text.trim().to_string(),
            source: f.source.trim().to_string(),
        })
        .collect();
    if facts.len() > MAX_FACTS {
        errors.add(
            "facts",
            Msg::new("briefs.too_many_facts").arg("max", MAX_FACTS),
        );
    } else if facts.iter().any(|f| f.text.is_empty()) {
        errors.add("facts", Msg::new("briefs.fact_without_text"));
    } else if req
        .facts
        .iter()
        .any(|f| FACT_TEXT.clean(&f.text).is_none() || FACT_SOURCE.clean(&f.source).is_none())
    {
        errors.add("facts", Msg::new("briefs.fact_too_long"));
    }

    let mut tags = |field: &str, items: &[String], prefix: char| match clean_tags(items, prefix) {
        Ok(t) => t,
        Err(TagError::TooMany) => {
            errors.add(
                field,
                Msg::new("briefs.too_many_tags").arg("max", rules::MAX_TAGS),
            );
            Vec::new()
        }
        Err(TagError::Bad(t)) => {
            errors.add(
                field,
                Msg::new(&format!("briefs.bad_{field}")).arg("tag", t),
            );
            Vec::new()
        }
    };
    let hashtags = tags("hashtags", &req.hashtags, '#');
    let mentions = tags("mentions", &req.mentions, '@');

    let mut platforms: Vec<String> = Vec::new();
    for p in &req.platforms {
        let p = p.clone();
        if !PLATFORMS.contains(&p.as_str()) {
            errors.add("platforms", Msg::new("briefs.platform_invalid"));
            break;
        }
        if !platforms.contains(&p) {
            platforms.push(p);
        }
    }
    if platforms.is_empty() && !errors.0.contains_key("platforms") {
        errors.add("platforms", Msg::new("briefs.platforms_required"));
    }
    let priority = match req.priority.as_str() {
        "" => "normal".to_string(),
        p if PRIORITIES.contains(&p) => p.to_string(),
        _ => {
            errors.add("priority", Msg::new("briefs.priority_invalid"));
            "normal".to_string()
        }
    };

    let deadline = if req.deadline.trim().is_empty() {
        errors.add("deadline", Msg::new("briefs.deadline_required"));
        None
    } else {
        let d = parse_instant(&req.deadline, &tz);
        if d.is_none() {
            errors.add("deadline", Msg::new("briefs.instant_invalid"));
        }
        d
    };

    // The state asked for, and when ambassadors see the brief.
    let status = match req.status.as_str() {
        "" => existing
            .map(|b| b.status.clone())
            .unwrap_or_else(|| "draft".into()),
        s => s.to_string(),
    };
    let was_out = existing.is_some_and(|b| {
        b.status == "published" || b.status == "closed" || state_of(b, now) == "published"
    });
    let mut publish_at = match req
        .publish_at
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => match parse_instant(s, &tz) {
            Some(t) => Some(t),
            None => {
                errors.add("publish_at", Msg::new("briefs.instant_invalid"));
                None
            }
        },
        None => None,
    };
    // Rules that follow from a state the request did not ask for (the brief's own, kept
    // by an empty `status`) are conflicts with what is stored.
    let inherited = req.status.is_empty() && existing.is_some();
    let rule = |key: &str| {
        if inherited {
            Msg::conflict(key)
        } else {
            Msg::new(key)
        }
    };
    let publish_given = publish_at.is_some();
    match status.as_str() {
        "draft" => {
            if was_out {
                errors.add("status", Msg::conflict("briefs.cannot_unpublish"));
            }
            publish_at = None;
        }
        "scheduled" => match publish_at {
            None if !errors.0.contains_key("publish_at") => {
                errors.add("publish_at", rule("briefs.publish_at_required"))
            }
            Some(t) if t <= now => errors.add("publish_at", rule("briefs.schedule_in_future")),
            _ => {}
        },
        "published" => {
            if publish_at.is_some_and(|t| t > now) {
                errors.add("publish_at", rule("briefs.publish_at_past"));
            }
            publish_at = publish_at
                .or(existing.and_then(|b| b.publish_at).filter(|t| *t <= now))
                .or(Some(now));
        }
        "closed" => {
            if !was_out {
                errors.add("status", Msg::conflict("briefs.close_unpublished"));
            }
            publish_at = publish_at.or(existing.and_then(|b| b.publish_at));
        }
        _ => errors.add("status", Msg::new("briefs.status_invalid")),
    }
    if let (Some(d), Some(p)) = (deadline, publish_at) {
        if d <= p {
            // Against a publishing time the brief already had, it is a conflict.
            let from_store = !publish_given && p != now;
            errors.add(
                "deadline",
                if from_store || inherited {
                    Msg::conflict("briefs.deadline_before_publish")
                } else {
                    Msg::new("briefs.deadline_before_publish")
                },
            );
        }
    }

    // Audience and templates: out of reach is NotFound, as for any id.
    let mut unit_ids = req.work_unit_ids.clone();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    if req.work_unit_ids.len() > MAX_UNITS {
        errors.add(
            "work_unit_ids",
            Msg::new("briefs.too_many_units").arg("max", MAX_UNITS),
        );
    } else if !unit_ids.is_empty() {
        let found = work_units::Entity::find()
            .filter(work_units::Column::Id.is_in(unit_ids.clone()))
            .filter(work_units::Column::InstitutionId.eq(institution_id))
            .all(db)
            .await?;
        let scope = user.scope();
        if found.len() != unit_ids.len()
            || found
                .iter()
                .any(|u| !scope.allows_work_unit(u.institution_id, &u.path))
        {
            errors.add("work_unit_ids", Msg::conflict("users.work_unit_unknown"));
        }
    } else if let Scope::Institution {
        work_unit_path: Some(_),
        ..
    } = user.scope()
    {
        errors.add(
            "work_unit_ids",
            Msg::conflict("briefs.units_required_for_subtree"),
        );
    }
    let mut template_ids = req.template_ids.clone();
    template_ids.sort_unstable();
    template_ids.dedup();
    if req.template_ids.len() > MAX_TEMPLATES {
        errors.add("template_ids", Msg::new("briefs.too_many_templates"));
    } else if !template_ids.is_empty() {
        let found = story_templates::Entity::find()
            .filter(story_templates::Column::Id.is_in(template_ids.clone()))
            .filter(
                Condition::any()
                    .add(story_templates::Column::InstitutionId.is_null())
                    .add(story_templates::Column::InstitutionId.eq(institution_id)),
            )
            .all(db)
            .await?;
        if found.len() != template_ids.len() {
            errors.add("template_ids", Msg::conflict("briefs.template_unknown"));
        }
    }

    errors.into_result()?;
    let (Some(week), Some(deadline)) = (week, deadline) else {
        return Err(AppError::internal(
            "a checked brief lacks its week or deadline",
        ));
    };
    Ok(Checked {
        institution_id,
        week,
        title,
        category,
        key_messages,
        facts,
        hashtags,
        mentions,
        dos,
        donts,
        sample,
        platforms,
        deadline,
        priority,
        unit_ids,
        template_ids,
        status,
        publish_at,
    })
}

async fn programme_timezone_of(db: &impl ConnectionTrait) -> AppResult<chrono_tz::Tz> {
    Ok(entity::programme_settings::Entity::find_by_id(1)
        .one(db)
        .await?
        .and_then(|s| s.timezone.parse().ok())
        .unwrap_or(chrono_tz::Asia::Jakarta))
}

fn to_json<T: Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(AppError::internal)
}

async fn write_links(db: &impl ConnectionTrait, brief_id: i64, c: &Checked) -> AppResult<()> {
    brief_work_units::Entity::delete_many()
        .filter(brief_work_units::Column::BriefId.eq(brief_id))
        .exec(db)
        .await?;
    brief_templates::Entity::delete_many()
        .filter(brief_templates::Column::BriefId.eq(brief_id))
        .exec(db)
        .await?;
    if !c.unit_ids.is_empty() {
        brief_work_units::Entity::insert_many(c.unit_ids.iter().map(|u| {
            brief_work_units::ActiveModel {
                brief_id: Set(brief_id),
                work_unit_id: Set(*u),
            }
        }))
        .exec(db)
        .await?;
    }
    if !c.template_ids.is_empty() {
        brief_templates::Entity::insert_many(c.template_ids.iter().map(|t| {
            brief_templates::ActiveModel {
                brief_id: Set(brief_id),
                template_id: Set(*t),
            }
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

fn fill(m: &mut briefs::ActiveModel, c: &Checked, now: DateTime<Utc>) -> AppResult<()> {
    m.institution_id = Set(c.institution_id);
    m.week = Set(c.week.to_string());
    m.week_start = Set(c.week.monday());
    m.title = Set(c.title.clone());
    m.category = Set(c.category.clone());
    m.key_messages = Set(c.key_messages.clone());
    m.facts = Set(to_json(&c.facts)?);
    m.hashtags = Set(to_json(&c.hashtags)?);
    m.mentions = Set(to_json(&c.mentions)?);
    m.dos = Set(c.dos.clone());
    m.donts = Set(c.donts.clone());
    m.sample = Set(c.sample.clone());
    m.platforms = Set(to_json(&c.platforms)?);
    m.deadline = Set(c.deadline);
    m.priority = Set(c.priority.clone());
    m.audience = Set(if c.unit_ids.is_empty() {
        "institution"
    } else {
        "units"
    }
    .to_string());
    m.status = Set(c.status.clone());
    m.publish_at = Set(c.publish_at);
    m.updated_at = Set(now);
    Ok(())
}

/// Writes a new brief with its audience and templates in one transaction; when it is
/// published at once, its audience is told.
pub async fn create_brief(
    db: &DatabaseConnection,
    mailer: &Mailer,
    user: &CurrentUser,
    req: &BriefRequest,
    ip: &ClientIp,
) -> AppResult<BriefView> {
    let txn = begin_write(db).await?;
    let c = check_brief(&txn, user, req, None, false).await?;
    let now = Utc::now();
    let mut m = briefs::ActiveModel {
        created_by: Set(user.id()),
        created_at: Set(now),
        closed_at: Set(None),
        notified_at: Set(None),
        ..Default::default()
    };
    fill(&mut m, &c, now)?;
    if c.status == "closed" {
        m.closed_at = Set(Some(now));
    }
    let saved = m.insert(&txn).await?;
    write_links(&txn, saved.id, &c).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "brief.create",
            target_type: "brief",
            target_id: Some(saved.id),
            institution_id: Some(saved.institution_id),
            detail: serde_json::json!({ "status": saved.status, "week": saved.week }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    check_words(db, &saved).await;
    tell_if_due(db, mailer, saved.id).await;
    Ok(views_of(db, vec![saved]).await?.remove(0))
}

/// Flags a brief whose text holds a blocklisted word during the neutrality period.
async fn check_words(db: &DatabaseConnection, b: &briefs::Model) {
    let text = [
        &b.title,
        &b.key_messages,
        &b.facts,
        &b.hashtags,
        &b.mentions,
        &b.dos,
        &b.donts,
        &b.sample,
    ]
    .map(String::as_str)
    .join("\n");
    let source = crate::integrity::service::TextSource::Brief {
        id: b.id,
        institution_id: b.institution_id,
    };
    crate::integrity::service::after_text(db, source, &text).await;
}

/// Replaces a brief's fields (and state) in one transaction.
pub async fn update_brief(
    db: &DatabaseConnection,
    mailer: &Mailer,
    user: &CurrentUser,
    id: i64,
    req: &BriefRequest,
    ip: &ClientIp,
) -> AppResult<BriefView> {
    let txn = begin_write(db).await?;
    let existing = get_managed_brief(&txn, user, id).await?;
    let c = check_brief(&txn, user, req, Some(&existing), false).await?;
    let now = Utc::now();
    let from = existing.status.clone();
    let closed_at = existing.closed_at;
    let before = existing.clone();
    let mut m: briefs::ActiveModel = existing.into();
    fill(&mut m, &c, now)?;
    m.closed_at = Set(if c.status == "closed" {
        closed_at.or(Some(now))
    } else {
        None
    });
    let saved = m.update(&txn).await?;
    write_links(&txn, saved.id, &c).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "brief.update",
            target_type: "brief",
            target_id: Some(saved.id),
            institution_id: Some(saved.institution_id),
            detail: serde_json::json!({ "from": from, "to": saved.status }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    check_words(db, &saved).await;
    tell_if_due(db, mailer, saved.id).await;
    // Only for a brief its readers were already told of (not the one published now).
    if before.notified_at.is_some() && changed_for_readers(&before, &saved) {
        tell_changed(db, mailer, saved.id).await;
    }
    Ok(views_of(db, vec![saved]).await?.remove(0))
}

/// Copies a brief to another week as a new draft: the same text, platforms, audience
/// and templates, the deadline moved by as many weeks (images are not copied). Checked
/// as a new brief would be, so units or templates out of reach now are refused (409).
pub async fn copy_brief(
    db: &DatabaseConnection,
    mailer: &Mailer,
    user: &CurrentUser,
    id: i64,
    week: &str,
    ip: &ClientIp,
) -> AppResult<BriefView> {
    let source = get_managed_brief(db, user, id).await?;
    let target = IsoWeek::parse(week.trim())
        .map_err(|e| AppError::Validation(FieldErrors::single("week", Msg::new(e.key()))))?;
    let shift = target.monday() - source.week_start;
    let view = views_of(db, vec![source.clone()]).await?.remove(0);
    let req = BriefRequest {
        institution_id: (user.role == Role::Admin).then_some(view.institution_id),
        title: view.title,
        week: target.to_string(),
        category: view.category,
        key_messages: view.key_messages,
        facts: view.facts,
        hashtags: view.hashtags,
        mentions: view.mentions,
        dos: view.dos,
        donts: view.donts,
        sample: view.sample,
        platforms: view.platforms,
        deadline: (view.deadline + shift).to_rfc3339(),
        priority: view.priority,
        work_unit_ids: view.work_unit_ids,
        template_ids: view.template_ids,
        status: "draft".into(),
        publish_at: None,
    };
    // The copy's fields come from what is stored, not from the request: a rule they no
    // longer meet (a deadline moved past the last year Duta takes, a unit now out of
    // reach) is a conflict with the brief, not a bad request.
    let copy = match create_brief(db, mailer, user, &req, ip).await {
        Err(AppError::Validation(e)) => return Err(AppError::Conflict(e)),
        other => other?,
    };
    audit::record(
        db,
        audit::Entry {
            actor: Some(user),
            action: "brief.copy",
            target_type: "brief",
            target_id: Some(copy.id),
            institution_id: Some(copy.institution_id),
            detail: serde_json::json!({ "from_brief": source.id, "from_week": source.week, "week": copy.week }),
            ip: Some(ip),
        },
    )
    .await?;
    Ok(copy)
}

/// How long a clarification has from the moment it is made: counter-hoax work is
/// measured in hours.
const CLARIFY_HOURS: i64 = 6;

/// The content of a clarification of a hoax (`summary`, with its `links` as facts): an
/// urgent counter-narrative of this week, due in 6 hours, with the shipped
/// `klarifikasi-hoaks` template. An institution's clarification and a national one start
/// from it.
pub async fn clarification_of(
    db: &DatabaseConnection,
    summary: &str,
    links: &[String],
) -> AppResult<BriefRequest> {
    let tz = programme_timezone(db).await?;
    let now = Utc::now();
    let t = |key: &str| crate::web::i18n::t(Lang::Id, key);
    let (mut platforms, _) = crate::settings::service::thresholds(db).await?;
    if platforms.is_empty() {
        platforms = vec!["x".into(), "instagram".into(), "facebook".into()];
    }
    let template = entity::story_templates::Entity::find()
        .filter(entity::story_templates::Column::Slug.eq("klarifikasi-hoaks"))
        .one(db)
        .await?;
    let title: String = format!("{}: {}", t("hoaxes.clarify_title"), summary)
        .chars()
        .take(MAX_TITLE_CHARS)
        .collect();
    let facts = links
        .iter()
        .take(super::rules::MAX_FACTS)
        .map(|link| {
            if link.chars().count() <= FACT_SOURCE.max {
                Fact {
                    text: t("hoaxes.clarify_fact"),
                    source: link.clone(),
                }
            } else {
                Fact {
                    text: format!("{}: {link}", t("hoaxes.clarify_fact"))
                        .chars()
                        .take(FACT_TEXT.max)
                        .collect(),
                    source: String::new(),
                }
            }
        })
        .collect();
    Ok(BriefRequest {
        title: title.trim().to_string(),
        week: IsoWeek::of(now.with_timezone(&tz).date_naive()).to_string(),
        category: "kontra_narasi".into(),
        key_messages: t("hoaxes.clarify_key_messages"),
        facts,
        dos: t("hoaxes.clarify_dos"),
        donts: t("hoaxes.clarify_donts"),
        platforms,
        deadline: (now + chrono::TimeDelta::hours(CLARIFY_HOURS)).to_rfc3339(),
        priority: "urgent".into(),
        template_ids: template.map(|t| t.id).into_iter().collect(),
        ..Default::default()
    })
}

/// Makes the clarification brief of a confirmed hoax case (its list an institution's):
/// an urgent counter-narrative draft of this week for the whole institution (for a
/// coordinator limited to a unit, that unit), due in six hours, with the hoax's links as
/// facts, the clarification template Duta ships, and a clarification's key messages and
/// do's and don'ts to fill in. The coordinator changes it and publishes it; once it is
/// out, the case is answered. 409 for a case not confirmed, of the national list, or
/// with a brief already (also when two are made at once: the second draft goes again).
pub async fn create_clarification(
    db: &DatabaseConnection,
    (mailer, store): (&Mailer, &crate::media::service::MediaStore),
    user: &CurrentUser,
    case_id: i64,
    ip: &ClientIp,
) -> AppResult<BriefView> {
    let (case, links) = crate::hoaxes::service::case_to_clarify(db, user, case_id).await?;
    let req = BriefRequest {
        institution_id: case
            .owner_institution_id
            .filter(|_| user.role == Role::Admin),
        work_unit_ids: user
            .work_unit_path
            .as_ref()
            .and(user.user.work_unit_id)
            .into_iter()
            .collect(),
        status: "draft".into(),
        ..clarification_of(db, &case.summary, &links).await?
    };
    let made = create_brief(db, mailer, user, &req, ip).await?;
    if !crate::hoaxes::service::attach_brief(db, case_id, made.id).await? {
        delete_brief(db, store, user, made.id, ip).await?;
        return Err(AppError::Conflict(FieldErrors::single(
            "case",
            Msg::conflict("hoaxes.clarify_has_brief"),
        )));
    }
    Ok(made)
}

/// Deletes a brief nobody has seen: a draft, or one scheduled for later. Its links,
/// images and integrity flags go with it in one transaction (the image files after); a
/// brief ambassadors have seen is closed instead, never deleted (409).
pub async fn delete_brief(
    db: &DatabaseConnection,
    media: &crate::media::service::MediaStore,
    user: &CurrentUser,
    id: i64,
    ip: &ClientIp,
) -> AppResult<()> {
    let txn = begin_write(db).await?;
    let b = get_managed_brief(&txn, user, id).await?;
    if !matches!(state_of(&b, Utc::now()), "draft" | "scheduled") {
        return Err(AppError::Conflict(FieldErrors::single(
            "status",
            Msg::new("briefs.delete_published"),
        )));
    }
    let images = brief_images::Entity::find()
        .filter(brief_images::Column::BriefId.eq(id))
        .all(&txn)
        .await?;
    let media_ids: Vec<i64> = images.iter().map(|i| i.media_id).collect();
    let stored = entity::media::Entity::find()
        .filter(entity::media::Column::Id.is_in(media_ids.clone()))
        .all(&txn)
        .await?;
    let variant_files: Vec<String> = images
        .iter()
        .flat_map(|i| {
            serde_json::from_str::<BTreeMap<String, String>>(&i.variants)
                .unwrap_or_default()
                .into_values()
        })
        .collect();
    brief_images::Entity::delete_many()
        .filter(brief_images::Column::BriefId.eq(id))
        .exec(&txn)
        .await?;
    entity::media::Entity::delete_many()
        .filter(entity::media::Column::Id.is_in(media_ids))
        .exec(&txn)
        .await?;
    brief_work_units::Entity::delete_many()
        .filter(brief_work_units::Column::BriefId.eq(id))
        .exec(&txn)
        .await?;
    brief_templates::Entity::delete_many()
        .filter(brief_templates::Column::BriefId.eq(id))
        .exec(&txn)
        .await?;
    entity::integrity_flags::Entity::delete_many()
        .filter(entity::integrity_flags::Column::BriefId.eq(id))
        .exec(&txn)
        .await?;
    briefs::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "brief.delete",
            target_type: "brief",
            target_id: Some(id),
            institution_id: Some(b.institution_id),
            detail: serde_json::json!({ "title": b.title, "week": b.week, "status": b.status }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    for m in &stored {
        if let Err(e) = media.delete(m).await {
            tracing::warn!(media_id = m.id, error = %e, "a deleted brief's image file stays on disk");
        }
    }
    media.remove_named(variant_files).await;
    Ok(())
}

/// Briefs for the caller: staff see their scope's (of one week, or the latest 200);
/// ambassadors the published briefs addressed to them.
pub async fn list_briefs(
    db: &DatabaseConnection,
    user: &CurrentUser,
    week: Option<&str>,
) -> AppResult<Vec<BriefView>> {
    let mut q = readable(db, user).await?;
    if let Some(w) = week.map(str::trim).filter(|w| !w.is_empty()) {
        match IsoWeek::parse(w) {
            Ok(w) => q = q.filter(briefs::Column::Week.eq(w.to_string())),
            Err(e) => {
                let mut errors = FieldErrors::new();
                errors.add("week", Msg::new(e.key()));
                return Err(AppError::Validation(errors));
            }
        }
    }
    let rows = q
        .order_by_desc(briefs::Column::WeekStart)
        .order_by_desc(briefs::Column::Priority)
        .order_by_asc(briefs::Column::Deadline)
        .limit(200)
        .all(db)
        .await?;
    views_of(db, rows).await
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WeekBrief {
    #[serde(flatten)]
    pub brief: BriefView,
    /// The deadline in the programme's time zone, `dd-mm-yyyy hh:mm` and the zone's name.
    pub deadline_local: String,
    /// For urgent briefs: whole hours left until the deadline (0 once passed).
    pub hours_left: i64,
    /// The drafts the ambassador saved for this brief, newest first.
    pub drafts: Vec<DraftView>,
    /// The posts the ambassador submitted for this brief, newest first.
    pub submitted: Vec<SubmittedPost>,
    /// Target platforms without a pending or verified submission yet.
    pub waiting: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubmittedPost {
    pub id: i64,
    pub platform: String,
    pub url: String,
    /// pending, verified or rejected
    pub status: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DraftView {
    pub id: i64,
    pub platform: String,
    pub template_id: Option<i64>,
    pub text: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CurrentWeek {
    pub week: String,
    /// The crisis notice while the institution's briefs are paused; no briefs then.
    pub paused_notice: Option<String>,
    /// This week's open briefs for the ambassador: urgent first, then by deadline.
    pub briefs: Vec<WeekBrief>,
    /// False when the user is not (yet) an approved ambassador.
    pub approved: bool,
}

/// The ambassador's week: this week's published, open briefs addressed to them, urgent
/// first, with the drafts they saved for each. While the crisis switch is on, none. Kept
/// per user by [`super::cache::Weeks::current`].
/// The ambassador's week at `now`, and when the next scheduled brief of their
/// institution comes due.
pub async fn compute_week(
    db: &DatabaseConnection,
    user: &CurrentUser,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> AppResult<(CurrentWeek, Option<DateTime<Utc>>)> {
    let week = IsoWeek::of(now.with_timezone(&tz).date_naive());
    let Some(Own {
        record: amb,
        unit_path: path,
        ..
    }) = reader_of(db, user).await?
    else {
        let week = CurrentWeek {
            week: week.to_string(),
            paused_notice: None,
            briefs: Vec::new(),
            approved: false,
        };
        return Ok((week, None));
    };
    let until: Option<DateTime<Utc>> = briefs::Entity::find()
        .select_only()
        .column(briefs::Column::PublishAt)
        .filter(briefs::Column::InstitutionId.eq(amb.institution_id))
        .filter(briefs::Column::Status.eq("scheduled"))
        .filter(briefs::Column::PublishAt.gt(now))
        .order_by_asc(briefs::Column::PublishAt)
        .into_tuple::<Option<DateTime<Utc>>>()
        .one(db)
        .await?
        .flatten();
    if let Some(p) = active_pause(db, amb.institution_id).await? {
        let week = CurrentWeek {
            week: week.to_string(),
            paused_notice: Some(p.notice),
            briefs: Vec::new(),
            approved: true,
        };
        return Ok((week, until));
    }
    let rows = addressed_to(&amb, &path, now)
        .filter(briefs::Column::Status.ne("closed"))
        .filter(briefs::Column::WeekStart.eq(week.monday()))
        .order_by_desc(briefs::Column::Priority)
        .order_by_asc(briefs::Column::Deadline)
        .order_by_asc(briefs::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|b| b.id).collect();
    let mut drafts_by: HashMap<i64, Vec<DraftView>> = HashMap::new();
    for d in drafts::Entity::find()
        .filter(drafts::Column::UserId.eq(user.id()))
        .filter(drafts::Column::BriefId.is_in(ids))
        .order_by_desc(drafts::Column::UpdatedAt)
        .all(db)
        .await?
    {
        if let Some(b) = d.brief_id {
            drafts_by.entry(b).or_default().push(DraftView {
                id: d.id,
                platform: d.platform,
                template_id: d.template_id,
                text: d.text,
                updated_at: d.updated_at,
            });
        }
    }
    let mut submitted_by: HashMap<i64, Vec<SubmittedPost>> = HashMap::new();
    for p in submissions::Entity::find()
        .filter(submissions::Column::AmbassadorId.eq(amb.id))
        .filter(submissions::Column::BriefId.is_in(rows.iter().map(|b| b.id)))
        .order_by_desc(submissions::Column::CreatedAt)
        .all(db)
        .await?
    {
        submitted_by
            .entry(p.brief_id)
            .or_default()
            .push(SubmittedPost {
                id: p.id,
                platform: p.platform,
                url: p.url,
                status: p.status,
                reason: p.reason,
            });
    }
    // Not paused: checked above.
    let views = views_with(db, rows, Some(Vec::new())).await?;
    let week = CurrentWeek {
        week: week.to_string(),
        paused_notice: None,
        approved: true,
        briefs: views
            .into_iter()
            .map(|b| WeekBrief {
                deadline_local: crate::web::time::local_with_zone(b.deadline, &tz),
                hours_left: rules::hours_left(b.deadline, now),
                drafts: drafts_by.remove(&b.id).unwrap_or_default(),
                waiting: {
                    let posts = submitted_by.get(&b.id);
                    b.platforms
                        .iter()
                        .filter(|p| {
                            !posts.is_some_and(|ps| {
                                ps.iter()
                                    .any(|s| &s.platform == *p && s.status != "rejected")
                            })
                        })
                        .cloned()
                        .collect()
                },
                submitted: submitted_by.remove(&b.id).unwrap_or_default(),
                brief: b,
            })
            .collect(),
    };
    Ok((week, until))
}

fn own_institution(user: &CurrentUser, requested: Option<i64>) -> AppResult<i64> {
    if requested.is_some_and(|id| id < 1) {
        return Err(AppError::Validation(FieldErrors::single(
            "institution_id",
            Msg::new("users.institution_unknown"),
        )));
    }
    match user.scope() {
        Scope::Institution {
            institution_id,
            work_unit_path: None,
        } => Ok(institution_id),
        // The crisis switch is the institution's: a subtree coordinator cannot pull it.
        Scope::Institution { .. } => Err(AppError::Forbidden),
        // An admin has no institution of their own: a conflict with who they are.
        Scope::All => requested.ok_or_else(|| {
            let mut errors = FieldErrors::new();
            errors.add(
                "institution_id",
                Msg::conflict("users.institution_required"),
            );
            AppError::Validation(errors)
        }),
    }
}

/// The crisis switch: pauses every open brief of the institution at once. Pausing twice
/// is a conflict.
pub async fn pause_all(
    db: &DatabaseConnection,
    user: &CurrentUser,
    institution_id: Option<i64>,
    req: &PauseRequest,
    ip: &ClientIp,
) -> AppResult<crisis_pauses::Model> {
    let institution_id = own_institution(user, institution_id)?;
    let notice = req.notice.trim().to_string();
    let mut errors = FieldErrors::new();
    if notice.is_empty() {
        errors.add("notice", Msg::new("briefs.notice_required"));
    } else if NOTICE.clean(&req.notice).is_none() {
        errors.add("notice", Msg::new("form.too_long").arg("max", 1_000));
    }
    errors.into_result()?;
    let txn = begin_write(db).await?;
    entity::institutions::Entity::find_by_id(institution_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)
        .map_err(|e| e.at_field("institution_id", "users.institution_unknown"))?;
    if active_pause(&txn, institution_id).await?.is_some() {
        let mut errors = FieldErrors::new();
        errors.add("notice", Msg::new("briefs.already_paused"));
        return Err(AppError::Conflict(errors));
    }
    let saved = crisis_pauses::ActiveModel {
        institution_id: Set(institution_id),
        notice: Set(notice),
        started_at: Set(Utc::now()),
        started_by: Set(user.id()),
        ended_at: Set(None),
        ended_by: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "briefs.pause_all",
            target_type: "institution",
            target_id: Some(institution_id),
            institution_id: Some(institution_id),
            detail: serde_json::json!({ "pause_id": saved.id }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Ends the crisis pause; resuming when nothing is paused is a conflict.
pub async fn resume_all(
    db: &DatabaseConnection,
    user: &CurrentUser,
    institution_id: Option<i64>,
    ip: &ClientIp,
) -> AppResult<crisis_pauses::Model> {
    let institution_id = own_institution(user, institution_id)?;
    let txn = begin_write(db).await?;
    let Some(open) = active_pause(&txn, institution_id).await? else {
        let mut errors = FieldErrors::new();
        errors.add("notice", Msg::new("briefs.not_paused"));
        return Err(AppError::Conflict(errors));
    };
    let mut m: crisis_pauses::ActiveModel = open.into();
    m.ended_at = Set(Some(Utc::now()));
    m.ended_by = Set(Some(user.id()));
    let saved = m.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "briefs.resume_all",
            target_type: "institution",
            target_id: Some(institution_id),
            institution_id: Some(institution_id),
            detail: serde_json::json!({ "pause_id": saved.id }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Tells the audience of a brief that is out now, once: whoever sets `notified_at` first
/// writes the notifications (one per approved ambassador of the audience, in batches) and
/// sends the emails. Failures are logged; the brief itself is already saved.
pub async fn tell_if_due(db: &DatabaseConnection, mailer: &Mailer, brief_id: i64) {
    if let Err(e) = tell(db, mailer, brief_id).await {
        tracing::warn!(brief = brief_id, error = %e, "could not tell the audience of a brief");
    }
}

async fn tell(db: &DatabaseConnection, mailer: &Mailer, brief_id: i64) -> AppResult<()> {
    let now = Utc::now();
    let Some(brief) = briefs::Entity::find_by_id(brief_id).one(db).await? else {
        return Ok(());
    };
    if state_of(&brief, now) != "published" || brief.notified_at.is_some() {
        return Ok(());
    }
    // Nothing is announced while the crisis switch is on; the job tells after resuming.
    if active_pause(db, brief.institution_id).await?.is_some() {
        return Ok(());
    }
    // A brief of a past week (history brought in) is not news to anyone.
    let tz = programme_timezone(db).await?;
    let this_week = IsoWeek::of(now.with_timezone(&tz).date_naive());
    let claimed = briefs::Entity::update_many()
        .col_expr(briefs::Column::NotifiedAt, Expr::value(now))
        .filter(briefs::Column::Id.eq(brief_id))
        .filter(briefs::Column::NotifiedAt.is_null())
        .exec(db)
        .await?;
    if claimed.rows_affected == 1 {
        // A clarification is out: the hoax case it answers is answered.
        if let Err(e) = crate::hoaxes::service::brief_out(db, brief_id).await {
            tracing::warn!(brief = brief_id, error = %e, "the hoax case of a brief not answered");
        }
    }
    if claimed.rows_affected != 1 || brief.deadline <= now || brief.week_start < this_week.monday()
    {
        return Ok(());
    }
    let user_ids = audience_users(db, &brief).await?;
    // The notices and the push deliveries in one transaction: one commit for the whole
    // audience (at 100,000 people, 200 commits were most of the publishing time on
    // PostgreSQL), and the audience is told whole or not at all.
    let txn = crate::db::begin_write(db).await?;
    for chunk in user_ids.chunks(500) {
        notifications::Entity::insert_many(chunk.iter().map(|u| notifications::ActiveModel {
            user_id: Set(*u),
            kind: Set("brief_published".to_string()),
            brief_id: Set(Some(brief_id)),
            created_at: Set(now),
            read_at: Set(None),
            ..Default::default()
        }))
        .on_conflict_do_nothing_on([
            notifications::Column::UserId,
            notifications::Column::Kind,
            notifications::Column::BriefId,
        ])
        .exec_without_returning(&txn)
        .await?;
    }
    // An urgent brief is pushed to every subscribed browser of its audience at once;
    // the email goes to those without one.
    let pushed: Vec<i64> = if brief.priority == "urgent" {
        crate::notifications::push::queue_brief(&txn, brief_id, &user_ids, now).await?
    } else {
        Vec::new()
    };
    txn.commit().await?;
    if brief.priority == "urgent" {
        crate::push::wake();
    }
    if mailer.is_enabled() {
        let Some(url) = mailer.link(&format!("/briefs/{brief_id}")) else {
            return Ok(());
        };
        let unreached: Vec<i64> = user_ids
            .into_iter()
            .filter(|u| pushed.binary_search(u).is_err())
            .collect();
        let recipients: Vec<(String, String, Option<String>)> = users::Entity::find()
            .filter(users::Column::Id.is_in(unreached))
            .filter(users::Column::IsActive.eq(true))
            .filter(
                users::Column::Id
                    .not_in_subquery(crate::notifications::email::opted_out("brief_published")),
            )
            .select_only()
            .column(users::Column::Email)
            .column(users::Column::Name)
            .column(users::Column::Language)
            .into_tuple()
            .all(db)
            .await?;
        let title = brief.title.clone();
        let mailer = mailer.clone();
        let urgent = brief.priority == "urgent";
        tokio::spawn(async move {
            let mut failed = 0usize;
            for (email, name, language) in &recipients {
                let lang = language
                    .as_deref()
                    .and_then(Lang::parse)
                    .unwrap_or(Lang::Id);
                if let Err(e) = mailer
                    .send_brief(email, name, lang, &title, urgent, &url)
                    .await
                {
                    failed += 1;
                    tracing::debug!(brief = brief_id, error = %e, "brief email not sent");
                }
            }
            tracing::info!(
                brief = brief_id,
                sent = recipients.len() - failed,
                failed,
                "brief emails"
            );
        });
    }
    Ok(())
}

/// The user ids of the approved ambassadors a brief is addressed to.
async fn audience_users(db: &DatabaseConnection, brief: &briefs::Model) -> AppResult<Vec<i64>> {
    let mut q = ambassadors::Entity::find()
        .filter(ambassadors::Column::InstitutionId.eq(brief.institution_id))
        .filter(ambassadors::Column::Status.eq("approved"));
    if brief.audience == "units" {
        let units: Vec<i64> = brief_work_units::Entity::find()
            .filter(brief_work_units::Column::BriefId.eq(brief.id))
            .all(db)
            .await?
            .into_iter()
            .map(|r| r.work_unit_id)
            .collect();
        let paths: Vec<String> = work_units::Entity::find()
            .filter(work_units::Column::Id.is_in(units))
            .all(db)
            .await?
            .into_iter()
            .map(|u| u.path)
            .collect();
        let mut any = Condition::any();
        for p in &paths {
            any = any.add(ambassadors::Column::WorkUnitId.in_subquery(subtree_units(p)));
        }
        q = q.filter(any);
    }
    Ok(q.select_only()
        .column(ambassadors::Column::UserId)
        .into_tuple()
        .all(db)
        .await?)
}

/// Whether a change of a brief's fields is one its readers should hear of: what they
/// post from (text, hashtags, platforms), the deadline or the priority.
pub fn changed_for_readers(before: &briefs::Model, after: &briefs::Model) -> bool {
    (
        &before.title,
        &before.key_messages,
        &before.facts,
        &before.hashtags,
        &before.mentions,
        &before.dos,
        &before.donts,
        &before.sample,
        &before.platforms,
        before.deadline,
        &before.priority,
    ) != (
        &after.title,
        &after.key_messages,
        &after.facts,
        &after.hashtags,
        &after.mentions,
        &after.dos,
        &after.donts,
        &after.sample,
        &after.platforms,
        after.deadline,
        &after.priority,
    )
}

/// Tells the audience of a brief that was already announced, and is still open, that it
/// changed — those of them who have looked at it (read its notice or opened it; the others
/// will read it as it is now): one `brief_changed` notification per person and brief,
/// brought back to the top and unread at each change, and an email (unless turned off)
/// only to those who had read the previous one, so a coordinator fixing three typos sends
/// one email, not three.
/// Failures are logged; the change itself is saved.
pub async fn tell_changed(db: &DatabaseConnection, mailer: &Mailer, brief_id: i64) {
    if let Err(e) = changed(db, mailer, brief_id).await {
        tracing::warn!(brief = brief_id, error = %e, "could not tell the audience of a changed brief");
    }
}

async fn changed(db: &DatabaseConnection, mailer: &Mailer, brief_id: i64) -> AppResult<()> {
    let now = Utc::now();
    let Some(brief) = briefs::Entity::find_by_id(brief_id).one(db).await? else {
        return Ok(());
    };
    if brief.notified_at.is_none() || state_of(&brief, now) != "published" || brief.deadline <= now
    {
        return Ok(());
    }
    // Only those who have looked at it: who read its notice or opened it. The others see
    // the brief as it is now when they do.
    let read_notice = notifications::Entity::find()
        .select_only()
        .column(notifications::Column::UserId)
        .filter(notifications::Column::Kind.eq("brief_published"))
        .filter(notifications::Column::BriefId.eq(brief_id))
        .filter(notifications::Column::ReadAt.is_not_null())
        .into_query();
    let opened = ambassadors::Entity::find()
        .select_only()
        .column(ambassadors::Column::UserId)
        .filter(
            ambassadors::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(entity::brief_reads::Column::AmbassadorId)
                    .from(entity::brief_reads::Entity)
                    .and_where(entity::brief_reads::Column::BriefId.eq(brief_id))
                    .to_owned(),
            ),
        )
        .into_query();
    let looked: std::collections::HashSet<i64> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(
            Condition::any()
                .add(users::Column::Id.in_subquery(read_notice))
                .add(users::Column::Id.in_subquery(opened)),
        )
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let user_ids: Vec<i64> = audience_users(db, &brief)
        .await?
        .into_iter()
        .filter(|u| looked.contains(u))
        .collect();
    let mut unread: std::collections::HashSet<i64> = std::collections::HashSet::new();
    for chunk in user_ids.chunks(500) {
        unread.extend(
            notifications::Entity::find()
                .filter(notifications::Column::UserId.is_in(chunk.to_vec()))
                .filter(notifications::Column::Kind.eq("brief_changed"))
                .filter(notifications::Column::BriefId.eq(brief_id))
                .filter(notifications::Column::ReadAt.is_null())
                .select_only()
                .column(notifications::Column::UserId)
                .into_tuple::<i64>()
                .all(db)
                .await?,
        );
        notifications::Entity::insert_many(chunk.iter().map(|u| notifications::ActiveModel {
            user_id: Set(*u),
            kind: Set("brief_changed".to_string()),
            brief_id: Set(Some(brief_id)),
            created_at: Set(now),
            read_at: Set(None),
            ..Default::default()
        }))
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                notifications::Column::UserId,
                notifications::Column::Kind,
                notifications::Column::BriefId,
            ])
            .update_columns([
                notifications::Column::CreatedAt,
                notifications::Column::ReadAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    let to_email: Vec<i64> = user_ids
        .into_iter()
        .filter(|u| !unread.contains(u))
        .collect();
    crate::notifications::email::send_notices(
        db,
        mailer,
        "brief_changed",
        &to_email,
        &format!("/briefs/{brief_id}"),
        &[("title", &brief.title)],
    )
    .await
}

/// Briefs out now whose audience has not been told yet: scheduled ones whose time has
/// come, and ones published during a crisis pause.
pub async fn due_briefs(db: &DatabaseConnection) -> AppResult<Vec<i64>> {
    Ok(briefs::Entity::find()
        .filter(briefs::Column::Status.is_in(["scheduled", "published"]))
        .filter(briefs::Column::PublishAt.lte(Utc::now()))
        .filter(briefs::Column::NotifiedAt.is_null())
        .select_only()
        .column(briefs::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

/// Saves a draft of the ambassador's for a brief they can read.
pub async fn save_draft(
    db: &DatabaseConnection,
    user: &CurrentUser,
    brief_id: i64,
    template_id: i64,
    platform: &str,
    fields: &BTreeMap<String, String>,
) -> AppResult<drafts::Model> {
    let template = templates::get_template_for(db, user, template_id).await?;
    let brief = get_brief_view_for(db, user, brief_id).await?;
    let mut errors = templates::check_fields(&template, fields)
        .err()
        .unwrap_or_default();
    if !brief.platforms.iter().any(|p| p == platform) {
        errors.add("platform", Msg::new("compose.platform_not_targeted"));
    }
    errors.into_result()?;
    let rendered = templates::render_for(&template, platform, fields, Some(brief.wording()));
    let now = Utc::now();
    let draft = drafts::ActiveModel {
        user_id: Set(user.id()),
        brief_id: Set(Some(brief_id)),
        template_id: Set(Some(template_id)),
        platform: Set(platform.to_string()),
        fields: Set(to_json(fields)?),
        text: Set(rendered.text),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let source = crate::integrity::service::TextSource::Draft {
        id: draft.id,
        user_id: user.id(),
    };
    crate::integrity::service::after_text(db, source, &draft.text).await;
    Ok(draft)
}

/// The user's saved drafts for a brief, newest first.
pub async fn drafts_of(
    db: &DatabaseConnection,
    user: &CurrentUser,
    brief_id: i64,
) -> AppResult<Vec<DraftView>> {
    Ok(drafts::Entity::find()
        .filter(drafts::Column::UserId.eq(user.id()))
        .filter(drafts::Column::BriefId.eq(brief_id))
        .order_by_desc(drafts::Column::UpdatedAt)
        .order_by_desc(drafts::Column::Id)
        .limit(50)
        .all(db)
        .await?
        .into_iter()
        .map(|d| DraftView {
            id: d.id,
            platform: d.platform,
            template_id: d.template_id,
            text: d.text,
            updated_at: d.updated_at,
        })
        .collect())
}

/// A draft the user saved for a brief, with its filled blanks.
pub struct SavedDraft {
    pub template_id: Option<i64>,
    pub fields: BTreeMap<String, String>,
}

/// One of the user's own drafts for a brief they can still read; NotFound otherwise.
pub async fn get_draft_for(
    db: &DatabaseConnection,
    user: &CurrentUser,
    brief_id: i64,
    draft_id: i64,
) -> AppResult<SavedDraft> {
    get_brief_for(db, user, brief_id).await?;
    let d = drafts::Entity::find_by_id(draft_id)
        .filter(drafts::Column::UserId.eq(user.id()))
        .filter(drafts::Column::BriefId.eq(brief_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(SavedDraft {
        template_id: d.template_id,
        fields: serde_json::from_str(&d.fields).unwrap_or_default(),
    })
}
impl BriefView {
    /// What a draft for this brief takes from it.
    pub fn wording(&self) -> templates::BriefWording<'_> {
        templates::BriefWording {
            hashtags: &self.hashtags,
            mentions: &self.mentions,
            sample: &self.sample,
            key_messages: &self.key_messages,
        }
    }
}

/// Drafts a post for a template the user may see, for a platform (and a brief they may
/// see, which must target that platform).
pub async fn render_draft(
    db: &DatabaseConnection,
    user: &CurrentUser,
    template_id: i64,
    req: &crate::story_templates::forms::RenderRequest,
) -> AppResult<crate::story_templates::service::Rendered> {
    let template = templates::get_template_for(db, user, template_id).await?;
    let brief = match req.brief_id {
        Some(id) => Some(
            get_brief_view_for(db, user, id)
                .await
                .map_err(|e| e.at_field("brief_id", "briefs.brief_unknown"))?,
        ),
        None => None,
    };
    let mut errors = templates::check_fields(&template, &req.fields)
        .err()
        .unwrap_or_default();
    let platform = req.platform.clone();
    if crate::story_templates::rules::limit(&platform).is_none() {
        errors.add("platform", Msg::new("compose.platform_unknown"));
    } else if let Some(b) = &brief {
        if !b.platforms.contains(&platform) {
            errors.add("platform", Msg::conflict("compose.platform_not_targeted"));
        }
    }
    errors.into_result()?;
    Ok(templates::render_for(
        &template,
        &platform,
        &req.fields,
        brief.as_ref().map(BriefView::wording),
    ))
}
