//! The hoax pages: the report form and one's own reports (approved ambassadors and
//! coordinators), the triage list and a case's page with its decisions (coordinators,
//! national users, admins).

use std::collections::BTreeMap;

use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::{DecideForm, ForwardForm, ReportForm};
use super::rules;
use super::service::{self, CasePage, CaseView, MyReportView, Target};
use crate::auth::guards::{Coordinating, CurrentUser, Reporter};
use crate::auth::roles::Role;
use crate::error::AppResult;
use crate::http::client_ip::ClientIp;
use crate::http::csrf::{CsrfForm, CsrfMultipart};
use crate::media::service::MediaStore;
use crate::notify::Mailer;
use crate::state::Shared;
use crate::web::layout::Layout;
use crate::web::query::Opt;

type PageResult = AppResult<Result<Flash<Redirect>, (Status, Template)>>;

/// What the report form keeps when it is shown again.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReportValues {
    links: String,
    platform: String,
    seen_where: String,
    note: String,
}

#[derive(Serialize)]
pub struct ReportNewPage {
    layout: Layout,
    values: ReportValues,
    errors: BTreeMap<String, Vec<String>>,
    channels: &'static [&'static str],
}

fn report_page(
    layout: Layout,
    values: ReportValues,
    errors: BTreeMap<String, Vec<String>>,
) -> Template {
    Template::render(
        "hoaxes/new",
        ReportNewPage {
            layout,
            values,
            errors,
            channels: &rules::CHANNELS,
        },
    )
}

/// The report form: approved ambassadors and coordinators.
#[rocket::get("/hoaxes/new")]
pub async fn new(
    user: Reporter<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    service::reporter_place(db, &user).await?;
    Ok(report_page(
        layout,
        ReportValues::default(),
        BTreeMap::new(),
    ))
}

/// Stores a report; on refusal the form again with the messages and what was typed.
#[rocket::post("/hoaxes", data = "<form>")]
pub async fn create(
    form: CsrfMultipart<ReportForm<'_>>,
    user: Reporter<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    store: &Shared<MediaStore>,
    mailer: &Shared<Mailer>,
) -> PageResult {
    let form = form.0;
    let values = ReportValues {
        links: form.links.clone(),
        platform: form.platform.clone(),
        seen_where: form.seen_where.clone(),
        note: form.note.clone(),
    };
    let result = match crate::http::upload::read_optional_picture(form.screenshot.as_ref()).await {
        Ok(picture) => {
            service::create_report(db, store, mailer, &user, &form.input(), picture).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to("/hoaxes/mine"),
            "hoaxes.reported",
        ))),
        Err(e) => {
            let (status, errors) = crate::http::upload::page_errors(e, layout.lang, "screenshot")?;
            Ok(Err((status, report_page(layout, values, errors))))
        }
    }
}

#[derive(Serialize)]
pub struct MyReportsPage {
    layout: Layout,
    reports: Vec<MyReportView>,
    total: u64,
    page: u64,
    pages: u64,
}

/// One's own reports with what became of each.
#[rocket::get("/hoaxes/mine?<page>")]
pub async fn mine(
    page: Opt<u64>,
    user: Reporter<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    let page = service::check_page(page.0)?;
    let (total, reports) = service::list_mine(db, &user, page).await?;
    Ok(Template::render(
        "hoaxes/mine",
        MyReportsPage {
            layout,
            reports,
            total,
            page,
            pages: total.div_ceil(service::PER_PAGE).max(1),
        },
    ))
}

#[derive(Serialize)]
pub struct TriagePage {
    layout: Layout,
    cases: CasePage,
    pages: u64,
    state: String,
    q: String,
    states: &'static [&'static str],
}

/// The triage list.
#[rocket::get("/hoaxes?<state>&<q>&<page>")]
pub async fn index(
    state: Opt<String>,
    q: Opt<String>,
    page: Opt<u64>,
    user: Coordinating<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    let filter = super::api::filter_of(state.0, q.0, page.0)?;
    let cases = service::list_cases(db, &user, &filter).await?;
    Ok(Template::render(
        "hoaxes/index",
        TriagePage {
            layout,
            pages: cases.total.div_ceil(service::PER_PAGE).max(1),
            cases,
            state: if filter.state.is_empty() {
                "open".into()
            } else {
                filter.state
            },
            q: filter.q,
            states: &service::STATE_FILTERS,
        },
    ))
}

#[derive(Serialize)]
pub struct CaseShowPage {
    layout: Layout,
    case: CaseView,
    /// Institutions a case may go to: (id, name).
    targets: Vec<(i64, String)>,
    decidable: bool,
    /// A coordinator (or admin) may make the clarification brief of a confirmed case of
    /// an institution's list.
    can_clarify: bool,
    /// A national user may answer a confirmed case of the national list with a national
    /// brief.
    can_answer_nationally: bool,
    /// The national brief that answers the case, if any.
    national_brief_id: Option<i64>,
    decide: DecideForm,
    forward: ForwardForm,
    errors: BTreeMap<String, Vec<String>>,
}

async fn case_page(
    db: &DatabaseConnection,
    user: &CurrentUser,
    layout: Layout,
    id: i64,
    forms: (DecideForm, ForwardForm),
    errors: BTreeMap<String, Vec<String>>,
) -> AppResult<Template> {
    let case = service::case_view(db, user, id).await?;
    let targets = service::targets(db).await?;
    let decidable = rules::decidable(&case.case.state);
    let can_clarify = matches!(user.role, Role::Coordinator | Role::Admin)
        && case.case.state == "confirmed"
        && case.case.brief_id.is_none()
        && case.case.owner_institution.is_some();
    let national_brief_id = crate::narratives::service::of_case(db, id).await?;
    let can_answer_nationally = user.role == Role::National
        && case.case.state == "confirmed"
        && case.case.owner_institution.is_none()
        && national_brief_id.is_none();
    let (decide, forward) = forms;
    Ok(Template::render(
        "hoaxes/show",
        CaseShowPage {
            layout,
            case,
            targets,
            decidable,
            can_clarify,
            can_answer_nationally,
            national_brief_id,
            decide,
            forward,
            errors,
        },
    ))
}

/// A case with its reports and what can be done with it.
#[rocket::get("/hoaxes/<id>", rank = 2)]
pub async fn show(
    id: i64,
    user: Coordinating<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    case_page(db, &user, layout, id, Default::default(), BTreeMap::new()).await
}

#[rocket::post("/hoaxes/<id>/decide", data = "<form>")]
pub async fn decide(
    id: i64,
    form: CsrfForm<DecideForm>,
    user: Coordinating<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> PageResult {
    let form = form.0;
    match service::decide(db, &user, id, &form.decision, &form.note, &ip).await {
        Ok(()) => Ok(Ok(Flash::success(
            Redirect::to(format!("/hoaxes/{id}")),
            "hoaxes.decided",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            let page = case_page(
                db,
                &user,
                layout,
                id,
                (form, ForwardForm::default()),
                errors,
            )
            .await?;
            Ok(Err((status, page)))
        }
    }
}

#[rocket::post("/hoaxes/<id>/forward", data = "<form>")]
pub async fn forward(
    id: i64,
    form: CsrfForm<ForwardForm>,
    user: Coordinating<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<Mailer>,
    ip: ClientIp,
) -> PageResult {
    let form = form.0;
    let target = Target::parse(&form.to);
    match service::forward(db, mailer, &user, id, target, &form.note, &ip).await {
        // The case has left the caller's list (unless they see every list).
        Ok(()) => Ok(Ok(Flash::success(
            Redirect::to(if user.role == Role::Admin {
                format!("/hoaxes/{id}")
            } else {
                "/hoaxes".to_string()
            }),
            "hoaxes.forwarded",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            let page =
                case_page(db, &user, layout, id, (DecideForm::default(), form), errors).await?;
            Ok(Err((status, page)))
        }
    }
}
