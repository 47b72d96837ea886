//! Mentoring's reads and writes: mentors named by coordinators, review requests on saved
//! drafts, the reviewers' comments (overall or on a passage, with suggested wording) and
//! the ambassador's revisions, each a version of the draft.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{
    ambassadors, briefs, draft_comments, draft_reviews, draft_versions, drafts, mentors, users,
    work_units,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use serde::Serialize;

use super::rules::{self, BODY, PASSAGE, STATES, SUGGESTION, VERSION};
use crate::audit::record as audit;
use crate::auth::guards::CurrentUser;
use crate::auth::roles::Role;
use crate::db::begin_write;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;

/// Reviews per page of a list.
pub const PER_PAGE: u64 = 50;

/// A reviewer's comment as the review page shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommentView {
    pub id: i64,
    /// The version it was written on.
    pub version: i32,
    pub author_name: String,
    /// `coordinator`, `admin` or `mentor`.
    pub author_role: String,
    pub body: String,
    pub passage: Option<String>,
    pub suggestion: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// One version of the draft with the comments written on it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionView {
    pub number: i32,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub comments: Vec<CommentView>,
}

/// A review request with its whole history, newest version first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewView {
    pub id: i64,
    pub draft_id: i64,
    pub ambassador_id: i64,
    pub ambassador_name: String,
    pub work_unit_name: String,
    pub brief_id: Option<i64>,
    pub brief_title: Option<String>,
    pub platform: String,
    /// `waiting`, `answered` or `accepted`.
    pub state: String,
    pub requested_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    /// The latest version's number, which a comment must name.
    pub latest_version: i32,
    pub versions: Vec<VersionView>,
    /// The caller may comment (a coordinator of the ambassador, an admin, or a mentor of
    /// the institution other than the ambassador).
    pub can_comment: bool,
    /// The caller asked for it and may revise.
    pub can_revise: bool,
}

/// A review in a list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewRow {
    pub id: i64,
    pub ambassador_name: String,
    pub brief_title: Option<String>,
    pub platform: String,
    pub state: String,
    pub updated_at: DateTime<Utc>,
    /// Hours since the last request or revision (or the last answer).
    pub age_hours: i64,
}

/// A page of reviews.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewPage {
    pub reviews: Vec<ReviewRow>,
    pub total: u64,
    pub page: u64,
    /// The caller reviews others' drafts (staff, or a named mentor).
    pub reviewer: bool,
}

/// A comment as a reviewer sends it.
#[derive(Debug, Clone, Default)]
pub struct CommentInput {
    pub version: Option<i64>,
    pub body: String,
    pub passage: String,
    pub suggestion: String,
    pub accept: bool,
}

async fn own_ambassador(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
) -> AppResult<Option<ambassadors::Model>> {
    if user.role != Role::Ambassador {
        return Ok(None);
    }
    crate::ambassadors::service::find_ambassador_by_user(db, user.id()).await
}

/// The mentor row of an approved ambassador, if a coordinator named them.
async fn mentor_of(
    db: &impl ConnectionTrait,
    amb: &ambassadors::Model,
) -> AppResult<Option<mentors::Model>> {
    if amb.status != "approved" {
        return Ok(None);
    }
    Ok(mentors::Entity::find()
        .filter(mentors::Column::AmbassadorId.eq(amb.id))
        .filter(mentors::Column::InstitutionId.eq(amb.institution_id))
        .one(db)
        .await?)
}

/// The reviews the caller may comment on: a coordinator's in their scope, every one for
/// admins, a mentor's of their institution but their own; none for anyone else.
async fn reviewable(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
) -> AppResult<Option<sea_orm::Select<draft_reviews::Entity>>> {
    let q = draft_reviews::Entity::find();
    match user.role {
        Role::Admin => Ok(Some(q)),
        Role::Coordinator => {
            let people = crate::ambassadors::service::scoped(user)
                .select_only()
                .column(ambassadors::Column::Id)
                .into_query();
            Ok(Some(q.filter(
                draft_reviews::Column::AmbassadorId.in_subquery(people),
            )))
        }
        Role::Ambassador => {
            let Some(me) = own_ambassador(db, user).await? else {
                return Ok(None);
            };
            Ok(mentor_of(db, &me).await?.map(|_| {
                q.filter(draft_reviews::Column::InstitutionId.eq(me.institution_id))
                    .filter(draft_reviews::Column::AmbassadorId.ne(me.id))
            }))
        }
        _ => Ok(None),
    }
}

/// A review the caller may read, and whether they asked for it and may comment on it;
/// 404 for any other.
async fn get_for(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(draft_reviews::Model, bool, bool)> {
    let review = draft_reviews::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let asker = match own_ambassador(db, user).await? {
        Some(me) => me.id == review.ambassador_id,
        None => false,
    };
    let reviewer = match reviewable(db, user).await? {
        Some(q) => q
            .filter(draft_reviews::Column::Id.eq(id))
            .one(db)
            .await?
            .is_some(),
        None => false,
    };
    if !asker && !reviewer {
        return Err(AppError::NotFound);
    }
    Ok((review, asker, reviewer))
}

/// Asks for a review of one of the caller's saved drafts (404 for anyone else's): its
/// text becomes version 1 and the review waits for a coordinator or a mentor. 409 when
/// the draft already has a review, or the caller is not an approved ambassador.
pub async fn request(
    db: &DatabaseConnection,
    user: &CurrentUser,
    draft_id: i64,
    ip: &ClientIp,
) -> AppResult<ReviewView> {
    let draft = drafts::Entity::find_by_id(draft_id)
        .filter(drafts::Column::UserId.eq(user.id()))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let me = own_ambassador(db, user).await?.ok_or(AppError::NotFound)?;
    if me.status != "approved" {
        return Err(AppError::Conflict(FieldErrors::single(
            "draft",
            Msg::new("mentoring.not_approved"),
        )));
    }
    let txn = begin_write(db).await?;
    if draft_reviews::Entity::find()
        .filter(draft_reviews::Column::DraftId.eq(draft.id))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(FieldErrors::single(
            "draft",
            Msg::new("mentoring.already_asked"),
        )));
    }
    let now = Utc::now();
    let review = draft_reviews::ActiveModel {
        draft_id: Set(draft.id),
        ambassador_id: Set(me.id),
        institution_id: Set(me.institution_id),
        brief_id: Set(draft.brief_id),
        platform: Set(draft.platform.clone()),
        state: Set("waiting".into()),
        requested_at: Set(now),
        updated_at: Set(now),
        accepted_at: Set(None),
        accepted_by: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    draft_versions::ActiveModel {
        review_id: Set(review.id),
        number: Set(1),
        text: Set(draft.text.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "draft_review.requested",
            target_type: "draft_review",
            target_id: Some(review.id),
            institution_id: Some(me.institution_id),
            detail: serde_json::json!({ "draft_id": draft.id }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    view(db, user, review.id).await
}

fn author_role(user: &users::Model) -> String {
    match user.role.as_str() {
        "ambassador" => "mentor".into(),
        other => other.to_string(),
    }
}

/// A review with its versions and comments (the asker, and those who may comment on it).
pub async fn view(db: &DatabaseConnection, user: &CurrentUser, id: i64) -> AppResult<ReviewView> {
    let (review, asker, reviewer) = get_for(db, user, id).await?;
    let versions = draft_versions::Entity::find()
        .filter(draft_versions::Column::ReviewId.eq(id))
        .order_by_desc(draft_versions::Column::Number)
        .all(db)
        .await?;
    let comments = draft_comments::Entity::find()
        .filter(draft_comments::Column::ReviewId.eq(id))
        .order_by_asc(draft_comments::Column::Id)
        .all(db)
        .await?;
    let authors: HashMap<i64, users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(comments.iter().filter_map(|c| c.author_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let amb = ambassadors::Entity::find_by_id(review.ambassador_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let unit = work_units::Entity::find_by_id(amb.work_unit_id)
        .one(db)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    let brief_title = match review.brief_id {
        Some(b) => briefs::Entity::find_by_id(b)
            .one(db)
            .await?
            .map(|b| b.title),
        None => None,
    };
    let mut by_version: HashMap<i32, Vec<CommentView>> = HashMap::new();
    for c in comments {
        let author = c.author_id.and_then(|a| authors.get(&a));
        by_version
            .entry(c.version_number)
            .or_default()
            .push(CommentView {
                id: c.id,
                version: c.version_number,
                author_name: author.map(|u| u.name.clone()).unwrap_or_default(),
                author_role: author.map(author_role).unwrap_or_default(),
                body: c.body,
                passage: c.passage,
                suggestion: c.suggestion,
                created_at: c.created_at,
            });
    }
    Ok(ReviewView {
        id: review.id,
        draft_id: review.draft_id,
        ambassador_id: amb.id,
        ambassador_name: amb.display_name,
        work_unit_name: unit,
        brief_id: review.brief_id,
        brief_title,
        platform: review.platform,
        state: review.state,
        requested_at: review.requested_at,
        updated_at: review.updated_at,
        accepted_at: review.accepted_at,
        latest_version: versions.first().map_or(1, |v| v.number),
        versions: versions
            .into_iter()
            .map(|v| VersionView {
                comments: by_version.remove(&v.number).unwrap_or_default(),
                number: v.number,
                text: v.text,
                created_at: v.created_at,
            })
            .collect(),
        can_comment: reviewer,
        can_revise: asker,
    })
}

/// Checks the page number of a list.
pub fn check_page(page: Option<u64>) -> AppResult<u64> {
    crate::hoaxes::service::check_page(page)
}

/// A page of reviews: with `mine`, those the caller asked for; otherwise those the caller
/// reviews (staff in their scope, a mentor in their institution), waiting ones first and
/// the oldest first among them; an ambassador who reviews nothing gets their own. `state`
/// narrows it (422 for an unknown one).
pub async fn list(
    db: &DatabaseConnection,
    user: &CurrentUser,
    mine: bool,
    state: Option<&str>,
    page: u64,
) -> AppResult<ReviewPage> {
    if let Some(s) = state.filter(|s| !STATES.contains(s)) {
        return Err(AppError::Validation(FieldErrors::single(
            "state",
            Msg::new("mentoring.state_invalid").arg("state", s),
        )));
    }
    let reviewing = reviewable(db, user).await?;
    let reviewer = reviewing.is_some();
    let mut q = match (mine, reviewing) {
        (false, Some(q)) => q,
        _ => match own_ambassador(db, user).await? {
            Some(me) => {
                draft_reviews::Entity::find().filter(draft_reviews::Column::AmbassadorId.eq(me.id))
            }
            None => draft_reviews::Entity::find().filter(draft_reviews::Column::Id.lt(0)),
        },
    };
    if let Some(s) = state {
        q = q.filter(draft_reviews::Column::State.eq(s));
    }
    let total = q.clone().count(db).await?;
    // Waiting first ("answered" and "accepted" sort after it), oldest first among them.
    let rows = q
        .order_by_desc(draft_reviews::Column::State.eq("waiting"))
        .order_by_asc(draft_reviews::Column::UpdatedAt)
        .order_by_asc(draft_reviews::Column::Id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
        .all(db)
        .await?;
    let names: HashMap<i64, String> = ambassadors::Entity::find()
        .filter(ambassadors::Column::Id.is_in(rows.iter().map(|r| r.ambassador_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.display_name))
        .collect();
    let titles: HashMap<i64, String> = briefs::Entity::find()
        .filter(briefs::Column::Id.is_in(rows.iter().filter_map(|r| r.brief_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b.title))
        .collect();
    let now = Utc::now();
    Ok(ReviewPage {
        reviews: rows
            .into_iter()
            .map(|r| ReviewRow {
                id: r.id,
                ambassador_name: names.get(&r.ambassador_id).cloned().unwrap_or_default(),
                brief_title: r.brief_id.and_then(|b| titles.get(&b).cloned()),
                platform: r.platform,
                state: r.state,
                age_hours: (now - r.updated_at).num_hours().max(0),
                updated_at: r.updated_at,
            })
            .collect(),
        total,
        page,
        reviewer,
    })
}

/// Reviews waiting for the caller (a coordinator's scope, all for admins), and when the
/// oldest of them was asked or revised: the coordinator's home.
pub async fn waiting(
    db: &DatabaseConnection,
    user: &CurrentUser,
) -> AppResult<(u64, Option<DateTime<Utc>>)> {
    let Some(q) = reviewable(db, user).await? else {
        return Ok((0, None));
    };
    let q = q.filter(draft_reviews::Column::State.eq("waiting"));
    let n = q.clone().count(db).await?;
    let oldest = q
        .order_by_asc(draft_reviews::Column::UpdatedAt)
        .one(db)
        .await?
        .map(|r| r.updated_at);
    Ok((n, oldest))
}

fn check_comment(input: &CommentInput) -> AppResult<(String, Option<String>, Option<String>)> {
    let mut errors = FieldErrors::new();
    let body = BODY.clean(&input.body);
    if body.is_none() {
        errors.add(
            "body",
            Msg::new("mentoring.body_invalid").arg("max", BODY.max),
        );
    }
    let passage = PASSAGE.clean(&input.passage);
    if passage.is_none() {
        errors.add(
            "passage",
            Msg::new("mentoring.passage_invalid").arg("max", PASSAGE.max),
        );
    }
    let suggestion = SUGGESTION.clean(&input.suggestion);
    if suggestion.is_none() {
        errors.add(
            "suggestion",
            Msg::new("mentoring.suggestion_invalid").arg("max", SUGGESTION.max),
        );
    }
    if input.version.is_none_or(|v| !(1..=100_000).contains(&v)) {
        errors.add("version", Msg::new("mentoring.version_invalid"));
    }
    errors.into_result()?;
    let some = |s: Option<String>| s.filter(|s| !s.is_empty());
    Ok((body.unwrap_or_default(), some(passage), some(suggestion)))
}

/// A reviewer comments on the latest version (overall, or on a passage of it with
/// suggested wording), and may accept the draft as ready to post. 422 with every bad
/// field; 409 at `version` when the draft was revised since (read the new version); 422
/// at `passage` when the passage is not in the version. The asker cannot comment on
/// their own draft (403). Audited.
pub async fn comment(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    input: &CommentInput,
    ip: &ClientIp,
) -> AppResult<ReviewView> {
    let (review, _, reviewer) = get_for(db, user, id).await?;
    if !reviewer {
        return Err(AppError::Forbidden);
    }
    let (body, passage, suggestion) = check_comment(input)?;
    if suggestion.is_some() && passage.is_none() {
        return Err(AppError::Validation(FieldErrors::single(
            "passage",
            Msg::new("mentoring.suggestion_needs_passage"),
        )));
    }
    let txn = begin_write(db).await?;
    let latest = draft_versions::Entity::find()
        .filter(draft_versions::Column::ReviewId.eq(review.id))
        .order_by_desc(draft_versions::Column::Number)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if input.version != Some(i64::from(latest.number)) {
        return Err(AppError::Conflict(FieldErrors::single(
            "version",
            Msg::new("mentoring.version_changed").arg("latest", latest.number),
        )));
    }
    if let Some(p) = &passage {
        if !rules::passage_in(&latest.text, p) {
            return Err(AppError::Validation(FieldErrors::single(
                "passage",
                Msg::new("mentoring.passage_not_found"),
            )));
        }
    }
    let now = Utc::now();
    draft_comments::ActiveModel {
        review_id: Set(review.id),
        version_number: Set(latest.number),
        author_id: Set(Some(user.id())),
        body: Set(body),
        passage: Set(passage),
        suggestion: Set(suggestion),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut r: draft_reviews::ActiveModel = review.clone().into();
    r.updated_at = Set(now);
    if input.accept {
        r.state = Set("accepted".into());
        r.accepted_at = Set(Some(now));
        r.accepted_by = Set(Some(user.id()));
    } else if review.state == "waiting" {
        r.state = Set("answered".into());
    }
    r.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: if input.accept {
                "draft_review.accepted"
            } else {
                "draft_review.commented"
            },
            target_type: "draft_review",
            target_id: Some(review.id),
            institution_id: Some(review.institution_id),
            detail: serde_json::json!({ "version": latest.number }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    view(db, user, id).await
}

/// The asker revises the draft: the text becomes the next version (and the saved draft's
/// text), and the review waits for a reviewer again. 422 for a text out of its limits or
/// the same as the latest version; a reviewer who did not ask gets 403, anyone else 404.
pub async fn revise(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    text: &str,
    ip: &ClientIp,
) -> AppResult<ReviewView> {
    let (review, asker, _) = get_for(db, user, id).await?;
    if !asker {
        return Err(AppError::Forbidden);
    }
    let Some(text) = VERSION.clean(text) else {
        return Err(AppError::Validation(FieldErrors::single(
            "text",
            Msg::new("mentoring.text_invalid").arg("max", VERSION.max),
        )));
    };
    let txn = begin_write(db).await?;
    let latest = draft_versions::Entity::find()
        .filter(draft_versions::Column::ReviewId.eq(review.id))
        .order_by_desc(draft_versions::Column::Number)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if latest.text.replace("\r\n", "\n") == text.replace("\r\n", "\n") {
        return Err(AppError::Validation(FieldErrors::single(
            "text",
            Msg::new("mentoring.text_unchanged"),
        )));
    }
    let now = Utc::now();
    draft_versions::ActiveModel {
        review_id: Set(review.id),
        number: Set(latest.number + 1),
        text: Set(text.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut r: draft_reviews::ActiveModel = review.clone().into();
    r.state = Set("waiting".into());
    r.updated_at = Set(now);
    r.accepted_at = Set(None);
    r.accepted_by = Set(None);
    r.update(&txn).await?;
    if let Some(d) = drafts::Entity::find_by_id(review.draft_id)
        .one(&txn)
        .await?
    {
        let mut d: drafts::ActiveModel = d.into();
        d.text = Set(text);
        d.updated_at = Set(now);
        d.update(&txn).await?;
    }
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "draft_review.revised",
            target_type: "draft_review",
            target_id: Some(review.id),
            institution_id: Some(review.institution_id),
            detail: serde_json::json!({ "version": latest.number + 1 }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    view(db, user, id).await
}

/// What mentoring says of one ambassador: drafts of theirs that were reviewed (answered
/// or accepted) and accepted, and whether they are a mentor.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MentoringFigures {
    pub reviewed: u64,
    pub accepted: u64,
    pub mentor: bool,
}

pub async fn figures_of(
    db: &impl ConnectionTrait,
    amb: &ambassadors::Model,
) -> AppResult<MentoringFigures> {
    let of =
        || draft_reviews::Entity::find().filter(draft_reviews::Column::AmbassadorId.eq(amb.id));
    Ok(MentoringFigures {
        reviewed: of()
            .filter(draft_reviews::Column::State.is_in(["answered", "accepted"]))
            .count(db)
            .await?,
        accepted: of()
            .filter(draft_reviews::Column::State.eq("accepted"))
            .count(db)
            .await?,
        mentor: mentor_of(db, amb).await?.is_some(),
    })
}

/// A coordinator (in scope; 404 otherwise) or an admin names an ambassador a mentor of
/// their institution, or ends it. Only an approved ambassador can be one (409). Audited.
pub async fn set_mentor(
    db: &DatabaseConnection,
    user: &CurrentUser,
    ambassador_id: i64,
    on: bool,
    ip: &ClientIp,
) -> AppResult<MentoringFigures> {
    let amb = crate::ambassadors::service::scoped(user)
        .filter(ambassadors::Column::Id.eq(ambassador_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if on && amb.status != "approved" {
        return Err(AppError::Conflict(FieldErrors::single(
            "ambassador",
            Msg::new("mentoring.mentor_not_approved"),
        )));
    }
    let txn = begin_write(db).await?;
    let existing = mentors::Entity::find()
        .filter(mentors::Column::AmbassadorId.eq(amb.id))
        .one(&txn)
        .await?;
    let changed = match (on, existing) {
        (true, None) => {
            mentors::ActiveModel {
                ambassador_id: Set(amb.id),
                institution_id: Set(amb.institution_id),
                named_by: Set(Some(user.id())),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            true
        }
        (false, Some(m)) => {
            mentors::Entity::delete_by_id(m.id).exec(&txn).await?;
            true
        }
        _ => false,
    };
    if changed {
        audit::record(
            &txn,
            audit::Entry {
                actor: Some(user),
                action: if on { "mentor.named" } else { "mentor.ended" },
                target_type: "ambassador",
                target_id: Some(amb.id),
                institution_id: Some(amb.institution_id),
                detail: serde_json::json!({}),
                ip: Some(ip),
            },
        )
        .await?;
    }
    txn.commit().await?;
    figures_of(db, &amb).await
}
