//! Reading, correcting, withdrawing and erasing a person's data.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};
use serde::Serialize;

use crate::accounts::service::UserView;
use crate::ambassadors::rules::{mask_nip, normalize_phone};
use crate::audit::record as audit;
use crate::auth::guards::CurrentUser;
use crate::auth::passwords::Hasher;
use crate::auth::roles::Role;
use crate::db::begin_write;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::media::service::MediaStore;
use crate::nip::{self, nip_digits, NipKey};
use crate::web::i18n::{self, Lang};
use entity::{
    ambassador_platforms as ap, ambassadors, audit_log, briefs, drafts, follower_checks,
    institutions, leaves, login_failures, media, notifications, programme_settings, submissions,
    users, week_activity, work_units,
};

/// Seals the NIPs still stored as digits (rows written before sealing, or by the bench
/// seed), in batches, and gives sealed rows from before `nip_tail` their last digits;
/// returns how many were sealed. Runs at every start; usually finds nothing to do.
pub async fn seal_plain_nips(db: &DatabaseConnection, key: &NipKey) -> AppResult<u64> {
    let sealed = seal_plain(db, key).await?;
    fill_tails(db, key).await?;
    Ok(sealed)
}

async fn fill_tails(db: &DatabaseConnection, key: &NipKey) -> AppResult<()> {
    let mut after = 0i64;
    loop {
        let batch: Vec<(i64, Option<String>)> = ambassadors::Entity::find()
            .select_only()
            .column(ambassadors::Column::Id)
            .column(ambassadors::Column::NipSealed)
            .filter(ambassadors::Column::NipSealed.is_not_null())
            .filter(ambassadors::Column::NipTail.is_null())
            .filter(ambassadors::Column::ErasedAt.is_null())
            .filter(ambassadors::Column::Id.gt(after))
            .order_by_asc(ambassadors::Column::Id)
            .limit(2000)
            .into_tuple()
            .all(db)
            .await?;
        let Some(last) = batch.last() else {
            return Ok(());
        };
        after = last.0;
        let txn = begin_write(db).await?;
        for (id, sealed) in &batch {
            let Some(tail) = sealed
                .as_deref()
                .and_then(|s| key.open(s))
                .and_then(|d| nip::tail(&d))
            else {
                continue;
            };
            ambassadors::Entity::update_many()
                .col_expr(ambassadors::Column::NipTail, Some(tail).into())
                .filter(ambassadors::Column::Id.eq(*id))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
    }
}

async fn seal_plain(db: &DatabaseConnection, key: &NipKey) -> AppResult<u64> {
    let mut sealed = 0;
    let mut after = 0i64;
    loop {
        let batch: Vec<(i64, String)> = ambassadors::Entity::find()
            .select_only()
            .column(ambassadors::Column::Id)
            .column(ambassadors::Column::Nip)
            .filter(ambassadors::Column::NipSealed.is_null())
            .filter(ambassadors::Column::ErasedAt.is_null())
            .filter(ambassadors::Column::Id.gt(after))
            .order_by_asc(ambassadors::Column::Id)
            .limit(2000)
            .into_tuple()
            .all(db)
            .await?;
        let Some(last) = batch.last() else {
            return Ok(sealed);
        };
        after = last.0;
        let txn = begin_write(db).await?;
        for (id, digits) in batch.iter().filter(|(_, n)| nip::is_plain(n)) {
            ambassadors::Entity::update_many()
                .col_expr(ambassadors::Column::Nip, key.index(digits).into())
                .col_expr(
                    ambassadors::Column::NipSealed,
                    Some(key.seal(digits)).into(),
                )
                .col_expr(ambassadors::Column::NipTail, nip::tail(digits).into())
                .filter(ambassadors::Column::Id.eq(*id))
                .exec(&txn)
                .await?;
            sealed += 1;
        }
        txn.commit().await?;
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConsentRecord {
    /// The version of the consent text the person agreed to.
    pub version: String,
    pub agreed_at: DateTime<Utc>,
    /// The text of that version, in Indonesian and in English.
    pub text_id: String,
    pub text_en: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AmbassadorData {
    pub id: i64,
    pub display_name: String,
    /// The whole NIP: only the person, their coordinators and admins see it unmasked.
    pub nip: String,
    pub nip_masked: String,
    pub employee_type: String,
    pub phone: String,
    pub institution: String,
    pub work_unit: String,
    pub status: String,
    pub rejection_reason: Option<String>,
    #[schema(value_type = Option<String>)]
    pub member_since: Option<NaiveDate>,
    pub submitted_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub consent: ConsentRecord,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlatformData {
    pub platform: String,
    pub handle: String,
    pub method: String,
    pub follower_count: Option<i64>,
    pub checked_at: Option<DateTime<Utc>>,
    pub verdict: String,
    pub evidence_media_id: Option<i64>,
    /// Every follower count recorded for this account.
    pub checks: Vec<FollowerCheckData>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FollowerCheckData {
    pub method: String,
    pub follower_count: Option<i64>,
    pub outcome: String,
    pub checked_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubmissionData {
    pub id: i64,
    pub brief_id: i64,
    pub brief_title: String,
    pub platform: String,
    pub url: String,
    pub posted_at: DateTime<Utc>,
    pub status: String,
    pub reason: Option<String>,
    pub likes: Option<i64>,
    pub comments: Option<i64>,
    pub shares: Option<i64>,
    pub saves: Option<i64>,
    pub screenshot_media_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DraftData {
    pub platform: String,
    pub brief_id: Option<i64>,
    pub template_id: Option<i64>,
    pub text: String,
    /// The filled blanks, as the person typed them.
    #[schema(value_type = Object)]
    pub fields: serde_json::Value,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LeaveData {
    #[schema(value_type = String)]
    pub from_week: NaiveDate,
    #[schema(value_type = String)]
    pub to_week: NaiveDate,
    pub note: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WeekData {
    #[schema(value_type = String)]
    pub week_start: NaiveDate,
    pub verified_posts: i32,
}

/// A hoax the person reported (what the coordinators read of it).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HoaxReportData {
    pub case_id: i64,
    pub platform: String,
    pub seen_where: String,
    pub note: String,
    pub links: Vec<String>,
    /// The screenshot, among `media`.
    pub media_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationData {
    pub kind: String,
    pub brief_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MediaData {
    pub id: i64,
    pub kind: String,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub created_at: DateTime<Utc>,
}

/// One audit-log row about the person or by them. Other people appear only as "by me or
/// not": the export holds nothing of anyone else.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActivityData {
    pub at: DateTime<Utc>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    pub by_me: bool,
    /// The address the person acted from (their own rows only).
    pub client_ip: Option<String>,
}

/// An integrity flag on the person (what a coordinator was asked to look at).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FlagData {
    pub kind: String,
    pub raised_at: DateTime<Utc>,
    pub cleared_at: Option<DateTime<Utc>>,
    pub clear_note: Option<String>,
}

/// Everything Duta holds about one person.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PersonalExport {
    pub generated_at: DateTime<Utc>,
    pub account: UserView,
    pub ambassador: Option<AmbassadorData>,
    pub platforms: Vec<PlatformData>,
    pub submissions: Vec<SubmissionData>,
    pub drafts: Vec<DraftData>,
    pub leaves: Vec<LeaveData>,
    pub weeks: Vec<WeekData>,
    pub notifications: Vec<NotificationData>,
    pub media: Vec<MediaData>,
    pub activity: Vec<ActivityData>,
    pub integrity_flags: Vec<FlagData>,
    pub hoax_reports: Vec<HoaxReportData>,
}

/// The person's data, read in one go.
pub async fn export(
    db: &DatabaseConnection,
    key: &NipKey,
    user: &CurrentUser,
) -> AppResult<PersonalExport> {
    let amb = crate::ambassadors::service::find_ambassador_by_user(db, user.id()).await?;
    let mut out = PersonalExport {
        generated_at: Utc::now(),
        account: UserView::from(&user.user),
        ambassador: None,
        platforms: Vec::new(),
        submissions: Vec::new(),
        drafts: drafts::Entity::find()
            .filter(drafts::Column::UserId.eq(user.id()))
            .order_by_asc(drafts::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|d| DraftData {
                platform: d.platform,
                brief_id: d.brief_id,
                template_id: d.template_id,
                fields: serde_json::from_str(&d.fields).unwrap_or(serde_json::Value::Null),
                text: d.text,
                updated_at: d.updated_at,
            })
            .collect(),
        leaves: Vec::new(),
        weeks: Vec::new(),
        hoax_reports: entity::hoax_reports::Entity::find()
            .filter(entity::hoax_reports::Column::ReporterId.eq(user.id()))
            .order_by_asc(entity::hoax_reports::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|r| HoaxReportData {
                case_id: r.case_id,
                links: serde_json::from_str(&r.links).unwrap_or_default(),
                platform: r.platform,
                seen_where: r.seen_where,
                note: r.note,
                media_id: r.media_id,
                created_at: r.created_at,
            })
            .collect(),
        notifications: notifications::Entity::find()
            .filter(notifications::Column::UserId.eq(user.id()))
            .order_by_asc(notifications::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|n| NotificationData {
                kind: n.kind,
                brief_id: n.brief_id,
                created_at: n.created_at,
                read_at: n.read_at,
            })
            .collect(),
        media: media::Entity::find()
            .filter(media::Column::OwnerId.eq(user.id()))
            .order_by_asc(media::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|m| MediaData {
                id: m.id,
                kind: m.kind,
                content_type: m.content_type,
                width: m.width,
                height: m.height,
                bytes: m.bytes,
                created_at: m.created_at,
            })
            .collect(),
        activity: Vec::new(),
        integrity_flags: Vec::new(),
    };
    let mut about = Condition::any()
        .add(audit_log::Column::ActorId.eq(user.id()))
        .add(
            Condition::all()
                .add(audit_log::Column::TargetType.eq("user"))
                .add(audit_log::Column::TargetId.eq(user.id())),
        );
    if let Some(amb) = amb {
        about = about.add(
            Condition::all()
                .add(audit_log::Column::TargetType.eq("ambassador"))
                .add(audit_log::Column::TargetId.eq(amb.id)),
        );
        let institution = institutions::Entity::find_by_id(amb.institution_id)
            .one(db)
            .await?
            .map(|i| i.name)
            .unwrap_or_default();
        let work_unit = work_units::Entity::find_by_id(amb.work_unit_id)
            .one(db)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        let digits = nip_digits(key, &amb).unwrap_or_default();
        out.ambassador = Some(AmbassadorData {
            id: amb.id,
            display_name: amb.display_name.clone(),
            nip_masked: mask_nip(&digits),
            nip: digits,
            employee_type: amb.employee_type.clone(),
            phone: amb.phone.clone(),
            institution,
            work_unit,
            status: amb.status.clone(),
            rejection_reason: amb.rejection_reason.clone(),
            member_since: amb.member_since,
            submitted_at: amb.submitted_at,
            decided_at: amb.decided_at,
            withdrawn_at: amb.withdrawn_at,
            consent: ConsentRecord {
                version: amb.consent_version.clone(),
                agreed_at: amb.consent_at,
                text_id: i18n::t(Lang::Id, "signup.consent_text"),
                text_en: i18n::t(Lang::En, "signup.consent_text"),
            },
        });
        let accounts = crate::ambassadors::service::platforms_of(db, amb.id).await?;
        let ids: Vec<i64> = accounts.iter().map(|p| p.id).collect();
        let mut checks = follower_checks::Entity::find()
            .filter(follower_checks::Column::AmbassadorPlatformId.is_in(ids))
            .order_by_asc(follower_checks::Column::Id)
            .all(db)
            .await?;
        for p in accounts {
            let mine: Vec<FollowerCheckData> = checks
                .iter()
                .filter(|c| c.ambassador_platform_id == p.id)
                .map(|c| FollowerCheckData {
                    method: c.method.clone(),
                    follower_count: c.follower_count,
                    outcome: c.outcome.clone(),
                    checked_at: c.checked_at,
                })
                .collect();
            checks.retain(|c| c.ambassador_platform_id != p.id);
            out.platforms.push(PlatformData {
                platform: p.platform,
                handle: p.handle,
                method: p.method,
                follower_count: p.follower_count,
                checked_at: p.checked_at,
                verdict: p.verdict,
                evidence_media_id: p.evidence_media_id,
                checks: mine,
            });
        }
        let rows = submissions::Entity::find()
            .filter(submissions::Column::AmbassadorId.eq(amb.id))
            .order_by_asc(submissions::Column::Id)
            .all(db)
            .await?;
        let titles: std::collections::HashMap<i64, String> = briefs::Entity::find()
            .select_only()
            .column(briefs::Column::Id)
            .column(briefs::Column::Title)
            .filter(briefs::Column::Id.is_in(rows.iter().map(|s| s.brief_id)))
            .into_tuple()
            .all(db)
            .await?
            .into_iter()
            .collect();
        for s in rows {
            out.submissions.push(SubmissionData {
                id: s.id,
                brief_id: s.brief_id,
                brief_title: titles.get(&s.brief_id).cloned().unwrap_or_default(),
                platform: s.platform,
                url: s.url,
                posted_at: s.posted_at,
                status: s.status,
                reason: s.reason,
                likes: s.likes,
                comments: s.comments,
                shares: s.shares,
                saves: s.saves,
                screenshot_media_id: s.screenshot_media_id,
                created_at: s.created_at,
                decided_at: s.decided_at,
            });
        }
        out.leaves = leaves::Entity::find()
            .filter(leaves::Column::AmbassadorId.eq(amb.id))
            .order_by_asc(leaves::Column::FromWeek)
            .all(db)
            .await?
            .into_iter()
            .map(|l| LeaveData {
                from_week: l.from_week,
                to_week: l.to_week,
                note: l.note,
            })
            .collect();
        out.integrity_flags = entity::integrity_flags::Entity::find()
            .filter(entity::integrity_flags::Column::AmbassadorId.eq(amb.id))
            .order_by_asc(entity::integrity_flags::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|f| FlagData {
                kind: f.kind,
                raised_at: f.raised_at,
                cleared_at: f.cleared_at,
                clear_note: f.clear_note,
            })
            .collect();
        out.weeks = week_activity::Entity::find()
            .filter(week_activity::Column::AmbassadorId.eq(amb.id))
            .order_by_asc(week_activity::Column::WeekStart)
            .all(db)
            .await?
            .into_iter()
            .map(|w| WeekData {
                week_start: w.week_start,
                verified_posts: w.verified_posts,
            })
            .collect();
    }
    out.activity = audit_log::Entity::find()
        .filter(about)
        .order_by_asc(audit_log::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| {
            let by_me = a.actor_id == Some(user.id());
            ActivityData {
                at: a.at,
                action: a.action,
                target_type: a.target_type,
                target_id: a.target_id,
                by_me,
                client_ip: if by_me { a.client_ip } else { None },
            }
        })
        .collect();
    Ok(out)
}

/// What a person may correct themselves. Staff correct their name; ambassadors also
/// their display name and WhatsApp number. (NIP, email and work unit go through a
/// coordinator or an admin: they identify the person in the programme.)
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    #[schema(schema_with = person_name_schema)]
    pub name: String,
    /// Ambassadors only (absent or `null` keeps it; not read for staff).
    #[serde(default)]
    #[schema(schema_with = display_name_schema)]
    pub display_name: Option<String>,
    /// Ambassadors only (absent or `null` keeps it): an Indonesian mobile (WhatsApp)
    /// number.
    #[serde(default)]
    #[schema(schema_with = phone_schema)]
    pub phone: Option<String>,
}

crate::text_schema!(person_name_schema, crate::accounts::rules::PERSON_NAME);
crate::text_schema!(
    display_name_schema,
    crate::accounts::rules::DISPLAY_NAME,
    nullable
);

pub fn phone_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::as_schema(crate::ambassadors::rules::phone_schema().schema_type(
        utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::schema::Type::String,
            utoipa::openapi::schema::Type::Null,
        ]),
    ))
}

/// Saves a correction in one transaction with an audit row naming the fields changed.
pub async fn correct(
    db: &DatabaseConnection,
    user: &CurrentUser,
    input: &Correction,
    ip: &ClientIp,
) -> AppResult<()> {
    let amb = crate::ambassadors::service::find_ambassador_by_user(db, user.id()).await?;
    let mut errors = FieldErrors::new();
    let name = crate::accounts::rules::clean_name(&input.name);
    if name.is_none() {
        errors.add("name", Msg::new("users.name_invalid"));
    }
    let mut display = None;
    let mut phone = None;
    if amb.is_none() {
        // Not read for staff, but checked as the document says when sent.
        if input
            .display_name
            .as_deref()
            .is_some_and(|d| crate::accounts::rules::DISPLAY_NAME.clean(d).is_none())
        {
            errors.add("display_name", Msg::new("signup.display_name_invalid"));
        }
        if input
            .phone
            .as_deref()
            .is_some_and(|p| normalize_phone(p).is_none())
        {
            errors.add("phone", Msg::new("signup.phone_invalid"));
        }
    }
    if let Some(a) = &amb {
        // Absent or `null` keeps what is stored.
        display = match input.display_name.as_deref() {
            None => Some(a.display_name.clone()),
            Some(d) => crate::accounts::rules::DISPLAY_NAME.clean(d),
        };
        if display.is_none() {
            errors.add("display_name", Msg::new("signup.display_name_invalid"));
        }
        phone = match input.phone.as_deref() {
            None => Some(a.phone.clone()),
            Some(p) => normalize_phone(p),
        };
        if phone.is_none() {
            errors.add("phone", Msg::new("signup.phone_invalid"));
        }
    }
    errors.into_result()?;
    let name = name.unwrap_or_default();
    let mut changed = Vec::new();
    let txn = begin_write(db).await?;
    if name != user.user.name {
        changed.push("name");
        let mut u: users::ActiveModel = user.user.clone().into();
        u.name = Set(name);
        u.updated_at = Set(Utc::now());
        u.update(&txn).await?;
    }
    if let (Some(amb), Some(display), Some(phone)) = (&amb, display, phone) {
        if display != amb.display_name || phone != amb.phone {
            if display != amb.display_name {
                changed.push("display_name");
            }
            if phone != amb.phone {
                changed.push("phone");
            }
            let mut a: ambassadors::ActiveModel = amb.clone().into();
            a.display_name = Set(display);
            a.phone = Set(phone);
            a.updated_at = Set(Utc::now());
            let saved = a.update(&txn).await?;
            crate::leaderboard::standings::refresh(&txn, &[saved.id]).await?;
        }
    }
    if !changed.is_empty() {
        audit::record(
            &txn,
            audit::Entry {
                actor: Some(user),
                action: "person.corrected",
                target_type: "user",
                target_id: Some(user.id()),
                institution_id: user.user.institution_id,
                detail: serde_json::json!({ "fields": changed }),
                ip: Some(ip),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Leaves the programme: the ambassador is `withdrawn` from now on, off the leaderboard,
/// and their data is erased when the retention period has passed (or earlier on request).
pub async fn withdraw(
    db: &DatabaseConnection,
    hasher: &Hasher,
    user: &CurrentUser,
    password: &str,
    ip: &ClientIp,
) -> AppResult<ambassadors::Model> {
    let amb = crate::ambassadors::service::find_ambassador_by_user(db, user.id())
        .await?
        .ok_or_else(|| {
            AppError::Validation(FieldErrors::single(
                "status",
                Msg::new("privacy.not_in_programme"),
            ))
        })?;
    crate::auth::passwords::confirm(hasher, user, password).await?;
    if amb.status == "withdrawn" {
        return Ok(amb);
    }
    let txn = begin_write(db).await?;
    let now = Utc::now();
    let mut a: ambassadors::ActiveModel = amb.clone().into();
    a.status = Set("withdrawn".into());
    a.withdrawn_at = Set(Some(now));
    a.updated_at = Set(now);
    let updated = a.update(&txn).await?;
    crate::leaderboard::standings::refresh(&txn, &[updated.id]).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "ambassador.withdrawn",
            target_type: "ambassador",
            target_id: Some(amb.id),
            institution_id: Some(amb.institution_id),
            detail: serde_json::json!({ "from": amb.status, "to": "withdrawn" }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Erases the caller's personal data after checking their password.
pub async fn erase_own(
    db: &DatabaseConnection,
    store: &MediaStore,
    hasher: &Hasher,
    user: &CurrentUser,
    password: &str,
    ip: &ClientIp,
) -> AppResult<Erased> {
    crate::auth::passwords::confirm(hasher, user, password).await?;
    if user.role == Role::Admin
        && user.user.is_active
        && crate::accounts::service::count_active_admins(db).await? <= 1
    {
        return Err(AppError::Validation(FieldErrors::single(
            "password",
            Msg::new("privacy.last_admin"),
        )));
    }
    erase(db, store, user.id(), Some(user), Some(ip), "request").await
}

/// What an erasure removed.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Erased {
    pub submissions_anonymised: u64,
    /// Screenshots and follower evidence deleted (each with its thumbnail).
    pub images_removed: u64,
}

/// Erases one person: what the programme's statistics need stays, without anything that
/// identifies them (their verified posts still count in the weekly aggregates and in the
/// brief statistics; the submissions keep platform, week and counts, not the URL); the
/// rest is deleted, screenshots included. The account can no longer sign in.
pub async fn erase(
    db: &DatabaseConnection,
    store: &MediaStore,
    user_id: i64,
    actor: Option<&CurrentUser>,
    ip: Option<&ClientIp>,
    why: &str,
) -> AppResult<Erased> {
    let user = users::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let amb = crate::ambassadors::service::find_ambassador_by_user(db, user_id).await?;
    let now = Utc::now();
    let backend = db.get_database_backend();
    let mut done = Erased::default();
    // An ambassador's uploads are their screenshots; staff uploads are the institution's
    // brief images and stay.
    let files: Vec<media::Model> = if amb.is_some() {
        media::Entity::find()
            .filter(media::Column::OwnerId.eq(user_id))
            .all(db)
            .await?
    } else {
        Vec::new()
    };
    let txn = begin_write(db).await?;
    let old_email = user.email.clone();
    let mut u: users::ActiveModel = user.clone().into();
    u.email = Set(format!("erased-{user_id}@erased.invalid"));
    u.name = Set(String::new());
    u.password_hash = Set(String::new());
    u.security_stamp = Set(crate::accounts::rules::new_stamp());
    u.is_active = Set(false);
    u.language = Set(None);
    u.last_login_at = Set(None);
    u.totp_secret = Set(None);
    u.totp_enabled_at = Set(None);
    u.totp_last_step = Set(None);
    u.updated_at = Set(now);
    u.update(&txn).await?;
    entity::recovery_codes::Entity::delete_many()
        .filter(entity::recovery_codes::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    login_failures::Entity::delete_many()
        .filter(login_failures::Column::Bucket.eq(format!("account:{old_email}")))
        .exec(&txn)
        .await?;
    drafts::Entity::delete_many()
        .filter(drafts::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    notifications::Entity::delete_many()
        .filter(notifications::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    // Audit rows about the person lose their details; rows of what they did lose the
    // address (and, for an ambassador, the details: their own handles and links).
    // One statement per condition, so each finds its rows by an index (an OR of them
    // makes PostgreSQL read the whole log).
    let mut scrub = vec![format!("target_type = 'user' AND target_id = {user_id}")];
    if amb.is_some() {
        scrub.push(format!("actor_id = {user_id}"));
    }
    if let Some(amb) = &amb {
        let a = amb.id;
        scrub.push(format!("target_type = 'ambassador' AND target_id = {a}"));
        let posts: Vec<i64> = submissions::Entity::find()
            .select_only()
            .column(submissions::Column::Id)
            .filter(submissions::Column::AmbassadorId.eq(a))
            .into_tuple()
            .all(&txn)
            .await?;
        for chunk in posts.chunks(500) {
            let ids: Vec<String> = chunk.iter().map(i64::to_string).collect();
            scrub.push(format!(
                "target_type = 'submission' AND target_id IN ({})",
                ids.join(", ")
            ));
        }
        let accounts: Vec<i64> = ap::Entity::find()
            .select_only()
            .column(ap::Column::Id)
            .filter(ap::Column::AmbassadorId.eq(a))
            .into_tuple()
            .all(&txn)
            .await?;
        follower_checks::Entity::delete_many()
            .filter(follower_checks::Column::AmbassadorPlatformId.is_in(accounts))
            .exec(&txn)
            .await?;
        ap::Entity::delete_many()
            .filter(ap::Column::AmbassadorId.eq(a))
            .exec(&txn)
            .await?;
        leaves::Entity::delete_many()
            .filter(leaves::Column::AmbassadorId.eq(a))
            .exec(&txn)
            .await?;
        entity::brief_reads::Entity::delete_many()
            .filter(entity::brief_reads::Column::AmbassadorId.eq(a))
            .exec(&txn)
            .await?;
        // Flags on the person go (their notes may name them); flags on others keep
        // only the person's id.
        entity::integrity_flags::Entity::delete_many()
            .filter(entity::integrity_flags::Column::AmbassadorId.eq(a))
            .exec(&txn)
            .await?;
        done.submissions_anonymised = txn
            .execute_raw(Statement::from_string(
                backend,
                format!(
                    "UPDATE submissions SET url = '', post_key = 'erased:' || CAST(id AS TEXT), \
                     screenshot_media_id = NULL, reason = NULL WHERE ambassador_id = {a}"
                ),
            ))
            .await?
            .rows_affected();
        let mut m: ambassadors::ActiveModel = amb.clone().into();
        m.display_name = Set(String::new());
        m.nip = Set(format!("erased:{a}"));
        m.nip_sealed = Set(None);
        m.nip_tail = Set(None);
        m.phone = Set(String::new());
        m.rejection_reason = Set(None);
        m.status = Set("withdrawn".into());
        m.withdrawn_at = Set(Some(amb.withdrawn_at.unwrap_or(now)));
        m.erased_at = Set(Some(now));
        m.updated_at = Set(now);
        let erased = m.update(&txn).await?;
        crate::leaderboard::standings::refresh(&txn, &[erased.id]).await?;
    }
    // Audit rows stay (who did what, when).
    for condition in &scrub {
        txn.execute_raw(Statement::from_string(
            backend,
            format!("UPDATE audit_log SET detail = '{{}}', client_ip = NULL WHERE {condition}"),
        ))
        .await?;
    }
    txn.execute_raw(Statement::from_string(
        backend,
        format!("UPDATE audit_log SET client_ip = NULL WHERE actor_id = {user_id}"),
    ))
    .await?;
    // Hoaxes they reported stay reported (the case and its links are the institution's
    // evidence); their own words and their screenshot go, and a case named after their
    // note is named after its first link (or its number) instead.
    for r in entity::hoax_reports::Entity::find()
        .filter(entity::hoax_reports::Column::ReporterId.eq(user_id))
        .all(&txn)
        .await?
    {
        let links: Vec<String> = serde_json::from_str(&r.links).unwrap_or_default();
        let theirs = crate::hoaxes::rules::summary_of(&r.note, &links);
        let mut neutral = crate::hoaxes::rules::summary_of("", &links);
        if neutral.is_empty() {
            neutral = format!("#{}", r.case_id);
        }
        if theirs != neutral {
            entity::hoax_cases::Entity::update_many()
                .col_expr(entity::hoax_cases::Column::Summary, Expr::value(neutral))
                .filter(entity::hoax_cases::Column::Id.eq(r.case_id))
                .filter(entity::hoax_cases::Column::Summary.eq(theirs))
                .exec(&txn)
                .await?;
        }
    }
    entity::hoax_reports::Entity::update_many()
        .col_expr(entity::hoax_reports::Column::Note, Expr::value(""))
        .col_expr(entity::hoax_reports::Column::SeenWhere, Expr::value(""))
        .col_expr(
            entity::hoax_reports::Column::MediaId,
            Expr::value(Option::<i64>::None),
        )
        .filter(entity::hoax_reports::Column::ReporterId.eq(user_id))
        .exec(&txn)
        .await?;
    media::Entity::delete_many()
        .filter(media::Column::Id.is_in(files.iter().map(|m| m.id)))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        audit::Entry {
            actor,
            action: "person.erased",
            target_type: "user",
            target_id: Some(user_id),
            institution_id: user.institution_id,
            detail: serde_json::json!({ "why": why }),
            // The erased person's own address is their data too; another actor's stays.
            ip: ip.filter(|_| actor.is_some_and(|a| a.id() != user_id)),
        },
    )
    .await?;
    txn.commit().await?;
    // The files go once the rows are gone; a file that cannot be removed is logged.
    for m in &files {
        match store.delete(m).await {
            Ok(()) => done.images_removed += 1,
            Err(e) => tracing::error!(media = m.id, error = %e, "cannot remove an erased file"),
        }
    }
    Ok(done)
}

/// The programme's retention period in days (how long a withdrawn person's data stays).
pub async fn retention_days(db: &impl ConnectionTrait) -> AppResult<i32> {
    Ok(programme_settings::Entity::find_by_id(1)
        .one(db)
        .await?
        .map(|s| s.retention_days)
        .unwrap_or(30))
}

/// When the retention job erases a withdrawn person (none while they take part).
pub async fn erase_after(
    db: &DatabaseConnection,
    amb: &ambassadors::Model,
) -> AppResult<Option<DateTime<Utc>>> {
    match (amb.withdrawn_at, amb.erased_at) {
        (Some(at), None) => Ok(Some(
            at + Duration::days(i64::from(retention_days(db).await?)),
        )),
        _ => Ok(None),
    }
}

/// The retention job: erases everyone withdrawn longer ago than the programme's
/// retention period. Returns how many people it erased.
pub async fn erase_expired(
    db: &DatabaseConnection,
    store: &MediaStore,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let days = retention_days(db).await?;
    let cutoff = now - Duration::days(i64::from(days));
    let due: Vec<i64> = ambassadors::Entity::find()
        .select_only()
        .column(ambassadors::Column::UserId)
        .filter(ambassadors::Column::Status.eq("withdrawn"))
        .filter(ambassadors::Column::ErasedAt.is_null())
        .filter(ambassadors::Column::WithdrawnAt.lte(cutoff))
        .into_tuple()
        .all(db)
        .await?;
    let mut n = 0;
    for user_id in due {
        erase(db, store, user_id, None, None, "retention").await?;
        n += 1;
    }
    Ok(n)
}
