//! The notifications page: the list, marked read once shown, and which kinds of email
//! the person receives.

use std::collections::BTreeMap;

use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::email::{self, EmailChoices};
use super::service::{self, NotificationView};
use crate::auth::guards::CurrentUser;
use crate::error::{AppResult, FieldErrors, Msg};
use crate::http::csrf::CsrfForm;
use crate::settings::service::programme_timezone;
use crate::state::Shared;
use crate::web::layout::Layout;

#[derive(Serialize)]
pub struct NotificationRow {
    #[serde(flatten)]
    n: NotificationView,
    at_local: String,
}

/// One kind of email on the page: its name and whether it goes.
#[derive(Serialize)]
pub struct EmailRow {
    kind: &'static str,
    on: bool,
}

#[derive(Serialize)]
pub struct NotificationsPage {
    layout: Layout,
    rows: Vec<NotificationRow>,
    email: Vec<EmailRow>,
    errors: BTreeMap<String, Vec<String>>,
}

fn email_rows(user: &CurrentUser, choices: &EmailChoices) -> Vec<EmailRow> {
    let given = choices.pairs();
    email::kinds_for(user.role.as_str())
        .into_iter()
        .map(|kind| EmailRow {
            kind,
            on: given
                .iter()
                .find(|(k, _)| *k == kind)
                .and_then(|(_, on)| *on)
                .unwrap_or(true),
        })
        .collect()
}

async fn page(
    db: &DatabaseConnection,
    user: &CurrentUser,
    layout: Layout,
    email: Vec<EmailRow>,
    errors: BTreeMap<String, Vec<String>>,
) -> AppResult<Template> {
    let tz = programme_timezone(db).await?;
    let rows = service::list_for(db, user)
        .await?
        .into_iter()
        .map(|n| NotificationRow {
            at_local: crate::web::time::local_with_zone(n.created_at, &tz),
            n,
        })
        .collect();
    service::mark_all_read(db, user).await?;
    Ok(Template::render(
        "notifications/index",
        NotificationsPage {
            layout,
            rows,
            email,
            errors,
        },
    ))
}

#[rocket::get("/notifications")]
pub async fn index(
    user: &CurrentUser,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    let choices = email::choices_of(db, user).await?;
    page(
        db,
        user,
        layout,
        email_rows(user, &choices),
        BTreeMap::new(),
    )
    .await
}

/// The email choices as the page sends them: the kinds ticked.
#[derive(rocket::form::FromForm)]
pub struct EmailForm {
    #[field(default = Vec::new())]
    pub on: Vec<String>,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl crate::http::csrf::CsrfProtected for EmailForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[rocket::post("/notifications/email", data = "<form>")]
pub async fn set_email(
    form: CsrfForm<EmailForm>,
    user: &CurrentUser,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let mine = email::kinds_for(user.role.as_str());
    let ticked = &form.0.on;
    let rows: Vec<EmailRow> = mine
        .iter()
        .map(|k| EmailRow {
            kind: k,
            on: ticked.iter().any(|t| t == k),
        })
        .collect();
    if ticked.iter().any(|t| !mine.contains(&t.as_str())) {
        let errors = FieldErrors::single("on", Msg::new("notifications.email_kind_not_yours"))
            .translated(layout.lang);
        return Ok(Err((
            Status::UnprocessableEntity,
            page(db, user, layout, rows, errors).await?,
        )));
    }
    let choices = EmailChoices::from_map(&rows.iter().map(|r| (r.kind, r.on)).collect());
    email::set_choices(db, user, &choices).await?;
    Ok(Ok(Flash::success(
        Redirect::to("/notifications#email"),
        "notifications.email_saved",
    )))
}

/// The VAPID key for the page's "notify me on this phone" (signed in by cookie).
#[rocket::get("/push/key")]
pub async fn push_key(
    _user: &CurrentUser,
    pusher: &Shared<crate::push::Pusher>,
) -> rocket::serde::json::Json<super::api::PushKey> {
    rocket::serde::json::Json(super::api::PushKey {
        public_key: pusher.public_key().to_string(),
    })
}

/// The browser's subscription as the page's script sends it.
#[derive(rocket::form::FromForm, Default)]
pub struct PushForm {
    #[field(default = String::new())]
    pub endpoint: String,
    #[field(default = String::new())]
    pub p256dh: String,
    #[field(default = String::new())]
    pub auth: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl crate::http::csrf::CsrfProtected for PushForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// Subscribes this browser (the page's script): 204, or 422 with the reasons as for the
/// API.
#[rocket::post("/push/subscriptions", data = "<form>")]
pub async fn push_subscribe(
    form: CsrfForm<PushForm>,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
    pusher: &Shared<crate::push::Pusher>,
) -> AppResult<Status> {
    let req = super::push::SubscriptionRequest {
        endpoint: form.0.endpoint.clone(),
        expiration_time: None,
        keys: super::push::SubscriptionKeys {
            p256dh: form.0.p256dh.clone(),
            auth: form.0.auth.clone(),
        },
    };
    super::push::subscribe(db, pusher, user, &req).await?;
    Ok(Status::NoContent)
}

/// Ends this browser's subscription (the page's script): 204.
#[rocket::post("/push/unsubscribe", data = "<form>")]
pub async fn push_unsubscribe(
    form: CsrfForm<PushForm>,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Status> {
    super::push::unsubscribe(db, user, &form.0.endpoint).await?;
    Ok(Status::NoContent)
}
