//! The mentoring API: review requests on drafts, comments and revisions, and mentors.

use rocket::http::Status;
use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;

use super::forms::{CommentRequest, RevisionRequest};
use super::service::{self, MentoringFigures, ReviewPage, ReviewView};
use crate::auth::guards::{Ambassador, Coordinator, Mentoring};
use crate::error::{ApiErrorBody, AppResult};
use crate::http::client_ip::ClientIp;
use crate::state::Shared;
use crate::web::json::ApiJson;
use crate::web::query::Opt;

/// Asks for a review of one of the caller's saved drafts (404 for anyone else's): its
/// text is version 1, and the review waits for a coordinator or a mentor of the
/// institution. 409 when the draft was already sent for review or the caller is not an
/// approved ambassador. Audited.
#[utoipa::path(post, path = "/api/v1/drafts/{id}/review", tag = "mentoring", security(("bearer" = [])),
    params(("id" = i64, Path, description = "draft id")),
    responses((status = 201, body = ReviewView), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
              (status = 409, body = ApiErrorBody)))]
#[rocket::post("/drafts/<id>/review")]
pub async fn request(
    id: i64,
    user: Ambassador<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<(Status, Json<ReviewView>)> {
    Ok((
        Status::Created,
        Json(service::request(db, &user, id, &ip).await?),
    ))
}

/// Reviews, 50 a page: those the caller reviews (coordinators in their scope, admins all,
/// a mentor those of their institution), waiting ones first and oldest first; with
/// `mine=true`, or for an ambassador who reviews nothing, those the caller asked for.
#[utoipa::path(get, path = "/api/v1/reviews", tag = "mentoring", security(("bearer" = [])),
    params(("mine" = Option<bool>, Query, description = "the caller's own requests"),
           ("state" = Option<String>, Query, pattern = "^(waiting|answered|accepted)$", description = "one state"),
           ("page" = Option<i64>, Query, minimum = 1, maximum = 100_000, description = "from 1")),
    responses((status = 200, body = ReviewPage), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::get("/reviews?<mine>&<state>&<page>")]
pub async fn index(
    mine: Opt<bool>,
    state: Opt<String>,
    page: Opt<u64>,
    user: Mentoring<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<ReviewPage>> {
    let page = service::check_page(page.0)?;
    Ok(Json(
        service::list(db, &user, mine.0.unwrap_or(false), state.0.as_deref(), page).await?,
    ))
}

/// A review with every version of the draft (newest first) and the comments written on
/// each: for the ambassador who asked and those who may comment; 404 for anyone else.
#[utoipa::path(get, path = "/api/v1/reviews/{id}", tag = "mentoring", security(("bearer" = [])),
    params(("id" = i64, Path, description = "review id")),
    responses((status = 200, body = ReviewView), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
#[rocket::get("/reviews/<id>")]
pub async fn show(
    id: i64,
    user: Mentoring<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<ReviewView>> {
    Ok(Json(service::view(db, &user, id).await?))
}

/// A reviewer comments on the latest version, overall or on a passage with suggested
/// wording, and may accept the draft as ready to post. 409 at `version` when the draft
/// was revised since; 422 at `passage` when it is not in the version; the ambassador who
/// asked gets 403. Audited.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/comments", tag = "mentoring", security(("bearer" = [])),
    params(("id" = i64, Path, description = "review id")), request_body = CommentRequest,
    responses((status = 201, body = ReviewView), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
              (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/reviews/<id>/comments", data = "<body>")]
pub async fn comment(
    id: i64,
    body: ApiJson<CommentRequest>,
    user: Mentoring<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<(Status, Json<ReviewView>)> {
    let view = service::comment(db, &user, id, &body.0.input(), &ip).await?;
    Ok((Status::Created, Json(view)))
}

/// The ambassador who asked revises the draft: the next version, and the review waits
/// again. 422 for a text out of its limits or unchanged; a reviewer gets 403. Audited.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/versions", tag = "mentoring", security(("bearer" = [])),
    params(("id" = i64, Path, description = "review id")), request_body = RevisionRequest,
    responses((status = 201, body = ReviewView), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/reviews/<id>/versions", data = "<body>")]
pub async fn revise(
    id: i64,
    body: ApiJson<RevisionRequest>,
    user: Mentoring<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<(Status, Json<ReviewView>)> {
    let view = service::revise(db, &user, id, &body.0.text, &ip).await?;
    Ok((Status::Created, Json(view)))
}

/// Names an approved ambassador of the caller's scope a mentor of their institution
/// (coordinators and admins; 404 out of scope, 409 unless approved). Audited.
#[utoipa::path(put, path = "/api/v1/ambassadors/{id}/mentor", tag = "mentoring", security(("bearer" = [])),
    params(("id" = i64, Path, description = "ambassador id")),
    responses((status = 200, body = MentoringFigures), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
              (status = 409, body = ApiErrorBody)))]
#[rocket::put("/ambassadors/<id>/mentor")]
pub async fn name_mentor(
    id: i64,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<MentoringFigures>> {
    Ok(Json(service::set_mentor(db, &user, id, true, &ip).await?))
}

/// Ends an ambassador's role as a mentor (coordinators and admins; 404 out of scope).
/// Audited.
#[utoipa::path(delete, path = "/api/v1/ambassadors/{id}/mentor", tag = "mentoring", security(("bearer" = [])),
    params(("id" = i64, Path, description = "ambassador id")),
    responses((status = 200, body = MentoringFigures), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
#[rocket::delete("/ambassadors/<id>/mentor")]
pub async fn end_mentor(
    id: i64,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<MentoringFigures>> {
    Ok(Json(service::set_mentor(db, &user, id, false, &ip).await?))
}
