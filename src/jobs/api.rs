//! `GET /api/v1/admin/jobs`: the background jobs for admins, as on `/admin/jobs`.

use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;

use super::service::{self, JobsOverview, Setup};
use super::JobsConfig;
use crate::auth::guards::Admin;
use crate::error::{ApiErrorBody, AppResult};
use crate::followers::FollowerSources;
use crate::state::Shared;

/// Every background job: its schedule, last run (when, node, outcome, duration, error),
/// next run, runs going now and failures of the last seven days; and the failed runs of
/// those seven days. Read from the database, so every node answers the same.
#[utoipa::path(get, path = "/api/v1/admin/jobs", tag = "jobs", security(("bearer" = [])),
    responses((status = 200, body = JobsOverview), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody)))]
#[rocket::get("/admin/jobs")]
pub async fn index(
    admin: Admin<'_>,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<JobsConfig>,
    sources: &Shared<FollowerSources>,
) -> AppResult<Json<JobsOverview>> {
    let setup = Setup {
        tick: cfg.tick_delta(),
        recheck: !sources.configured().is_empty(),
        partitions: db.get_database_backend() == sea_orm::DbBackend::Postgres,
    };
    Ok(Json(
        service::overview(db, &admin, &setup, chrono::Utc::now()).await?,
    ))
}
