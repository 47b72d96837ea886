//! The hoax API: reporting (`/api/v1/hoax-reports`, multipart with an optional
//! screenshot), one's own reports, and the triage of cases (`/api/v1/hoax-cases`). The
//! clarification brief made from a case is `briefs::api::clarify`.

use rocket::form::Form;
use rocket::http::Status;
use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::{DecideRequest, ForwardRequest, ReportUpload, ReportUploadDoc};
use super::service::{self, CaseFilter, CasePage, CaseView, MyReportView, ReportInput, Target};
use crate::auth::guards::{Coordinating, Reporter};
use crate::error::{ApiErrorBody, AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::http::upload::{form_errors, one_value, StrictUpload};
use crate::media::service::MediaStore;
use crate::notify::Mailer;
use crate::state::Shared;
use crate::web::json::ApiJson;
use crate::web::query::Opt;

type ReportUploadResult<'r> =
    Result<Form<StrictUpload<ReportUpload<'r>>>, rocket::form::Errors<'r>>;

fn field_msg(field: &str) -> Msg {
    match field {
        "links" => Msg::new("hoaxes.links_too_long"),
        "platform" => Msg::new("hoaxes.platform_invalid"),
        "seen_where" => {
            Msg::new("hoaxes.seen_where_invalid").arg("max", super::rules::SEEN_WHERE.max)
        }
        "note" => Msg::new("hoaxes.note_invalid").arg("max", super::rules::NOTE.max),
        _ => Msg::new("media.not_image"),
    }
}

/// Reports a circulating hoax or rising issue (approved ambassadors and coordinators):
/// multipart with `links`, `platform`, `seen_where`, `note` and an optional
/// `screenshot`. Each of the one to five `links` (one per line, or separated by
/// spaces) must be a web address (`http`/`https`, a host with a dot; without a scheme,
/// `https` is assumed), and the screenshot a JPEG, PNG, WebP or GIF image; a link or a
/// screenshot is required (422 at `links`). The report joins the case of the same hoax
/// (a link already reported, or a near-identical screenshot, in the reporter's
/// institution) or starts a new case, whose coordinators are told once.
#[utoipa::path(post, path = "/api/v1/hoax-reports", tag = "hoaxes", security(("bearer" = [])),
    request_body(content = ReportUploadDoc, content_type = "multipart/form-data"),
    responses((status = 201, body = MyReportView), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 413, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/hoax-reports", data = "<upload>")]
pub async fn create(
    upload: ReportUploadResult<'_>,
    user: Reporter<'_>,
    db: &Shared<DatabaseConnection>,
    store: &Shared<MediaStore>,
    mailer: &Shared<Mailer>,
) -> AppResult<(Status, Json<MyReportView>)> {
    let upload = upload.map_err(|errors| {
        form_errors(
            &errors,
            &[
                ("screenshot", field_msg("screenshot")),
                ("links", field_msg("links")),
                ("platform", field_msg("platform")),
                ("seen_where", field_msg("seen_where")),
                ("note", field_msg("note")),
            ],
        )
    })?;
    let mut errors = FieldErrors::new();
    let mut text = |values: &[String], field: &str| {
        one_value(values, field, &field_msg(field), &mut errors)
            .unwrap_or_default()
            .to_string()
    };
    let input = ReportInput {
        links: text(&upload.links, "links"),
        platform: text(&upload.platform, "platform"),
        seen_where: text(&upload.seen_where, "seen_where"),
        note: text(&upload.note, "note"),
    };
    let picture = match upload.screenshot.as_slice() {
        [] => None,
        [one] if one.len() == 0 => None,
        [one] => Some(
            crate::http::upload::read_upload(one, crate::media::rules::MAX_UPLOAD_BYTES as u64)
                .await?,
        ),
        _ => {
            errors.add("screenshot", field_msg("screenshot"));
            None
        }
    };
    errors.into_result()?;
    let saved = service::create_report(db, store, mailer, &user, &input, picture).await?;
    Ok((Status::Created, Json(saved)))
}

/// A page of one's own reports.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MyReportsPage {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub items: Vec<MyReportView>,
}

/// The caller's own reports, newest first, 50 a page, each with what became of its
/// hoax (state, the coordinator's note, the list it went to, the clarification brief).
#[utoipa::path(get, path = "/api/v1/hoax-reports/mine", tag = "hoaxes", security(("bearer" = [])),
    params(("page" = Option<i64>, Query, minimum = 1, maximum = 100_000, description = "from 1")),
    responses((status = 200, body = MyReportsPage), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::get("/hoax-reports/mine?<page>")]
pub async fn mine(
    page: Opt<u64>,
    user: Reporter<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<MyReportsPage>> {
    let page = service::check_page(page.0)?;
    let (total, items) = service::list_mine(db, &user, page).await?;
    Ok(Json(MyReportsPage {
        total,
        page,
        per_page: service::PER_PAGE,
        items,
    }))
}

/// The caller's triage list (coordinators: their institution's; national users: the
/// national list; admins: every list), the latest reported first, 50 a page. `state`:
/// `open` (new and confirmed; the default), `all`, or one state; `q`: words in the
/// case's name.
#[utoipa::path(get, path = "/api/v1/hoax-cases", tag = "hoaxes", security(("bearer" = [])),
    params(("state" = Option<String>, Query, pattern = "^(|open|all|new|confirmed|not_hoax|answered)$"),
           ("q" = Option<String>, Query, max_length = 100),
           ("page" = Option<i64>, Query, minimum = 1, maximum = 100_000, description = "from 1")),
    responses((status = 200, body = CasePage), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::get("/hoax-cases?<state>&<q>&<page>")]
pub async fn index(
    state: Opt<String>,
    q: Opt<String>,
    page: Opt<u64>,
    user: Coordinating<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<CasePage>> {
    let filter = filter_of(state.0, q.0, page.0)?;
    Ok(Json(service::list_cases(db, &user, &filter).await?))
}

/// A triage list's filter as asked; a search over 100 characters or a page out of range
/// is 422.
pub fn filter_of(
    state: Option<String>,
    q: Option<String>,
    page: Option<u64>,
) -> AppResult<CaseFilter> {
    let q = q.unwrap_or_default();
    if q.chars().count() > service::MAX_SEARCH {
        return Err(AppError::Validation(FieldErrors::single(
            "q",
            Msg::new("hoaxes.search_too_long").arg("max", service::MAX_SEARCH),
        )));
    }
    Ok(CaseFilter {
        state: state.unwrap_or_default(),
        q,
        page: service::check_page(page)?,
    })
}

/// A case in the caller's triage list with its reports (404 outside it).
#[utoipa::path(get, path = "/api/v1/hoax-cases/{id}", tag = "hoaxes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "case id")),
    responses((status = 200, body = CaseView), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
#[rocket::get("/hoax-cases/<id>")]
pub async fn show(
    id: i64,
    user: Coordinating<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<CaseView>> {
    Ok(Json(service::case_view(db, &user, id).await?))
}

/// Decides a case: `confirmed` or `not_hoax`, with a note for the reporters (who are
/// told). An answered case is 409. Audited.
#[utoipa::path(post, path = "/api/v1/hoax-cases/{id}/decide", tag = "hoaxes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "case id")), request_body = DecideRequest,
    responses((status = 200, body = CaseView), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
              (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/hoax-cases/<id>/decide", data = "<body>")]
pub async fn decide(
    id: i64,
    body: ApiJson<DecideRequest>,
    user: Coordinating<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<CaseView>> {
    service::decide(db, &user, id, &body.0.decision, &body.0.note, &ip).await?;
    Ok(Json(service::case_view(db, &user, id).await?))
}

/// Moves a case that is not ours to another institution's list or the national one
/// (`to`: an institution's id or `national`), with a note; it is `new` there and its
/// people are told, and the reporters. 204 when moved; 409 at `to` for an institution
/// that does not exist or the list the case lies in already, and for an answered case.
/// Audited.
#[utoipa::path(post, path = "/api/v1/hoax-cases/{id}/forward", tag = "hoaxes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "case id")), request_body = ForwardRequest,
    responses((status = 204, description = "Moved"), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
              (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/hoax-cases/<id>/forward", data = "<body>")]
pub async fn forward(
    id: i64,
    body: ApiJson<ForwardRequest>,
    user: Coordinating<'_>,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<Mailer>,
    ip: ClientIp,
) -> AppResult<Status> {
    let target = Target::parse(&body.0.to);
    service::forward(db, mailer, &user, id, target, &body.0.note, &ip).await?;
    Ok(Status::NoContent)
}
