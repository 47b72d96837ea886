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
/// coordinators `candidate_waiting`, `hoax_reported` and `national_brief`; national users
/// `hoax_reported`;
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

/// The key browsers subscribe to Duta's push messages with.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PushKey {
    /// The VAPID public key (RFC 8292), base64url of the uncompressed P-256 point: the
    /// `applicationServerKey` of `pushManager.subscribe`.
    pub public_key: String,
}

/// The VAPID public key to subscribe with.
#[utoipa::path(get, path = "/api/v1/push/key", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = PushKey), (status = 401, body = ApiErrorBody)))]
#[rocket::get("/push/key")]
pub async fn push_key(_user: &CurrentUser, pusher: &Shared<crate::push::Pusher>) -> Json<PushKey> {
    Json(PushKey {
        public_key: pusher.public_key().to_string(),
    })
}

/// The caller's subscribed browsers, newest first.
#[utoipa::path(get, path = "/api/v1/push/subscriptions", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = [super::push::SubscriptionView]), (status = 401, body = ApiErrorBody)))]
#[rocket::get("/push/subscriptions")]
pub async fn push_subscriptions(
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<Vec<super::push::SubscriptionView>>> {
    Ok(Json(super::push::list_mine(db, user).await?))
}

/// Subscribes a browser to the caller's push messages (urgent briefs): the browser's
/// `PushSubscription` as `toJSON()` gives it. The endpoint must be on a push service
/// Duta is configured for (by default the browsers' own: Google's, Mozilla's,
/// Microsoft's, Apple's) and reach only public addresses (or those configuration
/// names); the keys must be a P-256 point and a 16-byte secret. 422 otherwise.
#[utoipa::path(post, path = "/api/v1/push/subscriptions", tag = "notifications", security(("bearer" = [])),
    request_body = super::push::SubscriptionRequest,
    responses((status = 201, body = super::push::SubscriptionView), (status = 400, body = ApiErrorBody),
              (status = 401, body = ApiErrorBody), (status = 413, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/push/subscriptions", data = "<body>")]
pub async fn push_subscribe(
    body: ApiJson<super::push::SubscriptionRequest>,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
    pusher: &Shared<crate::push::Pusher>,
) -> AppResult<(rocket::http::Status, Json<super::push::SubscriptionView>)> {
    let saved = super::push::subscribe(db, pusher, user, &body.0).await?;
    Ok((rocket::http::Status::Created, Json(saved)))
}

/// Which browser to unsubscribe.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Unsubscribe {
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 1000)]
    pub endpoint: String,
}

/// Ends the caller's subscription of a browser (204, also when there was none).
#[utoipa::path(delete, path = "/api/v1/push/subscriptions", tag = "notifications", security(("bearer" = [])),
    request_body = Unsubscribe,
    responses((status = 204, description = "Unsubscribed"), (status = 400, body = ApiErrorBody),
              (status = 401, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::delete("/push/subscriptions", data = "<body>")]
pub async fn push_unsubscribe(
    body: ApiJson<Unsubscribe>,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
) -> AppResult<rocket::http::Status> {
    super::push::unsubscribe(db, user, &body.0.endpoint).await?;
    Ok(rocket::http::Status::NoContent)
}
