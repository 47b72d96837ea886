//! The staff's home as JSON.

use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;

use super::service::{self, Desk, Sources};
use crate::auth::guards::Staff;
use crate::error::{ApiErrorBody, AppResult};
use crate::state::Shared;

/// A member of staff's home: for coordinators and admins today's work in counts (each
/// the size of the queue it names, in their scope), for leadership, national users and
/// admins this week's participation, its trend and who lags.
#[utoipa::path(get, path = "/api/v1/home", tag = "stats", security(("bearer" = [])),
    responses((status = 200, body = Desk), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
#[rocket::get("/home")]
pub async fn show(
    user: Staff<'_>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<crate::nip::NipKey>,
    kept: &Shared<crate::leaderboard::service::BoardKept>,
    org: &Shared<crate::org::cache::OrgCache>,
    stats: &Shared<crate::stats::service::StatsCache>,
) -> AppResult<Json<Desk>> {
    let sources = Sources {
        db,
        key,
        kept,
        org,
        stats,
    };
    Ok(Json(
        service::desk_of(&sources, &user, chrono::Utc::now()).await?,
    ))
}
