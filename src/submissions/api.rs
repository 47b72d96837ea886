//! The submissions API: ambassadors submit posts and read their own; coordinators read
//! their queue and verify, reject or revert.

use rocket::http::Status;
use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;

use super::forms::{DecisionRequest, SubmissionRequest};
use super::service::{self, Decision, QueueItem, QueueView, SubmissionView};
use super::writer::Writer;
use crate::auth::guards::{Ambassador, Coordinator};
use crate::briefs::cache::AddressedBriefs;
use crate::error::{ApiErrorBody, AppResult};
use crate::http::client_ip::ClientIp;
use crate::settings::cache::ZoneCache;
use crate::state::Shared;
use crate::web::json::{ApiJson, OptionalJson};
use crate::web::query::Opt;

/// Submits a post for a brief addressed to the ambassador. X posts under the
/// ambassador's registered handle whose id's time lies within a day of `posted_at` are
/// verified at once; others wait for a coordinator. 409 for a post already submitted
/// (by anyone) or a second open submission for the same brief and platform.
#[utoipa::path(post, path = "/api/v1/submissions", tag = "submissions", security(("bearer" = [])),
    request_body = SubmissionRequest,
    responses((status = 201, body = SubmissionView), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 413, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/submissions", data = "<body>")]
pub async fn create(
    body: ApiJson<SubmissionRequest>,
    user: Ambassador<'_>,
    db: &Shared<DatabaseConnection>,
    zone: &Shared<ZoneCache>,
    addressed: &Shared<AddressedBriefs>,
    writer: &Shared<Writer>,
) -> AppResult<(Status, Json<SubmissionView>)> {
    Ok((
        Status::Created,
        Json(service::submit(db, (zone, addressed, writer), &user, &body.0).await?),
    ))
}

/// The ambassador's own submissions, newest first, with each one's state and reason.
#[utoipa::path(get, path = "/api/v1/submissions/mine", tag = "submissions", security(("bearer" = [])),
    params(("brief_id" = Option<i64>, Query, minimum = 1, description = "only this brief's")),
    responses((status = 200, body = [SubmissionView]), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
#[rocket::get("/submissions/mine?<brief_id>")]
pub async fn mine(
    brief_id: Opt<i64>,
    user: Ambassador<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<Vec<SubmissionView>>> {
    let brief_id = brief_id.0;
    if brief_id.is_some_and(|id| id < 1) {
        return Err(crate::error::AppError::Validation(
            crate::error::FieldErrors::single(
                "brief_id",
                crate::error::Msg::new("briefs.brief_unknown"),
            ),
        ));
    }
    Ok(Json(service::mine(db, &user, brief_id).await?))
}

/// The verification queue of the coordinator's scope: pending oldest first (or
/// `status=verified|rejected`, latest decision first), 50 a page.
#[utoipa::path(get, path = "/api/v1/submissions", tag = "submissions", security(("bearer" = [])),
    params(("status" = Option<String>, Query, pattern = "^(|pending|verified|rejected)$", description = "pending (default; also when empty), verified or rejected"),
           ("page" = Option<i64>, Query, minimum = 1, maximum = 100_000, description = "from 1")),
    responses((status = 200, body = QueueView), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::get("/submissions?<status>&<page>")]
pub async fn queue(
    status: Opt<&str>,
    page: Opt<u64>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<QueueView>> {
    let status = status.0;
    let page = page.0;
    Ok(Json(service::queue(db, &user, status, page).await?))
}

#[utoipa::path(get, path = "/api/v1/submissions/{id}", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path, description = "submission id")),
    responses((status = 200, body = QueueItem), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody)))]
#[rocket::get("/submissions/<id>", rank = 2)]
pub async fn show(
    id: i64,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<QueueItem>> {
    Ok(Json(service::get_for_staff(db, &user, id).await?))
}

async fn decide(
    db: &DatabaseConnection,
    mailer: &crate::notify::Mailer,
    user: &Coordinator<'_>,
    id: i64,
    decision: Decision,
    body: DecisionRequest,
    ip: &ClientIp,
) -> AppResult<Json<SubmissionView>> {
    Ok(Json(
        service::decide(db, mailer, user, id, decision, &body.reason, ip).await?,
    ))
}

/// Verifies a pending submission; the ambassador's week counts it at once. 409 when it
/// is not pending.
#[utoipa::path(post, path = "/api/v1/submissions/{id}/verify", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path, description = "submission id")), request_body(content = Option<DecisionRequest>),
    responses((status = 200, body = SubmissionView), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody)))]
#[rocket::post("/submissions/<id>/verify", data = "<body>")]
pub async fn verify(
    id: i64,
    body: OptionalJson<DecisionRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> AppResult<Json<SubmissionView>> {
    decide(db, mailer, &user, id, Decision::Verify, body.0, &ip).await
}

/// Rejects a pending submission with a reason the ambassador reads (required).
#[utoipa::path(post, path = "/api/v1/submissions/{id}/reject", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path, description = "submission id")), request_body = super::forms::RejectionRequest,
    responses((status = 200, body = SubmissionView), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/submissions/<id>/reject", data = "<body>")]
pub async fn reject(
    id: i64,
    body: OptionalJson<DecisionRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> AppResult<Json<SubmissionView>> {
    decide(db, mailer, &user, id, Decision::Reject, body.0, &ip).await
}

/// Reverses a verification or a rejection: the submission is pending again and the
/// scores follow. Audited with the optional reason.
#[utoipa::path(post, path = "/api/v1/submissions/{id}/revert", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path, description = "submission id")), request_body(content = Option<DecisionRequest>),
    responses((status = 200, body = SubmissionView), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody)))]
#[rocket::post("/submissions/<id>/revert", data = "<body>")]
pub async fn revert(
    id: i64,
    body: OptionalJson<DecisionRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> AppResult<Json<SubmissionView>> {
    decide(db, mailer, &user, id, Decision::Revert, body.0, &ip).await
}

/// Verifies many pending posts at once (coordinators and admins), each as a single
/// verification would: its own audit row, the board and the statistics following. 404
/// and nothing done when a post is out of the caller's reach; a post no longer pending
/// (decided or reverted by someone else meanwhile) is left as it is and listed in
/// `skipped`.
#[utoipa::path(post, path = "/api/v1/submissions/bulk/verify", tag = "submissions", security(("bearer" = [])),
    request_body = super::bulk::BulkVerifyRequest,
    responses((status = 200, body = super::bulk::BulkDecided), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 413, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/submissions/bulk/verify", data = "<body>")]
pub async fn bulk_verify(
    body: ApiJson<super::bulk::BulkVerifyRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> AppResult<Json<super::bulk::BulkDecided>> {
    let b = body.0;
    Ok(Json(
        super::bulk::decide_many(db, mailer, &user, &b.ids, Decision::Verify, &b.reason, &ip)
            .await?,
    ))
}

/// Rejects many pending posts at once with one reason each ambassador reads (required);
/// otherwise as `bulk/verify`.
#[utoipa::path(post, path = "/api/v1/submissions/bulk/reject", tag = "submissions", security(("bearer" = [])),
    request_body = super::bulk::BulkRejectRequest,
    responses((status = 200, body = super::bulk::BulkDecided), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 413, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/submissions/bulk/reject", data = "<body>")]
pub async fn bulk_reject(
    body: ApiJson<super::bulk::BulkRejectRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> AppResult<Json<super::bulk::BulkDecided>> {
    let b = body.0;
    Ok(Json(
        super::bulk::decide_many(db, mailer, &user, &b.ids, Decision::Reject, &b.reason, &ip)
            .await?,
    ))
}
