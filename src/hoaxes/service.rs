//! Hoax reports and their triage: storing a report in the case of its hoax (found by a
//! link already reported, or by a near-identical screenshot), the reporter's own list,
//! the triage lists (an institution's, and the national one), decisions, moving a case
//! to another list, and a case answered when its clarification brief comes out.
//! Every read filters by the caller's scope in the query.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};
use serde::Serialize;

use super::rules;
use crate::audit::record as audit;
use crate::auth::guards::CurrentUser;
use crate::auth::roles::Role;
use crate::db::begin_write;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::media::service::MediaStore;
use crate::notify::Mailer;
use entity::{
    ambassadors, hoax_cases, hoax_links, hoax_reports, institutions, notifications, users,
    work_units,
};

/// The notice to those who triage: a new case (or one moved to their list) waits.
pub const REPORTED: &str = "hoax_reported";
/// The notice to a reporter: what became of the hoax they reported.
pub const UPDATE: &str = "hoax_update";
/// A screenshot finds its case among the institution's reports of this many days.
const PICTURE_DAYS: i64 = 90;
/// Cases per page of a triage list and reports per page of one's own list.
pub const PER_PAGE: u64 = 50;

/// A report as typed (page form or API), before it is checked.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub links: String,
    pub platform: String,
    pub seen_where: String,
    pub note: String,
}

struct Checked {
    links: Vec<String>,
    platform: String,
    seen_where: String,
    note: String,
}

/// Every message at its field; a report needs at least a link or a screenshot.
fn check(input: &ReportInput, has_picture: bool) -> AppResult<Checked> {
    let mut errors = FieldErrors::new();
    let links = match rules::LINKS_TEXT.clean(&input.links) {
        None => {
            errors.add("links", Msg::new("hoaxes.links_too_long"));
            Vec::new()
        }
        Some(text) => match rules::parse_links(&text) {
            Ok(links) => links,
            Err(e) => {
                errors.add("links", Msg::new(e.key()).arg("max", rules::MAX_LINKS));
                Vec::new()
            }
        },
    };
    if links.is_empty() && !has_picture && !errors.has("links") {
        errors.add("links", Msg::new("hoaxes.evidence_required"));
    }
    let platform = input.platform.trim().to_string();
    if !rules::CHANNELS.contains(&platform.as_str()) {
        errors.add("platform", Msg::new("hoaxes.platform_invalid"));
    }
    let seen_where = rules::SEEN_WHERE
        .clean(&input.seen_where)
        .unwrap_or_else(|| {
            errors.add(
                "seen_where",
                Msg::new("hoaxes.seen_where_invalid").arg("max", rules::SEEN_WHERE.max),
            );
            String::new()
        });
    let note = rules::NOTE.clean(&input.note).unwrap_or_else(|| {
        errors.add(
            "note",
            Msg::new("hoaxes.note_invalid").arg("max", rules::NOTE.max),
        );
        String::new()
    });
    errors.into_result()?;
    Ok(Checked {
        links,
        platform,
        seen_where,
        note,
    })
}

/// Who reports: an approved ambassador, or a coordinator of an institution; their
/// institution and work unit.
pub async fn reporter_place(
    db: &DatabaseConnection,
    user: &CurrentUser,
) -> AppResult<(i64, Option<i64>)> {
    match user.role {
        Role::Ambassador => {
            let amb = ambassadors::Entity::find()
                .filter(ambassadors::Column::UserId.eq(user.id()))
                .filter(ambassadors::Column::Status.eq("approved"))
                .one(db)
                .await?
                .ok_or(AppError::Forbidden)?;
            Ok((amb.institution_id, Some(amb.work_unit_id)))
        }
        Role::Coordinator => {
            let inst = user.user.institution_id.ok_or(AppError::Forbidden)?;
            Ok((inst, user.user.work_unit_id))
        }
        _ => Err(AppError::Forbidden),
    }
}

/// One of the reporter's own reports with what became of its hoax.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MyReportView {
    pub id: i64,
    pub case_id: i64,
    /// new, confirmed, not_hoax or answered
    pub state: String,
    pub platform: String,
    pub seen_where: String,
    pub note: String,
    pub links: Vec<String>,
    pub has_screenshot: bool,
    pub created_at: DateTime<Utc>,
    /// `created_at` in the programme's zone, with the zone's name.
    pub created_local: String,
    /// How many reports the hoax has, this one included.
    pub report_count: i32,
    /// The coordinator's words with the decision.
    pub decision_note: Option<String>,
    /// The case went to another list: the institution's name, or null with
    /// `forwarded_to_national`.
    pub forwarded_to: Option<String>,
    pub forwarded_to_national: bool,
    /// The clarification brief, once it is out.
    pub brief_id: Option<i64>,
}

fn links_of(report: &hoax_reports::Model) -> Vec<String> {
    serde_json::from_str(&report.links).unwrap_or_default()
}

async fn institution_names(
    db: &impl ConnectionTrait,
    ids: Vec<i64>,
) -> AppResult<HashMap<i64, String>> {
    Ok(institutions::Entity::find()
        .filter(institutions::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i.short_name.unwrap_or(i.name)))
        .collect())
}

async fn my_views(
    db: &DatabaseConnection,
    rows: Vec<hoax_reports::Model>,
) -> AppResult<Vec<MyReportView>> {
    let case_ids: Vec<i64> = rows.iter().map(|r| r.case_id).collect();
    let cases: HashMap<i64, hoax_cases::Model> = hoax_cases::Entity::find()
        .filter(hoax_cases::Column::Id.is_in(case_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let tz = crate::settings::service::programme_timezone(db).await?;
    let names = institution_names(
        db,
        cases
            .values()
            .filter_map(|c| c.owner_institution_id)
            .collect(),
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let case = cases.get(&r.case_id)?;
            let moved = case.owner_institution_id != Some(case.origin_institution_id);
            Some(MyReportView {
                id: r.id,
                case_id: r.case_id,
                state: case.state.clone(),
                platform: r.platform.clone(),
                seen_where: r.seen_where.clone(),
                note: r.note.clone(),
                links: links_of(&r),
                has_screenshot: r.media_id.is_some(),
                created_at: r.created_at,
                created_local: crate::web::time::local_with_zone(r.created_at, &tz),
                report_count: case.report_count,
                decision_note: case.decision_note.clone(),
                forwarded_to: case
                    .owner_institution_id
                    .filter(|_| moved)
                    .and_then(|o| names.get(&o).cloned()),
                forwarded_to_national: moved && case.owner_institution_id.is_none(),
                brief_id: case.brief_id.filter(|_| case.state == "answered"),
            })
        })
        .collect())
}

/// Stores a report in the case of its hoax: a case of the reporter's institution that
/// already holds one of its links, or a screenshot within a few bits of its own (of the
/// last 90 days); otherwise a new case, and those who triage it are told. A screenshot
/// is checked and stored first; if the report cannot be stored, it goes again.
pub async fn create_report(
    db: &DatabaseConnection,
    store: &MediaStore,
    mailer: &Mailer,
    user: &CurrentUser,
    input: &ReportInput,
    picture: Option<Vec<u8>>,
) -> AppResult<MyReportView> {
    let (institution_id, work_unit_id) = reporter_place(db, user).await?;
    let checked = check(input, picture.is_some());
    let prepared = match picture {
        None => Ok(None),
        Some(bytes) => store.prepare(bytes).await.map(Some),
    };
    // Both checked before anything is stored, so every message shows at once.
    let (checked, prepared) = match (checked, prepared) {
        (Ok(c), Ok(p)) => (c, p),
        (c, p) => {
            let mut errors = FieldErrors::new();
            for e in [c.err(), p.err()].into_iter().flatten() {
                match e {
                    AppError::Validation(f) => {
                        errors = errors.merged(f.renamed("file", "screenshot"))
                    }
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
                .save(db, user.id(), Some(institution_id), "hoax", p)
                .await?,
        ),
    };
    let stored = store_report(
        db,
        user,
        institution_id,
        work_unit_id,
        &checked,
        media.as_ref(),
    )
    .await;
    let (report, new_case) = match stored {
        Ok(done) => done,
        Err(e) => {
            // The screenshot goes again, files and row: nothing of a refused report stays.
            if let Some(m) = &media {
                if let Err(gone) = store.delete(m).await {
                    tracing::warn!(error = %gone, "a hoax screenshot of a report not stored stays");
                }
                if let Err(gone) = entity::media::Entity::delete_by_id(m.id).exec(db).await {
                    tracing::warn!(error = %gone, "the row of a hoax screenshot of a report not stored stays");
                }
            }
            return Err(e);
        }
    };
    if new_case {
        tell_desk(db, mailer, Some(institution_id), work_unit_id).await;
    }
    Ok(my_views(db, vec![report]).await?.remove(0))
}

async fn store_report(
    db: &DatabaseConnection,
    user: &CurrentUser,
    institution_id: i64,
    work_unit_id: Option<i64>,
    c: &Checked,
    media: Option<&entity::media::Model>,
) -> AppResult<(hoax_reports::Model, bool)> {
    let now = Utc::now();
    let txn = begin_write(db).await?;
    // One report of an institution at a time finds or makes its case, so two people
    // reporting one hoax at once make one case (SQLite's write transaction already holds
    // every other writer).
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(7407, $1::int)",
            [i32::try_from(institution_id % i64::from(i32::MAX))
                .unwrap_or_default()
                .into()],
        ))
        .await?;
    }
    let by_link: Option<i64> = if c.links.is_empty() {
        None
    } else {
        hoax_links::Entity::find()
            .select_only()
            .column(hoax_links::Column::CaseId)
            .filter(hoax_links::Column::InstitutionId.eq(institution_id))
            .filter(hoax_links::Column::Url.is_in(c.links.clone()))
            .order_by_asc(hoax_links::Column::CaseId)
            .into_tuple()
            .one(&txn)
            .await?
    };
    let phash = media.and_then(|m| m.phash);
    let by_picture = match (by_link, phash) {
        (None, Some(hash)) => {
            let recent: Vec<(i64, i64)> = hoax_reports::Entity::find()
                .select_only()
                .column(hoax_reports::Column::CaseId)
                .column(hoax_reports::Column::Phash)
                .filter(hoax_reports::Column::InstitutionId.eq(institution_id))
                .filter(hoax_reports::Column::CreatedAt.gt(now - TimeDelta::days(PICTURE_DAYS)))
                .filter(hoax_reports::Column::Phash.is_not_null())
                .into_tuple()
                .all(&txn)
                .await?;
            recent
                .into_iter()
                .map(|(case, other)| (crate::integrity::rules::distance(hash, other), case))
                .filter(|(d, _)| *d <= crate::integrity::rules::SAME_PICTURE_BITS)
                .min()
                .map(|(_, case)| case)
        }
        _ => None,
    };
    let (case_id, new_case) = match by_link.or(by_picture) {
        Some(id) => (id, false),
        None => {
            let case = hoax_cases::ActiveModel {
                origin_institution_id: Set(institution_id),
                owner_institution_id: Set(Some(institution_id)),
                state: Set("new".into()),
                summary: Set(rules::summary_of(&c.note, &c.links)),
                report_count: Set(0),
                first_reported_at: Set(now),
                last_reported_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            (case.id, true)
        }
    };
    let report = hoax_reports::ActiveModel {
        case_id: Set(case_id),
        reporter_id: Set(user.id()),
        institution_id: Set(institution_id),
        work_unit_id: Set(work_unit_id),
        platform: Set(c.platform.clone()),
        seen_where: Set(c.seen_where.clone()),
        note: Set(c.note.clone()),
        links: Set(serde_json::to_string(&c.links).map_err(AppError::internal)?),
        media_id: Set(media.map(|m| m.id)),
        phash: Set(phash),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if !c.links.is_empty() {
        // A link already known for another case stays with that case.
        hoax_links::Entity::insert_many(c.links.iter().map(|url| hoax_links::ActiveModel {
            institution_id: Set(institution_id),
            url: Set(url.clone()),
            case_id: Set(case_id),
        }))
        .on_conflict(
            OnConflict::columns([hoax_links::Column::InstitutionId, hoax_links::Column::Url])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    hoax_cases::Entity::update_many()
        .col_expr(
            hoax_cases::Column::ReportCount,
            sea_orm::sea_query::ExprTrait::add(Expr::col(hoax_cases::Column::ReportCount), 1),
        )
        .col_expr(hoax_cases::Column::LastReportedAt, Expr::value(now))
        .col_expr(hoax_cases::Column::UpdatedAt, Expr::value(now))
        .filter(hoax_cases::Column::Id.eq(case_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok((report, new_case))
}

/// The reporter's own reports, newest first, a page at a time, with the total.
pub async fn list_mine(
    db: &DatabaseConnection,
    user: &CurrentUser,
    page: u64,
) -> AppResult<(u64, Vec<MyReportView>)> {
    let q = hoax_reports::Entity::find().filter(hoax_reports::Column::ReporterId.eq(user.id()));
    let total = q.clone().count(db).await?;
    let rows = q
        .order_by_desc(hoax_reports::Column::CreatedAt)
        .order_by_desc(hoax_reports::Column::Id)
        .limit(PER_PAGE)
        .offset(page.saturating_sub(1).saturating_mul(PER_PAGE))
        .all(db)
        .await?;
    Ok((total, my_views(db, rows).await?))
}

/// The cases a user triages: an admin every list; a national user the national list; a
/// coordinator their institution's, and with a sub-unit scope only cases with a report
/// from that subtree.
fn desk_scope(user: &CurrentUser) -> AppResult<Condition> {
    match user.role {
        Role::Admin => Ok(Condition::all()),
        Role::National => {
            Ok(Condition::all().add(hoax_cases::Column::OwnerInstitutionId.is_null()))
        }
        Role::Coordinator => {
            let inst = user.user.institution_id.ok_or(AppError::Forbidden)?;
            let mut c = Condition::all().add(hoax_cases::Column::OwnerInstitutionId.eq(inst));
            if let Some(path) = &user.work_unit_path {
                c = c.add(
                    hoax_cases::Column::Id.in_subquery(
                        Query::select()
                            .column(hoax_reports::Column::CaseId)
                            .from(hoax_reports::Entity)
                            .and_where(
                                hoax_reports::Column::WorkUnitId
                                    .in_subquery(crate::org::service::subtree_units(path)),
                            )
                            .to_owned(),
                    ),
                );
            }
            Ok(c)
        }
        _ => Err(AppError::Forbidden),
    }
}

/// A case in a triage list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseRow {
    pub id: i64,
    pub summary: String,
    /// new, confirmed, not_hoax or answered
    pub state: String,
    pub report_count: i32,
    pub first_reported_at: DateTime<Utc>,
    pub last_reported_at: DateTime<Utc>,
    /// `last_reported_at` in the programme's zone, with the zone's name.
    pub last_reported_local: String,
    /// The institution whose people reported it.
    pub origin_institution: String,
    /// The list it lies in: an institution's name, or null for the national list.
    pub owner_institution: Option<String>,
    /// It came from another list.
    pub forwarded: bool,
    pub brief_id: Option<i64>,
}

/// A page of a triage list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CasePage {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub items: Vec<CaseRow>,
}

/// What a triage list is filtered by.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// One state, or every state but `answered` and `not_hoax` when empty ("open").
    pub state: String,
    /// Words in the case's name.
    pub q: String,
    pub page: u64,
}

pub const STATE_FILTERS: [&str; 6] = ["open", "all", "new", "confirmed", "not_hoax", "answered"];

/// A triage list: open cases (new and confirmed) by default, the latest reported first.
pub async fn list_cases(
    db: &DatabaseConnection,
    user: &CurrentUser,
    f: &CaseFilter,
) -> AppResult<CasePage> {
    let mut q = hoax_cases::Entity::find().filter(desk_scope(user)?);
    match f.state.as_str() {
        "" | "open" => q = q.filter(hoax_cases::Column::State.is_in(["new", "confirmed"])),
        "all" => {}
        s if rules::STATES.contains(&s) => q = q.filter(hoax_cases::Column::State.eq(s)),
        _ => {
            return Err(AppError::Validation(FieldErrors::single(
                "state",
                Msg::new("hoaxes.state_filter_invalid"),
            )))
        }
    }
    let words = f.q.trim();
    if !words.is_empty() {
        q = q.filter(hoax_cases::Column::Summary.contains(words));
    }
    let total = q.clone().count(db).await?;
    let page = f.page.max(1);
    let rows = q
        .order_by_desc(hoax_cases::Column::LastReportedAt)
        .order_by_desc(hoax_cases::Column::Id)
        .limit(PER_PAGE)
        .offset((page - 1).saturating_mul(PER_PAGE))
        .all(db)
        .await?;
    let mut ids: Vec<i64> = rows.iter().map(|c| c.origin_institution_id).collect();
    ids.extend(rows.iter().filter_map(|c| c.owner_institution_id));
    let names = institution_names(db, ids).await?;
    let tz = crate::settings::service::programme_timezone(db).await?;
    Ok(CasePage {
        total,
        page,
        per_page: PER_PAGE,
        items: rows.into_iter().map(|c| row_of(c, &names, &tz)).collect(),
    })
}

fn row_of(c: hoax_cases::Model, names: &HashMap<i64, String>, tz: &chrono_tz::Tz) -> CaseRow {
    CaseRow {
        last_reported_local: crate::web::time::local_with_zone(c.last_reported_at, tz),
        id: c.id,
        origin_institution: names
            .get(&c.origin_institution_id)
            .cloned()
            .unwrap_or_default(),
        owner_institution: c.owner_institution_id.and_then(|o| names.get(&o).cloned()),
        forwarded: c.owner_institution_id != Some(c.origin_institution_id),
        summary: c.summary,
        state: c.state,
        report_count: c.report_count,
        first_reported_at: c.first_reported_at,
        last_reported_at: c.last_reported_at,
        brief_id: c.brief_id,
    }
}

/// A case in the caller's triage scope; 404 otherwise.
pub async fn get_case_for(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    id: i64,
) -> AppResult<hoax_cases::Model> {
    hoax_cases::Entity::find_by_id(id)
        .filter(desk_scope(user)?)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// One report of a case as those who triage it see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseReport {
    pub id: i64,
    /// The reporter's name and work unit: shown to staff of the reporter's institution
    /// and to admins and national users; others see only the institution.
    pub reporter_name: Option<String>,
    pub work_unit: Option<String>,
    pub institution: String,
    pub platform: String,
    pub seen_where: String,
    pub note: String,
    pub links: Vec<String>,
    /// The screenshot (`/media/{id}`), if one was sent.
    pub media_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub created_local: String,
}

/// A case with every report, for triage.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseView {
    #[serde(flatten)]
    pub case: CaseRow,
    /// Every distinct link of its reports.
    pub links: Vec<String>,
    pub decision_note: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub forward_note: Option<String>,
    pub forwarded_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    /// The first 200 reports, oldest first (`report_count` has them all).
    pub reports: Vec<CaseReport>,
}

/// A case in scope with its reports.
pub async fn case_view(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
) -> AppResult<CaseView> {
    let case = get_case_for(db, user, id).await?;
    let reports = hoax_reports::Entity::find()
        .filter(hoax_reports::Column::CaseId.eq(id))
        .order_by_asc(hoax_reports::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    let reporter_ids: Vec<i64> = reports.iter().map(|r| r.reporter_id).collect();
    let people: HashMap<i64, String> = users::Entity::find()
        .filter(users::Column::Id.is_in(reporter_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let unit_ids: Vec<i64> = reports.iter().filter_map(|r| r.work_unit_id).collect();
    let units: HashMap<i64, String> = work_units::Entity::find()
        .filter(work_units::Column::Id.is_in(unit_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut inst_ids: Vec<i64> = reports.iter().map(|r| r.institution_id).collect();
    inst_ids.push(case.origin_institution_id);
    inst_ids.extend(case.owner_institution_id);
    let names = institution_names(db, inst_ids).await?;
    let tz = crate::settings::service::programme_timezone(db).await?;
    let sees_people = |institution_id: i64| {
        user.role.sees_all_institutions() || user.user.institution_id == Some(institution_id)
    };
    let mut links: Vec<String> = Vec::new();
    let reports = reports
        .into_iter()
        .map(|r| {
            for l in links_of(&r) {
                if !links.contains(&l) {
                    links.push(l);
                }
            }
            let shown = sees_people(r.institution_id);
            CaseReport {
                id: r.id,
                reporter_name: shown
                    .then(|| people.get(&r.reporter_id).cloned())
                    .flatten()
                    .filter(|n| !n.is_empty()),
                work_unit: shown
                    .then(|| r.work_unit_id.and_then(|u| units.get(&u).cloned()))
                    .flatten(),
                institution: names.get(&r.institution_id).cloned().unwrap_or_default(),
                platform: r.platform.clone(),
                seen_where: r.seen_where.clone(),
                note: r.note.clone(),
                links: links_of(&r),
                media_id: r.media_id,
                created_at: r.created_at,
                created_local: crate::web::time::local_with_zone(r.created_at, &tz),
            }
        })
        .collect();
    Ok(CaseView {
        links,
        decision_note: case.decision_note.clone(),
        decided_at: case.decided_at,
        forward_note: case.forward_note.clone(),
        forwarded_at: case.forwarded_at,
        answered_at: case.answered_at,
        reports,
        case: row_of(case, &names, &tz),
    })
}

/// Decides a case: `confirmed` (a hoax to answer) or `not_hoax`, with a note the
/// reporters read. An answered case is not decided again (409). Audited; each reporter
/// is told.
pub async fn decide(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    decision: &str,
    note: &str,
    ip: &ClientIp,
) -> AppResult<()> {
    let mut errors = FieldErrors::new();
    if !rules::DECISIONS.contains(&decision) {
        errors.add("decision", Msg::new("hoaxes.decision_invalid"));
    }
    let note = rules::DECISION_NOTE.clean(note).unwrap_or_else(|| {
        errors.add(
            "note",
            Msg::new("hoaxes.decision_note_invalid").arg("max", rules::DECISION_NOTE.max),
        );
        String::new()
    });
    let txn = begin_write(db).await?;
    let case = get_case_for(&txn, user, id).await?;
    errors.into_result()?;
    if !rules::decidable(&case.state) {
        return Err(AppError::Conflict(FieldErrors::single(
            "decision",
            Msg::conflict("hoaxes.already_answered"),
        )));
    }
    let now = Utc::now();
    let mut m: hoax_cases::ActiveModel = case.clone().into();
    m.state = Set(decision.to_string());
    m.decided_by = Set(Some(user.id()));
    m.decided_at = Set(Some(now));
    m.decision_note = Set((!note.is_empty()).then(|| note.clone()));
    m.updated_at = Set(now);
    m.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "hoax.decide",
            target_type: "hoax_case",
            target_id: Some(id),
            institution_id: case.owner_institution_id,
            detail: serde_json::json!({ "from": case.state, "to": decision }),
            ip: Some(ip),
        },
    )
    .await?;
    tell_reporters(&txn, id, None, &case.summary, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Where a case goes when it is not ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Institution(i64),
    National,
}

impl Target {
    /// `national`, or an institution's id.
    pub fn parse(raw: &str) -> Option<Target> {
        match raw {
            "national" => Some(Target::National),
            n => n
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .map(Target::Institution),
        }
    }
}

/// Moves a case to another list ("not ours"): another institution's or the national one,
/// with a note. It is `new` there; those who triage that list are told, and the
/// reporters. An answered case stays (409); the list it lies in already is refused (422).
pub async fn forward(
    db: &DatabaseConnection,
    mailer: &Mailer,
    user: &CurrentUser,
    id: i64,
    target: Option<Target>,
    note: &str,
    ip: &ClientIp,
) -> AppResult<()> {
    let mut errors = FieldErrors::new();
    let note = rules::FORWARD_NOTE.clean(note).unwrap_or_else(|| {
        errors.add(
            "note",
            Msg::new("hoaxes.forward_note_invalid")
                .arg("min", rules::FORWARD_NOTE.min)
                .arg("max", rules::FORWARD_NOTE.max),
        );
        String::new()
    });
    let txn = begin_write(db).await?;
    let case = get_case_for(&txn, user, id).await?;
    let owner = match target {
        None => {
            errors.add("to", Msg::new("hoaxes.forward_target_invalid"));
            None
        }
        Some(Target::National) => None,
        Some(Target::Institution(i)) => {
            if institutions::Entity::find_by_id(i)
                .one(&txn)
                .await?
                .is_none()
            {
                errors.add("to", Msg::conflict("hoaxes.forward_target_invalid"));
            }
            Some(i)
        }
    };
    if target.is_some() && owner == case.owner_institution_id {
        errors.add("to", Msg::conflict("hoaxes.forward_same_list"));
    }
    errors.into_result()?;
    if !rules::decidable(&case.state) {
        return Err(AppError::Conflict(FieldErrors::single(
            "to",
            Msg::conflict("hoaxes.already_answered"),
        )));
    }
    let now = Utc::now();
    let mut m: hoax_cases::ActiveModel = case.clone().into();
    m.owner_institution_id = Set(owner);
    m.state = Set("new".into());
    m.decided_by = Set(None);
    m.decided_at = Set(None);
    m.decision_note = Set(None);
    m.forwarded_by = Set(Some(user.id()));
    m.forwarded_at = Set(Some(now));
    m.forward_note = Set(Some(note));
    m.updated_at = Set(now);
    m.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "hoax.forward",
            target_type: "hoax_case",
            target_id: Some(id),
            institution_id: case.owner_institution_id,
            detail: serde_json::json!({ "from": case.owner_institution_id, "to": owner }),
            ip: Some(ip),
        },
    )
    .await?;
    tell_reporters(&txn, id, None, &case.summary, now).await?;
    txn.commit().await?;
    tell_desk(db, mailer, owner, None).await;
    Ok(())
}

/// A confirmed case of an institution's list, for the clarification brief made from it:
/// the case and every link reported. 409 for a case not confirmed, one of the national
/// list, or one that has a brief already.
pub async fn case_to_clarify(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(hoax_cases::Model, Vec<String>)> {
    case_to_answer(db, user, id, false).await
}

/// A confirmed case of the caller's list, not yet answered, with its links: the case a
/// clarification brief (`national`: a national brief, for a case of the national list)
/// answers; 409 otherwise.
pub async fn case_to_answer(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    national: bool,
) -> AppResult<(hoax_cases::Model, Vec<String>)> {
    let case = get_case_for(db, user, id).await?;
    let refuse = |key: &str| {
        Err(AppError::Conflict(FieldErrors::single(
            "case",
            Msg::conflict(key),
        )))
    };
    match (case.owner_institution_id, national) {
        (None, false) => return refuse("hoaxes.clarify_national"),
        (Some(_), true) => return refuse("hoaxes.case_not_national"),
        _ => {}
    }
    if case.state == "answered" || case.brief_id.is_some() {
        return refuse("hoaxes.clarify_has_brief");
    }
    if case.state != "confirmed" {
        return refuse("hoaxes.clarify_not_confirmed");
    }
    let mut links: Vec<String> = Vec::new();
    for r in hoax_reports::Entity::find()
        .filter(hoax_reports::Column::CaseId.eq(id))
        .order_by_asc(hoax_reports::Column::Id)
        .limit(200)
        .all(db)
        .await?
    {
        for l in links_of(&r) {
            if !links.contains(&l) {
                links.push(l);
            }
        }
    }
    Ok((case, links))
}

/// A national brief answers a confirmed case of the national list, in the transaction
/// that stores it: the case is `answered` and its reporters are told. False when the case
/// was answered or changed meanwhile.
pub async fn answer_nationally(
    db: &impl ConnectionTrait,
    case_id: i64,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let Some(case) = hoax_cases::Entity::find_by_id(case_id).one(db).await? else {
        return Ok(false);
    };
    let done = hoax_cases::Entity::update_many()
        .col_expr(hoax_cases::Column::State, Expr::value("answered"))
        .col_expr(hoax_cases::Column::AnsweredAt, Expr::value(now))
        .col_expr(hoax_cases::Column::UpdatedAt, Expr::value(now))
        .filter(hoax_cases::Column::Id.eq(case_id))
        .filter(hoax_cases::Column::OwnerInstitutionId.is_null())
        .filter(hoax_cases::Column::State.eq("confirmed"))
        .exec(db)
        .await?;
    if done.rows_affected != 1 {
        return Ok(false);
    }
    tell_reporters(db, case_id, None, &case.summary, now).await?;
    Ok(true)
}

/// Ties a brief to the case it answers; false when another brief was tied first.
pub async fn attach_brief(db: &DatabaseConnection, case_id: i64, brief_id: i64) -> AppResult<bool> {
    let done = hoax_cases::Entity::update_many()
        .col_expr(hoax_cases::Column::BriefId, Expr::value(brief_id))
        .col_expr(hoax_cases::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(hoax_cases::Column::Id.eq(case_id))
        .filter(hoax_cases::Column::BriefId.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// The case a brief answers, if any (for the brief's page).
pub async fn case_of_brief(db: &DatabaseConnection, brief_id: i64) -> AppResult<Option<i64>> {
    Ok(hoax_cases::Entity::find()
        .select_only()
        .column(hoax_cases::Column::Id)
        .filter(hoax_cases::Column::BriefId.eq(brief_id))
        .into_tuple()
        .one(db)
        .await?)
}

/// A brief is out: the case it answers (if any) is `answered`, and its reporters are
/// told, linked to the brief. Called by whoever tells the brief's audience.
pub async fn brief_out(db: &DatabaseConnection, brief_id: i64) -> AppResult<()> {
    let Some(case) = hoax_cases::Entity::find()
        .filter(hoax_cases::Column::BriefId.eq(brief_id))
        .filter(hoax_cases::Column::State.ne("answered"))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let done = hoax_cases::Entity::update_many()
        .col_expr(hoax_cases::Column::State, Expr::value("answered"))
        .col_expr(hoax_cases::Column::AnsweredAt, Expr::value(now))
        .col_expr(hoax_cases::Column::UpdatedAt, Expr::value(now))
        .filter(hoax_cases::Column::Id.eq(case.id))
        .filter(hoax_cases::Column::State.ne("answered"))
        .exec(&txn)
        .await?;
    if done.rows_affected == 1 {
        tell_reporters(&txn, case.id, Some(brief_id), &case.summary, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// One notice per reporter of a case (each person once, however often they reported it):
/// its name as the detail, linked to the brief when it is answered.
async fn tell_reporters(
    db: &impl ConnectionTrait,
    case_id: i64,
    brief_id: Option<i64>,
    summary: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let reporters: Vec<i64> = hoax_reports::Entity::find()
        .select_only()
        .column(hoax_reports::Column::ReporterId)
        .distinct()
        .filter(hoax_reports::Column::CaseId.eq(case_id))
        .into_tuple()
        .all(db)
        .await?;
    for chunk in reporters.chunks(500) {
        notifications::Entity::insert_many(chunk.iter().map(|u| notifications::ActiveModel {
            user_id: Set(*u),
            kind: Set(UPDATE.to_string()),
            brief_id: Set(brief_id),
            created_at: Set(now),
            read_at: Set(None),
            detail: Set(Some(summary.to_string())),
            ..Default::default()
        }))
        .on_conflict_do_nothing_on([
            notifications::Column::UserId,
            notifications::Column::Kind,
            notifications::Column::BriefId,
        ])
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// Tells those who triage a list that a case waits there: the coordinators of the
/// institution (for a reporter's unit: of the institution, or of that unit or one above
/// it), or the national users for the national list. While someone's notice is unread it
/// is only brought to the top, and no second email goes: a hoax reported by hundreds is
/// one message. Failures are logged; the report is stored.
async fn tell_desk(
    db: &DatabaseConnection,
    mailer: &Mailer,
    owner: Option<i64>,
    unit: Option<i64>,
) {
    if let Err(e) = tell_desk_now(db, mailer, owner, unit).await {
        tracing::warn!(error = %e, "those who triage hoaxes were not told");
    }
}

async fn tell_desk_now(
    db: &DatabaseConnection,
    mailer: &Mailer,
    owner: Option<i64>,
    unit: Option<i64>,
) -> AppResult<()> {
    let mut q = users::Entity::find().filter(users::Column::IsActive.eq(true));
    q = match owner {
        None => q.filter(users::Column::Role.eq(Role::National.as_str())),
        Some(inst) => {
            let above: Vec<i64> = match unit {
                None => Vec::new(),
                Some(u) => work_units::Entity::find_by_id(u)
                    .one(db)
                    .await?
                    .map(|u| u.path)
                    .unwrap_or_default()
                    .split('/')
                    .filter_map(|p| p.parse::<i64>().ok())
                    .collect(),
            };
            q.filter(users::Column::InstitutionId.eq(inst))
                .filter(users::Column::Role.eq(Role::Coordinator.as_str()))
                .filter(
                    Condition::any()
                        .add(users::Column::WorkUnitId.is_null())
                        .add(users::Column::WorkUnitId.is_in(above)),
                )
        }
    };
    let desk: Vec<i64> = q
        .select_only()
        .column(users::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    crate::notifications::service::notice_once(db, mailer, REPORTED, &desk, "/hoaxes").await
}

/// The institutions a case may be moved to, for the form: every one but the list's own.
pub async fn targets(db: &DatabaseConnection) -> AppResult<Vec<(i64, String)>> {
    Ok(institutions::Entity::find()
        .order_by_asc(institutions::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i.name))
        .collect())
}

/// The highest page number a list takes.
pub const MAX_PAGE: u64 = 100_000;
/// The longest search a triage list takes.
pub const MAX_SEARCH: usize = 100;

/// A list's page number as asked (1 when absent): 1 to [`MAX_PAGE`], else 422.
pub fn check_page(page: Option<u64>) -> AppResult<u64> {
    match page {
        None => Ok(1),
        Some(p) if (1..=MAX_PAGE).contains(&p) => Ok(p),
        Some(_) => Err(AppError::Validation(FieldErrors::single(
            "page",
            Msg::new("hoaxes.page_invalid").arg("max", MAX_PAGE),
        ))),
    }
}
