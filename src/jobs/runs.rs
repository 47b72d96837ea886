//! The runs of background jobs, one row each in `job_runs`, and how app nodes share them.
//!
//! - **Scheduling** inserts a run named by its job and the instant it is due
//!   (`INSERT … ON CONFLICT (job, due_at) DO NOTHING`): every node may schedule the same
//!   run, one row results.
//! - **Claiming** is one `UPDATE … WHERE id = (SELECT … LIMIT 1) RETURNING` that moves
//!   the oldest claimable run to `running` for this node until `claimed_until`; on
//!   PostgreSQL the inner select takes the row `FOR UPDATE SKIP LOCKED`, so concurrent
//!   claimers pass over each other's rows instead of waiting; on SQLite the claim holds
//!   the database's writer turn ([`crate::db::begin_write`]), so claims follow one another.
//!   Claimable are due runs (an attempt that failed waits [`RETRY_AFTER`]), and running
//!   runs whose `claimed_until` has passed: their node stopped, and another takes over
//!   with `attempts + 1`. A job has one run running at a time.
//! - **While it runs**, the node pushes `claimed_until` on ([`extend`], every third of
//!   the lease); if it finds the run taken over, it stops.
//! - **Ending** ([`finish`]) stores done with a summary, or the error: tried again until
//!   [`MAX_ATTEMPTS`], then failed. A run whose node stopped on its last attempt is
//!   failed by the next claim. `job_run_totals` counts each end in the same transaction.
//!
//! Old runs are forgotten as new ones end: a job keeps its last [`KEEP_DONE`] done runs
//! and its failed runs for [`KEEP_FAILED`].

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};

use super::rules::clip;
use crate::db::begin_write;
use crate::error::AppResult;

/// Attempts of one run before it is failed.
pub const MAX_ATTEMPTS: i32 = 3;
/// How long a claim lasts unless its node extends it; a node that stops is replaced this
/// long after its last extension.
pub const LEASE: TimeDelta = TimeDelta::minutes(2);
/// How long a run waits after a failed attempt before it is claimed again.
pub const RETRY_AFTER: TimeDelta = TimeDelta::minutes(1);
/// Done runs kept per job (the newest).
pub const KEEP_DONE: i64 = 100;
/// How long failed runs are kept.
pub const KEEP_FAILED: TimeDelta = TimeDelta::days(30);
/// The longest error or summary kept, in characters.
const MAX_TEXT: usize = 2_000;

/// A run this node has claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: i64,
    pub job: String,
    pub due_at: DateTime<Utc>,
    /// This attempt's number, from 1.
    pub attempts: i32,
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    Done,
    /// Failed, and will be tried again.
    Retry,
    /// Failed on its last attempt.
    Failed,
    /// Another node took the run over meanwhile (this node's claim had run out); nothing
    /// was stored.
    Lost,
}

fn stmt(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(db.get_database_backend(), sql, values)
}

/// Adds one to a job's count of an outcome.
async fn count(db: &impl ConnectionTrait, job: &str, outcome: &str) -> AppResult<()> {
    db.execute_raw(stmt(
        db,
        "INSERT INTO job_run_totals (job, outcome, runs) VALUES ($1, $2, 1) \
         ON CONFLICT (job, outcome) DO UPDATE SET runs = job_run_totals.runs + 1",
        vec![job.into(), outcome.into()],
    ))
    .await?;
    Ok(())
}

/// Schedules the run of `job` due at `due_at`; true when this call inserted it (false:
/// it exists already, whoever inserted it).
pub async fn schedule(
    db: &DatabaseConnection,
    job: &str,
    due_at: DateTime<Utc>,
) -> AppResult<bool> {
    let done = db
        .execute_raw(stmt(
            db,
            "INSERT INTO job_runs (job, due_at, state, attempts) VALUES ($1, $2, 'due', 0) \
             ON CONFLICT (job, due_at) DO NOTHING",
            vec![job.into(), due_at.into()],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Schedules the run of `job` due at `due_at` unless the job has a run due in
/// `[from, until)` already (a weekly job whose day or hour changed after this week's run).
/// On PostgreSQL the check and the insert hold a transaction lock on the job's name, so
/// two nodes that disagree on `due_at` still insert one run.
pub async fn schedule_once_between(
    db: &DatabaseConnection,
    job: &str,
    due_at: DateTime<Utc>,
    (from, until): (DateTime<Utc>, DateTime<Utc>),
) -> AppResult<bool> {
    let txn = begin_write(db).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(stmt(
            &txn,
            "SELECT pg_advisory_xact_lock(hashtext('job_runs:' || $1))",
            vec![job.into()],
        ))
        .await?;
    }
    let done = txn
        .execute_raw(stmt(
            &txn,
            "INSERT INTO job_runs (job, due_at, state, attempts) \
             SELECT $1, $2, 'due', 0 WHERE NOT EXISTS (SELECT 1 FROM job_runs \
               WHERE job = $1 AND due_at >= $3 AND due_at < $4) \
             ON CONFLICT (job, due_at) DO NOTHING",
            vec![job.into(), due_at.into(), from.into(), until.into()],
        ))
        .await?;
    txn.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// Stores the run of `job` due at `due_at` as done already, with `summary`, unless that
/// run exists (the bench seed does the weekly work itself: its data set is checked as it
/// is written, and its people are not to be reminded).
pub async fn record_done(
    db: &DatabaseConnection,
    job: &str,
    due_at: DateTime<Utc>,
    summary: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let done = db
        .execute_raw(stmt(
            db,
            "INSERT INTO job_runs (job, due_at, state, attempts, started_at, finished_at, summary) \
             VALUES ($1, $2, 'done', 0, $3, $3, $4) ON CONFLICT (job, due_at) DO NOTHING",
            vec![
                job.into(),
                due_at.into(),
                now.into(),
                clip(summary, MAX_TEXT).into(),
            ],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Claims the oldest claimable run of one of `jobs` for `holder` until `now + lease`, or
/// None when there is none. First fails the runs whose node stopped on their last attempt.
pub async fn claim(
    db: &DatabaseConnection,
    jobs: &[&str],
    holder: &str,
    lease: TimeDelta,
    now: DateTime<Utc>,
) -> AppResult<Option<Claimed>> {
    if jobs.is_empty() {
        return Ok(None);
    }
    let txn = begin_write(db).await?;
    // Rows another claimer is giving up or claiming are passed over on PostgreSQL, so
    // claimers never wait for each other here.
    let lock = if txn.get_database_backend() == DbBackend::Postgres {
        " FOR UPDATE OF c SKIP LOCKED"
    } else {
        ""
    };
    let given_up = txn
        .query_all_raw(stmt(
            &txn,
            &format!(
                "UPDATE job_runs SET state = 'failed', finished_at = $1, \
                   error = 'the node ' || COALESCE(claimed_by, '?') || \
                     ' stopped before the run ended (attempt ' || CAST(attempts AS TEXT) || \
                     ' of {MAX_ATTEMPTS})' \
                 WHERE id IN (SELECT c.id FROM job_runs c WHERE c.state = 'running' \
                   AND c.claimed_until < $1 AND c.attempts >= {MAX_ATTEMPTS}{lock}) \
                 RETURNING job"
            ),
            vec![now.into()],
        ))
        .await?;
    let mut failed = given_up
        .iter()
        .map(|row| row.try_get_by_index::<String>(0))
        .collect::<Result<Vec<_>, _>>()?;
    // Counted in one order, so two claimers' counters cannot wait for each other.
    failed.sort();
    for job in failed {
        tracing::error!(job = %job, "background job failed: its node stopped on the last attempt");
        count(&txn, &job, "failed").await?;
    }

    // $1 holder, $2 claimed until, $3 now, $4 retry cut-off, $5… the jobs.
    let names = (0..jobs.len())
        .map(|i| format!("${}", i + 5))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "UPDATE job_runs SET state = 'running', claimed_by = $1, claimed_until = $2, \
           attempts = attempts + 1, started_at = $3, \
           error = CASE WHEN state = 'running' \
             THEN 'the node ' || COALESCE(claimed_by, '?') || ' stopped before the run ended' \
             ELSE error END \
         WHERE id = (SELECT c.id FROM job_runs c \
           WHERE c.job IN ({names}) \
             AND ((c.state = 'due' AND c.due_at <= $3 \
                   AND (c.finished_at IS NULL OR c.finished_at <= $4)) \
               OR (c.state = 'running' AND c.claimed_until < $3 AND c.attempts < {MAX_ATTEMPTS})) \
             AND NOT EXISTS (SELECT 1 FROM job_runs r WHERE r.job = c.job \
               AND r.state = 'running' AND r.claimed_until >= $3) \
           ORDER BY c.due_at, c.id LIMIT 1{lock}) \
         RETURNING id, job, due_at, attempts"
    );
    let mut values: Vec<Value> = vec![
        holder.into(),
        (now + lease).into(),
        now.into(),
        (now - RETRY_AFTER).into(),
    ];
    values.extend(jobs.iter().map(|j| Value::from(*j)));
    let row = txn.query_one_raw(stmt(&txn, &sql, values)).await?;
    let claimed = match row {
        Some(r) => Some(Claimed {
            id: r.try_get_by_index(0)?,
            job: r.try_get_by_index(1)?,
            due_at: r.try_get_by_index(2)?,
            attempts: r.try_get_by_index(3)?,
        }),
        None => None,
    };
    if let Some(c) = &claimed {
        if c.attempts > 1 {
            count(&txn, &c.job, "retried").await?;
        }
    }
    txn.commit().await?;
    Ok(claimed)
}

/// Pushes the claim of a running run on to `until`; false when it is no longer this
/// node's (another node took it over after the claim ran out).
pub async fn extend(
    db: &DatabaseConnection,
    id: i64,
    holder: &str,
    until: DateTime<Utc>,
) -> AppResult<bool> {
    let done = db
        .execute_raw(stmt(
            db,
            "UPDATE job_runs SET claimed_until = $1 \
             WHERE id = $2 AND claimed_by = $3 AND state = 'running'",
            vec![until.into(), id.into(), holder.into()],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends this node's attempt at a run: done with its summary, or its error (tried again
/// unless it was the last attempt). Then forgets the job's old runs.
pub async fn finish(
    db: &DatabaseConnection,
    run: &Claimed,
    holder: &str,
    result: Result<String, String>,
    now: DateTime<Utc>,
) -> AppResult<Ended> {
    let (ended, state) = match &result {
        Ok(_) => (Ended::Done, "done"),
        Err(_) if run.attempts >= MAX_ATTEMPTS => (Ended::Failed, "failed"),
        Err(_) => (Ended::Retry, "due"),
    };
    let txn = begin_write(db).await?;
    let (sql, text) = match &result {
        Ok(summary) => (
            "UPDATE job_runs SET state = $1, finished_at = $2, summary = $3 \
             WHERE id = $4 AND claimed_by = $5 AND state = 'running'",
            clip(summary, MAX_TEXT),
        ),
        Err(error) => (
            "UPDATE job_runs SET state = $1, finished_at = $2, error = $3 \
             WHERE id = $4 AND claimed_by = $5 AND state = 'running'",
            clip(error, MAX_TEXT),
        ),
    };
    let changed = txn
        .execute_raw(stmt(
            &txn,
            sql,
            vec![
                state.into(),
                now.into(),
                text.into(),
                run.id.into(),
                holder.into(),
            ],
        ))
        .await?;
    if changed.rows_affected() != 1 {
        txn.rollback().await?;
        return Ok(Ended::Lost);
    }
    match ended {
        Ended::Done => count(&txn, &run.job, "done").await?,
        Ended::Failed => count(&txn, &run.job, "failed").await?,
        Ended::Retry | Ended::Lost => {}
    }
    if ended == Ended::Done {
        txn.execute_raw(stmt(
            &txn,
            &format!(
                "DELETE FROM job_runs WHERE job = $1 AND state = 'done' AND due_at < \
                   (SELECT due_at FROM job_runs WHERE job = $1 AND state = 'done' \
                    ORDER BY due_at DESC LIMIT 1 OFFSET {})",
                KEEP_DONE - 1
            ),
            vec![run.job.as_str().into()],
        ))
        .await?;
        txn.execute_raw(stmt(
            &txn,
            "DELETE FROM job_runs WHERE job = $1 AND state = 'failed' AND finished_at < $2",
            vec![run.job.as_str().into(), (now - KEEP_FAILED).into()],
        ))
        .await?;
    }
    txn.commit().await?;
    Ok(ended)
}

/// Gives a run this node claimed back without counting the attempt (the node is shutting
/// down): it is due again for any node.
pub async fn give_back(db: &DatabaseConnection, id: i64, holder: &str) -> AppResult<()> {
    db.execute_raw(stmt(
        db,
        "UPDATE job_runs SET state = 'due', attempts = attempts - 1, claimed_until = NULL \
         WHERE id = $1 AND claimed_by = $2 AND state = 'running'",
        vec![id.into(), holder.into()],
    ))
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::EntityTrait;

    async fn sqlite() -> (tempfile::TempDir, DatabaseConnection) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let db = crate::db::connect(&url).await.unwrap();
        crate::db::migrate(&db).await.unwrap();
        (dir, db)
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_796_000_000 + secs, 0).unwrap()
    }

    async fn row(db: &DatabaseConnection, id: i64) -> entity::job_runs::Model {
        entity::job_runs::Entity::find_by_id(id)
            .one(db)
            .await
            .unwrap()
            .unwrap()
    }

    #[tokio::test]
    async fn a_run_is_scheduled_once_and_claimed_once() {
        let (_dir, db) = sqlite().await;
        assert!(schedule(&db, "a", at(0)).await.unwrap());
        assert!(!schedule(&db, "a", at(0)).await.unwrap());
        // Not before it is due, and not for a node that does not run the job.
        assert_eq!(claim(&db, &["a"], "n1", LEASE, at(-1)).await.unwrap(), None);
        assert_eq!(claim(&db, &["b"], "n1", LEASE, at(0)).await.unwrap(), None);
        let run = claim(&db, &["a", "b"], "n1", LEASE, at(0))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (run.job.as_str(), run.due_at, run.attempts),
            ("a", at(0), 1)
        );
        assert_eq!(claim(&db, &["a"], "n2", LEASE, at(1)).await.unwrap(), None);
        assert_eq!(
            finish(&db, &run, "n1", Ok("told=0".into()), at(5))
                .await
                .unwrap(),
            Ended::Done
        );
        let stored = row(&db, run.id).await;
        assert_eq!(stored.state, "done");
        assert_eq!(stored.summary.as_deref(), Some("told=0"));
        assert_eq!(stored.claimed_by.as_deref(), Some("n1"));
        assert_eq!(
            claim(&db, &["a"], "n2", LEASE, at(600)).await.unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn a_failed_attempt_waits_then_is_tried_again_until_the_last() {
        let (_dir, db) = sqlite().await;
        schedule(&db, "a", at(0)).await.unwrap();
        let mut now = at(0);
        for attempt in 1..=MAX_ATTEMPTS {
            let run = claim(&db, &["a"], "n1", LEASE, now).await.unwrap().unwrap();
            assert_eq!(run.attempts, attempt);
            let ended = finish(&db, &run, "n1", Err(format!("boom {attempt}")), now)
                .await
                .unwrap();
            if attempt < MAX_ATTEMPTS {
                assert_eq!(ended, Ended::Retry);
                // Not at once …
                assert_eq!(claim(&db, &["a"], "n1", LEASE, now).await.unwrap(), None);
            } else {
                assert_eq!(ended, Ended::Failed);
            }
            // … but a minute later.
            now += RETRY_AFTER;
        }
        assert_eq!(claim(&db, &["a"], "n1", LEASE, now).await.unwrap(), None);
        let run = entity::job_runs::Entity::find()
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(run.state, "failed");
        assert_eq!(run.error.as_deref(), Some("boom 3"));
        assert_eq!(run.attempts, 3);
    }

    #[tokio::test]
    async fn a_late_node_cannot_end_a_run_taken_over() {
        let (_dir, db) = sqlite().await;
        schedule(&db, "a", at(0)).await.unwrap();
        let first = claim(&db, &["a"], "n1", LEASE, at(0))
            .await
            .unwrap()
            .unwrap();
        let later = at(0) + LEASE + TimeDelta::seconds(1);
        let second = claim(&db, &["a"], "n2", LEASE, later)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((second.id, second.attempts), (first.id, 2));
        assert!(!extend(&db, first.id, "n1", later + LEASE).await.unwrap());
        assert_eq!(
            finish(&db, &first, "n1", Ok("x".into()), later)
                .await
                .unwrap(),
            Ended::Lost
        );
        assert_eq!(
            finish(&db, &second, "n2", Ok("y".into()), later)
                .await
                .unwrap(),
            Ended::Done
        );
        let stored = row(&db, first.id).await;
        assert_eq!(stored.summary.as_deref(), Some("y"));
        assert_eq!(
            stored.error.as_deref(),
            Some("the node n1 stopped before the run ended")
        );
    }

    #[tokio::test]
    async fn old_done_runs_are_forgotten() {
        let (_dir, db) = sqlite().await;
        for i in 0..(KEEP_DONE + 5) {
            schedule(&db, "a", at(i * 60)).await.unwrap();
            let run = claim(&db, &["a"], "n1", LEASE, at(i * 60))
                .await
                .unwrap()
                .unwrap();
            finish(&db, &run, "n1", Ok(String::new()), at(i * 60))
                .await
                .unwrap();
        }
        let left = entity::job_runs::Entity::find().all(&db).await.unwrap();
        assert_eq!(left.len() as i64, KEEP_DONE);
        assert_eq!(left.iter().map(|r| r.due_at).min(), Some(at(5 * 60)));
        let totals =
            entity::job_run_totals::Entity::find_by_id(("a".to_string(), "done".to_string()))
                .one(&db)
                .await
                .unwrap()
                .unwrap();
        assert_eq!(totals.runs, KEEP_DONE + 5, "the counter does not forget");
    }

    #[tokio::test]
    async fn a_weekly_run_is_scheduled_once_in_its_week() {
        let (_dir, db) = sqlite().await;
        let week = (at(0), at(7 * 86_400));
        assert!(schedule_once_between(&db, "w", at(3600), week)
            .await
            .unwrap());
        assert!(!schedule_once_between(&db, "w", at(3600), week)
            .await
            .unwrap());
        // The hour changed: still this week's run only.
        assert!(!schedule_once_between(&db, "w", at(7200), week)
            .await
            .unwrap());
        let next = (at(7 * 86_400), at(14 * 86_400));
        assert!(schedule_once_between(&db, "w", at(7 * 86_400 + 3600), next)
            .await
            .unwrap());
    }
}
