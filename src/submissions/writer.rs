//! The one writer of new submissions on this node. Requests hand their checked rows to
//! it; it writes whatever has queued up meanwhile in one transaction (one multi-row
//! insert that skips any row a unique index refuses, and each row's aggregate), so that
//! a busy hour of posts costs a commit per batch instead of one per post. A row the
//! indexes refused comes back as `None`: the post, or the ambassador's open slot for
//! that brief and platform, was taken.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Statement,
};
use tokio::sync::{mpsc, oneshot};

use crate::db::{begin_write, is_unique_violation};
use crate::error::{AppError, AppResult};
use crate::leaderboard::service::{record_counts, record_submitted, PostFacts};
use entity::submissions;

/// Rows written in one transaction at most.
const MAX_BATCH: usize = 64;
/// Rows waiting for the writer at most; a request beyond it waits for room.
const QUEUE: usize = 1024;

/// A checked row and where its outcome goes.
struct Job {
    row: submissions::ActiveModel,
    post_key: String,
    ambassador_id: i64,
    /// Verified at once (X proved it): counted as verified in the aggregates.
    auto: bool,
    reply: oneshot::Sender<AppResult<Option<submissions::Model>>>,
}

/// A part of the application state (`crate::state`): the queue to this node's submission
/// writer, started on first use.
#[derive(Default)]
pub struct Writer {
    queue: OnceLock<mpsc::Sender<Job>>,
}

impl Writer {
    /// Writes a new submission row with its aggregates; `None` when a unique index
    /// refused it.
    pub async fn insert(
        &self,
        db: &DatabaseConnection,
        row: submissions::ActiveModel,
        post_key: String,
        ambassador_id: i64,
        auto: bool,
    ) -> AppResult<Option<submissions::Model>> {
        let queue = self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(QUEUE);
            tokio::spawn(run(db.clone(), rx));
            tx
        });
        let (reply, outcome) = oneshot::channel();
        let job = Job {
            row,
            post_key,
            ambassador_id,
            auto,
            reply,
        };
        queue
            .send(job)
            .await
            .map_err(|_| AppError::internal("the submission writer has stopped"))?;
        outcome
            .await
            .map_err(|_| AppError::internal("the submission writer dropped a row"))?
    }
}

async fn run(db: DatabaseConnection, mut queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let jobs = std::mem::take(&mut batch);
        match write(&db, &jobs).await {
            Ok(rows) => {
                for (job, row) in jobs.into_iter().zip(rows) {
                    // The request may have gone (the client left): nothing to tell.
                    let _gone = job.reply.send(Ok(row));
                }
            }
            // One row's failure must not fail the others: each alone, its own answer.
            Err(e) if jobs.len() > 1 => {
                tracing::warn!(error = %e, rows = jobs.len(), "a batch of submissions failed; writing them one by one");
                for job in jobs {
                    let outcome = write(&db, std::slice::from_ref(&job))
                        .await
                        .map(|mut rows| rows.pop().flatten());
                    let _gone = job.reply.send(outcome);
                }
            }
            Err(e) => {
                for job in jobs {
                    let answer = if e.is_storage_full() {
                        AppError::StorageFull(e.to_string())
                    } else if e.is_database_down() {
                        AppError::DatabaseDown(e.to_string())
                    } else {
                        AppError::internal(e.to_string())
                    };
                    let _gone = job.reply.send(Err(answer));
                }
            }
        }
    }
}

/// Inserts the rows that no unique index refuses, and counts each into the aggregates,
/// in one transaction. The answer has one entry per job, in order.
async fn write(
    db: &DatabaseConnection,
    jobs: &[Job],
) -> AppResult<Vec<Option<submissions::Model>>> {
    let txn = begin_write(db).await?;
    let taken = taken(&txn, jobs).await?;
    let fresh: Vec<submissions::ActiveModel> = jobs
        .iter()
        .zip(&taken)
        .filter(|(_, taken)| !**taken)
        .map(|(j, _)| j.row.clone())
        .collect();
    let inserted = if fresh.is_empty() {
        Vec::new()
    } else {
        let insert = submissions::Entity::insert_many(fresh)
            .on_conflict(OnConflict::new().do_nothing().to_owned())
            .exec_with_returning(&txn)
            .await;
        match insert {
            Ok(rows) => rows,
            // PostgreSQL: another node took the key or slot since `taken` looked; the
            // trigger refused the statement. One job alone: that job's row was refused.
            Err(e) if jobs.len() == 1 && is_unique_violation(&e) => return Ok(vec![None]),
            Err(e) => return Err(e.into()),
        }
    };
    // Post keys are unique among stored rows, so each inserted row is one job's: the
    // first of its ambassador with that post.
    let mut by_key: HashMap<(String, i64), submissions::Model> = inserted
        .into_iter()
        .map(|m| ((m.post_key.clone(), m.ambassador_id), m))
        .collect();
    let mut rows = Vec::with_capacity(jobs.len());
    let mut pending = Vec::new();
    let mut verified = Vec::new();
    for job in jobs {
        let row = by_key.remove(&(job.post_key.clone(), job.ambassador_id));
        if let Some(saved) = &row {
            if job.auto {
                record_counts(&txn, &PostFacts::of(saved), 1, 1).await?;
                verified.push(saved.ambassador_id);
            } else {
                pending.push(PostFacts::of(saved));
            }
        }
        rows.push(row);
    }
    record_submitted(&txn, &pending).await?;
    crate::leaderboard::standings::refresh(&txn, &verified).await?;
    txn.commit().await?;
    Ok(rows)
}

/// Which jobs would be refused for a post key or open slot that is taken, by a stored row
/// or by an earlier job of the same batch. On PostgreSQL the keys and slots live in their
/// own tables (`submissions` is partitioned by month, and a unique index there could only
/// be unique within a month) whose trigger refuses the whole statement, so the taken rows
/// are left out before it; SQLite's unique indexes skip them in the insert itself.
async fn taken(txn: &impl ConnectionTrait, jobs: &[Job]) -> AppResult<Vec<bool>> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(vec![false; jobs.len()]);
    }
    let keys: Vec<String> = jobs.iter().map(|j| j.post_key.clone()).collect();
    let slots: Vec<String> = jobs.iter().filter_map(slot_of).collect();
    let stored = txn
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT post_key FROM submission_post_keys WHERE post_key = ANY($1) \
             UNION ALL SELECT slot FROM submission_slots WHERE slot = ANY($2)",
            [keys.into(), slots.into()],
        ))
        .await?;
    let mut seen: HashSet<String> = stored
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect();
    Ok(jobs
        .iter()
        .map(|j| {
            let claims = [Some(j.post_key.clone()), slot_of(j)];
            let refused = claims.iter().flatten().any(|c| seen.contains(c));
            if !refused {
                seen.extend(claims.into_iter().flatten());
            }
            refused
        })
        .collect())
}

/// The open slot a job's row claims (`ambassador:brief:platform`), if any.
fn slot_of(job: &Job) -> Option<String> {
    match &job.row.slot {
        ActiveValue::Set(slot) | ActiveValue::Unchanged(slot) => slot.clone(),
        ActiveValue::NotSet => None,
    }
}
