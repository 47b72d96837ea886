//! `GET /api/v1/audit`: the audit log for admins and coordinators (their scope).

use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;

use super::service::{self, AuditPage, AuditQuery, PAGE_SIZE};
use crate::auth::guards::Coordinator;
use crate::error::{ApiErrorBody, AppResult};
use crate::state::Shared;

/// Audit rows in the caller's scope, newest first. `from` and `to` are days
/// (`YYYY-MM-DD`) in the programme's time zone; `actor` matches part of an email or name.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])),
    params(("action" = Option<String>, Query), ("actor" = Option<String>, Query),
           ("target_type" = Option<String>, Query), ("target_id" = Option<String>, Query),
           ("from" = Option<String>, Query), ("to" = Option<String>, Query),
           ("limit" = Option<u64>, Query, description = "1 to 500, default 50"),
           ("offset" = Option<u64>, Query)),
    responses((status = 200, body = AuditPage), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::get("/audit?<action>&<actor>&<target_type>&<target_id>&<from>&<to>&<limit>&<offset>")]
#[allow(clippy::too_many_arguments)]
pub async fn index(
    action: Option<String>,
    actor: Option<String>,
    target_type: Option<String>,
    target_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<u64>,
    offset: Option<u64>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<AuditPage>> {
    let q = AuditQuery {
        action: action.unwrap_or_default(),
        actor: actor.unwrap_or_default(),
        target_type: target_type.unwrap_or_default(),
        target_id: target_id.unwrap_or_default(),
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
    };
    let page = service::list(
        db,
        &user,
        &q,
        limit.unwrap_or(PAGE_SIZE),
        offset.unwrap_or(0),
    )
    .await?;
    Ok(Json(page))
}
