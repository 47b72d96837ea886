//! Queries and decisions of the vetting queue. Every read filters by the coordinator's
//! scope (institution, and work-unit subtree where set) in the query itself.

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;

use super::forms::{ApproveRequest, FollowersRequest, RejectRequest};
use crate::ambassadors::rules::{self as arules, EmployeeType, Gender};
use crate::ambassadors::service::{platforms_of, run_api_check, view_of, AmbassadorView};
use crate::audit::record as audit;
use crate::auth::guards::CurrentUser;
use crate::db::begin_write;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::followers::FollowerSources;
use crate::http::client_ip::ClientIp;
use crate::nip::NipKey;
use crate::notify::Mailer;
use crate::settings::service::{programme_timezone, thresholds};
use crate::web::i18n::Lang;
use entity::{
    ambassador_platforms as ap, ambassadors, follower_checks, institutions, users, work_units,
};

/// Candidates waiting longer than this many working days are marked overdue.
pub const OVERDUE_WORKING_DAYS: i64 = 3;
pub const STATUSES: [&str; 6] = [
    "pending",
    "approved",
    "rejected",
    "suspended",
    "removed",
    "withdrawn",
];

pub use crate::org::service::subtree_units;

pub use crate::ambassadors::service::scoped;

pub async fn get_candidate_for(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
) -> AppResult<ambassadors::Model> {
    scoped(user)
        .filter(ambassadors::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CandidateRow {
    pub id: i64,
    pub name: String,
    pub display_name: String,
    pub work_unit_id: i64,
    pub work_unit_name: String,
    pub status: String,
    pub submitted_at: chrono::DateTime<Utc>,
    pub waiting_working_days: i64,
    /// Waiting more than 3 working days.
    pub overdue: bool,
    /// Imported with an invitation the person has not accepted yet (no password set).
    pub invitation_pending: bool,
    /// Approved, and short of the programme's rules now (a platform made required or a
    /// threshold raised since): their evidence waits.
    pub needs_attention: bool,
    /// Since when the re-check has found a required account below its threshold.
    pub below_since: Option<chrono::DateTime<Utc>>,
}

/// The queue: candidates in scope with the status (and work unit with its subtree), oldest first.
pub async fn list_candidates(
    db: &DatabaseConnection,
    user: &CurrentUser,
    status: Option<&str>,
    work_unit_id: Option<i64>,
) -> AppResult<Vec<CandidateRow>> {
    let mut errors = FieldErrors::new();
    let status = status.unwrap_or("pending");
    if !STATUSES.contains(&status) {
        errors.add("status", Msg::new("vetting.status_invalid"));
    }
    // Applications whose email address is not confirmed yet wait outside the queue.
    let mut q = scoped(user)
        .filter(ambassadors::Column::Status.eq(status))
        .filter(ambassadors::Column::UserId.not_in_subquery(unconfirmed_users()));
    if let Some(w) = work_unit_id {
        let unit = work_units::Entity::find_by_id(w).one(db).await?;
        match unit.filter(|u| user.scope().allows_work_unit(u.institution_id, &u.path)) {
            Some(u) => {
                q = q.filter(ambassadors::Column::WorkUnitId.in_subquery(subtree_units(&u.path)))
            }
            None => errors.add("work_unit_id", Msg::conflict("users.work_unit_unknown")),
        }
    }
    errors.into_result()?;
    let rows = q
        .order_by_asc(ambassadors::Column::SubmittedAt)
        .order_by_asc(ambassadors::Column::Id)
        .limit(500)
        .all(db)
        .await?;
    let tz = programme_timezone(db).await?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let user_ids: Vec<i64> = rows.iter().map(|r| r.user_id).collect();
    let unit_ids: Vec<i64> = rows.iter().map(|r| r.work_unit_id).collect();
    let people: std::collections::HashMap<i64, users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(user_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let units: std::collections::HashMap<i64, String> = work_units::Entity::find()
        .filter(work_units::Column::Id.is_in(unit_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let approved: Vec<i64> = rows
        .iter()
        .filter(|r| r.status == "approved")
        .map(|r| r.id)
        .collect();
    let (required, _) = crate::settings::service::thresholds(db).await?;
    let attention =
        crate::ambassadors::attention::needing_attention(db, &required, &approved).await?;
    let below = crate::ambassadors::attention::below_since(db, &approved).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let waited =
                arules::working_days_between(r.submitted_at.with_timezone(&tz).date_naive(), today);
            let person = people.get(&r.user_id);
            CandidateRow {
                id: r.id,
                name: person.map(|u| u.name.clone()).unwrap_or_default(),
                invitation_pending: person.is_some_and(|u| u.invitation_pending_since.is_some()),
                needs_attention: attention.contains(&r.id),
                below_since: below.get(&r.id).copied(),
                display_name: r.display_name,
                work_unit_id: r.work_unit_id,
                work_unit_name: units.get(&r.work_unit_id).cloned().unwrap_or_default(),
                status: r.status.clone(),
                submitted_at: r.submitted_at,
                waiting_working_days: waited,
                overdue: r.status == "pending" && waited > OVERDUE_WORKING_DAYS,
            }
        })
        .collect())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NipDecoded {
    #[schema(value_type = String)]
    pub birth_date: NaiveDate,
    pub age: i32,
    /// male or female
    pub gender: String,
    #[schema(value_type = String)]
    pub appointed: NaiveDate,
    pub appointed_year_only: bool,
    /// Catalogue keys of what looks wrong: `nip.warn_type_pns`, `nip.warn_retirement_age`, …
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Duplicate {
    /// phone (NIP, email and handles are unique in Duta)
    pub field: String,
    pub ambassador_id: Option<i64>,
    /// Shown only when the other person is in the coordinator's scope.
    pub display_name: Option<String>,
    pub institution_name: String,
    pub status: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CandidateDetail {
    pub candidate: AmbassadorView,
    pub nip: Option<NipDecoded>,
    pub duplicates: Vec<Duplicate>,
    /// Suspensions and removal, newest first (the one without `until_week` lasts).
    pub breaks: Vec<super::lifecycle::BreakView>,
    /// The ambassador whose referral link the candidate came through, if one did.
    pub referred_by: Option<crate::recruitment::service::ReferrerRow>,
    /// Their drafts reviewed and accepted, and whether they are a mentor.
    pub mentoring: crate::mentoring::service::MentoringFigures,
    /// The badges they hold (see `/api/v1/badges`).
    pub badges: Vec<crate::recognition::service::EarnedBadge>,
}

pub fn decode_nip(amb: &ambassadors::Model, digits: &str, today: NaiveDate) -> Option<NipDecoded> {
    let kind = EmployeeType::parse(&amb.employee_type)?;
    let info = arules::parse_nip(digits, kind, today).ok()?;
    let mut warnings = Vec::new();
    // A NIP that reads as a PNS number (valid TMT month) although PPPK was chosen.
    if kind == EmployeeType::Pppk && arules::parse_nip(digits, EmployeeType::Pns, today).is_ok() {
        warnings.push("nip.warn_type_pns".to_string());
    }
    let age = arules::years_between(info.birth_date, today);
    if age >= 58 {
        warnings.push("nip.warn_retirement_age".to_string());
    }
    Some(NipDecoded {
        birth_date: info.birth_date,
        age,
        gender: match info.gender {
            Gender::Male => "male".into(),
            Gender::Female => "female".into(),
        },
        appointed: info.appointed,
        appointed_year_only: info.appointed_year_only,
        warnings,
    })
}

pub async fn candidate_detail(
    db: &DatabaseConnection,
    key: &NipKey,
    user: &CurrentUser,
    id: i64,
) -> AppResult<CandidateDetail> {
    let amb = get_candidate_for(db, user, id).await?;
    let tz = programme_timezone(db).await?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let same_phone = ambassadors::Entity::find()
        .filter(ambassadors::Column::Phone.eq(amb.phone.as_str()))
        .filter(ambassadors::Column::Id.ne(amb.id))
        .limit(20)
        .all(db)
        .await?;
    let mut duplicates = Vec::new();
    for other in same_phone {
        let institution = institutions::Entity::find_by_id(other.institution_id)
            .one(db)
            .await?;
        let in_scope = scoped(user)
            .filter(ambassadors::Column::Id.eq(other.id))
            .one(db)
            .await?
            .is_some();
        duplicates.push(Duplicate {
            field: "phone".into(),
            ambassador_id: in_scope.then_some(other.id),
            display_name: in_scope.then(|| other.display_name.clone()),
            institution_name: institution.map(|i| i.name).unwrap_or_default(),
            status: other.status.clone(),
        });
    }
    let candidate = view_of(db, key, &amb).await?;
    Ok(CandidateDetail {
        nip: decode_nip(&amb, &candidate.nip, today),
        candidate,
        duplicates,
        breaks: super::lifecycle::breaks(db, amb.id).await?,
        referred_by: crate::recruitment::service::referrer_of(db, amb.id).await?,
        mentoring: crate::mentoring::service::figures_of(db, &amb).await?,
        badges: crate::recognition::service::view_of(db, &amb).await?.badges,
    })
}

async fn decide(
    db: &DatabaseConnection,
    user: &CurrentUser,
    amb: &ambassadors::Model,
    to: &str,
    member_since: Option<NaiveDate>,
    reason: Option<String>,
    ip: &ClientIp,
) -> AppResult<ambassadors::Model> {
    let txn = begin_write(db).await?;
    // Re-read inside the write lock so two coordinators cannot both decide.
    let current = ambassadors::Entity::find_by_id(amb.id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if current.status != "pending" {
        return Err(AppError::Conflict(FieldErrors::single(
            "status",
            Msg::new("vetting.already_decided"),
        )));
    }
    let t = Utc::now();
    let mut active: ambassadors::ActiveModel = current.clone().into();
    active.status = Set(to.into());
    active.decided_at = Set(Some(t));
    active.decided_by = Set(Some(user.id()));
    active.updated_at = Set(t);
    if to == "approved" {
        active.member_since = Set(member_since);
        active.rejection_reason = Set(None);
    } else {
        active.rejection_reason = Set(reason.clone());
    }
    let saved = active.update(&txn).await?;
    crate::leaderboard::standings::refresh(&txn, &[saved.id]).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: if to == "approved" { "ambassador.approved" } else { "ambassador.rejected" },
            target_type: "ambassador",
            target_id: Some(amb.id),
            institution_id: Some(amb.institution_id),
            detail: serde_json::json!({ "from": current.status, "to": to, "reason": reason, "member_since": member_since }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Tells the candidate by email (when SMTP is configured); the status page always shows it.
/// A failure here is logged: the decision is already committed.
pub(crate) async fn notify_candidate(
    db: &DatabaseConnection,
    mailer: &Mailer,
    saved: &ambassadors::Model,
) {
    match users::Entity::find_by_id(saved.user_id).one(db).await {
        Ok(Some(u)) => {
            let lang = u
                .language
                .as_deref()
                .and_then(Lang::parse)
                .unwrap_or(Lang::Id);
            if let Some(url) = mailer.link("/me/status") {
                mailer.spawn_decision(
                    saved.id,
                    u.email,
                    u.name,
                    lang,
                    saved.status == "approved",
                    saved.rejection_reason.clone(),
                    url,
                );
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "decision email skipped"),
    }
}

/// Approves an eligible candidate, with `member_since` (not in the future; today by default).
/// The accounts whose email address waits for its confirmation link.
/// Candidates waiting in the caller's queue (pending, email confirmed) and how many of
/// them are overdue (waiting more than [`OVERDUE_WORKING_DAYS`] working days), as the
/// queue marks them.
pub async fn waiting_counts(
    db: &DatabaseConnection,
    user: &CurrentUser,
    now: chrono::DateTime<Utc>,
) -> AppResult<(u64, u64)> {
    use sea_orm::PaginatorTrait;
    let pending = scoped(user)
        .filter(ambassadors::Column::Status.eq("pending"))
        .filter(ambassadors::Column::UserId.not_in_subquery(unconfirmed_users()));
    let waiting = pending.clone().count(db).await?;
    let tz = programme_timezone(db).await?;
    let today = now.with_timezone(&tz).date_naive();
    // The latest day a candidate may have signed up on and be overdue today.
    let mut day = today;
    while arules::working_days_between(day, today) <= OVERDUE_WORKING_DAYS {
        day = day.pred_opt().unwrap_or(day);
    }
    let before = crate::briefs::rules::local_midnight(day.succ_opt().unwrap_or(day), &tz);
    let overdue = pending
        .filter(ambassadors::Column::SubmittedAt.lt(before))
        .count(db)
        .await?;
    Ok((waiting, overdue))
}

fn unconfirmed_users() -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(users::Column::Id)
        .from(users::Entity)
        .and_where(users::Column::EmailUnconfirmedSince.is_not_null())
        .to_owned()
}

pub async fn approve(
    db: &DatabaseConnection,
    key: &NipKey,
    mailer: &Mailer,
    user: &CurrentUser,
    id: i64,
    input: &ApproveRequest,
    ip: &ClientIp,
) -> AppResult<ambassadors::Model> {
    let amb = get_candidate_for(db, user, id).await?;
    let unconfirmed = users::Entity::find_by_id(amb.user_id)
        .one(db)
        .await?
        .is_some_and(|u| u.email_unconfirmed_since.is_some());
    if unconfirmed {
        return Err(AppError::Validation(FieldErrors::single(
            "status",
            Msg::conflict("vetting.email_unconfirmed"),
        )));
    }
    let tz = programme_timezone(db).await?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let since = match crate::text::date(input.member_since.as_deref().unwrap_or("")) {
        Ok(None) => today,
        Ok(Some(d)) if d <= today => d,
        // A day still to come clashes with the present, not with the document.
        Ok(Some(_)) => {
            return Err(AppError::Validation(FieldErrors::single(
                "member_since",
                Msg::conflict("vetting.member_since_future"),
            )))
        }
        Err(_) => {
            return Err(AppError::Validation(FieldErrors::single(
                "member_since",
                Msg::new("vetting.member_since_invalid"),
            )))
        }
    };
    let view = view_of(db, key, &amb).await?;
    if !view.eligible {
        let mut f = FieldErrors::new();
        for m in &view.missing {
            f.add(
                &format!("platforms.{}", m.platform),
                Msg::conflict(&format!("missing.{}", m.what)),
            );
        }
        return Err(AppError::Validation(f));
    }
    let saved = decide(db, user, &amb, "approved", Some(since), None, ip).await?;
    notify_candidate(db, mailer, &saved).await;
    Ok(saved)
}

/// A platform Duta knows that the candidate did not register is a conflict with their
/// record; one Duta does not know is malformed.
fn platform_not_registered(platform: &str) -> Msg {
    if crate::settings::rules::PLATFORMS.contains(&platform) {
        Msg::conflict("vetting.platform_unknown")
    } else {
        Msg::new("vetting.platform_unknown")
    }
}

pub async fn reject(
    db: &DatabaseConnection,
    mailer: &Mailer,
    user: &CurrentUser,
    id: i64,
    input: &RejectRequest,
    ip: &ClientIp,
) -> AppResult<ambassadors::Model> {
    let amb = get_candidate_for(db, user, id).await?;
    let Some(reason) = crate::vetting::forms::REJECTION.clean(&input.reason) else {
        return Err(AppError::Validation(FieldErrors::single(
            "reason",
            Msg::new("vetting.reason_invalid"),
        )));
    };
    let saved = decide(db, user, &amb, "rejected", None, Some(reason), ip).await?;
    notify_candidate(db, mailer, &saved).await;
    Ok(saved)
}

/// A coordinator types the count they read (method `coordinator`); the verdict follows.
pub async fn set_followers(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    input: &FollowersRequest,
    ip: &ClientIp,
) -> AppResult<ap::Model> {
    let amb = get_candidate_for(db, user, id).await?;
    let count = match &input.count {
        Some(v) => crate::ambassadors::forms::parse_count(v).map_err(|_| {
            AppError::Validation(FieldErrors::single(
                "count",
                Msg::new("signup.count_invalid"),
            ))
        })?,
        None => {
            return Err(AppError::Validation(FieldErrors::single(
                "count",
                Msg::new("signup.count_required"),
            )))
        }
    };
    let row = platforms_of(db, amb.id)
        .await?
        .into_iter()
        .find(|p| p.platform == input.platform)
        .ok_or_else(|| {
            AppError::Validation(FieldErrors::single(
                "platform",
                platform_not_registered(&input.platform),
            ))
        })?;
    let (_, limits) = thresholds(db).await?;
    let threshold = limits.get(&row.platform).copied().unwrap_or(500);
    let t = Utc::now();
    let txn = begin_write(db).await?;
    let mut active: ap::ActiveModel = row.clone().into();
    active.method = Set("coordinator".into());
    active.follower_count = Set(Some(count));
    active.checked_at = Set(Some(t));
    active.reviewed_by = Set(Some(user.id()));
    active.verdict = Set(arules::verdict("coordinator", Some(count), threshold).into());
    active.check_error = Set(None);
    active.updated_at = Set(t);
    let saved = active.update(&txn).await?;
    follower_checks::ActiveModel {
        ambassador_platform_id: Set(row.id),
        method: Set("coordinator".into()),
        follower_count: Set(Some(count)),
        outcome: Set("ok".into()),
        checked_by: Set(Some(user.id())),
        checked_at: Set(t),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "ambassador.followers_entered",
            target_type: "ambassador",
            target_id: Some(amb.id),
            institution_id: Some(amb.institution_id),
            detail: serde_json::json!({ "platform": row.platform, "from": row.follower_count, "to": count, "verdict": saved.verdict }),
            ip: Some(ip),
        },
    )
    .await?;
    crate::leaderboard::participation::followers_changed(&txn, saved.ambassador_id).await?;
    txn.commit().await?;
    crate::integrity::service::after_follower_count(db, saved.id).await;
    Ok(saved)
}

/// Runs the platform's API check again for one account of a candidate in scope.
pub async fn recheck(
    db: &DatabaseConnection,
    sources: &FollowerSources,
    user: &CurrentUser,
    id: i64,
    platform: &str,
    ip: &ClientIp,
) -> AppResult<ap::Model> {
    let amb = get_candidate_for(db, user, id).await?;
    let row = platforms_of(db, amb.id)
        .await?
        .into_iter()
        .find(|p| p.platform == platform)
        .ok_or_else(|| {
            AppError::Validation(FieldErrors::single(
                "platform",
                platform_not_registered(platform),
            ))
        })?;
    // A rate limit still holds: the answer then says when the platform can be asked again.
    let saved = run_api_check(db, sources, &row, Some(user.id())).await?;
    audit::record(
        db,
        audit::Entry {
            actor: Some(user),
            action: "ambassador.rechecked",
            target_type: "ambassador",
            target_id: Some(amb.id),
            institution_id: Some(amb.institution_id),
            detail: serde_json::json!({ "platform": saved.platform, "count": saved.follower_count, "error": saved.check_error }),
            ip: Some(ip),
        },
    )
    .await?;
    Ok(saved)
}
