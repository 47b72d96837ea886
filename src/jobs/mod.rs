//! Background jobs: work that runs on a timer beside the web server: the periodic
//! re-check of follower counts ([`recheck`]), and every minute, telling the audience of
//! scheduled briefs whose time has come (claimed per brief, so nodes never tell twice)
//! and, from Thursday 09:00, the weekly reminder to ambassadors who have not posted yet
//! (claimed per week).
//!
//! The [`Jobs`] fairing checks the `jobs` table of the configuration at ignition and, at
//! liftoff, starts one tokio task that wakes every `jobs.tick_minutes`. Several app nodes
//! may share one PostgreSQL database, so each run is claimed first with a lease row in
//! `job_leases` ([`try_claim`]): one node runs, the others skip that tick. The task stops
//! with Rocket's shutdown; an error is logged and the next tick tries again, so the web
//! server never goes down with a job.

pub mod lease;
pub mod recheck;

use std::time::Duration;

use chrono::Utc;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::figment::Figment;
use rocket::{Orbit, Rocket, Shutdown};
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use crate::followers::FollowerSources;

pub use lease::{release, try_claim};
pub use recheck::{run_recheck_once, RecheckReport};

/// The lease name of the follower re-check.
pub const RECHECK_JOB: &str = "followers.recheck";
/// The lease name of the retention job (erasing people withdrawn past the retention days).
pub const RETENTION_JOB: &str = "privacy.retention";

const DEFAULT_TICK_MINUTES: i64 = 60;
/// The first run after a start waits this long (or one tick, when that is shorter), so that
/// a node that restarts often still runs its jobs, and a start is not slowed by them.
const STARTUP_DELAY: Duration = Duration::from_secs(60);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJobs {
    #[serde(default = "default_enabled")]
    enabled: bool,
    #[serde(default = "default_tick")]
    tick_minutes: i64,
}

fn default_enabled() -> bool {
    true
}
fn default_tick() -> i64 {
    DEFAULT_TICK_MINUTES
}

/// The checked `jobs` configuration (a part of the application state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobsConfig {
    /// `jobs.enabled`: false keeps every background job off on this node.
    pub enabled: bool,
    /// `jobs.tick_minutes`: how often the jobs wake up to look for work.
    pub tick: Duration,
}

impl Default for JobsConfig {
    fn default() -> Self {
        JobsConfig {
            enabled: true,
            tick: Duration::from_secs(60 * DEFAULT_TICK_MINUTES.unsigned_abs()),
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
        if !(1..=1440).contains(&raw.tick_minutes) {
            return Err(vec![format!(
                "jobs.tick_minutes: must be between 1 and 1440 minutes (one day), not {}",
                raw.tick_minutes
            )]);
        }
        Ok(JobsConfig {
            enabled: raw.enabled,
            tick: Duration::from_secs(60 * raw.tick_minutes.unsigned_abs()),
        })
    }
}

/// Starts the job loop at liftoff (unless `jobs.enabled` is false). Reads the
/// `JobsConfig` (checked with the rest of the state, see `crate::app_state`), the
/// `DatabaseConnection` and the `FollowerSources` from the application state.
pub struct Jobs;

#[rocket::async_trait]
impl Fairing for Jobs {
    fn info(&self) -> Info {
        Info {
            name: "Duta background jobs",
            kind: Kind::Liftoff,
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
        tracing::info!(holder = %holder, tick_secs = cfg.tick.as_secs(), "background jobs started");
        let mailer = crate::state::part::<crate::notify::Mailer>(rocket)
            .cloned()
            .unwrap_or_else(crate::notify::Mailer::disabled);
        tokio::spawn(briefs_loop(
            db.clone(),
            mailer,
            holder.clone(),
            rocket.shutdown(),
        ));
        let store = crate::state::part::<crate::media::service::MediaStore>(rocket).cloned();
        tokio::spawn(run_loop(
            db,
            sources,
            store,
            cfg.tick,
            holder,
            rocket.shutdown(),
        ));
    }
}

/// This node's name in `job_leases`: the host name where the environment tells it (for
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

/// Wakes every `tick` until shutdown. Each tick runs in its own task, so that even a panic
/// deep inside a platform client only costs that tick.
async fn run_loop(
    db: DatabaseConnection,
    sources: FollowerSources,
    store: Option<crate::media::service::MediaStore>,
    tick: Duration,
    holder: String,
    shutdown: Shutdown,
) {
    let mut shutdown = std::pin::pin!(shutdown);
    let first = tokio::time::Instant::now() + STARTUP_DELAY.min(tick);
    let mut ticks = tokio::time::interval_at(first, tick);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            _ = ticks.tick() => {}
        }
        let (db2, sources2, store2, holder2) =
            (db.clone(), sources.clone(), store.clone(), holder.clone());
        let mut run = tokio::spawn(async move {
            recheck_tick(db2.clone(), sources2, holder2.clone()).await;
            if let Some(store) = store2 {
                retention_tick(&db2, &store, &holder2).await;
            }
        });
        tokio::select! {
            _ = &mut shutdown => {
                // The run's open transaction rolls back; its lease runs out by itself.
                run.abort();
                break;
            }
            joined = &mut run => {
                if let Err(e) = joined {
                    tracing::error!(error = %e, job = RECHECK_JOB, "background job failed");
                }
            }
        }
    }
    tracing::debug!("background jobs stopped");
}

/// How often scheduled briefs are looked at.
const BRIEFS_TICK: Duration = Duration::from_secs(60);

/// Every minute: tells the audience of each scheduled brief whose publish time has come.
/// Each brief is claimed by setting its `notified_at`, so two nodes never tell twice.
async fn briefs_loop(
    db: DatabaseConnection,
    mailer: crate::notify::Mailer,
    holder: String,
    shutdown: Shutdown,
) {
    let mut shutdown = std::pin::pin!(shutdown);
    let mut ticks = tokio::time::interval(BRIEFS_TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            _ = ticks.tick() => {}
        }
        match crate::briefs::service::due_briefs(&db).await {
            Ok(ids) => {
                for id in ids {
                    crate::briefs::service::tell_if_due(&db, &mailer, id).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot look for scheduled briefs"),
        }
        if let Err(e) =
            crate::submissions::service::remind_if_due(&db, &mailer, &holder, Utc::now()).await
        {
            tracing::warn!(error = %e, "cannot send the weekly reminder");
        }
    }
}

/// One tick of the retention job: claim it, erase everyone withdrawn longer ago than the
/// programme's retention period, give the lease back.
async fn retention_tick(
    db: &DatabaseConnection,
    store: &crate::media::service::MediaStore,
    holder: &str,
) {
    let now = Utc::now();
    match try_claim(db, RETENTION_JOB, holder, chrono::TimeDelta::hours(1), now).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(e) => {
            tracing::error!(error = %e, job = RETENTION_JOB, "cannot claim the job");
            return;
        }
    }
    match crate::privacy::service::erase_expired(db, store, now).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(job = RETENTION_JOB, erased = n, "withdrawn people erased"),
        Err(e) => tracing::error!(error = %e, job = RETENTION_JOB, "retention job failed"),
    }
    if let Err(e) = release(db, RETENTION_JOB, holder, Utc::now()).await {
        tracing::warn!(error = %e, job = RETENTION_JOB, "cannot release the job's lease; it will expire");
    }
}

/// One tick of the follower re-check: claim the run, run one batch, give the lease back.
async fn recheck_tick(db: DatabaseConnection, sources: FollowerSources, holder: String) {
    // Without any API token there is nothing to re-check: no need to touch the database.
    if sources.configured().is_empty() {
        return;
    }
    let now = Utc::now();
    match try_claim(&db, RECHECK_JOB, &holder, recheck::lease_ttl(&sources), now).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::debug!(job = RECHECK_JOB, "another node is running this job");
            return;
        }
        Err(e) => {
            tracing::error!(error = %e, job = RECHECK_JOB, "cannot claim the job");
            return;
        }
    }
    match run_recheck_once(&db, &sources, now).await {
        Ok(report) if report == RecheckReport::default() => {
            tracing::debug!(job = RECHECK_JOB, "no follower count due for a re-check")
        }
        Ok(report) => tracing::info!(
            job = RECHECK_JOB,
            checked = report.checked,
            below = report.below,
            recovered = report.recovered,
            failed = report.failed,
            "follower counts re-checked"
        ),
        Err(e) => tracing::error!(error = %e, job = RECHECK_JOB, "follower re-check failed"),
    }
    if let Err(e) = release(&db, RECHECK_JOB, &holder, Utc::now()).await {
        tracing::warn!(error = %e, job = RECHECK_JOB, "cannot release the job's lease; it will expire");
    }
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

    #[rocket::async_test]
    async fn a_missing_state_does_not_panic() {
        use rocket::local::asynchronous::Client;
        // Nothing managed: liftoff logs and returns.
        let bare = rocket::custom(rocket::Config::figment()).attach(Jobs);
        let client = Client::untracked(bare).await.unwrap();
        assert!(crate::state::part::<JobsConfig>(client.rocket()).is_none());
    }
}
