//! Certificates of participation: issued by a coordinator for a period to the active
//! ambassadors of their scope who posted in it, downloaded as PDF (one, or all of a
//! period as a zip), and checked by anyone on a public page from their code.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::{
    ambassadors, certificates, institutions, lesson_completions, users, week_activity, work_units,
};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;

use super::certificate::{self, tanggal, Printable};
use crate::auth::guards::CurrentUser;
use crate::auth::roles::Role;
use crate::db::begin_write;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::nip::NipKey;

/// What a certificate's code is made for (see [`NipKey::link_code`]).
const PURPOSE: &str = "certificate";
/// The longest period a certificate covers, in days counting both ends (a leap year).
pub const MAX_DAYS: i64 = 366;
/// The pattern of a date as the forms and the API take it.
pub const DATE_PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/// Reads a period: two dates (`YYYY-MM-DD`), the first not after the last, the last not
/// after `today`, at most a year long. Every problem at its field.
pub fn check_period(
    from: &str,
    to: &str,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), FieldErrors> {
    let mut errors = FieldErrors::new();
    let parse = |raw: &str| NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok();
    let (a, b) = (parse(from), parse(to));
    if a.is_none() {
        errors.add("from", Msg::new("certificates.date_invalid"));
    }
    if b.is_none() {
        errors.add("to", Msg::new("certificates.date_invalid"));
    }
    let (Some(a), Some(b)) = (a, b) else {
        return Err(errors);
    };
    // Each date is well formed: what follows clashes with the other date or with today.
    if b > today {
        errors.add("to", Msg::conflict("certificates.to_future"));
    }
    if a > b {
        errors.add("from", Msg::conflict("certificates.from_after_to"));
    } else if (b - a).num_days() + 1 > MAX_DAYS {
        errors.add(
            "to",
            Msg::conflict("certificates.too_long").arg("days", MAX_DAYS),
        );
    }
    if errors.is_empty() {
        Ok((a, b))
    } else {
        Err(errors)
    }
}

/// What issuing did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IssueOutcome {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Certificates made now.
    pub issued: u64,
    /// Active ambassadors who had one for this period already.
    pub already: u64,
    /// Active ambassadors of the scope without a verified post in the period: none for
    /// them.
    pub without_posts: u64,
}

/// The active ambassadors (approved, not withdrawn or erased) of the caller's scope.
fn active(user: &CurrentUser) -> sea_orm::Select<ambassadors::Entity> {
    crate::ambassadors::service::scoped(user)
        .filter(ambassadors::Column::Status.eq("approved"))
        .filter(ambassadors::Column::WithdrawnAt.is_null())
        .filter(ambassadors::Column::ErasedAt.is_null())
}

/// How many rows per insert.
const CHUNK: usize = 500;

/// Issues certificates for `from`–`to` to every active ambassador of the caller's scope
/// with a verified post in a week of the period, each with that period's active weeks,
/// verified posts and lessons completed by its end; one each per period (those holding
/// one are counted, not given another). One transaction; audited.
pub async fn issue(
    db: &DatabaseConnection,
    user: &CurrentUser,
    from: NaiveDate,
    to: NaiveDate,
    ip: &ClientIp,
) -> AppResult<IssueOutcome> {
    let people: Vec<(i64, i64)> = active(user)
        .select_only()
        .columns([ambassadors::Column::Id, ambassadors::Column::InstitutionId])
        .into_tuple()
        .all(db)
        .await?;
    let ids: Vec<i64> = people.iter().map(|p| p.0).collect();
    let first_week = crate::leaderboard::rules::monday_of(from);
    let mut weeks: HashMap<i64, (i64, i64)> = HashMap::new();
    let mut lessons: HashMap<i64, i64> = HashMap::new();
    let mut held: std::collections::HashSet<i64> = Default::default();
    let end = to
        .succ_opt()
        .unwrap_or(to)
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or_else(Utc::now);
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(i64, i64, Option<i64>)> = week_activity::Entity::find()
            .filter(week_activity::Column::AmbassadorId.is_in(chunk.iter().copied()))
            .filter(week_activity::Column::WeekStart.gte(first_week))
            .filter(week_activity::Column::WeekStart.lte(to))
            .filter(week_activity::Column::VerifiedPosts.gt(0))
            .select_only()
            .column(week_activity::Column::AmbassadorId)
            .column_as(Expr::col(week_activity::Column::WeekStart).count(), "weeks")
            .column_as(Expr::cust("CAST(SUM(verified_posts) AS BIGINT)"), "posts")
            .group_by(week_activity::Column::AmbassadorId)
            .into_tuple()
            .all(db)
            .await?;
        for (id, w, p) in rows {
            weeks.insert(id, (w, p.unwrap_or(0)));
        }
        let rows: Vec<(i64, i64)> = lesson_completions::Entity::find()
            .filter(lesson_completions::Column::AmbassadorId.is_in(chunk.iter().copied()))
            .filter(lesson_completions::Column::CompletedAt.lt(end))
            .select_only()
            .column(lesson_completions::Column::AmbassadorId)
            .column_as(Expr::col(lesson_completions::Column::LessonId).count(), "n")
            .group_by(lesson_completions::Column::AmbassadorId)
            .into_tuple()
            .all(db)
            .await?;
        lessons.extend(rows);
        held.extend(
            certificates::Entity::find()
                .filter(certificates::Column::AmbassadorId.is_in(chunk.iter().copied()))
                .filter(certificates::Column::PeriodFrom.eq(from))
                .filter(certificates::Column::PeriodTo.eq(to))
                .select_only()
                .column(certificates::Column::AmbassadorId)
                .into_tuple::<i64>()
                .all(db)
                .await?,
        );
    }
    let now = Utc::now();
    let n = |v: i64| i32::try_from(v).unwrap_or(i32::MAX);
    let mut outcome = IssueOutcome {
        from,
        to,
        issued: 0,
        already: 0,
        without_posts: 0,
    };
    let mut rows = Vec::new();
    for (id, institution_id) in people {
        let Some((active_weeks, posts)) = weeks.get(&id).copied() else {
            outcome.without_posts += 1;
            continue;
        };
        if held.contains(&id) {
            outcome.already += 1;
            continue;
        }
        rows.push(certificates::ActiveModel {
            ambassador_id: Set(id),
            institution_id: Set(institution_id),
            period_from: Set(from),
            period_to: Set(to),
            active_weeks: Set(n(active_weeks)),
            verified_posts: Set(n(posts)),
            lessons_completed: Set(n(lessons.get(&id).copied().unwrap_or(0))),
            issued_by: Set(Some(user.id())),
            issued_at: Set(now),
            ..Default::default()
        });
    }
    let txn = begin_write(db).await?;
    for chunk in rows.chunks(CHUNK) {
        // Two coordinators issuing the same period at once: each person gets one.
        let made = certificates::Entity::insert_many(chunk.to_vec())
            .on_conflict_do_nothing_on([
                certificates::Column::AmbassadorId,
                certificates::Column::PeriodFrom,
                certificates::Column::PeriodTo,
            ])
            .exec_without_returning(&txn)
            .await?;
        let made = match made {
            sea_orm::TryInsertResult::Inserted(n) => n,
            _ => 0,
        };
        outcome.issued += made;
        outcome.already += chunk.len() as u64 - made;
    }
    crate::audit::record::record(
        &txn,
        crate::audit::record::Entry {
            actor: Some(user),
            action: "certificates.issued",
            target_type: "certificate",
            target_id: None,
            institution_id: user.user.institution_id,
            detail: serde_json::json!({
                "from": from, "to": to, "issued": outcome.issued,
                "already": outcome.already, "without_posts": outcome.without_posts,
            }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(outcome)
}

/// A certificate as lists show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CertificateRow {
    pub id: i64,
    pub ambassador_id: i64,
    pub display_name: String,
    pub work_unit_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub active_weeks: i32,
    pub verified_posts: i32,
    pub lessons_completed: i32,
    pub issued_at: chrono::DateTime<Utc>,
    /// The code anyone checks at `/verify/{code}`.
    pub code: String,
    pub pdf_path: String,
}

async fn rows_of(
    db: &DatabaseConnection,
    key: &NipKey,
    list: Vec<certificates::Model>,
) -> AppResult<Vec<CertificateRow>> {
    let people: HashMap<i64, ambassadors::Model> = ambassadors::Entity::find()
        .filter(ambassadors::Column::Id.is_in(list.iter().map(|c| c.ambassador_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let units: HashMap<i64, String> = work_units::Entity::find()
        .filter(work_units::Column::Id.is_in(people.values().map(|a| a.work_unit_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    Ok(list
        .into_iter()
        .map(|c| {
            let a = people.get(&c.ambassador_id);
            CertificateRow {
                display_name: a.map(|a| a.display_name.clone()).unwrap_or_default(),
                work_unit_name: a
                    .and_then(|a| units.get(&a.work_unit_id).cloned())
                    .unwrap_or_default(),
                code: key.link_code(PURPOSE, c.id),
                pdf_path: format!("/certificates/{}/pdf", c.id),
                id: c.id,
                ambassador_id: c.ambassador_id,
                from: c.period_from,
                to: c.period_to,
                active_weeks: c.active_weeks,
                verified_posts: c.verified_posts,
                lessons_completed: c.lessons_completed,
                issued_at: c.issued_at,
            }
        })
        .collect())
}

/// A page of the certificates of the caller's scope, newest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CertificateList {
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
    pub items: Vec<CertificateRow>,
}

/// The certificates of the ambassadors of the caller's scope, newest first.
pub async fn list(
    db: &DatabaseConnection,
    key: &NipKey,
    user: &CurrentUser,
    limit: u64,
    offset: u64,
) -> AppResult<CertificateList> {
    let q = certificates::Entity::find().filter(
        certificates::Column::AmbassadorId.in_subquery(sea_orm::QueryTrait::into_query(
            crate::ambassadors::service::scoped(user)
                .select_only()
                .column(ambassadors::Column::Id),
        )),
    );
    let total = q.clone().count(db).await?;
    let page = q
        .order_by_desc(certificates::Column::IssuedAt)
        .order_by_desc(certificates::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok(CertificateList {
        total,
        limit,
        offset,
        items: rows_of(db, key, page).await?,
    })
}

/// The signed-in ambassador's certificates, newest first (404 for an account that is not
/// an ambassador).
pub async fn mine(
    db: &DatabaseConnection,
    key: &NipKey,
    user: &CurrentUser,
) -> AppResult<Vec<CertificateRow>> {
    let me = crate::ambassadors::service::find_ambassador_by_user(db, user.id())
        .await?
        .ok_or(AppError::NotFound)?;
    let list = certificates::Entity::find()
        .filter(certificates::Column::AmbassadorId.eq(me.id))
        .order_by_desc(certificates::Column::PeriodTo)
        .all(db)
        .await?;
    rows_of(db, key, list).await
}

/// The holder's full name as their account has it (the certificate is evidence for their
/// appraisal), or their display name when the account has none.
async fn full_name(db: &DatabaseConnection, a: &ambassadors::Model) -> AppResult<String> {
    Ok(users::Entity::find_by_id(a.user_id)
        .one(db)
        .await?
        .map(|u| u.name)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| a.display_name.clone()))
}

/// Words certificates for print, reading what they name together (a few queries for any
/// number); `base` starts the public page's address. A certificate whose holder is gone
/// is left out.
async fn printables(
    db: &DatabaseConnection,
    key: &NipKey,
    list: &[certificates::Model],
    base: &str,
) -> AppResult<Vec<(i64, Printable)>> {
    let mut institution_names: HashMap<i64, String> = HashMap::new();
    let mut people: HashMap<i64, ambassadors::Model> = HashMap::new();
    let mut unit_names: HashMap<i64, String> = HashMap::new();
    let mut user_names: HashMap<i64, String> = HashMap::new();
    for chunk in list.chunks(CHUNK) {
        institution_names.extend(
            institutions::Entity::find()
                .filter(institutions::Column::Id.is_in(chunk.iter().map(|c| c.institution_id)))
                .all(db)
                .await?
                .into_iter()
                .map(|i| (i.id, i.name)),
        );
        let found = ambassadors::Entity::find()
            .filter(ambassadors::Column::Id.is_in(chunk.iter().map(|c| c.ambassador_id)))
            .all(db)
            .await?;
        unit_names.extend(
            work_units::Entity::find()
                .filter(work_units::Column::Id.is_in(found.iter().map(|a| a.work_unit_id)))
                .all(db)
                .await?
                .into_iter()
                .map(|u| (u.id, u.name)),
        );
        user_names.extend(
            users::Entity::find()
                .filter(users::Column::Id.is_in(found.iter().map(|a| a.user_id)))
                .all(db)
                .await?
                .into_iter()
                .map(|u| (u.id, u.name)),
        );
        people.extend(found.into_iter().map(|a| (a.id, a)));
    }
    let tz = crate::leaderboard::standings::programme_zone(db).await?;
    Ok(list
        .iter()
        .filter_map(|c| {
            let a = people.get(&c.ambassador_id)?;
            let code = key.link_code(PURPOSE, c.id);
            Some((
                c.id,
                Printable {
                    institution: institution_names
                        .get(&c.institution_id)
                        .cloned()
                        .unwrap_or_default(),
                    // The full name (the certificate is evidence for an appraisal), or
                    // the display name when the account has none.
                    holder: user_names
                        .get(&a.user_id)
                        .filter(|n| !n.trim().is_empty())
                        .cloned()
                        .unwrap_or_else(|| a.display_name.clone()),
                    unit: unit_names.get(&a.work_unit_id).cloned().unwrap_or_default(),
                    period: format!("{} – {}", tanggal(c.period_from), tanggal(c.period_to)),
                    figures: format!(
                        "{} pekan aktif · {} unggahan terverifikasi · {} pelajaran selesai",
                        c.active_weeks, c.verified_posts, c.lessons_completed
                    ),
                    issued: tanggal(c.issued_at.with_timezone(&tz).date_naive()),
                    verify_url: format!("{base}/verify/{code}"),
                    code,
                },
            ))
        })
        .collect())
}

/// One certificate as PDF: for its holder, and for staff whose scope holds them (404
/// otherwise, and for an erased holder).
pub async fn pdf(
    db: &DatabaseConnection,
    key: &NipKey,
    user: &CurrentUser,
    id: i64,
    base: &str,
) -> AppResult<Vec<u8>> {
    let c = certificates::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let visible = if user.role == Role::Ambassador {
        crate::ambassadors::service::find_ambassador_by_user(db, user.id())
            .await?
            .is_some_and(|a| a.id == c.ambassador_id)
    } else {
        crate::ambassadors::service::scoped(user)
            .filter(ambassadors::Column::Id.eq(c.ambassador_id))
            .filter(ambassadors::Column::ErasedAt.is_null())
            .count(db)
            .await?
            > 0
    };
    if !visible {
        return Err(AppError::NotFound);
    }
    let (_, p) = printables(db, key, std::slice::from_ref(&c), base)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    Ok(certificate::render(&p))
}

/// Every certificate of `from`–`to` in the caller's scope, as PDFs in one zip (named by
/// unit and person), to print; 404 when there is none.
pub async fn zip(
    db: &DatabaseConnection,
    key: &NipKey,
    user: &CurrentUser,
    from: NaiveDate,
    to: NaiveDate,
    base: &str,
) -> AppResult<Vec<u8>> {
    let list = certificates::Entity::find()
        .filter(certificates::Column::PeriodFrom.eq(from))
        .filter(certificates::Column::PeriodTo.eq(to))
        .filter(
            certificates::Column::AmbassadorId.in_subquery(sea_orm::QueryTrait::into_query(
                active(user).select_only().column(ambassadors::Column::Id),
            )),
        )
        .order_by_asc(certificates::Column::Id)
        .all(db)
        .await?;
    if list.is_empty() {
        return Err(AppError::NotFound);
    }
    let words = printables(db, key, &list, base).await?;
    // Drawing and packing a thousand pages is CPU work: off the async workers.
    tokio::task::spawn_blocking(move || {
        let files: Vec<(String, Vec<u8>)> = words
            .into_iter()
            .map(|(id, p)| {
                (
                    format!("sertifikat-{id}-{}.pdf", slug(&p.holder)),
                    certificate::render(&p),
                )
            })
            .collect();
        crate::briefs::variants::zip_of(&files).map_err(AppError::internal)
    })
    .await
    .map_err(AppError::internal)?
}

/// A file-name-safe form of a name: letters and digits, the rest `-`.
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    s.split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
        .chars()
        .take(60)
        .collect()
}

/// What the public page says of a code.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Verified {
    pub code: String,
    pub institution_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The day it was issued, in the programme's time zone.
    pub issued_on: NaiveDate,
    /// The holder's full name and unit; none once they erased their data.
    pub holder: Option<String>,
    pub work_unit_name: Option<String>,
    pub active_weeks: Option<i32>,
    pub verified_posts: Option<i32>,
    pub lessons_completed: Option<i32>,
}

/// Checks a certificate's code: what it certifies, or 404 for a code Duta never made (a
/// guessed, changed or cut one). An erased holder's certificate shows only that it was
/// issued, by whom and for which period.
pub async fn verify(db: &DatabaseConnection, key: &NipKey, code: &str) -> AppResult<Verified> {
    let id = key
        .open_link_code(PURPOSE, code)
        .ok_or(AppError::NotFound)?;
    let c = certificates::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let institution_name = institutions::Entity::find_by_id(c.institution_id)
        .one(db)
        .await?
        .map(|i| i.name)
        .unwrap_or_default();
    let holder = ambassadors::Entity::find_by_id(c.ambassador_id)
        .one(db)
        .await?
        .filter(|a| a.erased_at.is_none());
    let unit = match &holder {
        Some(a) => work_units::Entity::find_by_id(a.work_unit_id)
            .one(db)
            .await?
            .map(|u| u.name),
        None => None,
    };
    let shown = holder.is_some();
    let name = match &holder {
        Some(a) => Some(full_name(db, a).await?),
        None => None,
    };
    let tz = crate::leaderboard::standings::programme_zone(db).await?;
    Ok(Verified {
        code: key.link_code(PURPOSE, c.id),
        institution_name,
        from: c.period_from,
        to: c.period_to,
        issued_on: c.issued_at.with_timezone(&tz).date_naive(),
        holder: name,
        work_unit_name: unit,
        active_weeks: shown.then_some(c.active_weeks),
        verified_posts: shown.then_some(c.verified_posts),
        lessons_completed: shown.then_some(c.lessons_completed),
    })
}

/// The default period offered: the last full calendar half-year before today (the
/// rhythm of a civil servant's appraisal).
pub fn default_period(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike;
    let y = today.year();
    let (from, to) = if today.month() > 6 {
        ((y, 1, 1), (y, 6, 30))
    } else {
        ((y - 1, 7, 1), (y - 1, 12, 31))
    };
    let d = |(y, m, d): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(today);
    (d(from), Ord::min(d(to), today))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_period_is_two_dates_in_order_ended_and_at_most_a_year() {
        let today = d("2026-12-06");
        assert_eq!(
            check_period("2026-07-01", "2026-12-06", today).unwrap(),
            (d("2026-07-01"), d("2026-12-06"))
        );
        // 366 days counting both ends is the most.
        assert!(check_period("2025-01-01", "2026-01-01", today).is_ok());
        for (from, to, field, conflict) in [
            ("2026-13-01", "2026-12-01", "from", false),
            ("2026-07-01", "besok", "to", false),
            ("2026-07-01", "2026-12-07", "to", true),
            ("2026-08-01", "2026-07-01", "from", true),
            ("2025-01-01", "2026-01-02", "to", true),
        ] {
            let e = check_period(from, to, today).unwrap_err();
            assert!(e.0.contains_key(field), "{from} {to}: {e:?}");
            assert_eq!(e.0[field][0].conflict, conflict, "{from} {to}");
        }
    }

    #[test]
    fn the_offered_period_is_the_last_half_year() {
        assert_eq!(
            default_period(d("2026-12-06")),
            (d("2026-01-01"), d("2026-06-30"))
        );
        assert_eq!(
            default_period(d("2026-03-10")),
            (d("2025-07-01"), d("2025-12-31"))
        );
        assert_eq!(slug("Siti  Rahmawati, S.Sos."), "siti-rahmawati-s-sos");
    }
}
