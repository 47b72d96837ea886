//! `GET /api/v1/integrity` and `POST /api/v1/integrity/{id}/clear`.

use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use super::service::{self, FlagView};
use crate::auth::guards::Coordinator;
use crate::error::{ApiErrorBody, AppResult};
use crate::http::client_ip::ClientIp;
use crate::state::Shared;
use crate::web::json::ApiJson;
use crate::web::query::Opt;

/// Integrity flags in the caller's scope, newest first: open ones, or with
/// `status=cleared` the cleared ones; `ambassador_id` narrows to one person.
#[utoipa::path(get, path = "/api/v1/integrity", tag = "integrity", security(("bearer" = [])),
    params(("status" = Option<String>, Query, description = "open (default) or cleared"),
           ("ambassador_id" = Option<i64>, Query)),
    responses((status = 200, body = [FlagView]), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody)))]
#[rocket::get("/integrity?<status>&<ambassador_id>")]
pub async fn index(
    status: Opt<&str>,
    ambassador_id: Opt<i64>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<Vec<FlagView>>> {
    let status = status.0;
    let ambassador_id = ambassador_id.0;
    let cleared = status == Some("cleared");
    Ok(Json(
        service::list(db, &user, cleared, ambassador_id).await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClearRequest {
    /// Why the flag does not call for action (3 to 500 characters).
    #[serde(default)]
    #[schema(required = true, schema_with = note_schema)]
    pub note: String,
}

crate::text_schema!(note_schema, super::service::CLEAR_NOTE);

#[derive(Serialize, utoipa::ToSchema)]
pub struct Cleared {
    pub ok: bool,
}

/// Clears a flag with a note (audited).
#[utoipa::path(post, path = "/api/v1/integrity/{id}/clear", tag = "integrity", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ClearRequest,
    responses((status = 200, body = Cleared), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
              (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/integrity/<id>/clear", data = "<body>")]
pub async fn clear(
    id: i64,
    body: ApiJson<ClearRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<Cleared>> {
    service::clear(db, &user, id, &body.0.note, &ip).await?;
    Ok(Json(Cleared { ok: true }))
}
