//! Submissions: an approved ambassador submits a post for a brief addressed to them; X
//! posts that prove themselves are verified at once, the rest wait in their coordinators'
//! queue. Every decision changes the weekly aggregate in the same transaction, so the
//! leaderboard never reads this table. Reads filter by the caller's scope in the query.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Select, Set,
};
use serde::Serialize;

use super::forms::SubmissionRequest;
use super::rules::{self, check_posted_at, normalize_post_url, x_verifies_itself, PostUrl};
use super::writer::Writer;
use crate::ambassadors::service::Own;
use crate::audit::record as audit;
use crate::auth::guards::CurrentUser;
use crate::auth::roles::{Role, Scope};
use crate::briefs::cache::AddressedBriefs;
use crate::briefs::rules::{parse_instant, IsoWeek};
use crate::briefs::service::reader_of;
use crate::db::{begin_write, is_unique_violation};
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::kept::Topic;
use crate::leaderboard::rules::week_of;
use crate::leaderboard::service::{record_post, PostFacts};
use crate::media::service::MediaStore;
use crate::settings::cache::ZoneCache;
use crate::settings::service::programme_timezone;
use entity::{ambassador_platforms, ambassadors, briefs, submissions, work_units};

pub const MAX_REASON_CHARS: usize = 500;
pub const QUEUE_PAGE: u64 = 50;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubmissionView {
    pub id: i64,
    pub ambassador_id: i64,
    pub brief_id: i64,
    pub brief_title: String,
    pub brief_week: String,
    pub platform: String,
    /// The post's address in its normal form.
    pub normalized_url: String,
    pub posted_at: DateTime<Utc>,
    /// The ISO week the post counts for (its posting time in the programme's zone).
    pub week: String,
    /// pending, verified or rejected
    pub status: String,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// Verified at once because X proved it.
    pub auto_verified: bool,
    pub likes: Option<i64>,
    pub comments: Option<i64>,
    pub shares: Option<i64>,
    pub saves: Option<i64>,
    pub screenshot_media_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

fn view(s: submissions::Model, brief: Option<&briefs::Model>) -> SubmissionView {
    SubmissionView {
        id: s.id,
        ambassador_id: s.ambassador_id,
        brief_id: s.brief_id,
        brief_title: brief.map(|b| b.title.clone()).unwrap_or_default(),
        brief_week: brief.map(|b| b.week.clone()).unwrap_or_default(),
        platform: s.platform,
        normalized_url: s.url,
        posted_at: s.posted_at,
        week: IsoWeek::of(s.week_start).to_string(),
        status: s.status,
        reason: s.reason,
        auto_verified: s.auto_verified,
        likes: s.likes,
        comments: s.comments,
        shares: s.shares,
        saves: s.saves,
        screenshot_media_id: s.screenshot_media_id,
        created_at: s.created_at,
        decided_at: s.decided_at,
    }
}

/// A count as typed or sent: a whole number from 0 to 1,000,000,000, or nothing.
/// The last page of the verification queue one may ask for.
pub const MAX_PAGE: u64 = 100_000;
/// A decision's reason.
pub const REASON: crate::text::Text = crate::text::Text::lines(0, MAX_REASON_CHARS);

fn count_of(v: &Option<serde_json::Value>, field: &str, errors: &mut FieldErrors) -> Option<i64> {
    let n = match v {
        None | Some(serde_json::Value::Null) => return None,
        Some(serde_json::Value::Number(n)) => n.as_i64(),
        Some(_) => None,
    };
    match n {
        Some(n) if rules::count_ok(Some(n)) => Some(n),
        Some(n) if n < 0 => {
            errors.add(field, Msg::new("submissions.count_negative"));
            None
        }
        _ => {
            errors.add(
                field,
                Msg::new("submissions.count_range").arg("max", "1.000.000.000"),
            );
            None
        }
    }
}

/// Everything a submission needs, checked: the brief it is for, the post, the time.
pub struct Checked {
    amb: ambassadors::Model,
    /// The ambassador's accounts, for the checks that follow a submission.
    poster: Own,
    brief: briefs::Model,
    post: PostUrl,
    posted_at: DateTime<Utc>,
    week_start: chrono::NaiveDate,
    counts: [Option<i64>; 4],
    auto: bool,
    /// The ambassador's follower count on the platform, kept with the post.
    followers: Option<i64>,
}

/// Checks a submission without writing anything: the brief must be addressed to the
/// ambassador (else not found), then every field; all field errors come back together.
pub async fn check_submission(
    db: &DatabaseConnection,
    (tz, addressed, briefs_stamp): (chrono_tz::Tz, &AddressedBriefs, i64),
    user: &CurrentUser,
    req: &SubmissionRequest,
) -> AppResult<Checked> {
    // Not (yet) an approved ambassador: no brief is addressed to them.
    let Some(own) = reader_of(db, user).await? else {
        return Err(AppError::NotFound);
    };
    let mut errors = FieldErrors::new();
    let Some(brief_id) = req.brief_id else {
        errors.add("brief_id", Msg::new("submissions.brief_required"));
        return Err(AppError::Validation(errors));
    };
    let now = Utc::now();
    let brief = addressed
        .find_at(db, briefs_stamp, &own, brief_id, now)
        .await?
        .ok_or(AppError::NotFound)
        .map_err(|e| e.at_field("brief_id", "briefs.brief_unknown"))?;
    // The institution may require a lesson before posts for this kind of brief.
    if let Some(lesson) =
        crate::training::service::missing_before(db, &own.record, &brief.category).await?
    {
        return Err(crate::training::service::required_first(&lesson));
    }
    let targets: Vec<String> = serde_json::from_str(&brief.platforms).unwrap_or_default();
    let platform = req.platform.clone();
    if !crate::briefs::rules::PLATFORMS.contains(&platform.as_str()) {
        errors.add("platform", Msg::new("submissions.platform_required"));
    } else if !targets.contains(&platform) {
        errors.add(
            "platform",
            Msg::conflict("submissions.platform_not_targeted"),
        );
    }
    let post = if targets.contains(&platform) {
        match normalize_post_url(&platform, &req.url) {
            Ok(p) => Some(p),
            Err(e) => {
                let mut msg = Msg::new(e.key()).arg("platform", rules::platform_label(&platform));
                if let rules::UrlError::OtherPlatform(other) = e {
                    msg = msg.arg("other", rules::platform_label(other));
                }
                errors.add("url", msg);
                None
            }
        }
    } else {
        None
    };
    let posted_at = if req.posted_at.trim().is_empty() {
        errors.add("posted_at", Msg::new("submissions.posted_required"));
        None
    } else {
        match parse_instant(&req.posted_at, &tz) {
            None => {
                errors.add("posted_at", Msg::new("submissions.posted_unreadable"));
                None
            }
            Some(t) => {
                let week = IsoWeek::of(brief.week_start);
                let (start, _) = week.bounds(&tz);
                // Against the brief's week and the present: a conflict with what
                // is, not a malformed time.
                match check_posted_at(t, start, now) {
                    Ok(()) => Some(t),
                    Err(e) => {
                        errors.add("posted_at", Msg::conflict(e.key()).arg("week", week));
                        None
                    }
                }
            }
        }
    };
    let counts = [
        count_of(&req.likes, "likes", &mut errors),
        count_of(&req.comments, "comments", &mut errors),
        count_of(&req.shares, "shares", &mut errors),
        count_of(&req.saves, "saves", &mut errors),
    ];
    errors.into_result()?;
    let (Some(post), Some(posted_at)) = (post, posted_at) else {
        return Err(AppError::internal(
            "checked submission without post or time",
        ));
    };
    let account = own.account(post.platform);
    let handle = account.map(|a| a.handle.as_str());
    let followers = account.and_then(|a| a.follower_count);
    let auto = post.platform == "x" && x_verifies_itself(&post, handle, posted_at);
    Ok(Checked {
        followers,
        week_start: week_of(posted_at, &tz),
        amb: own.record.clone(),
        poster: own,
        brief,
        post,
        posted_at,
        counts,
        auto,
    })
}

fn taken() -> AppError {
    AppError::Conflict(FieldErrors::single(
        "url",
        Msg::new("submissions.url_taken"),
    ))
}

fn slot_taken() -> AppError {
    AppError::Conflict(FieldErrors::single(
        "platform",
        Msg::new("submissions.slot_taken"),
    ))
}

/// Stores a checked submission (with its screenshot's media row, if any) through the
/// node's submission writer; verified at once when X proves it, and then counted in the
/// same transaction. 409 when the post was submitted before by anyone, or when the
/// ambassador already has an open submission for this brief and platform.
pub async fn save_submission(
    db: &DatabaseConnection,
    writer: &Writer,
    c: Checked,
    screenshot_media_id: Option<i64>,
) -> AppResult<SubmissionView> {
    let Checked {
        amb,
        brief,
        post,
        posted_at,
        week_start,
        counts,
        auto,
        followers,
        poster: _,
    } = c;
    // A post already submitted (or an open slot) is caught by the unique indexes.
    let slot = format!("{}:{}:{}", amb.id, brief.id, post.platform);
    let now = Utc::now();
    let row = submissions::ActiveModel {
        ambassador_id: Set(amb.id),
        brief_id: Set(brief.id),
        platform: Set(post.platform.to_string()),
        url: Set(post.url.clone()),
        post_key: Set(post.key.clone()),
        slot: Set(Some(slot)),
        posted_at: Set(posted_at),
        week_start: Set(week_start),
        screenshot_media_id: Set(screenshot_media_id),
        likes: Set(counts[0]),
        comments: Set(counts[1]),
        shares: Set(counts[2]),
        saves: Set(counts[3]),
        status: Set(if auto { "verified" } else { "pending" }.to_string()),
        reason: Set(None),
        auto_verified: Set(auto),
        decided_by: Set(None),
        decided_at: Set(auto.then_some(now)),
        work_unit_id: Set(Some(amb.work_unit_id)),
        followers: Set(followers),
        on_time: Set(posted_at <= brief.deadline),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    match writer
        .insert(db, row, post.key.clone(), amb.id, auto)
        .await?
    {
        Some(saved) => Ok(view(saved, Some(&brief))),
        None => Err(if post_is_taken(db, &post.key).await? {
            taken()
        } else {
            slot_taken()
        }),
    }
}

/// Whether a stored submission has this post: on PostgreSQL in `submission_post_keys`
/// (the partitions of `submissions` have no index on the key), on SQLite through the
/// unique index of `submissions`.
async fn post_is_taken(db: &DatabaseConnection, key: &str) -> AppResult<bool> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        let row = db
            .query_one_raw(sea_orm::Statement::from_sql_and_values(
                sea_orm::DbBackend::Postgres,
                "SELECT 1 FROM submission_post_keys WHERE post_key = $1",
                [key.into()],
            ))
            .await?;
        return Ok(row.is_some());
    }
    Ok(submissions::Entity::find()
        .filter(submissions::Column::PostKey.eq(key))
        .count(db)
        .await?
        > 0)
}

/// What a node keeps for the submission route: the time zone, the briefs found
/// addressed, and the writer of new rows.
pub type Kept<'a> = (&'a ZoneCache, &'a AddressedBriefs, &'a Writer);

/// Checks and stores in one go (the API without a screenshot).
pub async fn submit(
    db: &DatabaseConnection,
    (zone, addressed, writer): Kept<'_>,
    user: &CurrentUser,
    req: &SubmissionRequest,
) -> AppResult<SubmissionView> {
    // The stamps of the zone and the briefs in one read, before either is used.
    let stamps = user.stamps_before_writing(db).await?;
    let tz = zone.get_at(db, stamps.of(Topic::Settings)).await?;
    let checked =
        check_submission(db, (tz, addressed, stamps.of(Topic::Briefs)), user, req).await?;
    let poster = checked.poster.clone();
    let saved = save_submission(db, writer, checked, None).await?;
    after_submission(db, &poster, &saved).await;
    Ok(saved)
}

/// Checks and stores a submission from the brief page with its optional screenshot:
/// every field is checked and the image re-encoded before anything is written; the
/// image is removed again when the submission cannot be stored.
pub async fn submit_with_screenshot(
    db: &DatabaseConnection,
    store: &MediaStore,
    (zone, addressed, writer): Kept<'_>,
    user: &CurrentUser,
    req: &SubmissionRequest,
    screenshot: Option<Vec<u8>>,
) -> AppResult<SubmissionView> {
    // The stamps of the zone and the briefs in one read, before either is used.
    let stamps = user.stamps_before_writing(db).await?;
    let tz = zone.get_at(db, stamps.of(Topic::Settings)).await?;
    let checked = check_submission(db, (tz, addressed, stamps.of(Topic::Briefs)), user, req).await;
    let prepared = match screenshot {
        None => Ok(None),
        Some(bytes) => store.prepare(bytes).await.map(Some),
    };
    // Both checked first, so every message shows at once.
    let (checked, prepared) = match (checked, prepared) {
        (Ok(c), Ok(p)) => (c, p),
        (c, p) => {
            let mut errors = FieldErrors::new();
            for result in [c.err(), p.err().map(screenshot_error)]
                .into_iter()
                .flatten()
            {
                match result {
                    AppError::Validation(f) => errors = errors.merged(f),
                    other => return Err(other),
                }
            }
            return Err(AppError::Validation(errors));
        }
    };
    let media = match prepared {
        None => None,
        Some(p) => Some(
            store
                .save(
                    db,
                    user.id(),
                    Some(checked.amb.institution_id),
                    "submission",
                    p,
                )
                .await?,
        ),
    };
    let poster = checked.poster.clone();
    let saved = save_submission(db, writer, checked, media.as_ref().map(|m| m.id)).await;
    if saved.is_err() {
        if let Some(m) = &media {
            if let Err(e) = store.delete(m).await {
                tracing::warn!(error = %e, "cannot remove the screenshot of a refused submission");
            }
            if let Err(e) = entity::media::Entity::delete_by_id(m.id).exec(db).await {
                tracing::warn!(error = %e, "cannot remove the screenshot row of a refused submission");
            }
        }
    }
    if let Ok(view) = &saved {
        after_submission(db, &poster, view).await;
    }
    saved
}

/// Image refusals of the screenshot belong beside the screenshot field.
fn screenshot_error(e: AppError) -> AppError {
    match e {
        AppError::Validation(f) => AppError::Validation(f.renamed("file", "screenshot")),
        other => other,
    }
}

/// The ambassador's own submissions, newest first (all of them, or one brief's).
pub async fn mine(
    db: &DatabaseConnection,
    user: &CurrentUser,
    brief_id: Option<i64>,
) -> AppResult<Vec<SubmissionView>> {
    let Some(amb) = ambassadors::Entity::find()
        .filter(ambassadors::Column::UserId.eq(user.id()))
        .one(db)
        .await?
    else {
        return Ok(Vec::new());
    };
    let mut q = submissions::Entity::find()
        .filter(submissions::Column::AmbassadorId.eq(amb.id))
        .order_by_desc(submissions::Column::CreatedAt)
        .order_by_desc(submissions::Column::Id);
    if let Some(b) = brief_id {
        q = q.filter(submissions::Column::BriefId.eq(b));
    }
    let rows = q.limit(500).all(db).await?;
    with_briefs(db, rows).await
}

async fn with_briefs(
    db: &impl ConnectionTrait,
    rows: Vec<submissions::Model>,
) -> AppResult<Vec<SubmissionView>> {
    let ids: Vec<i64> = rows.iter().map(|s| s.brief_id).collect();
    let briefs: std::collections::HashMap<i64, briefs::Model> = briefs::Entity::find()
        .filter(briefs::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b))
        .collect();
    Ok(rows
        .into_iter()
        .map(|s| {
            let b = briefs.get(&s.brief_id);
            view(s, b)
        })
        .collect())
}

/// Submissions of ambassadors in a coordinator's scope (admins: all).
pub(super) fn in_scope(user: &CurrentUser) -> AppResult<Select<submissions::Entity>> {
    if !matches!(user.role, Role::Coordinator | Role::Admin) {
        return Err(AppError::NotFound);
    }
    let q = submissions::Entity::find();
    Ok(match user.scope() {
        Scope::All => q,
        Scope::Institution { .. } => q.filter(
            submissions::Column::AmbassadorId.in_subquery(
                crate::ambassadors::service::scoped(user)
                    .select_only()
                    .column(ambassadors::Column::Id)
                    .into_query(),
            ),
        ),
    })
}

/// How many posts wait for verification in the caller's scope, and since when the
/// oldest has waited.
pub async fn waiting(
    db: &DatabaseConnection,
    user: &CurrentUser,
) -> AppResult<(u64, Option<DateTime<Utc>>)> {
    let q = in_scope(user)?.filter(submissions::Column::Status.eq("pending"));
    let n = q.clone().count(db).await?;
    let oldest = q
        .order_by_asc(submissions::Column::CreatedAt)
        .one(db)
        .await?
        .map(|s| s.created_at);
    Ok((n, oldest))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueueItem {
    #[serde(flatten)]
    pub submission: SubmissionView,
    pub ambassador_id: i64,
    pub display_name: String,
    pub work_unit: String,
    /// The ambassador's latest follower count on the post's platform.
    pub followers: Option<i64>,
    /// (likes + comments + shares + saves) ÷ followers × 100.
    pub engagement_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueueView {
    pub status: String,
    pub total: u64,
    pub page: u64,
    pub items: Vec<QueueItem>,
}

/// The verification queue of a coordinator's scope: pending submissions oldest first
/// (or the verified or rejected ones, newest decision first).
pub async fn queue(
    db: &DatabaseConnection,
    user: &CurrentUser,
    status: Option<&str>,
    page: Option<u64>,
) -> AppResult<QueueView> {
    let status = match status.filter(|s| !s.is_empty()) {
        None => "pending",
        Some(s @ ("pending" | "verified" | "rejected")) => s,
        Some(_) => {
            return Err(AppError::Validation(FieldErrors::single(
                "status",
                Msg::new("submissions.status_unknown"),
            )))
        }
    };
    let page = page.unwrap_or(1);
    if !(1..=MAX_PAGE).contains(&page) {
        return Err(AppError::Validation(FieldErrors::single(
            "page",
            Msg::new("submissions.page_invalid").arg("max", MAX_PAGE),
        )));
    }
    let mut q = in_scope(user)?.filter(submissions::Column::Status.eq(status));
    q = if status == "pending" {
        q.order_by_asc(submissions::Column::CreatedAt)
            .order_by_asc(submissions::Column::Id)
    } else {
        q.order_by_desc(submissions::Column::DecidedAt)
            .order_by_desc(submissions::Column::Id)
    };
    let total = q.clone().count(db).await?;
    let rows = q
        .offset((page - 1) * QUEUE_PAGE)
        .limit(QUEUE_PAGE)
        .all(db)
        .await?;
    let items = queue_items(db, rows).await?;
    Ok(QueueView {
        status: status.to_string(),
        total,
        page,
        items,
    })
}

async fn queue_items(
    db: &DatabaseConnection,
    rows: Vec<submissions::Model>,
) -> AppResult<Vec<QueueItem>> {
    let amb_ids: Vec<i64> = rows.iter().map(|s| s.ambassador_id).collect();
    let ambs: std::collections::HashMap<i64, ambassadors::Model> = ambassadors::Entity::find()
        .filter(ambassadors::Column::Id.is_in(amb_ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let unit_ids: Vec<i64> = ambs.values().map(|a| a.work_unit_id).collect();
    let units: std::collections::HashMap<i64, String> = work_units::Entity::find()
        .filter(work_units::Column::Id.is_in(unit_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let followers: std::collections::HashMap<(i64, String), Option<i64>> =
        ambassador_platforms::Entity::find()
            .filter(ambassador_platforms::Column::AmbassadorId.is_in(amb_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|p| ((p.ambassador_id, p.platform), p.follower_count))
            .collect();
    let views = with_briefs(db, rows).await?;
    Ok(views
        .into_iter()
        .map(|v| {
            let amb_id = v.ambassador_id;
            let a = ambs.get(&amb_id);
            let f = followers
                .get(&(amb_id, v.platform.clone()))
                .copied()
                .flatten();
            QueueItem {
                ambassador_id: amb_id,
                display_name: a.map(|a| a.display_name.clone()).unwrap_or_default(),
                work_unit: a
                    .and_then(|a| units.get(&a.work_unit_id).cloned())
                    .unwrap_or_default(),
                followers: f,
                engagement_rate: rules::engagement_rate(
                    [v.likes, v.comments, v.shares, v.saves],
                    f,
                )
                .map(|r| (r * 100.0).round() / 100.0),
                submission: v,
            }
        })
        .collect())
}

/// A coordinator's decision on a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// pending → verified
    Verify,
    /// pending → rejected, with a reason the ambassador reads
    Reject,
    /// verified or rejected → pending: the decision is reversed and the scores follow
    Revert,
}

impl Decision {
    fn applies_to(self) -> &'static [&'static str] {
        match self {
            Decision::Verify | Decision::Reject => &["pending"],
            Decision::Revert => &["verified", "rejected"],
        }
    }

    fn action(self) -> &'static str {
        match self {
            Decision::Verify => "submission.verify",
            Decision::Reject => "submission.reject",
            Decision::Revert => "submission.revert",
        }
    }
}

/// Verifies, rejects or reverts a submission in the coordinator's scope (404 outside
/// it, before anything else is looked at), in one transaction with the weekly aggregate and the audit row. The state
/// change is conditional on the state read, so two coordinators racing on one
/// submission cannot both apply: the second gets 409.
pub async fn decide(
    db: &DatabaseConnection,
    mailer: &crate::notify::Mailer,
    user: &CurrentUser,
    id: i64,
    decision: Decision,
    reason: &str,
    ip: &ClientIp,
) -> AppResult<SubmissionView> {
    let txn = begin_write(db).await?;
    let s = in_scope(user)?
        .filter(submissions::Column::Id.eq(id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let raw_reason = reason;
    let reason = reason.trim();
    if decision == Decision::Reject && reason.is_empty() {
        return Err(AppError::Validation(FieldErrors::single(
            "reason",
            Msg::new("submissions.reason_required"),
        )));
    }
    if REASON.clean(raw_reason).is_none() {
        return Err(AppError::Validation(FieldErrors::single(
            "reason",
            Msg::new("submissions.reason_long").arg("max", MAX_REASON_CHARS),
        )));
    }
    if !decision.applies_to().contains(&s.status.as_str()) {
        return Err(AppError::Conflict(FieldErrors::single(
            "status",
            Msg::new("submissions.wrong_state"),
        )));
    }
    let to = match decision {
        Decision::Verify => "verified",
        Decision::Reject => "rejected",
        Decision::Revert => "pending",
    };
    let now = Utc::now();
    let slot = if to == "rejected" {
        None
    } else {
        Some(format!("{}:{}:{}", s.ambassador_id, s.brief_id, s.platform))
    };
    let (decided_by, decided_at) = if to == "pending" {
        (None, None)
    } else {
        (Some(user.id()), Some(now))
    };
    let stored_reason = (decision == Decision::Reject).then(|| reason.to_string());
    let updated = submissions::Entity::update_many()
        .col_expr(submissions::Column::Status, Expr::value(to))
        .col_expr(submissions::Column::Reason, Expr::value(stored_reason))
        .col_expr(submissions::Column::Slot, Expr::value(slot))
        .col_expr(submissions::Column::DecidedBy, Expr::value(decided_by))
        .col_expr(submissions::Column::DecidedAt, Expr::value(decided_at))
        .col_expr(submissions::Column::UpdatedAt, Expr::value(now))
        .filter(submissions::Column::Id.eq(s.id))
        .filter(submissions::Column::Status.eq(&s.status))
        .exec(&txn)
        .await;
    let updated = match updated {
        Ok(r) => r,
        // Reopening a rejected submission when the ambassador has sent another since.
        Err(e) if is_unique_violation(&e) => return Err(slot_taken()),
        Err(e) => return Err(e.into()),
    };
    if updated.rows_affected != 1 {
        return Err(AppError::Conflict(FieldErrors::single(
            "status",
            Msg::new("submissions.wrong_state"),
        )));
    }
    let delta = i32::from(to == "verified") - i32::from(s.status == "verified");
    if delta != 0 {
        record_post(&txn, &PostFacts::of(&s), 0, delta).await?;
    }
    let mut rejected_user = None;
    if decision == Decision::Reject {
        // The ambassador reads why, in Duta (linked to the brief where they send again).
        if let Some(user_id) = ambassadors::Entity::find_by_id(s.ambassador_id)
            .select_only()
            .column(ambassadors::Column::UserId)
            .into_tuple::<i64>()
            .one(&txn)
            .await?
        {
            let note = entity::notifications::ActiveModel {
                user_id: Set(user_id),
                kind: Set("post_rejected".to_string()),
                brief_id: Set(Some(s.brief_id)),
                created_at: Set(now),
                read_at: Set(None),
                detail: Set(Some(reason.to_string())),
                ..Default::default()
            };
            // One notice per ambassador, kind and brief: a second rejection for the same
            // brief (a post sent again, or a rejection after a revert) makes that notice
            // new and unread again, with the latest reason.
            use entity::notifications::{Column as N, Entity as Notifications};
            Notifications::insert(note)
                .on_conflict(
                    sea_orm::sea_query::OnConflict::columns([N::UserId, N::Kind, N::BriefId])
                        .update_columns([N::CreatedAt, N::ReadAt, N::Detail])
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
            rejected_user = Some(user_id);
        }
    }
    let institution_id: Option<i64> = ambassadors::Entity::find_by_id(s.ambassador_id)
        .select_only()
        .column(ambassadors::Column::InstitutionId)
        .into_tuple()
        .one(&txn)
        .await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: decision.action(),
            target_type: "submission",
            target_id: Some(s.id),
            institution_id,
            detail: serde_json::json!({
                "from": s.status,
                "to": to,
                "reason": reason,
                "ambassador_id": s.ambassador_id,
                "week": IsoWeek::of(s.week_start).to_string(),
            }),
            ip: Some(ip),
        },
    )
    .await?;
    let fresh = submissions::Entity::find_by_id(s.id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    txn.commit().await?;
    if decision == Decision::Verify {
        crate::integrity::service::after_verification(db, fresh.id).await;
    }
    let view = with_briefs(db, vec![fresh]).await?.remove(0);
    if let Some(user_id) = rejected_user {
        // And by email, unless they turned it off; the post is rejected either way.
        if let Err(e) = crate::notifications::email::send_notices(
            db,
            mailer,
            "post_rejected",
            &[user_id],
            &format!("/briefs/{}#submit", view.brief_id),
            &[("title", &view.brief_title), ("reason", reason)],
        )
        .await
        {
            tracing::warn!(submission = view.id, error = %e, "rejection email not sent");
        }
    }
    Ok(view)
}

/// A submission in a coordinator's scope.
pub async fn get_for_staff(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
) -> AppResult<QueueItem> {
    let s = in_scope(user)?
        .filter(submissions::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    queue_items(db, vec![s])
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// An approved ambassador who has not posted yet this week, for the coordinator's
/// reminder list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Unposted {
    pub ambassador_id: i64,
    pub user_id: i64,
    pub display_name: String,
    pub work_unit: String,
    /// The Monday of the last week with a verified post, if any.
    #[schema(value_type = Option<String>)]
    pub last_post_week: Option<chrono::NaiveDate>,
    /// A `wa.me` link with the reminder typed in; none when the phone is not a mobile.
    pub wa_link: Option<String>,
}

/// Who is due a reminder in the week of `monday`: approved ambassadors (of the caller's
/// scope, or of a unit's subtree in it; everyone for the job) with a brief addressed to
/// them that week, not on leave, whose institution is not paused, and without a pending
/// or verified post that week. Nobody in a holiday week (the caller checks: `None`).
async fn due_query(
    db: &DatabaseConnection,
    user: Option<&CurrentUser>,
    unit_path: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<Option<Select<ambassadors::Entity>>> {
    use sea_orm::sea_query::{Alias, ExprTrait};
    let tz = programme_timezone(db).await?;
    let monday = week_of(now, &tz);
    if entity::holidays::Entity::find()
        .filter(entity::holidays::Column::WeekStart.eq(monday))
        .one(db)
        .await?
        .is_some()
    {
        return Ok(None);
    }
    let q = match user {
        Some(user) if !matches!(user.role, Role::Coordinator | Role::Admin) => {
            return Err(AppError::Forbidden)
        }
        Some(user) => crate::ambassadors::service::scoped(user),
        None => ambassadors::Entity::find(),
    };
    let amb = |c: ambassadors::Column| Expr::col((ambassadors::Entity, c));
    let b = Alias::new("b");
    // The ambassador's unit is in the subtree of one of the brief's units.
    let units_of_brief = Query::select()
        .expr(Expr::val(1))
        .from_as(entity::brief_work_units::Entity, Alias::new("bu"))
        .inner_join(
            entity::work_units::Entity,
            Expr::col((work_units::Entity, work_units::Column::Id)).equals((
                Alias::new("bu"),
                entity::brief_work_units::Column::WorkUnitId,
            )),
        )
        .join_as(
            sea_orm::JoinType::InnerJoin,
            work_units::Entity,
            Alias::new("au"),
            Expr::col((Alias::new("au"), work_units::Column::Id))
                .equals((ambassadors::Entity, ambassadors::Column::WorkUnitId)),
        )
        .and_where(
            Expr::col((Alias::new("bu"), entity::brief_work_units::Column::BriefId))
                .equals((b.clone(), briefs::Column::Id)),
        )
        .and_where(Expr::cust("au.path LIKE work_units.path || '%'"))
        .to_owned();
    let addressed = Query::select()
        .expr(Expr::val(1))
        .from_as(briefs::Entity, b.clone())
        .and_where(
            Expr::col((b.clone(), briefs::Column::InstitutionId))
                .equals((ambassadors::Entity, ambassadors::Column::InstitutionId)),
        )
        .and_where(Expr::col((b.clone(), briefs::Column::WeekStart)).eq(monday))
        .cond_where(
            sea_orm::Condition::any()
                .add(Expr::col((b.clone(), briefs::Column::Status)).is_in(["published", "closed"]))
                .add(
                    sea_orm::Condition::all()
                        .add(Expr::col((b.clone(), briefs::Column::Status)).eq("scheduled"))
                        .add(Expr::col((b.clone(), briefs::Column::PublishAt)).lte(now)),
                ),
        )
        .cond_where(
            sea_orm::Condition::any()
                .add(Expr::col((b.clone(), briefs::Column::Audience)).eq("institution"))
                .add(Expr::exists(units_of_brief)),
        )
        .to_owned();
    let mut q = q
        .filter(ambassadors::Column::Status.eq("approved"))
        .filter(Expr::exists(addressed))
        // Per person, through the index on (status, ambassador, week): a `NOT IN` of the
        // week's posts would read every post of every week to find them.
        .filter(
            Expr::exists(
                Query::select()
                    .expr(Expr::val(1))
                    .from(submissions::Entity)
                    .and_where(
                        Expr::col((submissions::Entity, submissions::Column::AmbassadorId))
                            .equals((ambassadors::Entity, ambassadors::Column::Id)),
                    )
                    .and_where(submissions::Column::Status.is_in(["pending", "verified"]))
                    .and_where(submissions::Column::WeekStart.eq(monday))
                    .to_owned(),
            )
            .not(),
        )
        .filter(
            ambassadors::Column::Id.not_in_subquery(
                Query::select()
                    .column(entity::leaves::Column::AmbassadorId)
                    .from(entity::leaves::Entity)
                    .and_where(entity::leaves::Column::FromWeek.lte(monday))
                    .and_where(entity::leaves::Column::ToWeek.gte(monday))
                    .to_owned(),
            ),
        )
        .filter(
            amb(ambassadors::Column::InstitutionId).not_in_subquery(
                Query::select()
                    .column(entity::crisis_pauses::Column::InstitutionId)
                    .from(entity::crisis_pauses::Entity)
                    .and_where(entity::crisis_pauses::Column::EndedAt.is_null())
                    .to_owned(),
            ),
        );
    if let Some(p) = unit_path {
        q = q.filter(
            ambassadors::Column::WorkUnitId.in_subquery(crate::org::service::subtree_units(p)),
        );
    }
    Ok(Some(q))
}

/// How many people of the caller's scope are due a reminder this week (see
/// [`due_query`]).
pub async fn unposted_count(
    db: &DatabaseConnection,
    user: &CurrentUser,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    Ok(match due_query(db, Some(user), None, now).await? {
        Some(q) => q.count(db).await?,
        None => 0,
    })
}

/// The people due a reminder this week (see [`due_query`]), by name, at most `limit`;
/// `work_unit_id` narrows to a unit's subtree (409 for a unit outside the scope).
pub async fn unposted(
    db: &DatabaseConnection,
    user: Option<&CurrentUser>,
    work_unit_id: Option<i64>,
    lang: crate::web::i18n::Lang,
    limit: u64,
    now: DateTime<Utc>,
) -> AppResult<Vec<Unposted>> {
    let path = match (work_unit_id, user) {
        (Some(id), Some(user)) => Some(
            work_units::Entity::find_by_id(id)
                .one(db)
                .await?
                .filter(|u| user.scope().allows_work_unit(u.institution_id, &u.path))
                .ok_or_else(|| {
                    AppError::Validation(FieldErrors::single(
                        "work_unit_id",
                        Msg::conflict("users.work_unit_unknown"),
                    ))
                })?
                .path,
        ),
        _ => None,
    };
    let Some(q) = due_query(db, user, path.as_deref(), now).await? else {
        return Ok(Vec::new());
    };
    let rows = q
        .order_by_asc(ambassadors::Column::DisplayName)
        .order_by_asc(ambassadors::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let units = crate::org::service::unit_name_map(db, rows.iter().map(|a| a.work_unit_id)).await?;
    let mut last: std::collections::HashMap<i64, Option<chrono::NaiveDate>> =
        std::collections::HashMap::new();
    if user.is_some() {
        let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
        for chunk in ids.chunks(1_000) {
            last.extend(
                entity::week_activity::Entity::find()
                    .select_only()
                    .column(entity::week_activity::Column::AmbassadorId)
                    .column_as(entity::week_activity::Column::WeekStart.max(), "last")
                    .filter(
                        entity::week_activity::Column::AmbassadorId.is_in(chunk.iter().copied()),
                    )
                    .filter(entity::week_activity::Column::VerifiedPosts.gt(0))
                    .group_by(entity::week_activity::Column::AmbassadorId)
                    .into_tuple::<(i64, Option<chrono::NaiveDate>)>()
                    .all(db)
                    .await?,
            );
        }
    }
    Ok(rows
        .into_iter()
        .map(|a| {
            let text = crate::web::i18n::t_with(
                lang,
                "submissions.reminder_wa",
                &[("name", a.display_name.as_str())],
            );
            Unposted {
                ambassador_id: a.id,
                user_id: a.user_id,
                work_unit: units.get(&a.work_unit_id).cloned().unwrap_or_default(),
                last_post_week: last.get(&a.id).copied().flatten(),
                wa_link: rules::wa_message_link(&a.phone, &text),
                display_name: a.display_name,
            }
        })
        .collect())
}

/// The weekly reminder: tells everyone due a reminder this week (see [`due_query`]), in
/// Duta and by email when SMTP is configured (unless they turned that email off), and
/// returns how many were told. When and how often is the background jobs' business: the
/// `submissions.reminder` job runs this once a week, from the settings' day and hour (see
/// `crate::jobs`).
pub async fn send_weekly_reminder(
    db: &DatabaseConnection,
    mailer: &crate::notify::Mailer,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let week = IsoWeek::of(
        now.with_timezone(&programme_timezone(db).await?)
            .date_naive(),
    );
    let people = unposted(
        db,
        None,
        None,
        crate::web::i18n::Lang::Id,
        u64::MAX >> 1,
        now,
    )
    .await?;
    for chunk in people.chunks(500) {
        entity::notifications::Entity::insert_many(chunk.iter().map(|p| {
            entity::notifications::ActiveModel {
                user_id: Set(p.user_id),
                kind: Set("weekly_reminder".to_string()),
                brief_id: Set(None),
                created_at: Set(now),
                read_at: Set(None),
                ..Default::default()
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    if mailer.is_enabled() && !people.is_empty() {
        let ids: Vec<i64> = people.iter().map(|p| p.user_id).collect();
        let mut recipients = Vec::new();
        for chunk in ids.chunks(1000) {
            recipients.extend(
                entity::users::Entity::find()
                    .filter(entity::users::Column::Id.is_in(chunk.to_vec()))
                    .filter(
                        entity::users::Column::Id
                            .not_in_subquery(crate::notifications::email::opted_out("reminder")),
                    )
                    .all(db)
                    .await?,
            );
        }
        let mailer = mailer.clone();
        tokio::spawn(async move {
            let url = mailer.link("/progress").unwrap_or_default();
            for u in recipients {
                let lang = u
                    .language
                    .as_deref()
                    .and_then(crate::web::i18n::Lang::parse)
                    .unwrap_or(crate::web::i18n::Lang::Id);
                if let Err(e) = mailer.send_reminder(&u.email, &u.name, lang, &url).await {
                    tracing::warn!(user_id = u.id, error = %e, "weekly reminder email not sent");
                }
            }
        });
    }
    tracing::info!(week = %week, reminded = people.len(), "weekly reminder sent");
    Ok(people.len())
}
/// The integrity checks that follow a stored submission.
async fn after_submission(db: &DatabaseConnection, poster: &Own, saved: &SubmissionView) {
    use crate::integrity::service::{Posted, Poster};
    let poster = Poster {
        ambassador_id: poster.record.id,
        institution_id: poster.record.institution_id,
        x_handle: poster.account("x").map(|a| a.handle.as_str()),
    };
    let posted = Posted {
        id: saved.id,
        ambassador_id: saved.ambassador_id,
        platform: &saved.platform,
        normalized_url: &saved.normalized_url,
    };
    crate::integrity::service::after_submission(db, Some(poster), posted).await;
}
