//! The admins' page of the background jobs: per job its last run (when, on which node,
//! how it ended, how long it took, its error), its next run, what runs now and the
//! failures of the last seven days.

use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::service::{self, JobStatus, RunView, Setup};
use super::JobsConfig;
use crate::auth::guards::Admin;
use crate::error::AppResult;
use crate::followers::FollowerSources;
use crate::state::Shared;
use crate::web::layout::Layout;
use crate::web::time::local_with_zone;

/// A run with its times as people read them (in the programme's zone).
#[derive(Serialize)]
pub struct ShownRun {
    #[serde(flatten)]
    run: RunView,
    due_local: String,
    started_local: Option<String>,
    finished_local: Option<String>,
    claimed_until_local: Option<String>,
    /// The claim ran out: its node stopped, and another will take the run over.
    stale: bool,
}

#[derive(Serialize)]
pub struct ShownJob {
    #[serde(flatten)]
    job: JobStatus,
    last: Option<ShownRun>,
    retrying: Option<ShownRun>,
    running: Vec<ShownRun>,
    next_local: Option<String>,
    /// A weekly job's hour as two digits (`09`).
    hour_text: Option<String>,
    last_success_local: Option<String>,
    /// The next run is due already (waiting for a node to claim it).
    overdue: bool,
}

#[derive(Serialize)]
pub struct JobsPage {
    layout: Layout,
    jobs: Vec<ShownJob>,
    failures: Vec<ShownRun>,
    now_local: String,
}

#[rocket::get("/admin/jobs")]
pub async fn index(
    admin: Admin<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<JobsConfig>,
    sources: &Shared<FollowerSources>,
) -> AppResult<Template> {
    let setup = Setup {
        tick: cfg.tick_delta(),
        recheck: !sources.configured().is_empty(),
        partitions: db.get_database_backend() == sea_orm::DbBackend::Postgres,
    };
    let now = chrono::Utc::now();
    let overview = service::overview(db, &admin, &setup, now).await?;
    let tz = crate::settings::service::programme_timezone(db).await?;
    let local = |t: chrono::DateTime<chrono::Utc>| local_with_zone(t, &tz);
    let shown = |run: RunView| ShownRun {
        due_local: local(run.due_at),
        started_local: run.started_at.map(local),
        finished_local: run.finished_at.map(local),
        claimed_until_local: run.claimed_until.map(local),
        stale: run.state == "running" && run.claimed_until.is_some_and(|t| t < now),
        run,
    };
    let jobs = overview
        .jobs
        .into_iter()
        .map(|mut job| ShownJob {
            last: job.last_run.take().map(shown),
            retrying: job.retrying.take().map(shown),
            running: std::mem::take(&mut job.running)
                .into_iter()
                .map(shown)
                .collect(),
            next_local: job.next_run_at.map(local),
            hour_text: job.hour.map(|h| format!("{h:02}")),
            last_success_local: job.last_success_at.map(local),
            overdue: job.next_run_at.is_some_and(|t| t <= now),
            job,
        })
        .collect();
    Ok(Template::render(
        "admin/jobs",
        JobsPage {
            layout,
            jobs,
            failures: overview.recent_failures.into_iter().map(shown).collect(),
            now_local: local(now),
        },
    ))
}
