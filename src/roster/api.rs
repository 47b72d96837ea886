//! The roster API.

use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;

use super::service::{self, RosterPage, RosterQuery};
use crate::auth::guards::Staff;
use crate::error::{ApiErrorBody, AppResult};
use crate::nip::NipKey;
use crate::state::Shared;
use crate::web::query::Opt;

/// Every person of the programme in the caller's scope (staff), a page at a time: `q`
/// matches part of a name, display name, email or platform handle (any case), or a whole
/// NIP; the filters narrow it; `total` says how many match. NIPs only for coordinators and
/// admins.
#[utoipa::path(get, path = "/api/v1/roster", tag = "vetting", security(("bearer" = [])),
    params(("q" = Option<String>, Query, max_length = 120, description = "part of a name, email or handle, or a whole NIP"),
           ("status" = Option<String>, Query, pattern = "^(pending|approved|rejected|suspended|removed|withdrawn)?$"),
           ("work_unit_id" = Option<i64>, Query, minimum = 1, description = "with its sub-units; 409 outside the scope"),
           ("verdict" = Option<String>, Query, pattern = "^(meets|below|unverified)?$", description = "an account with this verdict"),
           ("invitation" = Option<String>, Query, pattern = "^(pending|accepted)?$"),
           ("attention" = Option<bool>, Query, description = "approved and short of the rules now"),
           ("no_post_weeks" = Option<i64>, Query, minimum = 1, maximum = 52, description = "no verified post in the last this many weeks"),
           ("sort" = Option<String>, Query, pattern = "^(name|newest|oldest|member_since)?$"),
           ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "default 50"),
           ("offset" = Option<i64>, Query, minimum = 0)),
    responses((status = 200, body = RosterPage), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::get("/roster?<q>&<status>&<work_unit_id>&<verdict>&<invitation>&<attention>&<no_post_weeks>&<sort>&<limit>&<offset>")]
#[allow(clippy::too_many_arguments)]
pub async fn index(
    q: Opt<String>,
    status: Opt<String>,
    work_unit_id: Opt<i64>,
    verdict: Opt<String>,
    invitation: Opt<String>,
    attention: Opt<bool>,
    no_post_weeks: Opt<i64>,
    sort: Opt<String>,
    limit: Opt<u64>,
    offset: Opt<u64>,
    user: Staff<'_>,
    db: &Shared<DatabaseConnection>,
    key: &Shared<NipKey>,
) -> AppResult<Json<RosterPage>> {
    let query = RosterQuery {
        q: q.0.unwrap_or_default(),
        status: status.0.unwrap_or_default(),
        work_unit_id: work_unit_id.0,
        verdict: verdict.0.unwrap_or_default(),
        invitation: invitation.0.unwrap_or_default(),
        attention: attention.0.unwrap_or(false),
        no_post_weeks: no_post_weeks.0,
        sort: sort.0.unwrap_or_default(),
    };
    let page = service::list(
        db,
        key,
        &user,
        &query,
        limit.0.unwrap_or(service::PAGE),
        offset.0.unwrap_or(0),
    )
    .await?;
    Ok(Json(page))
}
