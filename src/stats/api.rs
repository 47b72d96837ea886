//! The participation statistics as JSON.

use rocket::serde::json::Json;

use super::routes::for_viewer;
use super::service::{self, Participation, StatsCache, StatsQuery};
use crate::auth::guards::Staff;
use crate::error::{ApiErrorBody, AppResult};
use crate::http::reads::Reads;
use crate::leaderboard::service::BoardKept;
use crate::org::cache::OrgCache;
use crate::state::Shared;
use crate::web::query::Opt;

/// Participation over the last `weeks` weeks (4, 12, 26 or 52; default 12) for a scope:
/// national (national users and admins, without `institution_id`), one institution, or a
/// work unit with its subtree; optionally one platform. Rates are 0–1. Figures come
/// from the stored weekly and per-brief aggregates. `inactive` lists the 100 longest
/// inactive by name for coordinators and admins only (`funnel.inactive` counts them all;
/// `/stats/export/inactive.csv` lists them all); the others get the count only.
#[utoipa::path(get, path = "/api/v1/stats/participation", tag = "stats", security(("bearer" = [])),
    params(("institution_id" = Option<i64>, Query, minimum = 1, description = "national users and admins: any or none (national); others their own"),
           ("work_unit_id" = Option<i64>, Query, minimum = 1, description = "this unit and the units under it"),
           ("platform" = Option<String>, Query, pattern = "^(|x|instagram|facebook|tiktok|youtube)$", description = "x, instagram, facebook, tiktok or youtube (empty: all)"),
           ("weeks" = Option<u32>, Query, description = "4, 12, 26 or 52 (default 12)")),
    responses((status = 200, body = Participation), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::get("/stats/participation?<institution_id>&<work_unit_id>&<platform>&<weeks>")]
pub async fn participation(
    institution_id: Opt<i64>,
    work_unit_id: Opt<i64>,
    platform: Opt<String>,
    weeks: Opt<String>,
    user: Staff<'_>,
    db: Reads<'_>,
    kept: &Shared<BoardKept>,
    org: &Shared<OrgCache>,
    cache: &Shared<StatsCache>,
) -> AppResult<Json<Participation>> {
    let institution_id = institution_id.0;
    let work_unit_id = work_unit_id.0;
    let platform = platform.0;
    let weeks = crate::web::query::whole_number(weeks.0).map_err(|_| {
        crate::error::AppError::Validation(crate::error::FieldErrors::single(
            "weeks",
            crate::error::Msg::new("stats.weeks_invalid"),
        ))
    })?;
    let q = StatsQuery {
        institution_id,
        work_unit_id,
        platform,
        weeks,
    };
    let p = service::participation(db.primary, db.replica, kept, org, cache, &user, &q).await?;
    Ok(Json(for_viewer(&p, user.role)))
}
