//! Background jobs: work that runs on a timer beside the web server, on whichever app
//! node gets to it first. Each job has a schedule, and each run of it is a row of
//! `job_runs` ([`runs`]):
//!
//! | job | runs | does |
//! |---|---|---|
//! | `briefs.scheduled` | every minute | tells the audience of scheduled briefs whose time has come (each brief claimed by its `notified_at`) |
//! | `submissions.reminder` | weekly, at the settings' day and hour | reminds ambassadors who have not posted yet |
//! | `followers.recheck` | every `jobs.tick_minutes` | asks the platforms again for follower counts ([`recheck`]) |
//! | `privacy.retention` | hourly | erases people withdrawn longer ago than the retention period |
//! | `leaderboard.rebuild` | weekly, Monday 03:00 | recomputes the stored aggregates from the posts and corrects what differs |
//! | `database.partitions` | daily, 00:00 UTC (PostgreSQL only) | makes the monthly partitions of `submissions` two years ahead |
//! | `notifications.prune` | daily, 00:00 UTC | removes notifications older than [`crate::notifications::service::KEEP_DAYS`] days |
//!
//! The [`Jobs`] fairing checks the `jobs` table of the configuration at ignition and, at
//! liftoff, starts one task per node that wakes every minute: it inserts the runs that
//! have fallen due (every node inserts the same rows, once), claims them one by one and
//! runs each in its own task while extending its claim. Several app nodes share one
//! database, so each run is claimed by exactly one of them; a run whose node died is
//! claimed again by another once the claim runs out. At shutdown the node gives back
//! what it was running. An error is stored with the run and tried again; the web server
//! never goes down with a job. Admins see the runs on `/admin/jobs`, in
//! `GET /api/v1/admin/jobs` and on `/metrics`.

pub mod api;
pub mod recheck;
pub mod routes;
pub mod rules;
pub mod runs;
pub mod service;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use rocket::fairing::{Fairing, Info, Kind as FairingKind};
use rocket::figment::Figment;
use rocket::futures::future::BoxFuture;
use rocket::{Orbit, Rocket, Shutdown};
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::followers::FollowerSources;
use rules::Schedule;
use runs::{Claimed, Ended};

pub use recheck::{run_recheck_once, RecheckReport};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![routes::index]
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![api::index]
}

const DEFAULT_TICK_MINUTES: i64 = 60;
/// A node looks for work this long after it starts (so a start is not slowed by its
/// jobs), and then every [`WAKE`].
const STARTUP_DELAY: Duration = Duration::from_secs(5);
/// How often a node schedules what has fallen due and claims it.
const WAKE: Duration = Duration::from_secs(60);
/// The bounds of `jobs.lease_seconds`: a claim is extended every third of it, so a short
/// one means a write every few seconds per running job; a long one, a long wait before
/// another node runs again what a dead node was running.
const MIN_LEASE_SECONDS: i64 = 15;
const MAX_LEASE_SECONDS: i64 = 3_600;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJobs {
    #[serde(default = "default_enabled")]
    enabled: bool,
    #[serde(default = "default_tick")]
    tick_minutes: i64,
    #[serde(default = "default_lease")]
    lease_seconds: i64,
}

fn default_enabled() -> bool {
    true
}
fn default_tick() -> i64 {
    DEFAULT_TICK_MINUTES
}
fn default_lease() -> i64 {
    runs::LEASE.num_seconds()
}

/// The checked `jobs` configuration (a part of the application state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobsConfig {
    /// `jobs.enabled`: false keeps every background job off on this node.
    pub enabled: bool,
    /// `jobs.tick_minutes`: how often the follower re-check runs (one batch each time).
    pub tick: Duration,
    /// `jobs.lease_seconds`: how long a claim on a run lasts unless its node extends it
    /// (every third of it); a run whose node died is claimed again by another node once
    /// it has run out, at that node's next wake (every minute).
    pub lease: Duration,
}

impl Default for JobsConfig {
    fn default() -> Self {
        JobsConfig {
            enabled: true,
            tick: Duration::from_secs(60 * DEFAULT_TICK_MINUTES.unsigned_abs()),
            lease: Duration::from_secs(default_lease().unsigned_abs()),
        }
    }
}

impl JobsConfig {
    /// Reads `jobs.*`; one message per wrong value.
    pub fn from_figment(figment: &Figment) -> Result<JobsConfig, Vec<String>> {
        let raw: RawJobs = match figment.find_value("jobs") {
            Err(e) if e.missing() => return Ok(JobsConfig::default()),
            Err(e) => return Err(vec![format!("jobs: {e}")]),
            Ok(value) if value.as_dict().is_none() => {
                return Err(vec![
                    "jobs: must be a table, e.g. [default.jobs] in Rocket.toml".into(),
                ])
            }
            Ok(_) => figment.focus("jobs").extract().map_err(|e| {
                e.into_iter()
                    .map(|e| {
                        let key = std::iter::once("jobs")
                            .chain(e.path.iter().map(String::as_str))
                            .collect::<Vec<_>>()
                            .join(".");
                        format!("{key}: {}", e.kind)
                    })
                    .collect::<Vec<_>>()
            })?,
        };
        let mut errors = Vec::new();
        if !(1..=1440).contains(&raw.tick_minutes) {
            errors.push(format!(
                "jobs.tick_minutes: must be between 1 and 1440 minutes (one day), not {}",
                raw.tick_minutes
            ));
        }
        if !(MIN_LEASE_SECONDS..=MAX_LEASE_SECONDS).contains(&raw.lease_seconds) {
            errors.push(format!(
                "jobs.lease_seconds: must be between {MIN_LEASE_SECONDS} and {MAX_LEASE_SECONDS} seconds, not {}",
                raw.lease_seconds
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(JobsConfig {
            enabled: raw.enabled,
            tick: Duration::from_secs(60 * raw.tick_minutes.unsigned_abs()),
            lease: Duration::from_secs(raw.lease_seconds.unsigned_abs()),
        })
    }
}

impl JobsConfig {
    /// `jobs.tick_minutes` as the re-check's period.
    pub fn tick_delta(&self) -> TimeDelta {
        TimeDelta::from_std(self.tick).unwrap_or(TimeDelta::minutes(DEFAULT_TICK_MINUTES))
    }

    /// `jobs.lease_seconds` as the claims' length.
    pub fn lease_delta(&self) -> TimeDelta {
        TimeDelta::from_std(self.lease).unwrap_or(runs::LEASE)
    }
}

/// A kind of background job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    ScheduledBriefs,
    WeeklyReminder,
    FollowerRecheck,
    Retention,
    Rebuild,
    Partitions,
    PruneNotifications,
}

/// The weekly rebuild's day and hour (Monday 03:00 in the programme's zone: the week
/// before has ended, and hardly anyone is at work).
const REBUILD_WEEKDAY: u32 = 1;
const REBUILD_HOUR: u32 = 3;

impl Kind {
    /// Every kind, in the order the admin page lists them.
    pub const ALL: [Kind; 7] = [
        Kind::ScheduledBriefs,
        Kind::WeeklyReminder,
        Kind::FollowerRecheck,
        Kind::Retention,
        Kind::Rebuild,
        Kind::Partitions,
        Kind::PruneNotifications,
    ];

    /// The job's name in `job_runs`, logs and metrics.
    pub fn name(self) -> &'static str {
        match self {
            Kind::ScheduledBriefs => "briefs.scheduled",
            Kind::WeeklyReminder => "submissions.reminder",
            Kind::FollowerRecheck => "followers.recheck",
            Kind::Retention => "privacy.retention",
            Kind::Rebuild => "leaderboard.rebuild",
            Kind::Partitions => "database.partitions",
            Kind::PruneNotifications => "notifications.prune",
        }
    }

    /// When the job runs now: the reminder's day and hour are a setting, the weekly jobs
    /// follow the programme's time zone, the re-check `jobs.tick_minutes`.
    pub async fn schedule(self, db: &DatabaseConnection, tick: TimeDelta) -> AppResult<Schedule> {
        Ok(match self {
            Kind::ScheduledBriefs => Schedule::Every(TimeDelta::minutes(1)),
            Kind::FollowerRecheck => Schedule::Every(tick),
            Kind::Retention => Schedule::Every(TimeDelta::hours(1)),
            Kind::Partitions | Kind::PruneNotifications => Schedule::Every(TimeDelta::days(1)),
            Kind::WeeklyReminder => {
                let settings = crate::settings::service::get_settings(db).await?;
                Schedule::Weekly {
                    weekday: u32::try_from(settings.reminder_weekday).unwrap_or(4),
                    hour: u32::try_from(settings.reminder_hour).unwrap_or(9),
                    tz: crate::settings::service::programme_timezone(db).await?,
                }
            }
            Kind::Rebuild => Schedule::Weekly {
                weekday: REBUILD_WEEKDAY,
                hour: REBUILD_HOUR,
                tz: crate::settings::service::programme_timezone(db).await?,
            },
        })
    }
}

/// What a run did: a short summary kept with the run (`name=value …`), and the number of
/// things it did (briefs told, people reminded, accounts checked, people erased,
/// corrections).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub summary: String,
    pub count: u64,
}

/// The work of one job, given the time of the run.
pub type Work = Arc<dyn Fn(DateTime<Utc>) -> BoxFuture<'static, AppResult<Report>> + Send + Sync>;

/// How one claimed run ended on this node.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub run: Claimed,
    pub ended: Ended,
    /// What the work did, or its error.
    pub result: Result<Report, String>,
}

/// A node's jobs: which kinds it runs and their work, under its holder id.
#[derive(Clone)]
pub struct Runner {
    db: DatabaseConnection,
    holder: String,
    tick: TimeDelta,
    lease: TimeDelta,
    works: Vec<(Kind, Work)>,
}

/// Aborts a spawned task when dropped, so a run stopped from outside stops its work too.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Runner {
    /// A runner with no jobs yet (see [`Runner::with`]); `tick` is the re-check's period.
    pub fn new(db: DatabaseConnection, holder: impl Into<String>, tick: TimeDelta) -> Runner {
        Runner {
            db,
            holder: holder.into(),
            tick,
            lease: runs::LEASE,
            works: Vec::new(),
        }
    }

    /// This runner running `kind` with `work` (instead of any work it had for it).
    pub fn with<F, Fut>(mut self, kind: Kind, work: F) -> Runner
    where
        F: Fn(DateTime<Utc>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = AppResult<Report>> + Send + 'static,
    {
        self.works.retain(|(k, _)| *k != kind);
        let work: Work = Arc::new(move |now| Box::pin(work(now)));
        self.works.push((kind, work));
        self
    }

    /// This runner with claims that last `lease` (extended every third of it).
    pub fn with_lease(mut self, lease: TimeDelta) -> Runner {
        self.lease = lease;
        self
    }

    /// The jobs of an app node: the follower re-check only where a platform API is
    /// configured, retention only with a media store.
    pub fn for_app(
        db: DatabaseConnection,
        holder: impl Into<String>,
        tick: TimeDelta,
        mailer: crate::notify::Mailer,
        sources: FollowerSources,
        store: Option<crate::media::service::MediaStore>,
    ) -> Runner {
        let mut runner = Runner::new(db.clone(), holder, tick)
            .with(Kind::ScheduledBriefs, scheduled_briefs(&db, &mailer))
            .with(Kind::WeeklyReminder, weekly_reminder(&db, &mailer))
            .with(Kind::Rebuild, rebuild(&db))
            .with(Kind::PruneNotifications, prune_notifications(&db));
        if !sources.configured().is_empty() {
            runner = runner.with(Kind::FollowerRecheck, follower_recheck(&db, &sources));
        }
        if let Some(store) = store {
            runner = runner.with(Kind::Retention, retention(&db, &store));
        }
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            runner = runner.with(Kind::Partitions, partitions(&db));
        }
        runner
    }

    /// This runner with only `kinds` of its jobs (a node, or a test, that runs some).
    pub fn only(mut self, kinds: &[Kind]) -> Runner {
        self.works.retain(|(k, _)| kinds.contains(k));
        self
    }

    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// The kinds this node runs.
    pub fn kinds(&self) -> Vec<Kind> {
        self.works.iter().map(|(k, _)| *k).collect()
    }

    fn work(&self, job: &str) -> Option<Work> {
        self.works
            .iter()
            .find(|(k, _)| k.name() == job)
            .map(|(_, w)| w.clone())
    }

    /// Inserts the run of each of this node's jobs that is due at `now`, unless it exists.
    pub async fn schedule(&self, now: DateTime<Utc>) -> AppResult<()> {
        for kind in self.kinds() {
            let schedule = kind.schedule(&self.db, self.tick).await?;
            let Some(due) = rules::due_run(schedule, now) else {
                continue;
            };
            match due.once_between {
                Some(week) => {
                    runs::schedule_once_between(&self.db, kind.name(), due.due_at, week).await?
                }
                None => runs::schedule(&self.db, kind.name(), due.due_at).await?,
            };
        }
        Ok(())
    }

    /// Claims the oldest run of this node's jobs that may be run now.
    pub async fn claim(&self, now: DateTime<Utc>) -> AppResult<Option<Claimed>> {
        let names: Vec<&str> = self.works.iter().map(|(k, _)| k.name()).collect();
        runs::claim(&self.db, &names, &self.holder, self.lease, now).await
    }

    /// Runs a claimed run (at `now`) in its own task, extending the claim every third of
    /// the lease, and stores how it ended. Stops the work if another node took the run
    /// over meanwhile.
    pub async fn execute(&self, run: Claimed, now: DateTime<Utc>) -> AppResult<Outcome> {
        let started = tokio::time::Instant::now();
        let at = || now + TimeDelta::from_std(started.elapsed()).unwrap_or_default();
        let Some(work) = self.work(&run.job) else {
            let error = "this node does not run this job".to_string();
            let ended =
                runs::finish(&self.db, &run, &self.holder, Err(error.clone()), at()).await?;
            return Ok(Outcome {
                run,
                ended,
                result: Err(error),
            });
        };
        let mut task = AbortOnDrop(tokio::spawn(work(now)));
        let every = (self.lease / 3).to_std().unwrap_or(Duration::from_secs(40));
        let mut beats = tokio::time::interval_at(started + every, every);
        let result = loop {
            tokio::select! {
                joined = &mut task.0 => break match joined {
                    Ok(Ok(report)) => Ok(report),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(e) if e.is_panic() => Err("the job panicked".to_string()),
                    Err(_) => Err("the job was cancelled".to_string()),
                },
                _ = beats.tick() => {
                    match runs::extend(&self.db, run.id, &self.holder, at() + self.lease).await {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::warn!(job = %run.job, run = run.id, "another node took the run over; stopped here");
                            return Ok(Outcome {
                                run,
                                ended: Ended::Lost,
                                result: Err("another node took the run over".into()),
                            });
                        }
                        Err(e) => tracing::warn!(job = %run.job, run = run.id, error = %e, "cannot extend the claim"),
                    }
                }
            }
        };
        let summary = result
            .as_ref()
            .map(|r| r.summary.clone())
            .map_err(Clone::clone);
        let ended = runs::finish(&self.db, &run, &self.holder, summary, at()).await?;
        let seconds = started.elapsed().as_secs_f64();
        match (&result, ended) {
            (Ok(r), Ended::Done) if r.count == 0 => {
                tracing::debug!(job = %run.job, run = run.id, seconds, summary = %r.summary, "job run done")
            }
            (Ok(r), _) => {
                tracing::info!(job = %run.job, run = run.id, seconds, summary = %r.summary, ?ended, "job run done")
            }
            (Err(e), Ended::Failed) => {
                tracing::error!(job = %run.job, run = run.id, attempt = run.attempts, error = %e, "job run failed; given up")
            }
            (Err(e), _) => {
                tracing::warn!(job = %run.job, run = run.id, attempt = run.attempts, error = %e, ?ended, "job run failed; it will be tried again")
            }
        }
        Ok(Outcome { run, ended, result })
    }

    /// Schedules what is due at `now`, then claims and runs it here, one run after the
    /// other, until nothing is left (for tests and the command line; the app's loop runs
    /// them side by side).
    pub async fn run_due(&self, now: DateTime<Utc>) -> AppResult<Vec<Outcome>> {
        self.schedule(now).await?;
        let mut done = Vec::new();
        // A run claimed twice in one go would be a bug; the bound keeps it from spinning.
        for _ in 0..1_000 {
            let Some(run) = self.claim(now).await? else {
                break;
            };
            done.push(self.execute(run, now).await?);
        }
        Ok(done)
    }
}

fn scheduled_briefs(
    db: &DatabaseConnection,
    mailer: &crate::notify::Mailer,
) -> impl Fn(DateTime<Utc>) -> BoxFuture<'static, AppResult<Report>> + Send + Sync + 'static {
    let (db, mailer) = (db.clone(), mailer.clone());
    move |_now| {
        let (db, mailer) = (db.clone(), mailer.clone());
        Box::pin(async move {
            let ids = crate::briefs::service::due_briefs(&db).await?;
            for id in &ids {
                crate::briefs::service::tell_if_due(&db, &mailer, *id).await;
            }
            Ok(Report {
                summary: format!("briefs={}", ids.len()),
                count: ids.len() as u64,
            })
        })
    }
}

fn weekly_reminder(
    db: &DatabaseConnection,
    mailer: &crate::notify::Mailer,
) -> impl Fn(DateTime<Utc>) -> BoxFuture<'static, AppResult<Report>> + Send + Sync + 'static {
    let (db, mailer) = (db.clone(), mailer.clone());
    move |now| {
        let (db, mailer) = (db.clone(), mailer.clone());
        Box::pin(async move {
            let n = crate::submissions::service::send_weekly_reminder(&db, &mailer, now).await?;
            Ok(Report {
                summary: format!("reminded={n}"),
                count: n as u64,
            })
        })
    }
}

fn follower_recheck(
    db: &DatabaseConnection,
    sources: &FollowerSources,
) -> impl Fn(DateTime<Utc>) -> BoxFuture<'static, AppResult<Report>> + Send + Sync + 'static {
    let (db, sources) = (db.clone(), sources.clone());
    move |now| {
        let (db, sources) = (db.clone(), sources.clone());
        Box::pin(async move {
            let r = run_recheck_once(&db, &sources, now).await?;
            Ok(Report {
                summary: format!(
                    "checked={} below={} recovered={} failed={}",
                    r.checked, r.below, r.recovered, r.failed
                ),
                count: u64::from(r.checked + r.failed),
            })
        })
    }
}

fn retention(
    db: &DatabaseConnection,
    store: &crate::media::service::MediaStore,
) -> impl Fn(DateTime<Utc>) -> BoxFuture<'static, AppResult<Report>> + Send + Sync + 'static {
    let (db, store) = (db.clone(), store.clone());
    move |now| {
        let (db, store) = (db.clone(), store.clone());
        Box::pin(async move {
            let n = crate::privacy::service::erase_expired(&db, &store, now).await?;
            Ok(Report {
                summary: format!("erased={n}"),
                count: n,
            })
        })
    }
}

/// PostgreSQL's monthly partitions of `submissions`, kept two years ahead (see
/// `crate::db::ensure_partitions`); the count is the partitions made.
fn partitions(
    db: &DatabaseConnection,
) -> impl Fn(DateTime<Utc>) -> BoxFuture<'static, AppResult<Report>> + Send + Sync + 'static {
    let db = db.clone();
    move |now| {
        let db = db.clone();
        Box::pin(async move {
            let made = crate::db::ensure_partitions(&db, now.date_naive()).await?;
            Ok(Report {
                summary: format!("made={made}"),
                count: made,
            })
        })
    }
}

/// Removes the notifications older than the time they are kept.
fn prune_notifications(
    db: &DatabaseConnection,
) -> impl Fn(DateTime<Utc>) -> BoxFuture<'static, AppResult<Report>> + Send + Sync + 'static {
    let db = db.clone();
    move |now| {
        let db = db.clone();
        Box::pin(async move {
            let removed = crate::notifications::service::prune(&db, now).await?;
            Ok(Report {
                summary: format!("removed={removed}"),
                count: removed,
            })
        })
    }
}

/// The weekly roll-up check: every stored aggregate (weekly figures, briefs, platforms,
/// statistics, standings) computed again from the posts; what differed is corrected and
/// named in the run's summary (there should be nothing).
fn rebuild(
    db: &DatabaseConnection,
) -> impl Fn(DateTime<Utc>) -> BoxFuture<'static, AppResult<Report>> + Send + Sync + 'static {
    let db = db.clone();
    move |_now| {
        let db = db.clone();
        Box::pin(async move {
            let corrections = crate::leaderboard::service::rebuild(&db).await?;
            for c in &corrections {
                tracing::warn!(table = c.table, row = %c.row, stored = %c.stored, computed = %c.computed, "stored aggregate corrected");
            }
            let mut summary = format!("corrected={}", corrections.len());
            for c in corrections.iter().take(5) {
                summary.push_str(&format!(
                    "; {} {}: {} -> {}",
                    c.table, c.row, c.stored, c.computed
                ));
            }
            if corrections.len() > 5 {
                summary.push_str("; …");
            }
            Ok(Report {
                summary,
                count: corrections.len() as u64,
            })
        })
    }
}

/// The weekly reminder as the job runs it, for `now`: scheduled once its day and hour
/// have come (once a week, whatever the setting becomes meanwhile), claimed by
/// `holder` and sent. Returns how many were reminded (0 when it is not time, or the
/// week's reminder went out already, from any node).
pub async fn remind_if_due(
    db: &DatabaseConnection,
    mailer: &crate::notify::Mailer,
    holder: &str,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let tick = TimeDelta::minutes(DEFAULT_TICK_MINUTES);
    let runner = Runner::new(db.clone(), holder, tick)
        .with(Kind::WeeklyReminder, weekly_reminder(db, mailer));
    let mut told = 0;
    for outcome in runner.run_due(now).await? {
        told += outcome.result.map_err(AppError::Internal)?.count;
    }
    usize::try_from(told).map_err(AppError::internal)
}

/// Starts the job loop at liftoff (unless `jobs.enabled` is false). Reads the
/// `JobsConfig` (checked with the rest of the state, see `crate::app_state`), the
/// `DatabaseConnection`, the `FollowerSources`, the mailer and the media store from the
/// application state.
pub struct Jobs;

#[rocket::async_trait]
impl Fairing for Jobs {
    fn info(&self) -> Info {
        Info {
            name: "Duta background jobs",
            kind: FairingKind::Liftoff,
        }
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        let Some(cfg) = crate::state::part::<JobsConfig>(rocket).copied() else {
            return;
        };
        if !cfg.enabled {
            tracing::info!("background jobs are off on this node (jobs.enabled = false)");
            return;
        }
        let (Some(db), Some(sources)) = (
            crate::state::part::<DatabaseConnection>(rocket).cloned(),
            crate::state::part::<FollowerSources>(rocket).cloned(),
        ) else {
            tracing::error!("background jobs not started: no database or follower sources");
            return;
        };
        let holder = holder_id();
        let mailer = crate::state::part::<crate::notify::Mailer>(rocket)
            .cloned()
            .unwrap_or_else(crate::notify::Mailer::disabled);
        let store = crate::state::part::<crate::media::service::MediaStore>(rocket).cloned();
        let runner = Runner::for_app(db, holder, cfg.tick_delta(), mailer, sources, store)
            .with_lease(cfg.lease_delta());
        let kinds: Vec<&str> = runner.kinds().into_iter().map(Kind::name).collect();
        tracing::info!(holder = %runner.holder(), jobs = ?kinds, "background jobs started");
        tokio::spawn(run_loop(runner, rocket.shutdown()));
    }
}

/// The node's push sender: sends the push deliveries that are due as soon as someone
/// queues them ([`crate::push::wake`]) and, for those another node queued or a stopped
/// sender left, every half minute. On whenever `push.enabled` is (default), whatever
/// `jobs.enabled` says: a message that is due should not wait for a job's minute.
pub struct PushSender;

/// How often a sender looks for deliveries nobody woke it for.
const PUSH_POLL: Duration = Duration::from_secs(30);

#[rocket::async_trait]
impl Fairing for PushSender {
    fn info(&self) -> Info {
        Info {
            name: "Duta push sender",
            kind: FairingKind::Liftoff,
        }
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        let (Some(db), Some(pusher)) = (
            crate::state::part::<DatabaseConnection>(rocket).cloned(),
            crate::state::part::<crate::push::Pusher>(rocket).cloned(),
        ) else {
            return;
        };
        if !pusher.config.enabled {
            tracing::info!("push messages are off on this node (push.enabled = false)");
            return;
        }
        let shutdown = rocket.shutdown();
        tokio::spawn(async move {
            let mut shutdown = std::pin::pin!(shutdown);
            loop {
                match crate::notifications::push::drain(&db, &pusher).await {
                    Ok(sent) if sent != Default::default() => {
                        tracing::info!(?sent, "push messages sent")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "push messages not sent"),
                }
                tokio::select! {
                    _ = &mut shutdown => break,
                    _ = crate::push::wait_for_work(PUSH_POLL) => {}
                }
            }
        });
    }
}

/// This node's name in `job_runs`: the host name where the environment tells it (for
/// the operator reading the table) and a random part (two processes on one host differ).
fn holder_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_default();
    let host: String = host
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
        .take(60)
        .collect();
    let random = rand::random::<u64>();
    if host.is_empty() {
        format!("node-{random:016x}")
    } else {
        format!("{host}-{random:016x}")
    }
}

/// Wakes every minute until shutdown: schedules what has fallen due, then claims runs
/// until none is left, each run in its own task (a run of each job at most, so a long
/// re-check does not hold up the scheduled briefs). At shutdown the runs still going are
/// stopped and given back, due again for any node.
async fn run_loop(runner: Runner, shutdown: Shutdown) {
    let mut shutdown = std::pin::pin!(shutdown);
    let mut wakes = tokio::time::interval_at(tokio::time::Instant::now() + STARTUP_DELAY, WAKE);
    wakes.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut running: Vec<(i64, tokio::task::JoinHandle<()>)> = Vec::new();
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            _ = wakes.tick() => {}
        }
        running.retain(|(_, task)| !task.is_finished());
        if let Err(e) = runner.schedule(Utc::now()).await {
            tracing::warn!(error = %e, "cannot schedule the background jobs");
        }
        loop {
            match runner.claim(Utc::now()).await {
                Ok(Some(run)) => {
                    let id = run.id;
                    let r = runner.clone();
                    running.push((
                        id,
                        tokio::spawn(async move {
                            let job = run.job.clone();
                            if let Err(e) = r.execute(run, Utc::now()).await {
                                tracing::error!(job = %job, run = id, error = %e, "cannot store how a job run ended");
                            }
                        }),
                    ));
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot claim a background job run");
                    break;
                }
            }
        }
    }
    for (id, task) in running {
        if task.is_finished() {
            continue;
        }
        task.abort();
        if let Err(e) = task.await {
            if !e.is_cancelled() {
                tracing::warn!(run = id, error = %e, "background job stopped with an error");
            }
        }
        if let Err(e) = runs::give_back(&runner.db, id, &runner.holder).await {
            tracing::warn!(run = id, error = %e, "cannot give a job run back; another node takes it over when its claim runs out");
        }
    }
    tracing::debug!("background jobs stopped");
}

#[cfg(test)]
mod tests {
    use super::*;
    use rocket::figment::providers::{Format, Toml};

    fn config(toml: &str) -> Result<JobsConfig, Vec<String>> {
        JobsConfig::from_figment(&Figment::new().merge(Toml::string(toml)))
    }

    #[test]
    fn defaults_run_hourly() {
        let cfg = JobsConfig::from_figment(&Figment::new()).unwrap();
        assert!(cfg.enabled);
        assert_eq!(cfg.tick, Duration::from_secs(3600));
    }

    #[test]
    fn jobs_can_be_switched_off_and_tuned() {
        let cfg = config("[jobs]\nenabled = false\ntick_minutes = 5").unwrap();
        assert!(!cfg.enabled);
        assert_eq!(cfg.tick, Duration::from_secs(300));
    }

    #[test]
    fn wrong_values_are_named() {
        for toml in ["[jobs]\ntick_minutes = 0", "[jobs]\ntick_minutes = 1441"] {
            let errors = config(toml).unwrap_err();
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert!(errors[0].starts_with("jobs.tick_minutes:"), "{errors:?}");
        }
        let errors = config("[jobs]\ntick_minutes = \"often\"").unwrap_err();
        assert!(errors[0].starts_with("jobs.tick_minutes:"), "{errors:?}");
        let errors = config("[jobs]\ntick = 5").unwrap_err();
        assert!(errors[0].contains("tick"), "{errors:?}");
        let errors = config("jobs = 5").unwrap_err();
        assert!(errors[0].contains("must be a table"), "{errors:?}");
    }

    #[test]
    fn holder_ids_differ() {
        assert_ne!(holder_id(), holder_id());
    }

    /// An install upgraded in a week whose reminder went out under the old leases does
    /// not send it again: migration 48 turns those leases into done runs.
    #[tokio::test]
    async fn a_reminder_sent_before_the_upgrade_is_not_sent_again() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        upgraded_in_a_reminders_week(&url).await;
        // The same on a fresh PostgreSQL database when `DUTA_TEST_POSTGRES_URL` is set.
        let base = match std::env::var("DUTA_TEST_POSTGRES_URL") {
            Ok(b) if !b.is_empty() => b,
            _ => return,
        };
        use sea_orm::ConnectionTrait;
        let name = format!("duta_t_jobs_{:016x}", rand::random::<u64>());
        let admin = sea_orm::Database::connect(&base).await.unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let (prefix, _) = base.rsplit_once('/').unwrap();
        upgraded_in_a_reminders_week(&format!("{prefix}/{name}")).await;
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .unwrap();
    }

    async fn upgraded_in_a_reminders_week(url: &str) {
        use migration::MigratorTrait;
        use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder, Statement};
        let db = crate::db::connect(url).await.unwrap();
        migration::Migrator::up(&db, Some(47)).await.unwrap();
        crate::settings::service::ensure_defaults(&db, "Asia/Jakarta")
            .await
            .unwrap();
        let tz = chrono_tz::Asia::Jakarta;
        let (monday, _) = rules::week_around(Utc::now(), tz);
        // Thursday 09:05 WIB: the old job claimed and sent the reminder.
        let sent = monday + TimeDelta::days(3) + TimeDelta::hours(9) + TimeDelta::minutes(5);
        db.execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "INSERT INTO job_leases (job, holder, expires_at, updated_at) VALUES ($1, $2, $3, $4)",
            vec![
                "submissions.reminder.2026-W49".into(),
                "old-node".into(),
                (sent + TimeDelta::days(8)).into(),
                sent.into(),
            ],
        ))
        .await
        .unwrap();
        migration::Migrator::up(&db, None).await.unwrap();

        let mailer = crate::notify::Mailer::disabled();
        let later = sent + TimeDelta::hours(2);
        assert_eq!(
            remind_if_due(&db, &mailer, "new-node", later)
                .await
                .unwrap(),
            0
        );
        let runs = entity::job_runs::Entity::find().all(&db).await.unwrap();
        assert_eq!(runs.len(), 1, "{runs:?}");
        assert_eq!(runs[0].job, "submissions.reminder");
        assert_eq!(runs[0].state, "done");
        assert_eq!(runs[0].claimed_by.as_deref(), Some("old-node"));
        // Next week's goes out as usual.
        let next = later + TimeDelta::weeks(1);
        remind_if_due(&db, &mailer, "new-node", next).await.unwrap();
        let runs = entity::job_runs::Entity::find()
            .order_by_asc(entity::job_runs::Column::DueAt)
            .all(&db)
            .await
            .unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[1].claimed_by.as_deref(), Some("new-node"));
        assert_eq!(runs[1].state, "done");
        db.close().await.unwrap();
    }

    #[rocket::async_test]
    async fn a_missing_state_does_not_panic() {
        use rocket::local::asynchronous::Client;
        // Nothing managed: liftoff logs and returns.
        let bare = rocket::custom(rocket::Config::figment()).attach(Jobs);
        let client = Client::untracked(bare).await.unwrap();
        assert!(crate::state::part::<JobsConfig>(client.rocket()).is_none());
    }
}
