//! The vetting pages: the queue and a candidate's page with its decisions.

use std::collections::BTreeMap;

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::{ApproveRequest, FollowersRequest, RejectRequest};
use super::service::{self, CandidateDetail, CandidateRow, STATUSES};
use crate::auth::guards::Coordinator;
use crate::error::AppResult;
use crate::followers::FollowerSources;
use crate::http::client_ip::ClientIp;
use crate::http::csrf::{CsrfForm, CsrfProtected};
use crate::nip::NipKey;
use crate::org::service::{list_units_grouped, UnitGroup};
use crate::settings::service::programme_timezone;
use crate::state::Shared;
use crate::web::layout::Layout;

#[derive(Serialize)]
pub struct QueueRow {
    #[serde(flatten)]
    row: CandidateRow,
    submitted_local: String,
}

#[derive(Serialize)]
pub struct VettingQueuePage {
    layout: Layout,
    rows: Vec<QueueRow>,
    status: String,
    statuses: Vec<&'static str>,
    groups: Vec<UnitGroup>,
    work_unit_id: String,
    errors: BTreeMap<String, Vec<String>>,
}

#[rocket::get("/vetting?<status>&<work_unit_id>")]
pub async fn index(
    status: Option<&str>,
    work_unit_id: Option<&str>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<(Status, Template)> {
    let status = status
        .filter(|s| !s.is_empty())
        .unwrap_or("pending")
        .to_string();
    let unit_text = work_unit_id.unwrap_or("").trim().to_string();
    let unit = unit_text.parse::<i64>().ok();
    let tz = programme_timezone(db).await?;
    let (http, rows, errors) = match service::list_candidates(db, &user, Some(&status), unit).await
    {
        Ok(rows) => (Status::Ok, rows, BTreeMap::new()),
        Err(e) => {
            let (s, errors) = e.form_errors(layout.lang)?;
            (s, Vec::new(), errors)
        }
    };
    let rows = rows
        .into_iter()
        .map(|row| QueueRow {
            submitted_local: crate::web::time::local_with_zone(row.submitted_at, &tz),
            row,
        })
        .collect();
    Ok((
        http,
        Template::render(
            "vetting/index",
            VettingQueuePage {
                layout,
                rows,
                status,
                statuses: STATUSES.to_vec(),
                groups: list_units_grouped(db, &user).await?,
                work_unit_id: unit_text,
                errors,
            },
        ),
    ))
}

#[derive(Serialize)]
pub struct CandidatePage {
    layout: Layout,
    detail: CandidateDetail,
    submitted_local: String,
    today: String,
    errors: BTreeMap<String, Vec<String>>,
    values: BTreeMap<String, String>,
    api_platforms: Vec<&'static str>,
    /// The candidate's account, for the sign-in help (while it is active).
    account: Option<crate::auth::view::UserView>,
    back: String,
    /// The units the record may move to.
    groups: Vec<UnitGroup>,
}

async fn candidate_page(
    db: &DatabaseConnection,
    sources: &FollowerSources,
    key: &NipKey,
    user: &Coordinator<'_>,
    id: i64,
    layout: Layout,
    errors: BTreeMap<String, Vec<String>>,
    values: BTreeMap<String, String>,
) -> AppResult<Template> {
    let detail = service::candidate_detail(db, key, user, id).await?;
    let tz = programme_timezone(db).await?;
    let account =
        <entity::users::Entity as sea_orm::EntityTrait>::find_by_id(detail.candidate.user_id)
            .one(db)
            .await?
            .filter(|u| u.is_active)
            .map(|u| crate::auth::view::UserView::from(&u));
    Ok(Template::render(
        "vetting/show",
        CandidatePage {
            layout,
            submitted_local: crate::web::time::local_with_zone(detail.candidate.submitted_at, &tz),
            today: chrono::Utc::now()
                .with_timezone(&tz)
                .format("%Y-%m-%d")
                .to_string(),
            detail,
            errors,
            values,
            api_platforms: sources.configured(),
            account,
            back: format!("/vetting/candidates/{id}"),
            groups: list_units_grouped(db, user).await?,
        },
    ))
}

#[rocket::get("/vetting/candidates/<id>")]
pub async fn show(
    id: i64,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    sources: &Shared<FollowerSources>,
    key: &Shared<NipKey>,
) -> AppResult<Template> {
    candidate_page(
        db,
        sources,
        key,
        &user,
        id,
        layout,
        BTreeMap::new(),
        BTreeMap::new(),
    )
    .await
}

#[derive(FromForm)]
pub struct DecisionForm {
    #[field(default = String::new())]
    pub member_since: String,
    #[field(default = String::new())]
    pub reason: String,
    #[field(default = String::new())]
    pub platform: String,
    #[field(default = String::new())]
    pub count: String,
    /// The reasons of a suspension and a removal (both forms may be on one page).
    #[field(default = String::new())]
    pub suspend_reason: String,
    #[field(default = String::new())]
    pub remove_reason: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for DecisionForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

type PageResult = AppResult<Result<Flash<Redirect>, (Status, Template)>>;

/// Runs a decision; on a refusal the candidate page comes back with the message in place.
#[allow(clippy::too_many_arguments)]
async fn act(
    id: i64,
    form: DecisionForm,
    user: Coordinator<'_>,
    layout: Layout,
    db: &DatabaseConnection,
    sources: &FollowerSources,
    key: &NipKey,
    result: AppResult<()>,
    done_key: &'static str,
) -> PageResult {
    match result {
        Ok(()) => Ok(Ok(Flash::success(
            Redirect::to(format!("/vetting/candidates/{id}")),
            done_key,
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            let mut values = BTreeMap::new();
            values.insert("member_since".to_string(), form.member_since);
            values.insert("reason".to_string(), form.reason);
            values.insert(format!("count.{}", form.platform), form.count);
            let page = candidate_page(db, sources, key, &user, id, layout, errors, values).await?;
            Ok(Err((status, page)))
        }
    }
}

#[rocket::post("/vetting/candidates/<id>/approve", data = "<form>")]
pub async fn approve(
    id: i64,
    form: CsrfForm<DecisionForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    sources: &Shared<FollowerSources>,
    key: &Shared<NipKey>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> PageResult {
    let input = ApproveRequest {
        member_since: Some(form.0.member_since.clone()),
    };
    let result = service::approve(db, key, mailer, &user, id, &input, &ip)
        .await
        .map(|_| ());
    act(
        id,
        form.0,
        user,
        layout,
        db,
        sources,
        key,
        result,
        "vetting.approved",
    )
    .await
}

#[rocket::post("/vetting/candidates/<id>/reject", data = "<form>")]
pub async fn reject(
    id: i64,
    form: CsrfForm<DecisionForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    sources: &Shared<FollowerSources>,
    key: &Shared<NipKey>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> PageResult {
    let input = RejectRequest {
        reason: form.0.reason.clone(),
    };
    let result = service::reject(db, mailer, &user, id, &input, &ip)
        .await
        .map(|_| ());
    act(
        id,
        form.0,
        user,
        layout,
        db,
        sources,
        key,
        result,
        "vetting.rejected",
    )
    .await
}

/// Suspends, removes or reinstates; a refusal comes back on the page at the step's own
/// reason field, with what was typed.
#[allow(clippy::too_many_arguments)]
async fn membership(
    id: i64,
    form: DecisionForm,
    step: super::lifecycle::Step,
    user: Coordinator<'_>,
    layout: Layout,
    db: &DatabaseConnection,
    sources: &FollowerSources,
    key: &NipKey,
    mailer: &crate::notify::Mailer,
    ip: &ClientIp,
) -> PageResult {
    use super::lifecycle::Step;
    let (field, typed) = match step {
        Step::Suspend => ("suspend_reason", form.suspend_reason.clone()),
        Step::Remove => ("remove_reason", form.remove_reason.clone()),
        Step::Reinstate => ("reason", String::new()),
    };
    let result = super::lifecycle::change(db, mailer, &user, id, step, Some(&typed), ip).await;
    match result {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/vetting/candidates/{id}")),
            match step {
                Step::Suspend => "membership.suspended_done",
                Step::Remove => "membership.removed_done",
                Step::Reinstate => "membership.reinstated_done",
            },
        ))),
        Err(e) => {
            // 409 for a step from the wrong status, 422 for the reason.
            let status = e.status();
            let (_, mut errors) = e.form_errors(layout.lang)?;
            if let Some(messages) = errors.remove("reason") {
                errors.insert(field.to_string(), messages);
            }
            let values = BTreeMap::from([(field.to_string(), typed)]);
            let page = candidate_page(db, sources, key, &user, id, layout, errors, values).await?;
            Ok(Err((status, page)))
        }
    }
}

#[rocket::post("/vetting/candidates/<id>/suspend", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn suspend(
    id: i64,
    form: CsrfForm<DecisionForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    sources: &Shared<FollowerSources>,
    key: &Shared<NipKey>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> PageResult {
    let step = super::lifecycle::Step::Suspend;
    membership(
        id, form.0, step, user, layout, db, sources, key, mailer, &ip,
    )
    .await
}

#[rocket::post("/vetting/candidates/<id>/remove", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn remove(
    id: i64,
    form: CsrfForm<DecisionForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    sources: &Shared<FollowerSources>,
    key: &Shared<NipKey>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> PageResult {
    let step = super::lifecycle::Step::Remove;
    membership(
        id, form.0, step, user, layout, db, sources, key, mailer, &ip,
    )
    .await
}

#[rocket::post("/vetting/candidates/<id>/reinstate", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn reinstate(
    id: i64,
    form: CsrfForm<DecisionForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    sources: &Shared<FollowerSources>,
    key: &Shared<NipKey>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> PageResult {
    let step = super::lifecycle::Step::Reinstate;
    membership(
        id, form.0, step, user, layout, db, sources, key, mailer, &ip,
    )
    .await
}

#[derive(FromForm)]
pub struct RecordForm {
    #[field(default = String::new())]
    pub name: String,
    #[field(default = String::new())]
    pub email: String,
    #[field(default = String::new())]
    pub nip: String,
    #[field(default = String::new())]
    pub employee_type: String,
    #[field(default = String::new())]
    pub work_unit_id: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for RecordForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// Corrects or moves an ambassador's record from their page. The unit picker lists the
/// units the caller may choose; an admin picking a unit of another institution transfers
/// the person there. A refusal comes back with the message at the field and what was typed.
#[rocket::post("/vetting/candidates/<id>/record", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn correct(
    id: i64,
    form: CsrfForm<RecordForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    sources: &Shared<FollowerSources>,
    key: &Shared<NipKey>,
    ip: ClientIp,
) -> PageResult {
    let f = form.0;
    let unit = f.work_unit_id.trim().parse::<i64>().ok();
    let institution_id = match unit {
        Some(u) => <entity::work_units::Entity as sea_orm::EntityTrait>::find_by_id(u)
            .one(db.inner())
            .await?
            .map(|w| w.institution_id),
        None => None,
    };
    let input = super::record::RecordChange {
        name: Some(f.name.clone()),
        email: Some(f.email.clone()),
        nip: Some(f.nip.clone()),
        employee_type: Some(f.employee_type.clone()),
        work_unit_id: unit,
        institution_id,
    };
    let result = if unit.is_none() && !f.work_unit_id.trim().is_empty() {
        Err(crate::error::AppError::Validation(
            crate::error::FieldErrors::single(
                "work_unit_id",
                crate::error::Msg::conflict("users.work_unit_unknown"),
            ),
        ))
    } else {
        super::record::change(db, key, &user, id, &input, &ip).await
    };
    match result {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/vetting/candidates/{id}")),
            "record.saved",
        ))),
        Err(e) => {
            let status = e.status();
            let (_, errors) = e.form_errors(layout.lang)?;
            let values = BTreeMap::from([
                ("record_name".to_string(), f.name),
                ("record_email".to_string(), f.email),
                ("record_nip".to_string(), f.nip),
                ("record_employee_type".to_string(), f.employee_type),
                ("record_work_unit_id".to_string(), f.work_unit_id),
            ]);
            let errors = errors
                .into_iter()
                .map(|(k, v)| (format!("record_{k}"), v))
                .collect();
            let page = candidate_page(db, sources, key, &user, id, layout, errors, values).await?;
            Ok(Err((status, page)))
        }
    }
}

#[rocket::post("/vetting/candidates/<id>/followers", data = "<form>")]
pub async fn followers(
    id: i64,
    form: CsrfForm<DecisionForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    sources: &Shared<FollowerSources>,
    key: &Shared<NipKey>,
    ip: ClientIp,
) -> PageResult {
    let count = form.0.count.trim();
    let input = FollowersRequest {
        platform: form.0.platform.clone(),
        count: (!count.is_empty()).then(|| serde_json::Value::String(count.to_string())),
    };
    let result = service::set_followers(db, &user, id, &input, &ip)
        .await
        .map(|_| ());
    act(
        id,
        form.0,
        user,
        layout,
        db,
        sources,
        key,
        result,
        "vetting.count_saved",
    )
    .await
}

#[rocket::post("/vetting/candidates/<id>/recheck", data = "<form>")]
pub async fn recheck(
    id: i64,
    form: CsrfForm<DecisionForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    sources: &Shared<FollowerSources>,
    key: &Shared<NipKey>,
    ip: ClientIp,
) -> PageResult {
    let result = service::recheck(db, sources, &user, id, &form.0.platform, &ip)
        .await
        .map(|_| ());
    act(
        id,
        form.0,
        user,
        layout,
        db,
        sources,
        key,
        result,
        "vetting.rechecked",
    )
    .await
}

#[derive(Serialize)]
pub struct ImportPage {
    layout: Layout,
    report: Option<super::import::ImportReport>,
    groups: Vec<UnitGroup>,
    needs_institution: bool,
    errors: BTreeMap<String, Vec<String>>,
}

#[rocket::get("/vetting/import")]
pub async fn import_page(
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    let needs_institution = user.scope() == crate::auth::roles::Scope::All;
    Ok(Template::render(
        "vetting/import",
        ImportPage {
            layout,
            report: None,
            groups: list_units_grouped(db, &user).await?,
            needs_institution,
            errors: BTreeMap::new(),
        },
    ))
}

#[derive(FromForm)]
pub struct ImportForm<'r> {
    pub file: Option<rocket::fs::TempFile<'r>>,
    #[field(default = String::new())]
    pub institution_id: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for ImportForm<'_> {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[rocket::post("/vetting/import", data = "<form>")]
pub async fn import(
    form: crate::http::csrf::CsrfMultipart<ImportForm<'_>>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    hasher: &Shared<crate::auth::passwords::Hasher>,
    key: &Shared<crate::nip::NipKey>,
    cfg: &Shared<crate::config::AppConfig>,
    mailer: &Shared<crate::notify::Mailer>,
    origin: crate::http::origin::Origin,
    ip: ClientIp,
) -> AppResult<(Status, Template)> {
    use crate::error::{AppError, FieldErrors, Msg};
    let form = form.0;
    let needs_institution = user.scope() == crate::auth::roles::Scope::All;
    let lang = layout.lang;
    let result: AppResult<super::import::ImportReport> = async {
        let requested = form.institution_id.trim().parse::<i64>().ok();
        let target = super::import::target_institution(&user, requested)?;
        let file = form.file.as_ref().filter(|f| f.len() > 0).ok_or_else(|| {
            AppError::Validation(FieldErrors::single("file", Msg::new("import.empty")))
        })?;
        let bytes = crate::http::upload::read_upload(file, super::import::MAX_BYTES).await?;
        {
            let inviting = super::import::Inviting {
                cfg,
                mailer,
                origin: &origin.0,
            };
            super::import::import_roster(
                db, hasher, key, &inviting, &user, target, &bytes, lang, &ip,
            )
            .await
        }
    }
    .await;
    let groups = list_units_grouped(db, &user).await?;
    match result {
        Ok(report) => {
            let status = if report.imported > 0 {
                Status::Ok
            } else {
                Status::UnprocessableEntity
            };
            let page = ImportPage {
                layout,
                report: Some(report),
                groups,
                needs_institution,
                errors: BTreeMap::new(),
            };
            Ok((status, Template::render("vetting/import", page)))
        }
        Err(e) => {
            let (status, errors) = e.form_errors(lang)?;
            Ok((
                status,
                Template::render(
                    "vetting/import",
                    ImportPage {
                        layout,
                        report: None,
                        groups,
                        needs_institution,
                        errors,
                    },
                ),
            ))
        }
    }
}
