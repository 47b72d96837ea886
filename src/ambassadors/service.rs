//! Sign-up, the candidate's own view, resubmission, screenshots and API checks.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    FromQueryResult, IdenStatic, Iterable, JoinType, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, RelationDef, Set,
};
use serde::Serialize;

use super::forms::{
    check_profile, check_signup, CleanPlatform, ResubmitRequest, SignupRequest, CONSENT_VERSION,
};
use super::rules::{self, AccountState};
use crate::accounts::rules::new_stamp;
use crate::audit::record as audit;
use crate::auth::guards::CurrentUser;
use crate::auth::passwords::Hasher;
use crate::db::{begin_write, is_unique_violation};
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::followers::{CheckError, FollowerSources};
use crate::http::client_ip::ClientIp;
use crate::nip::NipKey;
use crate::settings::service::{programme_today, thresholds};
use entity::{
    ambassador_platforms as ap, ambassadors, follower_checks, institutions, users, work_units,
};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlatformView {
    pub platform: String,
    pub handle: String,
    /// api, screenshot or coordinator
    pub method: String,
    pub follower_count: Option<i64>,
    pub checked_at: Option<DateTime<Utc>>,
    /// meets, below or unverified
    pub verdict: String,
    pub threshold: i64,
    pub required: bool,
    pub screenshot_id: Option<i64>,
    /// not_found, unavailable or rate_limited when the last API check failed
    pub check_error: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MissingItem {
    pub platform: String,
    /// account, screenshot, count, api_failed, below or review
    pub what: String,
}

/// A candidate's or ambassador's own record, as they and their coordinators see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AmbassadorView {
    pub id: i64,
    pub user_id: i64,
    /// pending, approved, rejected, suspended, removed or withdrawn
    pub status: String,
    pub name: String,
    pub display_name: String,
    pub email: String,
    pub nip: String,
    pub employee_type: String,
    pub phone: String,
    pub institution_id: i64,
    pub institution_name: String,
    pub work_unit_id: i64,
    pub work_unit_name: String,
    pub rejection_reason: Option<String>,
    #[schema(value_type = Option<String>)]
    pub member_since: Option<NaiveDate>,
    pub submitted_at: DateTime<Utc>,
    pub consent_version: String,
    pub eligible: bool,
    pub platforms: Vec<PlatformView>,
    pub missing: Vec<MissingItem>,
    /// The suspension or removal that lasts now, with its reason (shown to the person).
    pub membership_break: Option<crate::vetting::lifecycle::BreakView>,
}

pub async fn find_ambassador_by_user(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> AppResult<Option<ambassadors::Model>> {
    Ok(ambassadors::Entity::find()
        .filter(ambassadors::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}

/// An ambassador's own record with its work unit's path and its platform accounts, as
/// the busy ambassador routes (briefs, submissions) read them.
#[derive(Debug, Clone)]
pub struct Own {
    pub record: ambassadors::Model,
    pub unit_path: String,
    pub accounts: Vec<ap::Model>,
}

impl Own {
    /// The account on a platform, if the ambassador registered one.
    pub fn account(&self, platform: &str) -> Option<&ap::Model> {
        self.accounts.iter().find(|a| a.platform == platform)
    }
}

/// The ambassador record of a user (any state), its unit's path and its accounts.
pub async fn own_of(db: &impl ConnectionTrait, user_id: i64) -> AppResult<Option<Own>> {
    // The record, its unit and its accounts in one read (every submission reads this): one
    // row per account, the record and unit repeated on each.
    let unit = ambassadors::Entity::belongs_to(work_units::Entity)
        .from(ambassadors::Column::WorkUnitId)
        .to(work_units::Column::Id);
    let accounts: RelationDef = ap::Entity::belongs_to(ambassadors::Entity)
        .from(ap::Column::AmbassadorId)
        .to(ambassadors::Column::Id)
        .into();
    let mut select = ambassadors::Entity::find()
        .filter(ambassadors::Column::UserId.eq(user_id))
        .join(JoinType::LeftJoin, unit.into())
        .join(JoinType::LeftJoin, accounts.rev())
        .select_also(work_units::Entity);
    for column in ap::Column::iter() {
        select = select.column_as(
            Expr::col((ap::Entity, column)),
            format!("{ACCOUNT}{}", column.as_str()),
        );
    }
    let rows = db
        .query_all_raw(
            select
                .order_by_asc(ap::Column::Id)
                .build(db.get_database_backend()),
        )
        .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let record = ambassadors::Model::from_query_result(first, "A_")?;
    let unit_path = work_units::Model::from_query_result_optional(first, "B_")?
        .map(|u| u.path)
        .unwrap_or_default();
    let mut accounts = Vec::new();
    for row in &rows {
        accounts.extend(ap::Model::from_query_result_optional(row, ACCOUNT)?);
    }
    Ok(Some(Own {
        record,
        unit_path,
        accounts,
    }))
}

/// The prefix of the account columns in [`own_of`]'s read (SeaORM names the record's
/// `A_` and the unit's `B_`).
const ACCOUNT: &str = "C_";

pub async fn platforms_of(
    db: &impl ConnectionTrait,
    ambassador_id: i64,
) -> AppResult<Vec<ap::Model>> {
    Ok(ap::Entity::find()
        .filter(ap::Column::AmbassadorId.eq(ambassador_id))
        .order_by_asc(ap::Column::Id)
        .all(db)
        .await?)
}

/// Builds the full view of one ambassador (the caller has already checked the scope).
pub async fn view_of(
    db: &DatabaseConnection,
    key: &NipKey,
    amb: &ambassadors::Model,
) -> AppResult<AmbassadorView> {
    let user = users::Entity::find_by_id(amb.user_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let institution = institutions::Entity::find_by_id(amb.institution_id)
        .one(db)
        .await?;
    let unit = work_units::Entity::find_by_id(amb.work_unit_id)
        .one(db)
        .await?;
    let (required, limits) = thresholds(db).await?;
    let rows = platforms_of(db, amb.id).await?;
    let states: Vec<AccountState> = rows
        .iter()
        .map(|p| AccountState {
            platform: &p.platform,
            method: &p.method,
            count: p.follower_count,
            has_screenshot: p.evidence_media_id.is_some(),
            verdict: &p.verdict,
            check_error: p.check_error.as_deref(),
        })
        .collect();
    let missing = rules::missing(&required, &states);
    let mut platforms: Vec<PlatformView> = rows
        .iter()
        .map(|p| PlatformView {
            platform: p.platform.clone(),
            handle: p.handle.clone(),
            method: p.method.clone(),
            follower_count: p.follower_count,
            checked_at: p.checked_at,
            verdict: p.verdict.clone(),
            threshold: limits.get(&p.platform).copied().unwrap_or(500),
            required: required.contains(&p.platform),
            screenshot_id: p.evidence_media_id,
            check_error: p.check_error.clone(),
        })
        .collect();
    platforms.sort_by_key(|p| {
        crate::settings::rules::PLATFORMS
            .iter()
            .position(|k| *k == p.platform)
    });
    Ok(AmbassadorView {
        id: amb.id,
        user_id: amb.user_id,
        status: amb.status.clone(),
        name: user.name,
        display_name: amb.display_name.clone(),
        email: user.email,
        nip: crate::nip::nip_digits(key, amb).unwrap_or_default(),
        employee_type: amb.employee_type.clone(),
        phone: amb.phone.clone(),
        institution_id: amb.institution_id,
        institution_name: institution.map(|i| i.name).unwrap_or_default(),
        work_unit_id: amb.work_unit_id,
        work_unit_name: unit.map(|u| u.name).unwrap_or_default(),
        rejection_reason: amb.rejection_reason.clone(),
        member_since: amb.member_since,
        submitted_at: amb.submitted_at,
        consent_version: amb.consent_version.clone(),
        eligible: missing.is_empty(),
        membership_break: crate::vetting::lifecycle::open_break(db, amb.id)
            .await?
            .map(Into::into),
        platforms,
        missing: missing
            .into_iter()
            .map(|(platform, what)| MissingItem {
                platform,
                what: what.to_string(),
            })
            .collect(),
    })
}

/// The fields already taken by someone else: NIP (its keyed index), email, handles (for
/// 409 answers).
async fn taken(
    db: &impl ConnectionTrait,
    nip: Option<&str>,
    email: Option<&str>,
    platforms: &[CleanPlatform],
    except_ambassador: Option<i64>,
) -> AppResult<FieldErrors> {
    let mut f = FieldErrors::new();
    if let Some(nip) = nip {
        if ambassadors::Entity::find()
            .filter(ambassadors::Column::Nip.eq(nip))
            .one(db)
            .await?
            .is_some()
        {
            f.add("nip", Msg::new("signup.nip_taken"));
        }
    }
    if let Some(email) = email {
        if users::Entity::find()
            .filter(users::Column::Email.eq(email))
            .one(db)
            .await?
            .is_some()
        {
            f.add("email", Msg::new("users.email_taken"));
        }
    }
    for p in platforms {
        let owner = ap::Entity::find()
            .filter(ap::Column::Platform.eq(p.platform.as_str()))
            .filter(ap::Column::Handle.eq(p.handle.as_str()))
            .one(db)
            .await?;
        if owner.is_some_and(|o| Some(o.ambassador_id) != except_ambassador) {
            f.add(
                &format!("platforms.{}.handle", p.platform),
                Msg::new("signup.handle_taken"),
            );
        }
    }
    Ok(f)
}

async fn check_org(
    db: &impl ConnectionTrait,
    institution_id: Option<i64>,
    work_unit_id: Option<i64>,
    errors: &mut FieldErrors,
) -> AppResult<()> {
    let Some(i) = institution_id else {
        return Ok(());
    };
    if institutions::Entity::find_by_id(i).one(db).await?.is_none() {
        errors.add("institution_id", Msg::conflict("users.institution_unknown"));
        return Ok(());
    }
    if let Some(w) = work_unit_id {
        let unit = work_units::Entity::find_by_id(w).one(db).await?;
        if unit.is_none_or(|u| u.institution_id != i) {
            errors.add("work_unit_id", Msg::conflict("users.work_unit_unknown"));
        }
    }
    Ok(())
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Writes the platform rows of a (re)submission and the self-reported counts' history.
async fn write_platforms(
    txn: &impl ConnectionTrait,
    ambassador_id: i64,
    platforms: &[CleanPlatform],
    existing: &[ap::Model],
) -> AppResult<()> {
    let t = now();
    for p in platforms {
        let same = existing.iter().find(|e| e.platform == p.platform);
        let keep_evidence = same
            .filter(|e| e.handle == p.handle)
            .and_then(|e| e.evidence_media_id);
        let row = ap::ActiveModel {
            ambassador_id: Set(ambassador_id),
            platform: Set(p.platform.clone()),
            handle: Set(p.handle.clone()),
            method: Set(p.method.clone()),
            follower_count: Set(p.count),
            checked_at: Set(p.count.map(|_| t)),
            evidence_media_id: Set(keep_evidence),
            reviewed_by: Set(None),
            verdict: Set("unverified".into()),
            check_error: Set(None),
            retry_after: Set(None),
            below_since: Set(None),
            updated_at: Set(t),
            ..Default::default()
        };
        let saved = match same {
            Some(e) => {
                let mut r = row;
                r.id = Set(e.id);
                r.update(txn).await?
            }
            None => row.insert(txn).await?,
        };
        if let (Some(n), "screenshot") = (p.count, p.method.as_str()) {
            follower_checks::ActiveModel {
                ambassador_platform_id: Set(saved.id),
                method: Set("screenshot".into()),
                follower_count: Set(Some(n)),
                outcome: Set("self_reported".into()),
                checked_by: Set(None),
                checked_at: Set(t),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
    }
    // Accounts dropped from an optional platform go; required ones cannot be dropped.
    for e in existing {
        if !platforms.iter().any(|p| p.platform == e.platform) {
            ap::Entity::delete_by_id(e.id).exec(txn).await?;
        }
    }
    crate::leaderboard::participation::followers_changed(txn, ambassador_id).await
}

/// Every sign-up problem that needs no write, for pages that must show them all at once.
pub async fn check_only(
    db: &DatabaseConnection,
    sources: &FollowerSources,
    input: &SignupRequest,
) -> AppResult<()> {
    let today = programme_today(db).await?;
    let (required, _) = thresholds(db).await?;
    let mut errors = FieldErrors::new();
    check_org(db, input.institution_id, input.work_unit_id, &mut errors).await?;
    if let Err(e) = check_signup(input, &required, &sources.configured(), today) {
        errors.0.extend(e.0);
    }
    errors.into_result()
}

/// Registers a candidate: 422 with every bad field, 409 when the NIP, email or a handle is
/// already in Duta, else one transaction writes the account, the candidate and the
/// platform accounts. API checks run afterwards, outside the transaction.
pub async fn signup(
    db: &DatabaseConnection,
    per_ip_limit: Option<u64>,
    mailer: Option<(&crate::notify::Mailer, crate::web::i18n::Lang)>,
    hasher: &Hasher,
    sources: &FollowerSources,
    key: &NipKey,
    input: &SignupRequest,
    ip: &ClientIp,
) -> AppResult<(users::Model, ambassadors::Model)> {
    use crate::auth::throttle;
    // Accounts made from one client address in the hour (`signup_max_per_ip`; none for
    // the demo seed). An office's shared address signs many people up on a recruitment
    // day: the default is generous.
    let bucket = throttle::signup_ip_bucket(&ip.key());
    if let Some(limit) = per_ip_limit {
        throttle::check_buckets(db, throttle::SIGNUP_WINDOW_MINUTES, &[(&bucket, limit)]).await?;
    }
    let today = programme_today(db).await?;
    let (required, _) = thresholds(db).await?;
    let api = sources.configured();
    let mut errors = FieldErrors::new();
    check_org(db, input.institution_id, input.work_unit_id, &mut errors).await?;
    let clean = match check_signup(input, &required, &api, today) {
        Ok(c) if errors.is_empty() => c,
        Ok(_) => return Err(AppError::Validation(errors)),
        Err(mut e) => {
            e.0.extend(errors.0);
            return Err(AppError::Validation(e));
        }
    };
    // The referrer, when the candidate came through a valid link of an approved
    // ambassador of the institution they sign up to; other well-formed codes are ignored.
    let referrer = match input.referral_code.as_deref() {
        Some(code) if !crate::recruitment::rules::is_referral_shaped(code) => {
            return Err(AppError::Validation(FieldErrors::single(
                "referral_code",
                Msg::new("recruitment.referral_invalid"),
            )));
        }
        Some(code) => {
            crate::recruitment::service::find_referrer(db, key, code, clean.institution_id).await?
        }
        None => None,
    };
    let nip_index = key.index(&clean.nip.digits);
    let conflicts = taken(
        db,
        Some(&nip_index),
        Some(&clean.email),
        &clean.profile.platforms,
        None,
    )
    .await?;
    if !conflicts.is_empty() {
        return Err(AppError::Conflict(conflicts));
    }
    let hash = hasher.hash(&clean.password).await?;
    let t = now();
    // While Duta sends email, the address is confirmed before the application is vetted.
    let confirm = mailer.filter(|(m, _)| m.is_enabled());
    let txn = begin_write(db).await?;
    let mut confirmation = None;
    let result: AppResult<(users::Model, ambassadors::Model)> = async {
        let conflicts = taken(
            &txn,
            Some(&nip_index),
            Some(&clean.email),
            &clean.profile.platforms,
            None,
        )
        .await?;
        if !conflicts.is_empty() {
            return Err(AppError::Conflict(conflicts));
        }
        let user = users::ActiveModel {
            email: Set(clean.email.clone()),
            name: Set(clean.name.clone()),
            password_hash: Set(hash),
            role: Set("ambassador".into()),
            institution_id: Set(Some(clean.institution_id)),
            work_unit_id: Set(Some(clean.work_unit_id)),
            language: Set(None),
            security_stamp: Set(new_stamp()),
            is_active: Set(true),
            created_at: Set(t),
            updated_at: Set(t),
            last_login_at: Set(None),
            email_unconfirmed_since: Set(confirm.is_some().then_some(t)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        if confirm.is_some() {
            confirmation = Some(crate::auth::confirm::issue(&txn, user.id).await?);
        }
        let amb = ambassadors::ActiveModel {
            user_id: Set(user.id),
            display_name: Set(clean.profile.display_name.clone()),
            nip: Set(nip_index.clone()),
            nip_sealed: Set(Some(key.seal(&clean.nip.digits))),
            nip_tail: Set(crate::nip::tail(&clean.nip.digits)),
            withdrawn_at: Set(None),
            erased_at: Set(None),
            employee_type: Set(clean.employee_type.as_str().into()),
            phone: Set(clean.profile.phone.clone()),
            institution_id: Set(clean.institution_id),
            work_unit_id: Set(clean.work_unit_id),
            status: Set("pending".into()),
            rejection_reason: Set(None),
            member_since: Set(None),
            consent_version: Set(CONSENT_VERSION.into()),
            consent_at: Set(t),
            submitted_at: Set(t),
            decided_at: Set(None),
            decided_by: Set(None),
            created_at: Set(t),
            updated_at: Set(t),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        write_platforms(&txn, amb.id, &clean.profile.platforms, &[]).await?;
        if let Some(r) = &referrer {
            crate::recruitment::service::record_referral(&txn, amb.id, r.id).await?;
        }
        if per_ip_limit.is_some() {
            throttle::record(&txn, throttle::SIGNUP_WINDOW_MINUTES, &[&bucket]).await?;
        }
        audit::record(
            &txn,
            audit::Entry {
                actor: None,
                action: "ambassador.signed_up",
                target_type: "ambassador",
                target_id: Some(amb.id),
                institution_id: Some(amb.institution_id),
                detail: serde_json::json!({
                    "user_id": user.id,
                    "status": "pending",
                    "consent_version": CONSENT_VERSION,
                    "referred_by": referrer.as_ref().map(|r| r.id),
                }),
                ip: Some(ip),
            },
        )
        .await?;
        Ok((user, amb))
    }
    .await;
    match result {
        Ok(done) => {
            txn.commit().await?;
            if let (Some((mailer, lang)), Some(issued)) = (confirm, confirmation) {
                crate::auth::confirm::send(mailer, lang, &done.0, &issued);
            }
            run_pending_api_checks(db, sources, done.1.id).await?;
            if done.0.email_unconfirmed_since.is_none() {
                // Nothing to confirm: the application waits for vetting now.
                if let Some((m, _)) = mailer {
                    crate::vetting::notice::candidate_waiting(db, m, done.1.id).await;
                }
            }
            Ok(done)
        }
        Err(e) => {
            txn.rollback().await?;
            match e {
                // Another sign-up with the same NIP, email or handle won the race.
                AppError::Db(ref err) if is_unique_violation(err) => {
                    let conflicts = taken(
                        db,
                        Some(&nip_index),
                        Some(&clean.email),
                        &clean.profile.platforms,
                        None,
                    )
                    .await?;
                    if conflicts.is_empty() {
                        Err(AppError::Conflict(FieldErrors::single(
                            "nip",
                            Msg::new("signup.nip_taken"),
                        )))
                    } else {
                        Err(AppError::Conflict(conflicts))
                    }
                }
                other => Err(other),
            }
        }
    }
}

/// Runs the API check of every account of this ambassador whose method is `api`.
pub async fn run_pending_api_checks(
    db: &DatabaseConnection,
    sources: &FollowerSources,
    ambassador_id: i64,
) -> AppResult<()> {
    for row in platforms_of(db, ambassador_id).await? {
        if row.method == "api" {
            run_api_check(db, sources, &row, None).await?;
        }
    }
    Ok(())
}

/// Asks the platform's API for the follower count and records the answer. A failure is
/// recorded on the account (not found, try later), never raised: the page says what to do.
pub async fn run_api_check(
    db: &DatabaseConnection,
    sources: &FollowerSources,
    row: &ap::Model,
    by: Option<i64>,
) -> AppResult<ap::Model> {
    let Some(source) = sources.get(&row.platform) else {
        return Err(AppError::Validation(FieldErrors::single(
            "platform",
            Msg::conflict("signup.method_unavailable"),
        )));
    };
    if row.retry_after.is_some_and(|until| until > now()) {
        return Ok(row.clone());
    }
    let answer = source.followers(&row.handle).await;
    let (_, limits) = thresholds(db).await?;
    let threshold = limits.get(&row.platform).copied().unwrap_or(500);
    let t = now();
    let mut active: ap::ActiveModel = row.clone().into();
    active.updated_at = Set(t);
    active.checked_at = Set(Some(t));
    let (count, outcome) = match &answer {
        Ok(n) => {
            let n = i64::try_from(*n).unwrap_or(i64::MAX);
            active.method = Set("api".into());
            active.follower_count = Set(Some(n));
            active.verdict = Set(rules::verdict("api", Some(n), threshold).into());
            active.check_error = Set(None);
            active.retry_after = Set(None);
            active.reviewed_by = Set(by);
            (Some(n), "ok")
        }
        Err(e) => {
            active.check_error = Set(Some(e.outcome().to_string()));
            if let CheckError::RateLimited { until } = e {
                active.retry_after = Set(Some(*until));
            }
            (None, e.outcome())
        }
    };
    let txn = begin_write(db).await?;
    let saved = active.update(&txn).await?;
    follower_checks::ActiveModel {
        ambassador_platform_id: Set(row.id),
        method: Set("api".into()),
        follower_count: Set(count),
        outcome: Set(outcome.into()),
        checked_by: Set(by),
        checked_at: Set(t),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    crate::leaderboard::participation::followers_changed(&txn, saved.ambassador_id).await?;
    txn.commit().await?;
    crate::integrity::service::after_follower_count(db, saved.id).await;
    Ok(saved)
}

/// The signed-in candidate's own record; 404 for users who are not ambassadors.
pub async fn get_own(db: &DatabaseConnection, user: &CurrentUser) -> AppResult<ambassadors::Model> {
    find_ambassador_by_user(db, user.id())
        .await?
        .ok_or(AppError::NotFound)
}

/// Fixes and resubmits: allowed while pending or after a rejection; back to pending.
pub async fn resubmit(
    db: &DatabaseConnection,
    sources: &FollowerSources,
    mailer: &crate::notify::Mailer,
    user: &CurrentUser,
    input: &ResubmitRequest,
    ip: &ClientIp,
) -> AppResult<ambassadors::Model> {
    let amb = get_own(db, user).await?;
    if !matches!(amb.status.as_str(), "pending" | "rejected") {
        return Err(AppError::Validation(FieldErrors::single(
            "status",
            Msg::conflict("signup.locked"),
        )));
    }
    let (required, _) = thresholds(db).await?;
    let api = sources.configured();
    let mut errors = FieldErrors::new();
    let work_unit_id = input.work_unit_id.unwrap_or(amb.work_unit_id);
    check_org(
        db,
        Some(amb.institution_id),
        Some(work_unit_id),
        &mut errors,
    )
    .await?;
    let profile = check_profile(
        &input.display_name,
        &input.phone,
        &input.platforms,
        &required,
        &api,
        &mut errors,
    );
    errors.into_result()?;
    let conflicts = taken(db, None, None, &profile.platforms, Some(amb.id)).await?;
    if !conflicts.is_empty() {
        return Err(AppError::Conflict(conflicts));
    }
    let existing = platforms_of(db, amb.id).await?;
    let txn = begin_write(db).await?;
    let t = now();
    let mut active: ambassadors::ActiveModel = amb.clone().into();
    active.display_name = Set(profile.display_name.clone());
    active.phone = Set(profile.phone.clone());
    active.work_unit_id = Set(work_unit_id);
    active.status = Set("pending".into());
    active.rejection_reason = Set(None);
    active.submitted_at = Set(t);
    active.updated_at = Set(t);
    let updated = active.update(&txn).await?;
    crate::leaderboard::standings::refresh(&txn, &[updated.id]).await?;
    if work_unit_id != amb.work_unit_id {
        let mut u: users::ActiveModel = user.user.clone().into();
        u.work_unit_id = Set(Some(work_unit_id));
        u.update(&txn).await?;
    }
    match write_platforms(&txn, amb.id, &profile.platforms, &existing).await {
        Ok(()) => {}
        Err(AppError::Db(e)) if is_unique_violation(&e) => {
            txn.rollback().await?;
            return Err(AppError::Conflict(FieldErrors::single(
                "platforms",
                Msg::new("signup.handle_taken"),
            )));
        }
        Err(e) => return Err(e),
    }
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "ambassador.resubmitted",
            target_type: "ambassador",
            target_id: Some(amb.id),
            institution_id: Some(amb.institution_id),
            detail: serde_json::json!({ "from": amb.status, "to": "pending" }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    run_pending_api_checks(db, sources, amb.id).await?;
    if amb.status == "rejected" {
        // Back in the queue: its coordinators are told as of a new candidate.
        crate::vetting::notice::candidate_waiting(db, mailer, amb.id).await;
    }
    Ok(updated)
}

/// Evidence can change while the application is open (pending, or sent back), and for an
/// approved ambassador on a required platform that does not meet the rules now (a
/// platform made required, or a threshold raised, since they were approved).
pub async fn ensure_open(
    db: &DatabaseConnection,
    amb: &ambassadors::Model,
    platform: &str,
) -> AppResult<()> {
    if matches!(amb.status.as_str(), "pending" | "rejected")
        || (amb.status == "approved"
            && attention_platforms(db, amb)
                .await?
                .iter()
                .any(|p| p == platform))
    {
        Ok(())
    } else {
        Err(AppError::Validation(FieldErrors::single(
            "status",
            Msg::conflict("signup.locked"),
        )))
    }
}

/// The required platforms on which an approved ambassador does not meet the rules now.
pub async fn attention_platforms(
    db: &DatabaseConnection,
    amb: &ambassadors::Model,
) -> AppResult<Vec<String>> {
    if amb.status != "approved" {
        return Ok(Vec::new());
    }
    let (required, _) = thresholds(db).await?;
    let rows = platforms_of(db, amb.id).await?;
    Ok(required
        .into_iter()
        .filter(|p| {
            !rows
                .iter()
                .any(|r| r.platform == *p && r.verdict == "meets")
        })
        .collect())
}

/// An approved ambassador adds the account of a platform that became required: their
/// handle, checked like at sign-up; the evidence (a screenshot and count) comes next, and a
/// coordinator reviews it. 409 unless the platform needs it.
pub async fn add_account(
    db: &DatabaseConnection,
    user: &CurrentUser,
    platform: &str,
    handle: &str,
    ip: &ClientIp,
) -> AppResult<ap::Model> {
    let amb = get_own(db, user).await?;
    if !crate::settings::rules::PLATFORMS.contains(&platform) {
        return Err(AppError::NotFound);
    }
    let has = platforms_of(db, amb.id)
        .await?
        .iter()
        .any(|p| p.platform == platform);
    if has
        || !attention_platforms(db, &amb)
            .await?
            .iter()
            .any(|p| p == platform)
    {
        return Err(AppError::Validation(FieldErrors::single(
            "status",
            Msg::conflict("signup.locked"),
        )));
    }
    let field = format!("platforms.{platform}.handle");
    let Some(handle) = rules::normalize_handle(platform, handle) else {
        return Err(AppError::Validation(FieldErrors::single(
            &field,
            Msg::new("signup.handle_invalid"),
        )));
    };
    let taken_by_other = ap::Entity::find()
        .filter(ap::Column::Platform.eq(platform))
        .filter(ap::Column::Handle.eq(handle.as_str()))
        .one(db)
        .await?
        .is_some();
    let taken = || AppError::Conflict(FieldErrors::single(&field, Msg::new("signup.handle_taken")));
    if taken_by_other {
        return Err(taken());
    }
    let t = now();
    let txn = begin_write(db).await?;
    let saved = match (ap::ActiveModel {
        ambassador_id: Set(amb.id),
        platform: Set(platform.to_string()),
        handle: Set(handle.clone()),
        method: Set("screenshot".into()),
        follower_count: Set(None),
        checked_at: Set(None),
        evidence_media_id: Set(None),
        reviewed_by: Set(None),
        verdict: Set("unverified".into()),
        check_error: Set(None),
        retry_after: Set(None),
        below_since: Set(None),
        updated_at: Set(t),
        ..Default::default()
    })
    .insert(&txn)
    .await
    {
        Ok(s) => s,
        Err(e) if is_unique_violation(&e) => return Err(taken()),
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "ambassador.account_added",
            target_type: "ambassador",
            target_id: Some(amb.id),
            institution_id: Some(amb.institution_id),
            detail: serde_json::json!({ "platform": platform, "handle": handle }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Attaches a screenshot (already stored by the media module) to one platform account,
/// optionally with a new self-reported count; the account waits for review again.
pub async fn attach_screenshot(
    db: &DatabaseConnection,
    user: &CurrentUser,
    platform: &str,
    media_id: i64,
    count: Option<i64>,
    ip: &ClientIp,
) -> AppResult<ap::Model> {
    let amb = get_own(db, user).await?;
    let row = platforms_of(db, amb.id)
        .await?
        .into_iter()
        .find(|p| p.platform == platform)
        .ok_or(AppError::NotFound)?;
    ensure_open(db, &amb, platform).await?;
    let t = now();
    let txn = begin_write(db).await?;
    let mut active: ap::ActiveModel = row.clone().into();
    active.evidence_media_id = Set(Some(media_id));
    active.method = Set("screenshot".into());
    active.verdict = Set("unverified".into());
    active.reviewed_by = Set(None);
    active.check_error = Set(None);
    if let Some(n) = count {
        active.follower_count = Set(Some(n));
        active.checked_at = Set(Some(t));
    }
    active.updated_at = Set(t);
    let saved = active.update(&txn).await?;
    if let Some(n) = count {
        follower_checks::ActiveModel {
            ambassador_platform_id: Set(row.id),
            method: Set("screenshot".into()),
            follower_count: Set(Some(n)),
            outcome: Set("self_reported".into()),
            checked_by: Set(None),
            checked_at: Set(t),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "ambassador.screenshot_added",
            target_type: "ambassador",
            target_id: Some(amb.id),
            institution_id: Some(amb.institution_id),
            detail: serde_json::json!({ "platform": platform, "media_id": media_id }),
            ip: Some(ip),
        },
    )
    .await?;
    crate::leaderboard::participation::followers_changed(&txn, saved.ambassador_id).await?;
    txn.commit().await?;
    crate::integrity::service::after_follower_count(db, saved.id).await;
    Ok(saved)
}

/// Thresholds by platform, for pages that show them.
pub async fn threshold_map(db: &DatabaseConnection) -> AppResult<HashMap<String, i64>> {
    Ok(thresholds(db).await?.1)
}
/// Ambassadors the caller may see.
pub fn scoped(user: &CurrentUser) -> sea_orm::Select<ambassadors::Entity> {
    let q = ambassadors::Entity::find();
    match user.scope() {
        crate::auth::roles::Scope::All => q,
        crate::auth::roles::Scope::Institution {
            institution_id,
            work_unit_path,
        } => {
            let q = q.filter(ambassadors::Column::InstitutionId.eq(institution_id));
            match work_unit_path {
                Some(p) => q.filter(
                    ambassadors::Column::WorkUnitId
                        .in_subquery(crate::org::service::subtree_units(&p)),
                ),
                None => q,
            }
        }
    }
}
