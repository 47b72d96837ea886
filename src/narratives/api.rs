//! The national-brief API: the national role writes (`POST /api/v1/national-briefs`),
//! coordinators answer for their institution (adopt or decline), and both read the list
//! and a brief's uptake.

use rocket::http::Status;
use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;

use super::forms::{AdoptRequest, DeclineRequest, NationalBriefRequest};
use super::service::{self, NationalBriefPage, NationalBriefView, UptakeRow};
use crate::auth::guards::{Coordinating, InstitutionDesk, NationalDesk};
use crate::error::{ApiErrorBody, AppResult};
use crate::http::client_ip::ClientIp;
use crate::notify::Mailer;
use crate::state::Shared;
use crate::web::json::ApiJson;
use crate::web::query::Opt;

/// Writes a national brief (national users): checked by the rules of a brief, published
/// at once in the current week to every institution of `kinds` and `regions`, whose
/// coordinators are told; 422 at `kinds` when no institution matches. With
/// `hoax_case_id`, it answers that confirmed case of the national hoax list (409 for a
/// case of an institution's list, not confirmed, or answered). Audited.
#[utoipa::path(post, path = "/api/v1/national-briefs", tag = "national-briefs", security(("bearer" = [])),
    request_body = NationalBriefRequest,
    responses((status = 201, body = NationalBriefView), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
              (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/national-briefs", data = "<body>")]
pub async fn create(
    body: ApiJson<NationalBriefRequest>,
    user: NationalDesk<'_>,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<Mailer>,
    ip: ClientIp,
) -> AppResult<(Status, Json<NationalBriefView>)> {
    let made = service::create(db, mailer, &user, &body.0.input(), &ip).await?;
    Ok((Status::Created, Json(made)))
}

/// National briefs, newest first, 50 a page: national users and admins every one, with
/// the counts of their uptake; coordinators those that reached their institution, with
/// its answer.
#[utoipa::path(get, path = "/api/v1/national-briefs", tag = "national-briefs", security(("bearer" = [])),
    params(("page" = Option<i64>, Query, minimum = 1, maximum = 100_000, description = "from 1")),
    responses((status = 200, body = NationalBriefPage), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::get("/national-briefs?<page>")]
pub async fn index(
    page: Opt<u64>,
    user: Coordinating<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<NationalBriefPage>> {
    let page = crate::hoaxes::service::check_page(page.0)?;
    Ok(Json(service::list(db, &user, page).await?))
}

/// A national brief with its uptake per institution (adopted, ambassadors reached,
/// posts, time to amplify; declined with the reason); a coordinator sees their
/// institution's row only, and 404 for a brief that did not reach it.
#[utoipa::path(get, path = "/api/v1/national-briefs/{id}", tag = "national-briefs", security(("bearer" = [])),
    params(("id" = i64, Path, description = "national brief id")),
    responses((status = 200, body = NationalBriefView), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
#[rocket::get("/national-briefs/<id>")]
pub async fn show(
    id: i64,
    user: Coordinating<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<NationalBriefView>> {
    Ok(Json(service::view(db, &user, id).await?))
}

/// The caller's institution adopts a national brief (a coordinator of the whole
/// institution; 403 for one limited to a unit): its own brief, published at once to the
/// whole institution with the national content and its own key messages, facts and
/// wording. 409 when the institution answered before (adopting twice) or the deadline
/// has passed. Audited.
#[utoipa::path(post, path = "/api/v1/national-briefs/{id}/adoption", tag = "national-briefs", security(("bearer" = [])),
    params(("id" = i64, Path, description = "national brief id")), request_body = AdoptRequest,
    responses((status = 201, body = UptakeRow), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
              (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/national-briefs/<id>/adoption", data = "<body>")]
pub async fn adopt(
    id: i64,
    body: ApiJson<AdoptRequest>,
    user: InstitutionDesk<'_>,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<Mailer>,
    ip: ClientIp,
) -> AppResult<(Status, Json<UptakeRow>)> {
    let row = service::adopt(db, mailer, &user, id, &body.0.input(), &ip).await?;
    Ok((Status::Created, Json(row)))
}

/// The caller's institution declines a national brief with a reason the national page
/// shows. 409 when it answered before. Audited.
#[utoipa::path(post, path = "/api/v1/national-briefs/{id}/decline", tag = "national-briefs", security(("bearer" = [])),
    params(("id" = i64, Path, description = "national brief id")), request_body = DeclineRequest,
    responses((status = 200, body = UptakeRow), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
              (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/national-briefs/<id>/decline", data = "<body>")]
pub async fn decline(
    id: i64,
    body: ApiJson<DeclineRequest>,
    user: InstitutionDesk<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<UptakeRow>> {
    Ok(Json(
        service::decline(db, &user, id, &body.0.reason, &ip).await?,
    ))
}
