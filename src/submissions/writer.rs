//! The one writer of new submissions on this node. Requests hand their checked rows to
//! it; it writes whatever has queued up meanwhile in one transaction (one multi-row
//! insert that skips any row a unique index refuses, and each row's aggregate), so that
//! a busy hour of posts costs a commit per batch instead of one per post. A row the
//! indexes refused comes back as `None`: the post, or the ambassador's open slot for
//! that brief and platform, was taken.

use std::collections::HashMap;
use std::sync::OnceLock;

use sea_orm::sea_query::OnConflict;
use sea_orm::{DatabaseConnection, EntityTrait};
use tokio::sync::{mpsc, oneshot};

use crate::db::begin_write;
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
    let inserted = submissions::Entity::insert_many(jobs.iter().map(|j| j.row.clone()))
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .exec_with_returning(&txn)
        .await?;
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
