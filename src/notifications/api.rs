//! The notifications API.

use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;

use super::service::{self, NotificationView};
use crate::auth::guards::CurrentUser;
use crate::error::{ApiErrorBody, AppResult};
use crate::state::Shared;

/// The caller's latest notifications, newest first (reading them does not mark them read;
/// the page does).
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = [NotificationView]), (status = 401, body = ApiErrorBody)))]
#[rocket::get("/notifications")]
pub async fn index(
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<Vec<NotificationView>>> {
    Ok(Json(service::list_for(db, user).await?))
}
