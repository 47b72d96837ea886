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
    params(("q" = Option<String>, Query, max_length = 120, description = "part of a name, email or handle, a whole NIP, or its last four digits"),
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

/// One action on many people of the roster (coordinators and admins): `approve` (pending
/// candidates whose every required platform meets), `invite` (the invitation again, to
/// those who have not accepted), `remind` (approved people: an in-app reminder to post),
/// `suspend` (approved people, with a `reason`) or `move` (to `work_unit_id`). All or
/// nothing: 404 when anyone is outside the caller's scope; 409 naming at `ids.<id>` each
/// person the action does not apply to.
#[utoipa::path(post, path = "/api/v1/roster/bulk", tag = "vetting", security(("bearer" = [])),
    request_body = super::bulk::BulkRequest,
    responses((status = 200, body = super::bulk::BulkDone), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 413, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/roster/bulk", data = "<body>")]
#[allow(clippy::too_many_arguments)]
pub async fn bulk(
    body: crate::web::json::ApiJson<super::bulk::BulkRequest>,
    user: crate::auth::guards::Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<crate::config::AppConfig>,
    mailer: &Shared<crate::notify::Mailer>,
    origin: crate::http::origin::Origin,
    ip: crate::http::client_ip::ClientIp,
) -> AppResult<Json<super::bulk::BulkDone>> {
    Ok(Json(
        super::bulk::run(db, cfg, mailer, &user, &body.0, &origin.0, &ip).await?,
    ))
}
