//! What admins see of the background jobs: per job its last run, its next, the runs going
//! now and the failures of the last seven days (the page and the API), and the figures of
//! `/metrics`. Everything is read from `job_runs` and `job_run_totals`, whichever node
//! ran what and whichever node answers.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;

use super::rules::{self, Schedule};
use super::Kind;
use crate::auth::guards::Admin;
use crate::error::AppResult;
use entity::{job_run_totals, job_runs};

/// How far back the failures are counted and listed.
pub const FAILURES_SPAN: TimeDelta = TimeDelta::days(7);
/// The most failures listed.
const FAILURES_LISTED: u64 = 20;

/// What the node answering knows of how the jobs are set up here.
#[derive(Debug, Clone, Copy)]
pub struct Setup {
    /// `jobs.tick_minutes`: the follower re-check's period.
    pub tick: TimeDelta,
    /// Whether a platform API is configured, without which there is no re-check.
    pub recheck: bool,
    /// Whether the database is PostgreSQL, without which there are no partitions to make.
    pub partitions: bool,
}

/// One run as admins read it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RunView {
    pub id: i64,
    pub job: String,
    /// When the run was due.
    pub due_at: DateTime<Utc>,
    /// `due`, `running`, `done` or `failed`.
    pub state: String,
    /// The app node that claimed it last.
    pub node: Option<String>,
    /// Attempts so far (at most 3).
    pub attempts: i32,
    /// When the last attempt started and ended.
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// While it runs: until when its node holds it (extended as it runs).
    pub claimed_until: Option<DateTime<Utc>>,
    /// The last attempt's duration, once it ended.
    pub duration_seconds: Option<f64>,
    /// What a finished run did (`name=value`).
    pub summary: Option<String>,
    /// The last failed attempt's error.
    pub error: Option<String>,
}

impl From<job_runs::Model> for RunView {
    fn from(m: job_runs::Model) -> Self {
        let duration_seconds = match (m.state.as_str(), m.started_at, m.finished_at) {
            ("done" | "failed", Some(s), Some(f)) if f >= s => {
                Some((f - s).num_milliseconds() as f64 / 1000.0)
            }
            _ => None,
        };
        RunView {
            id: m.id,
            job: m.job,
            due_at: m.due_at,
            state: m.state,
            node: m.claimed_by,
            attempts: m.attempts,
            started_at: m.started_at,
            finished_at: m.finished_at,
            claimed_until: m.claimed_until,
            duration_seconds,
            summary: m.summary,
            error: m.error,
        }
    }
}

/// One job: its schedule, its last and next run, and what is going on now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JobStatus {
    /// `briefs.scheduled`, `submissions.reminder`, `followers.recheck`,
    /// `privacy.retention`, `leaderboard.rebuild`, `database.partitions` or
    /// `notifications.prune`.
    pub job: String,
    /// For a job that runs every so often: how often, in minutes.
    pub every_minutes: Option<i64>,
    /// For a weekly job: the day (1 = Monday … 7 = Sunday) and hour, in `timezone`.
    pub weekday: Option<u32>,
    pub hour: Option<u32>,
    pub timezone: Option<String>,
    /// False when the job is not run here: the follower re-check without any platform
    /// API, the partitions on SQLite.
    pub active: bool,
    /// The last run that ended (done or failed).
    pub last_run: Option<RunView>,
    /// When a run of it last ended well.
    pub last_success_at: Option<DateTime<Utc>>,
    /// When it runs next: a waiting run (perhaps overdue), else the next on its schedule.
    pub next_run_at: Option<DateTime<Utc>>,
    /// A run waiting to be tried again after a failed attempt.
    pub retrying: Option<RunView>,
    /// Runs claimed now (a claim that ran out means its node stopped; another node takes
    /// the run over).
    pub running: Vec<RunView>,
    /// Runs failed (given up) in the last seven days.
    pub failures_7d: u64,
}

/// Every job, and the failures of the last seven days.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JobsOverview {
    /// The time the figures were read at.
    pub now: DateTime<Utc>,
    pub jobs: Vec<JobStatus>,
    /// Runs failed in the last seven days, newest first (at most 20).
    pub recent_failures: Vec<RunView>,
}

async fn status_of(
    db: &DatabaseConnection,
    kind: Kind,
    setup: &Setup,
    now: DateTime<Utc>,
) -> AppResult<JobStatus> {
    let job = kind.name();
    let schedule = kind.schedule(db, setup.tick).await?;
    let active = match kind {
        Kind::FollowerRecheck => setup.recheck,
        Kind::Partitions => setup.partitions,
        _ => true,
    };
    let last_run = job_runs::Entity::find()
        .filter(job_runs::Column::Job.eq(job))
        .filter(job_runs::Column::State.is_in(["done", "failed"]))
        .order_by_desc(job_runs::Column::FinishedAt)
        .order_by_desc(job_runs::Column::Id)
        .one(db)
        .await?;
    let last_success_at: Option<Option<DateTime<Utc>>> = job_runs::Entity::find()
        .select_only()
        .column_as(job_runs::Column::FinishedAt.max(), "last")
        .filter(job_runs::Column::Job.eq(job))
        .filter(job_runs::Column::State.eq("done"))
        .into_tuple()
        .one(db)
        .await?;
    let running = job_runs::Entity::find()
        .filter(job_runs::Column::Job.eq(job))
        .filter(job_runs::Column::State.eq("running"))
        .order_by_asc(job_runs::Column::DueAt)
        .all(db)
        .await?;
    let waiting = job_runs::Entity::find()
        .filter(job_runs::Column::Job.eq(job))
        .filter(job_runs::Column::State.eq("due"))
        .order_by_asc(job_runs::Column::DueAt)
        .one(db)
        .await?;
    let failures_7d = job_runs::Entity::find()
        .filter(job_runs::Column::Job.eq(job))
        .filter(job_runs::Column::State.eq("failed"))
        .filter(job_runs::Column::FinishedAt.gte(now - FAILURES_SPAN))
        .count(db)
        .await?;
    let ran_this_week = match schedule {
        Schedule::Weekly { tz, .. } => {
            let (from, until) = rules::week_around(now, tz);
            job_runs::Entity::find()
                .filter(job_runs::Column::Job.eq(job))
                .filter(job_runs::Column::DueAt.gte(from))
                .filter(job_runs::Column::DueAt.lt(until))
                .count(db)
                .await?
                > 0
        }
        Schedule::Every(_) => false,
    };
    let next_run_at = match (&waiting, active) {
        (Some(w), _) => Some(w.due_at),
        (None, true) => Some(rules::next_due(schedule, now, ran_this_week)),
        (None, false) => None,
    };
    let (every_minutes, weekday, hour, timezone) = match schedule {
        Schedule::Every(p) => (Some(p.num_minutes()), None, None, None),
        Schedule::Weekly { weekday, hour, tz } => {
            (None, Some(weekday), Some(hour), Some(tz.name().to_string()))
        }
    };
    Ok(JobStatus {
        job: job.to_string(),
        every_minutes,
        weekday,
        hour,
        timezone,
        active,
        last_run: last_run.map(RunView::from),
        last_success_at: last_success_at.flatten(),
        next_run_at,
        retrying: waiting.filter(|w| w.attempts > 0).map(RunView::from),
        running: running.into_iter().map(RunView::from).collect(),
        failures_7d,
    })
}

/// Every job's state now, for the admin page and the API.
pub async fn overview(
    db: &DatabaseConnection,
    _admin: &Admin<'_>,
    setup: &Setup,
    now: DateTime<Utc>,
) -> AppResult<JobsOverview> {
    let mut jobs = Vec::with_capacity(Kind::ALL.len());
    for kind in Kind::ALL {
        jobs.push(status_of(db, kind, setup, now).await?);
    }
    let recent_failures = job_runs::Entity::find()
        .filter(job_runs::Column::State.eq("failed"))
        .filter(job_runs::Column::FinishedAt.gte(now - FAILURES_SPAN))
        .order_by_desc(job_runs::Column::FinishedAt)
        .order_by_desc(job_runs::Column::Id)
        .limit(FAILURES_LISTED)
        .all(db)
        .await?
        .into_iter()
        .map(RunView::from)
        .collect();
    Ok(JobsOverview {
        now,
        jobs,
        recent_failures,
    })
}

/// The jobs' figures in Prometheus text: when each last ended well (0: never), how many
/// runs ended each way (counted in the database, so every node answers the same), and how
/// many run now.
pub async fn metrics_text(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<String> {
    let successes: Vec<(String, Option<DateTime<Utc>>)> = job_runs::Entity::find()
        .select_only()
        .column(job_runs::Column::Job)
        .column_as(job_runs::Column::FinishedAt.max(), "last")
        .filter(job_runs::Column::State.eq("done"))
        .group_by(job_runs::Column::Job)
        .into_tuple()
        .all(db)
        .await?;
    let running: Vec<(String, i64)> = job_runs::Entity::find()
        .select_only()
        .column(job_runs::Column::Job)
        .column_as(job_runs::Column::Id.count(), "n")
        .filter(job_runs::Column::State.eq("running"))
        .filter(job_runs::Column::ClaimedUntil.gte(now))
        .group_by(job_runs::Column::Job)
        .into_tuple()
        .all(db)
        .await?;
    let totals = job_run_totals::Entity::find().all(db).await?;

    let names = || Kind::ALL.into_iter().map(Kind::name);
    let mut out = String::from(
        "# HELP duta_job_last_success_timestamp_seconds When a run of the job last ended well (0: never).\n\
         # TYPE duta_job_last_success_timestamp_seconds gauge\n",
    );
    for job in names() {
        let at = successes
            .iter()
            .find(|(j, _)| j == job)
            .and_then(|(_, t)| *t)
            .map_or(0, |t| t.timestamp());
        out.push_str(&format!(
            "duta_job_last_success_timestamp_seconds{{job=\"{job}\"}} {at}\n"
        ));
    }
    out.push_str(
        "# HELP duta_job_runs_total Runs of the job by how they ended (done, failed) or were tried again (retried), on any node.\n\
         # TYPE duta_job_runs_total counter\n",
    );
    for job in names() {
        for outcome in ["done", "failed", "retried"] {
            let n = totals
                .iter()
                .find(|t| t.job == job && t.outcome == outcome)
                .map_or(0, |t| t.runs);
            out.push_str(&format!(
                "duta_job_runs_total{{job=\"{job}\",outcome=\"{outcome}\"}} {n}\n"
            ));
        }
    }
    out.push_str(
        "# HELP duta_job_running Runs of the job claimed by a node that is still extending its claim.\n\
         # TYPE duta_job_running gauge\n",
    );
    for job in names() {
        let n = running
            .iter()
            .find(|(j, _)| j == job)
            .map_or(0, |(_, n)| *n);
        out.push_str(&format!("duta_job_running{{job=\"{job}\"}} {n}\n"));
    }
    Ok(out)
}
