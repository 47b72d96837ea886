//! Recognition's API: the badges' rules, and an ambassador's own badges.

use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use super::rules::{Badge, BADGES};
use super::service::{self, BadgesView};
use crate::auth::guards::Ambassador;
use crate::error::{ApiErrorBody, AppResult};
use crate::state::Shared;
use crate::web::json::ApiJson;

/// Every badge and what earns it: the figure it reads and the least that earns it
/// (`whole_path`: every lesson on the ambassador's path, at least five). No sign-in.
#[utoipa::path(get, path = "/api/v1/badges", tag = "recognition",
    responses((status = 200, body = Vec<Badge>)))]
#[rocket::get("/badges")]
pub async fn rules() -> Json<Vec<Badge>> {
    Json(BADGES.to_vec())
}

/// The signed-in ambassador's badges (kept once earned, with the date), what earned
/// them, and whether they show them on the board.
#[utoipa::path(get, path = "/api/v1/me/badges", tag = "recognition", security(("bearer" = [])),
    responses((status = 200, body = BadgesView), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
#[rocket::get("/me/badges")]
pub async fn mine(
    user: Ambassador<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<BadgesView>> {
    Ok(Json(service::mine(db, &user).await?))
}

/// Whether the ambassador's badges show on the board.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BoardSetting {
    pub show_on_board: bool,
}

/// Shows the signed-in ambassador's badges on the board, or stops.
#[utoipa::path(put, path = "/api/v1/me/badges", tag = "recognition", security(("bearer" = [])),
    request_body = BoardSetting,
    responses((status = 200, body = BadgesView), (status = 400, body = ApiErrorBody),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::put("/me/badges", data = "<body>")]
pub async fn set_board(
    body: ApiJson<BoardSetting>,
    user: Ambassador<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<BadgesView>> {
    Ok(Json(
        service::set_show_on_board(db, &user, body.0.show_on_board).await?,
    ))
}
