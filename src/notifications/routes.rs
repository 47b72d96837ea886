//! The notifications page: the list, marked read once shown.

use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::service::{self, NotificationView};
use crate::auth::guards::CurrentUser;
use crate::error::AppResult;
use crate::settings::service::programme_timezone;
use crate::state::Shared;
use crate::web::layout::Layout;

#[derive(Serialize)]
pub struct NotificationRow {
    #[serde(flatten)]
    n: NotificationView,
    at_local: String,
}

#[derive(Serialize)]
pub struct NotificationsPage {
    layout: Layout,
    rows: Vec<NotificationRow>,
}

#[rocket::get("/notifications")]
pub async fn index(
    user: &CurrentUser,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
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
        NotificationsPage { layout, rows },
    ))
}
