//! `GET /api/v1/audit`: the audit log for admins and coordinators (their scope).

use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;

use super::service::{self, AuditPage, AuditQuery, PAGE_SIZE};
use crate::auth::guards::Coordinator;
use crate::error::{ApiErrorBody, AppResult};
use crate::state::Shared;
use crate::web::query::Opt;

/// Audit rows in the caller's scope, newest first. `from` and `to` are days
/// (`YYYY-MM-DD`) in the programme's time zone; `actor` matches part of an email or name.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])),
    params(("action" = Option<String>, Query), ("actor" = Option<String>, Query),
           ("target_type" = Option<String>, Query), ("target_id" = Option<i64>, Query, minimum = 1),
           ("from" = Option<String>, Query), ("to" = Option<String>, Query),
           ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "default 50"),
           ("offset" = Option<i64>, Query, minimum = 0)),
    responses((status = 200, body = AuditPage), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::get("/audit?<action>&<actor>&<target_type>&<target_id>&<from>&<to>&<limit>&<offset>")]
#[allow(clippy::too_many_arguments)]
pub async fn index(
    action: Opt<String>,
    actor: Opt<String>,
    target_type: Opt<String>,
    target_id: Opt<String>,
    from: Opt<String>,
    to: Opt<String>,
    limit: Opt<u64>,
    offset: Opt<u64>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<AuditPage>> {
    let action = action.0;
    let actor = actor.0;
    let target_type = target_type.0;
    let target_id = target_id.0;
    let from = from.0;
    let to = to.0;
    let limit = limit.0;
    let offset = offset.0;
    let q = AuditQuery {
        action: action.unwrap_or_default(),
        actor: actor.unwrap_or_default(),
        target_type: target_type.unwrap_or_default(),
        // The filter takes any text; the API, as its document says, a whole number.
        target_id: match target_id {
            Some(t) if t.is_empty() || t.trim() != t => return Err(service::target_id_error()),
            Some(t) => t,
            None => String::new(),
        },
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
    };
    let (limit, offset) = (limit.unwrap_or(PAGE_SIZE), offset.unwrap_or(0));
    service::check_page(limit, offset)?;
    let page = service::list(db, &user, &q, limit, offset).await?;
    Ok(Json(page))
}
