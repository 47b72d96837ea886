//! The personal-data API: `/api/v1/me/export`, `/me/profile`, `/me/withdrawal` and
//! `/me/erasure`, for the signed-in person only (no id: nobody can ask for another's).

use chrono::{DateTime, Utc};
use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::PasswordConfirm;
use super::service::{self, Correction, Erased, PersonalExport};
use crate::auth::guards::CurrentUser;
use crate::auth::passwords::Hasher;
use crate::config::AppConfig;
use crate::error::{ApiErrorBody, AppResult};
use crate::http::client_ip::ClientIp;
use crate::media::service::MediaStore;
use crate::state::Shared;
use crate::web::json::ApiJson;

/// Everything Duta holds about the caller, as JSON.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "privacy", security(("bearer" = [])),
    responses((status = 200, body = PersonalExport), (status = 401, body = ApiErrorBody)))]
#[rocket::get("/me/export")]
pub async fn export(
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
) -> AppResult<Json<PersonalExport>> {
    Ok(Json(service::export(db, cfg.nip()?, user).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Corrected {
    pub ok: bool,
}

/// Corrects the caller's name (and, for an ambassador, display name and WhatsApp number).
#[utoipa::path(put, path = "/api/v1/me/profile", tag = "privacy", security(("bearer" = [])),
    request_body = Correction,
    responses((status = 200, body = Corrected), (status = 401, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::put("/me/profile", data = "<body>")]
pub async fn correct(
    body: ApiJson<Correction>,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<Corrected>> {
    service::correct(db, user, &body.0, &ip).await?;
    Ok(Json(Corrected { ok: true }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Withdrawn {
    pub status: String,
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// The day the retention job erases the data, unless erasure is asked for earlier.
    pub erase_after: Option<DateTime<Utc>>,
}

/// Withdraws the caller from the programme (ambassadors and candidates; password needed).
#[utoipa::path(post, path = "/api/v1/me/withdrawal", tag = "privacy", security(("bearer" = [])),
    request_body = PasswordConfirm,
    responses((status = 200, body = Withdrawn), (status = 401, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/me/withdrawal", data = "<body>")]
pub async fn withdraw(
    body: ApiJson<PasswordConfirm>,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
    hasher: &Shared<Hasher>,
    ip: ClientIp,
) -> AppResult<Json<Withdrawn>> {
    let amb = service::withdraw(db, hasher, user, &body.0.password, &ip).await?;
    let erase_after = service::erase_after(db, &amb).await?;
    Ok(Json(Withdrawn {
        status: amb.status,
        withdrawn_at: amb.withdrawn_at,
        erase_after,
    }))
}

/// Erases the caller's personal data (password needed). The account stops working; the
/// statistics keep their totals without anything that identifies the person.
#[utoipa::path(post, path = "/api/v1/me/erasure", tag = "privacy", security(("bearer" = [])),
    request_body = PasswordConfirm,
    responses((status = 200, body = Erased), (status = 401, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/me/erasure", data = "<body>")]
pub async fn erase(
    body: ApiJson<PasswordConfirm>,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
    store: &Shared<MediaStore>,
    hasher: &Shared<Hasher>,
    ip: ClientIp,
) -> AppResult<Json<Erased>> {
    Ok(Json(
        service::erase_own(db, store, hasher, user, &body.0.password, &ip).await?,
    ))
}
