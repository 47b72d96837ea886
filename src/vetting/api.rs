//! The vetting API for coordinators (and admins).

use rocket::serde::json::Json;
use rocket::State;
use sea_orm::DatabaseConnection;

use super::forms::{ApproveRequest, FollowersRequest, RecheckRequest, RejectRequest};
use super::service::{self, CandidateDetail, CandidateRow};
use crate::api::json::ApiJson;
use crate::auth::guards::Coordinator;
use crate::error::{ApiErrorBody, AppResult};
use crate::followers::FollowerSources;
use crate::web::client_ip::ClientIp;

#[utoipa::path(get, path = "/api/v1/vetting/candidates", tag = "vetting", security(("bearer" = [])),
    params(("status" = Option<String>, Query, description = "pending (default), approved, rejected, suspended, withdrawn"),
           ("work_unit_id" = Option<i64>, Query, description = "a work unit; its subtree is included")),
    responses((status = 200, body = [CandidateRow]), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::get("/vetting/candidates?<status>&<work_unit_id>")]
pub async fn index(
    status: Option<&str>,
    work_unit_id: Option<i64>,
    user: Coordinator<'_>,
    db: &State<DatabaseConnection>,
) -> AppResult<Json<Vec<CandidateRow>>> {
    Ok(Json(
        service::list_candidates(db, &user, status, work_unit_id).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/vetting/candidates/{id}", tag = "vetting", security(("bearer" = [])),
    params(("id" = i64, Path, description = "candidate (ambassador) id")),
    responses((status = 200, body = CandidateDetail), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody)))]
#[rocket::get("/vetting/candidates/<id>")]
pub async fn show(
    id: i64,
    user: Coordinator<'_>,
    db: &State<DatabaseConnection>,
) -> AppResult<Json<CandidateDetail>> {
    Ok(Json(service::candidate_detail(db, &user, id).await?))
}

#[utoipa::path(post, path = "/api/v1/vetting/candidates/{id}/approve", tag = "vetting", security(("bearer" = [])),
    params(("id" = i64, Path, description = "candidate id")), request_body = ApproveRequest,
    responses((status = 200, body = CandidateDetail), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/vetting/candidates/<id>/approve", data = "<body>")]
pub async fn approve(
    id: i64,
    body: ApiJson<ApproveRequest>,
    user: Coordinator<'_>,
    db: &State<DatabaseConnection>,
    mailer: &State<crate::notify::Mailer>,
    ip: ClientIp,
) -> AppResult<Json<CandidateDetail>> {
    service::approve(db, mailer, &user, id, &body.0, &ip).await?;
    Ok(Json(service::candidate_detail(db, &user, id).await?))
}

#[utoipa::path(post, path = "/api/v1/vetting/candidates/{id}/reject", tag = "vetting", security(("bearer" = [])),
    params(("id" = i64, Path, description = "candidate id")), request_body = RejectRequest,
    responses((status = 200, body = CandidateDetail), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/vetting/candidates/<id>/reject", data = "<body>")]
pub async fn reject(
    id: i64,
    body: ApiJson<RejectRequest>,
    user: Coordinator<'_>,
    db: &State<DatabaseConnection>,
    mailer: &State<crate::notify::Mailer>,
    ip: ClientIp,
) -> AppResult<Json<CandidateDetail>> {
    service::reject(db, mailer, &user, id, &body.0, &ip).await?;
    Ok(Json(service::candidate_detail(db, &user, id).await?))
}

/// Records a follower count the coordinator read themselves (method `coordinator`).
#[utoipa::path(post, path = "/api/v1/vetting/candidates/{id}/followers", tag = "vetting", security(("bearer" = [])),
    params(("id" = i64, Path, description = "candidate id")), request_body = FollowersRequest,
    responses((status = 200, body = CandidateDetail), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/vetting/candidates/<id>/followers", data = "<body>")]
pub async fn followers(
    id: i64,
    body: ApiJson<FollowersRequest>,
    user: Coordinator<'_>,
    db: &State<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<CandidateDetail>> {
    service::set_followers(db, &user, id, &body.0, &ip).await?;
    Ok(Json(service::candidate_detail(db, &user, id).await?))
}

/// Asks the platform's API again (where Duta has the platform's API).
#[utoipa::path(post, path = "/api/v1/vetting/candidates/{id}/recheck", tag = "vetting", security(("bearer" = [])),
    params(("id" = i64, Path, description = "candidate id")), request_body = RecheckRequest,
    responses((status = 200, body = CandidateDetail), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/vetting/candidates/<id>/recheck", data = "<body>")]
pub async fn recheck(
    id: i64,
    body: ApiJson<RecheckRequest>,
    user: Coordinator<'_>,
    db: &State<DatabaseConnection>,
    sources: &State<FollowerSources>,
    ip: ClientIp,
) -> AppResult<Json<CandidateDetail>> {
    service::recheck(db, sources, &user, id, &body.0.platform, &ip).await?;
    Ok(Json(service::candidate_detail(db, &user, id).await?))
}
