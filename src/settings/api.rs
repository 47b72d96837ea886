//! The programme-settings API.

use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;

use super::forms::SettingsInput;
use super::service;
use crate::auth::guards::{Admin, Staff};
use crate::error::{ApiErrorBody, AppResult};
use crate::http::client_ip::ClientIp;
use crate::state::Shared;
use crate::web::json::ApiJson;

/// The programme's settings; every staff member may read them.
#[utoipa::path(get, path = "/api/v1/settings", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = SettingsInput), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
#[rocket::get("/settings")]
pub async fn show(
    _user: Staff<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<SettingsInput>> {
    Ok(Json(service::get_settings(db).await?))
}

/// Replaces time zone and window; platforms listed are set, platforms not listed keep their values.
///
/// Rules between fields: each platform at most once; the neutrality period's first day
/// not after its last (422 otherwise).
#[utoipa::path(put, path = "/api/v1/settings", tag = "settings", security(("bearer" = [])), request_body = SettingsInput,
    responses((status = 200, body = SettingsInput), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::put("/settings", data = "<body>")]
pub async fn update(
    body: ApiJson<SettingsInput>,
    admin: Admin<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<SettingsInput>> {
    Ok(Json(
        service::update_settings(db, &admin, &body.0, &ip).await?,
    ))
}
