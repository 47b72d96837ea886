//! The leaderboard API: the board with its filters, an ambassador's own standing, the
//! holiday calendar (admins) and approved leave (coordinators).

use rocket::http::Status;
use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use super::service::{
    self, BoardKept, BoardQuery, BoardView, HolidayView, LeaveView, StandingView,
};
use crate::auth::guards::{Admin, Ambassador, Coordinator, CurrentUser, Staff};
use crate::error::{ApiErrorBody, AppResult};
use crate::http::client_ip::ClientIp;
use crate::kept::Topic;
use crate::org::cache::OrgCache;
use crate::state::Shared;
use crate::web::json::ApiJson;
use crate::web::query::Opt;

/// The board: ambassadors ranked by consistency over the last `weeks` weeks (default
/// 12, at most 52), filtered by institution and work unit (with its subtree). Shared
/// ranks; "new" ambassadors (fewer than 4 eligible weeks) after the others. Ambassadors
/// see their own institution's board and get their own row in `mine`.
#[utoipa::path(get, path = "/api/v1/leaderboard", tag = "leaderboard", security(("bearer" = [])),
    params(("institution_id" = Option<i64>, Query, minimum = 1, description = "national users and admins: any; others their own"),
           ("work_unit_id" = Option<i64>, Query, minimum = 1, description = "this unit and the units under it"),
           ("weeks" = Option<u32>, Query, minimum = 1, maximum = 52, description = "window length (default 12)"),
           ("limit" = Option<u64>, Query, minimum = 1, maximum = 200, description = "default 50"),
           ("offset" = Option<u64>, Query, minimum = 0, maximum = 10_000_000, description = "rows to skip")),
    responses((status = 200, body = BoardView), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::get("/leaderboard?<institution_id>&<work_unit_id>&<weeks>&<limit>&<offset>")]
pub async fn index(
    institution_id: Opt<i64>,
    work_unit_id: Opt<i64>,
    weeks: Opt<String>,
    limit: Opt<String>,
    offset: Opt<String>,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
    kept: &Shared<BoardKept>,
    org: &Shared<OrgCache>,
) -> AppResult<Json<BoardView>> {
    let institution_id = institution_id.0;
    let work_unit_id = work_unit_id.0;
    // Whole numbers as the document writes them; their ranges are the service's.
    let (weeks, limit, offset) = (
        whole(weeks.0, "weeks", 1, 52)?,
        whole(limit.0, "limit", 1, 200)?,
        whole(offset.0, "offset", 0, 10_000_000)?,
    );
    let q = BoardQuery {
        institution_id,
        work_unit_id,
        weeks,
        limit,
        offset,
    };
    let org = org.get_at(db, user.stamp(db, Topic::Org).await?).await?;
    Ok(Json(service::board_for(db, kept, &org, user, &q).await?))
}

/// A whole number as text, or the service's range message for the field.
fn whole(raw: Option<String>, field: &str, min: u64, max: u64) -> AppResult<Option<String>> {
    crate::web::query::whole_number(raw).map_err(|_| {
        crate::error::AppError::Validation(crate::error::FieldErrors::single(
            field,
            crate::error::Msg::new("leaderboard.number_range")
                .arg("min", min)
                .arg("max", max),
        ))
    })
}

/// The signed-in ambassador's standing: rank on their institution's board, streaks,
/// consistency, and each week of the window (active, missed, grace, current).
#[utoipa::path(get, path = "/api/v1/leaderboard/me", tag = "leaderboard", security(("bearer" = [])),
    params(("weeks" = Option<u32>, Query, minimum = 1, maximum = 52, description = "window length (default 12)")),
    responses((status = 200, body = StandingView), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::get("/leaderboard/me?<weeks>")]
pub async fn me(
    weeks: Opt<String>,
    user: Ambassador<'_>,
    db: &Shared<DatabaseConnection>,
    kept: &Shared<BoardKept>,
) -> AppResult<Json<StandingView>> {
    let weeks = weeks.0.map(|n| n.to_string());
    Ok(Json(
        service::standing_of(db, kept, &user, weeks.as_deref()).await?,
    ))
}

/// The programme's holiday weeks (grace weeks for everyone).
#[utoipa::path(get, path = "/api/v1/holidays", tag = "leaderboard", security(("bearer" = [])),
    responses((status = 200, body = [HolidayView]), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
#[rocket::get("/holidays")]
pub async fn holidays(
    _user: Staff<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<Vec<HolidayView>>> {
    Ok(Json(service::list_holidays(db).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayRequest {
    /// ISO week like `2027-W13`.
    #[serde(default)]
    #[schema(required = true, schema_with = crate::briefs::rules::week_schema)]
    pub week: String,
    #[serde(default)]
    #[schema(required = true, schema_with = holiday_label_schema)]
    pub label: String,
}

crate::text_schema!(holiday_label_schema, super::service::HOLIDAY_LABEL);
crate::text_schema!(leave_note_schema, super::service::LEAVE_NOTE);

/// Marks a week as a holiday (admins). 409 when it already is one.
#[utoipa::path(post, path = "/api/v1/holidays", tag = "leaderboard", security(("bearer" = [])),
    request_body = HolidayRequest,
    responses((status = 201, body = HolidayView), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/holidays", data = "<body>")]
pub async fn add_holiday(
    body: ApiJson<HolidayRequest>,
    user: Admin<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<(Status, Json<HolidayView>)> {
    let saved = service::add_holiday(db, &user, &body.0.week, &body.0.label, &ip).await?;
    Ok((Status::Created, Json(saved)))
}

#[utoipa::path(delete, path = "/api/v1/holidays/{id}", tag = "leaderboard", security(("bearer" = [])),
    params(("id" = i64, Path, description = "holiday id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
#[rocket::delete("/holidays/<id>")]
pub async fn remove_holiday(
    id: i64,
    user: Admin<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Status> {
    service::remove_holiday(db, &user, id, &ip).await?;
    Ok(Status::NoContent)
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaveRequest {
    /// First week of leave, like `2026-W50`.
    #[serde(default)]
    #[schema(required = true, schema_with = crate::briefs::rules::week_schema)]
    pub from_week: String,
    /// Last week of leave (empty or absent: the first); not before the first, and at
    /// most 52 weeks in all.
    #[serde(default)]
    #[schema(schema_with = crate::briefs::rules::week_or_blank_schema)]
    pub to_week: String,
    #[serde(default)]
    #[schema(schema_with = leave_note_schema)]
    pub note: String,
}

#[utoipa::path(get, path = "/api/v1/ambassadors/{id}/leaves", tag = "leaderboard", security(("bearer" = [])),
    params(("id" = i64, Path, description = "ambassador id")),
    responses((status = 200, body = [LeaveView]), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody)))]
#[rocket::get("/ambassadors/<id>/leaves")]
pub async fn leaves(
    id: i64,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<Vec<LeaveView>>> {
    Ok(Json(service::leaves_of(db, &user, id).await?))
}

/// Records approved leave of an ambassador in the coordinator's scope: those weeks
/// become grace weeks (neither counted nor breaking a streak).
#[utoipa::path(post, path = "/api/v1/ambassadors/{id}/leaves", tag = "leaderboard", security(("bearer" = [])),
    params(("id" = i64, Path, description = "ambassador id")), request_body = LeaveRequest,
    responses((status = 201, body = LeaveView), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/ambassadors/<id>/leaves", data = "<body>")]
pub async fn add_leave(
    id: i64,
    body: ApiJson<LeaveRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<(Status, Json<LeaveView>)> {
    let b = body.0;
    let saved = service::add_leave(db, &user, id, &b.from_week, &b.to_week, &b.note, &ip).await?;
    Ok((Status::Created, Json(saved)))
}

/// Changes a recorded leave's weeks and note; the board follows at once. 409 when the
/// weeks share one with another leave of the person.
#[utoipa::path(put, path = "/api/v1/ambassadors/{id}/leaves/{leave_id}", tag = "leaderboard", security(("bearer" = [])),
    params(("id" = i64, Path, description = "ambassador id"), ("leave_id" = i64, Path, description = "leave id")),
    request_body = LeaveRequest,
    responses((status = 200, body = LeaveView), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 413, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::put("/ambassadors/<id>/leaves/<leave_id>", data = "<body>")]
pub async fn update_leave(
    id: i64,
    leave_id: i64,
    body: ApiJson<LeaveRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<LeaveView>> {
    let b = body.0;
    let change = Some((b.from_week.as_str(), b.to_week.as_str(), b.note.as_str()));
    service::change_leave(db, &user, id, leave_id, change, &ip)
        .await?
        .map(Json)
        .ok_or(crate::error::AppError::NotFound)
}

/// Cancels a recorded leave: those weeks count again as they would have.
#[utoipa::path(delete, path = "/api/v1/ambassadors/{id}/leaves/{leave_id}", tag = "leaderboard", security(("bearer" = [])),
    params(("id" = i64, Path, description = "ambassador id"), ("leave_id" = i64, Path, description = "leave id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody)))]
#[rocket::delete("/ambassadors/<id>/leaves/<leave_id>")]
pub async fn cancel_leave(
    id: i64,
    leave_id: i64,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Status> {
    service::change_leave(db, &user, id, leave_id, None, &ip).await?;
    Ok(Status::NoContent)
}
