//! The notifications API.

use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;

use super::email::EmailChoices;
use super::service::{self, NotificationView};
use crate::auth::guards::CurrentUser;
use crate::error::{ApiErrorBody, AppResult};
use crate::state::Shared;
use crate::web::json::ApiJson;

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

/// Which kinds of email the caller receives: every kind of their role, `true` when it
/// goes (all are on until turned off). Messages about the account itself always go.
#[utoipa::path(get, path = "/api/v1/notifications/email", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = EmailChoices), (status = 401, body = ApiErrorBody)))]
#[rocket::get("/notifications/email")]
pub async fn email(
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<EmailChoices>> {
    Ok(Json(super::email::choices_of(db, user).await?))
}

/// Turns kinds of email on (`true`) or off (`false`); kinds left out stay as they are. A
/// kind the caller's role does not receive is 422 with nothing changed: ambassadors
/// receive `brief_published`, `brief_changed`, `reminder` and `post_rejected`;
/// coordinators `candidate_waiting` and `hoax_reported`; national users `hoax_reported`;
/// other roles none.
#[utoipa::path(put, path = "/api/v1/notifications/email", tag = "notifications", security(("bearer" = [])),
    request_body = EmailChoices,
    responses((status = 200, body = EmailChoices), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 413, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::put("/notifications/email", data = "<body>")]
pub async fn set_email(
    body: ApiJson<EmailChoices>,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<EmailChoices>> {
    Ok(Json(super::email::set_choices(db, user, &body.0).await?))
}
