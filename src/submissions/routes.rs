//! The coordinator's pages: the verification queue with its decisions, and the list of
//! ambassadors who have not posted yet this week, with WhatsApp links.

use std::collections::BTreeMap;

use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::DecisionForm;
use super::service::{self, Decision, QueueView, Unposted};
use crate::auth::guards::Coordinator;
use crate::error::AppResult;
use crate::http::client_ip::ClientIp;
use crate::http::csrf::CsrfForm;
use crate::settings::service::programme_timezone;
use crate::state::Shared;
use crate::web::layout::Layout;

/// A queue item with its posting time in the programme's zone.
#[derive(Serialize)]
pub struct QueueRow {
    #[serde(flatten)]
    item: super::service::QueueItem,
    posted_local: String,
}

#[derive(Serialize)]
pub struct QueuePage {
    layout: Layout,
    queue: QueueView,
    rows: Vec<QueueRow>,
    pages: u64,
    /// The item a refused decision was about, with its messages and typed reason.
    failed_id: Option<i64>,
    reason: String,
    errors: BTreeMap<String, Vec<String>>,
    bulk: BulkState,
}

/// The bulk decision form: what was ticked and typed, its messages, and what it did.
#[derive(Serialize, Default)]
pub struct BulkState {
    selected: Vec<i64>,
    reason: String,
    errors: BTreeMap<String, Vec<String>>,
    notice: Option<String>,
}

async fn queue_page(
    db: &DatabaseConnection,
    user: &Coordinator<'_>,
    layout: Layout,
    status: Option<&str>,
    page: Option<u64>,
    failed: Option<(i64, String, BTreeMap<String, Vec<String>>)>,
    bulk: BulkState,
) -> AppResult<(Status, Template)> {
    let tz = programme_timezone(db).await?;
    // A page typed into the address bar past either end shows the nearest one.
    let page = page.map(|p| p.clamp(1, service::MAX_PAGE));
    let (http, queue, errors) = match service::queue(db, user, status, page).await {
        Ok(q) => (Status::Ok, q, BTreeMap::new()),
        Err(e) => {
            let (s, errors) = e.form_errors(layout.lang)?;
            (s, service::queue(db, user, None, page).await?, errors)
        }
    };
    let rows = queue
        .items
        .iter()
        .map(|i| QueueRow {
            posted_local: crate::web::time::local_with_zone(i.submission.posted_at, &tz),
            item: i.clone(),
        })
        .collect();
    let pages = queue.total.div_ceil(service::QUEUE_PAGE).max(1);
    let (failed_id, reason, errors) = match failed {
        Some((id, reason, e)) => (Some(id), reason, e),
        None => (None, String::new(), errors),
    };
    Ok((
        http,
        Template::render(
            "submissions/queue",
            QueuePage {
                layout,
                queue,
                rows,
                pages,
                failed_id,
                reason,
                errors,
                bulk,
            },
        ),
    ))
}

#[rocket::get("/submissions?<status>&<page>")]
pub async fn index(
    status: Option<&str>,
    page: Option<u64>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<(Status, Template)> {
    queue_page(db, &user, layout, status, page, None, BulkState::default()).await
}

type PageResult = AppResult<Result<Flash<Redirect>, (Status, Template)>>;

async fn decide_page(
    db: &DatabaseConnection,
    mailer: &crate::notify::Mailer,
    user: Coordinator<'_>,
    layout: Layout,
    id: i64,
    decision: Decision,
    form: DecisionForm,
    ip: ClientIp,
) -> PageResult {
    match service::decide(db, mailer, &user, id, decision, &form.reason, &ip).await {
        Ok(s) => {
            let (back, note) = match decision {
                Decision::Verify => ("pending", "submissions.verified_note"),
                Decision::Reject => ("pending", "submissions.rejected_note"),
                Decision::Revert => (
                    if s.status == "pending" {
                        "pending"
                    } else {
                        "verified"
                    },
                    "submissions.reverted_note",
                ),
            };
            Ok(Ok(Flash::success(
                Redirect::to(format!("/submissions?status={back}")),
                note,
            )))
        }
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            let (_, page) = queue_page(
                db,
                &user,
                layout,
                None,
                None,
                Some((id, form.reason.clone(), errors)),
                BulkState::default(),
            )
            .await?;
            Ok(Err((status, page)))
        }
    }
}

#[rocket::post("/submissions/<id>/verify", data = "<form>")]
pub async fn verify(
    id: i64,
    form: CsrfForm<DecisionForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> PageResult {
    decide_page(db, mailer, user, layout, id, Decision::Verify, form.0, ip).await
}

#[rocket::post("/submissions/<id>/reject", data = "<form>")]
pub async fn reject(
    id: i64,
    form: CsrfForm<DecisionForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> PageResult {
    decide_page(db, mailer, user, layout, id, Decision::Reject, form.0, ip).await
}

#[rocket::post("/submissions/<id>/revert", data = "<form>")]
pub async fn revert(
    id: i64,
    form: CsrfForm<DecisionForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> PageResult {
    decide_page(db, mailer, user, layout, id, Decision::Revert, form.0, ip).await
}

#[derive(Serialize)]
pub struct RemindersPage {
    layout: Layout,
    rows: Vec<Unposted>,
    limited: bool,
    groups: Vec<crate::org::service::UnitGroup>,
    work_unit_text: String,
    errors: std::collections::BTreeMap<String, Vec<String>>,
}

/// Who has not posted yet this week among those expected to (a brief addressed to them,
/// not on leave, not a holiday week), each with their last verified post and a WhatsApp
/// link carrying the reminder; `work_unit_id` narrows to a unit and its sub-units.
#[rocket::get("/submissions/reminders?<work_unit_id>")]
pub async fn reminders(
    work_unit_id: Option<String>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<(Status, Template)> {
    const SHOWN: u64 = 500;
    let work_unit_text = work_unit_id.unwrap_or_default().trim().to_string();
    let mut errors = std::collections::BTreeMap::new();
    let unit = match work_unit_text.as_str() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                errors.insert(
                    "work_unit_id".to_string(),
                    vec![crate::web::i18n::t(layout.lang, "roster.unit_invalid")],
                );
                None
            }
        },
    };
    let (status, rows) = if errors.is_empty() {
        match service::unposted(
            db,
            Some(&user),
            unit,
            layout.lang,
            SHOWN + 1,
            chrono::Utc::now(),
        )
        .await
        {
            Ok(rows) => (Status::Ok, rows),
            Err(e) => {
                let status = e.status();
                let (_, e) = e.form_errors(layout.lang)?;
                errors.extend(e);
                (status, Vec::new())
            }
        }
    } else {
        (Status::UnprocessableEntity, Vec::new())
    };
    let limited = rows.len() as u64 > SHOWN;
    Ok((
        status,
        Template::render(
            "submissions/reminders",
            RemindersPage {
                groups: crate::org::service::list_units_grouped(db, &user).await?,
                layout,
                rows: rows.into_iter().take(SHOWN as usize).collect(),
                limited,
                work_unit_text,
                errors,
            },
        ),
    ))
}

/// The queue's bulk form: the ticked posts, the button pressed and one reason.
#[derive(rocket::FromForm)]
pub struct BulkDecisionForm {
    #[field(default = Vec::new())]
    pub ids: Vec<String>,
    #[field(default = String::new())]
    pub action: String,
    #[field(default = String::new())]
    pub reason: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl crate::http::csrf::CsrfProtected for BulkDecisionForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// Verifies or rejects the posts ticked on the queue page with one reason; the queue
/// comes back saying how many were decided and which were decided by someone else
/// meanwhile, or, refused, with the ticks and the reason kept.
#[rocket::post("/submissions/bulk", data = "<form>")]
pub async fn bulk(
    form: CsrfForm<BulkDecisionForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> AppResult<(Status, Template)> {
    use crate::error::{AppError, FieldErrors, Msg};
    let f = form.0;
    let lang = layout.lang;
    let ids: Vec<i64> = f.ids.iter().filter_map(|s| s.trim().parse().ok()).collect();
    let decision = match f.action.as_str() {
        "verify" => Some(Decision::Verify),
        "reject" => Some(Decision::Reject),
        _ => None,
    };
    let result = match decision {
        _ if ids.len() != f.ids.len() || ids.is_empty() => Err(AppError::Validation(
            FieldErrors::single("ids", Msg::new("submissions.bulk_none")),
        )),
        None => Err(AppError::Validation(FieldErrors::single(
            "action",
            Msg::new("submissions.bulk_action_invalid"),
        ))),
        Some(d) => super::bulk::decide_many(db, mailer, &user, &ids, d, &f.reason, &ip).await,
    };
    let (status, bulk) = match result {
        Ok(done) => {
            let mut notice = crate::web::i18n::t_with(
                lang,
                if decision == Some(Decision::Verify) {
                    "submissions.bulk_verified"
                } else {
                    "submissions.bulk_rejected"
                },
                &[("n", &done.done.len().to_string())],
            );
            if !done.skipped.is_empty() {
                notice.push(' ');
                notice.push_str(&crate::web::i18n::t_with(
                    lang,
                    "submissions.bulk_skipped",
                    &[("n", &done.skipped.len().to_string())],
                ));
            }
            (
                Status::Ok,
                BulkState {
                    notice: Some(notice),
                    ..Default::default()
                },
            )
        }
        Err(AppError::NotFound) => (
            Status::NotFound,
            BulkState {
                selected: ids,
                reason: f.reason.clone(),
                errors: BTreeMap::from([(
                    "ids".to_string(),
                    vec![crate::web::i18n::t(lang, "submissions.bulk_out_of_scope")],
                )]),
                notice: None,
            },
        ),
        Err(e) => {
            let (status, errors) = e.form_errors(lang)?;
            (
                status,
                BulkState {
                    selected: ids,
                    reason: f.reason.clone(),
                    errors,
                    notice: None,
                },
            )
        }
    };
    let (_, page) = queue_page(db, &user, layout, None, None, None, bulk).await?;
    Ok((status, page))
}

pub fn all() -> Vec<rocket::Route> {
    rocket::routes![index, verify, reject, revert, reminders, bulk]
}
