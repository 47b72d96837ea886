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

use super::certificates::{self as certs, CertificateList, CertificateRow, IssueOutcome, Verified};
use crate::auth::guards::Coordinator;
use crate::error::{AppError, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::nip::NipKey;
use crate::web::query::Opt;
use rocket::http::Status;

fn date_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::as_schema(
        crate::text::pattern_schema(certs::DATE_PATTERN.to_string()).format(Some(
            utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Date),
        )),
    )
}

/// A period: its first and last day (`YYYY-MM-DD`), the last not after today, at most
/// 366 days.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    #[schema(schema_with = date_schema)]
    pub from: String,
    #[schema(schema_with = date_schema)]
    pub to: String,
}

/// Issues certificates of participation for a period to every active ambassador of the
/// caller's scope with a verified post in a week of it (one each per period; those holding
/// one are counted in `already`). 422 for a date that is not one; 409 when the last day
/// is after today, before the first, or more than 366 days after it.
#[utoipa::path(post, path = "/api/v1/certificates", tag = "recognition", security(("bearer" = [])),
    request_body = IssueRequest,
    responses((status = 201, body = IssueOutcome), (status = 400, body = ApiErrorBody),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/certificates", data = "<body>")]
pub async fn issue(
    body: ApiJson<IssueRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<(Status, Json<IssueOutcome>)> {
    let tz = crate::leaderboard::standings::programme_zone(db.inner()).await?;
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let (from, to) =
        certs::check_period(&body.0.from, &body.0.to, today).map_err(AppError::Validation)?;
    Ok((
        Status::Created,
        Json(certs::issue(db, &user, from, to, &ip).await?),
    ))
}

/// The certificates of the caller's scope, newest first, each with its code and PDF.
#[utoipa::path(get, path = "/api/v1/certificates", tag = "recognition", security(("bearer" = [])),
    params(("limit" = Option<u64>, Query, minimum = 1, maximum = 100, description = "at most 100; 50 when absent"),
           ("offset" = Option<u64>, Query, minimum = 0, maximum = 10000000, description = "rows to skip")),
    responses((status = 200, body = CertificateList), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::get("/certificates?<limit>&<offset>")]
pub async fn list(
    limit: Opt<u64>,
    offset: Opt<u64>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
) -> AppResult<Json<CertificateList>> {
    let mut errors = FieldErrors::new();
    let limit = limit.0.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        errors.add("limit", Msg::new("certificates.limit_invalid"));
    }
    let offset = offset.0.unwrap_or(0);
    if offset > 10_000_000 {
        errors.add("offset", Msg::new("certificates.offset_invalid"));
    }
    errors.into_result()?;
    Ok(Json(certs::list(db, key, &user, limit, offset).await?))
}

/// The signed-in ambassador's certificates, newest period first.
#[utoipa::path(get, path = "/api/v1/me/certificates", tag = "recognition", security(("bearer" = [])),
    responses((status = 200, body = Vec<CertificateRow>), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
#[rocket::get("/me/certificates")]
pub async fn my_certificates(
    user: Ambassador<'_>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
) -> AppResult<Json<Vec<CertificateRow>>> {
    Ok(Json(certs::mine(db, key, &user).await?))
}

/// Checks a certificate's code (no sign-in): what it certifies, without the holder's name
/// and figures once they erased their data; 404 for a code Duta never made.
#[utoipa::path(get, path = "/api/v1/certificates/verify/{code}", tag = "recognition",
    params(("code" = String, Path, max_length = 40, description = "the code printed on the certificate")),
    responses((status = 200, body = Verified), (status = 404, body = ApiErrorBody)))]
#[rocket::get("/certificates/verify/<code>")]
pub async fn verify(
    code: &str,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
) -> AppResult<Json<Verified>> {
    Ok(Json(certs::verify(db, key, code).await?))
}
