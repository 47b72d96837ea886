//! Connecting to SQLite or PostgreSQL (chosen by the URL), the pragmas that make SQLite
//! safe under concurrent writers, migrations at start, and the write-transaction helper.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, ExecResult, QueryResult, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait,
};
use tokio::sync::OwnedMutexGuard;

/// How long a SQLite writer waits for another to finish before giving up.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(15);

/// How long opening one connection may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a request waits for a pooled PostgreSQL connection before it answers 503.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
const SQLITE_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_pool(url, None).await
}

/// [`connect`] with `pool` connections (`None`: 8; see `database_pool` in the README).
pub async fn connect_pool(url: &str, pool: Option<u32>) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false)
        // A PostgreSQL server that is down is reported within seconds (503, and /healthz
        // says so) instead of holding requests for half a minute.
        .connect_timeout(CONNECT_TIMEOUT)
        .acquire_timeout(ACQUIRE_TIMEOUT);
    if url.starts_with("sqlite:") {
        // A SQLite file is never "down": a wait for a connection is other writers' turn,
        // which may be long under a burst; they are not refused for it.
        opts.acquire_timeout(SQLITE_ACQUIRE_TIMEOUT);
        opts.max_connections(pool.unwrap_or(8)).min_connections(1);
        opts.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true)
                .create_if_missing(true)
        });
        // A connection whose transaction SQLite ended by itself still counts as inside it:
        // a COMMIT refused for a full disk is rolled back automatically, the driver's own
        // ROLLBACK then fails, and the next `BEGIN IMMEDIATE` on that connection would
        // become a SAVEPOINT in a deferred transaction ("database is locked" at its first
        // write). Such a connection is closed instead of handed out again.
        opts.map_sqlx_sqlite_before_acquire(|conn, _| {
            Box::pin(async move { Ok(!sea_orm::sqlx::Connection::is_in_transaction(conn)) })
        });
    } else {
        opts.max_connections(pool.unwrap_or(8)).min_connections(1);
    }
    let db = Database::connect(opts).await?;
    if db.get_database_backend() == DbBackend::Sqlite && !planner_is_stable(&db).await? {
        tracing::warn!(
            "SQLite was built without SQLITE_ENABLE_QPSG (see .cargo/config.toml): every read \
             with a LIMIT is prepared again at each run"
        );
    }
    Ok(db)
}

/// Whether the SQLite library has the query planner stability guarantee on. Without it,
/// SQLite plans `LIMIT ?` with the bound number and re-prepares such a statement each
/// time it is bound again, which costs every `.one()` read a fresh parse.
pub async fn planner_is_stable(db: &DatabaseConnection) -> Result<bool, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA compile_options",
        ))
        .await?;
    Ok(rows.iter().any(|r| {
        r.try_get_by_index::<String>(0)
            .is_ok_and(|o| o == "ENABLE_QPSG")
    }))
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// The in-process turn of SQLite writers, one per database file. Writers queue here
/// instead of in SQLite's busy handler, which sleeps in steps of up to 100 ms while the
/// lock may already be free; the busy timeout still covers other processes (the CLI).
fn writer_turn(db: &DatabaseConnection) -> Arc<tokio::sync::Mutex<()>> {
    static TURNS: LazyLock<Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>> =
        LazyLock::new(Default::default);
    let file = db
        .get_sqlite_connection_pool()
        .connect_options()
        .get_filename()
        .to_path_buf();
    let mut turns = TURNS.lock().unwrap_or_else(|e| e.into_inner());
    turns.entry(file).or_default().clone()
}

/// A transaction that writes: on SQLite it holds its database's writer turn until it
/// commits, rolls back or is dropped.
pub struct WriteTxn {
    // Dropped first: an abandoned transaction starts its rollback before the turn passes
    // on (a next writer still waits for it under the busy timeout).
    txn: DatabaseTransaction,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

#[rocket::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}

/// Begins a transaction that will write. On SQLite it first waits for the database's
/// writer turn in this process, then takes the write lock at `BEGIN` (IMMEDIATE), so it
/// waits under the busy timeout instead of failing with "database is locked" when a
/// read lock cannot be upgraded.
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
    if db.get_database_backend() == DbBackend::Sqlite {
        // Bounded like SQLite's own wait, so a writer that never finishes cannot stall
        // the rest for ever.
        let turn = tokio::time::timeout(SQLITE_BUSY_TIMEOUT, writer_turn(db).lock_owned())
            .await
            .map_err(|_| DbErr::Custom("database is locked: the writer turn timed out".into()))?;
        let txn = db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await?;
        Ok(WriteTxn {
            txn,
            _turn: Some(turn),
        })
    } else {
        Ok(WriteTxn {
            txn: db.begin().await?,
            _turn: None,
        })
    }
}

/// Begins a transaction that reads everything from one snapshot and writes only what it
/// found wrong in it: the checks of the stored aggregates, which read for minutes at
/// national size. On PostgreSQL it is REPEATABLE READ: writers go on meanwhile (nothing
/// is locked for the whole run), every read sees the database as it was at the first
/// one, and a correction of a row that a writer changed since fails the transaction
/// ("could not serialize access") instead of putting back an older figure. On SQLite it is
/// [`begin_write`] (one writer at a time anyway).
pub async fn begin_snapshot(db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
    if db.get_database_backend() == DbBackend::Sqlite {
        return begin_write(db).await;
    }
    Ok(WriteTxn {
        txn: db
            .begin_with_options(TransactionOptions {
                isolation_level: Some(sea_orm::IsolationLevel::RepeatableRead),
                ..Default::default()
            })
            .await?,
        _turn: None,
    })
}

/// Whether the database refused a write because its disk is full: SQLite's `SQLITE_FULL`
/// (13; its own file, journal or WAL could not grow) or PostgreSQL's `disk_full` (53100).
/// The transaction was rolled back; the answer is 503 and the write can be sent again.
pub fn is_storage_full(err: &DbErr) -> bool {
    let code = match err {
        DbErr::Exec(sea_orm::RuntimeErr::SqlxError(e))
        | DbErr::Query(sea_orm::RuntimeErr::SqlxError(e))
        | DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e)) => e
            .as_database_error()
            .and_then(|d| d.code().map(|c| c.into_owned())),
        _ => None,
    };
    matches!(code.as_deref(), Some("13" | "53100"))
        || err.to_string().contains("database or disk is full")
}

/// Whether the database could not be reached (it is down, restarting, or every pooled
/// connection is busy past the acquire timeout), as opposed to refusing the statement:
/// the answer is 503 and the request can be sent again. PostgreSQL's connection-exception
/// class (`08…`) and shutdown codes (`57P01`–`57P03`) count, as do broken sockets.
pub fn is_unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Exec(sea_orm::RuntimeErr::SqlxError(e))
        | DbErr::Query(sea_orm::RuntimeErr::SqlxError(e))
        | DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e)) => match e.as_ref() {
            sea_orm::sqlx::Error::Io(_)
            | sea_orm::sqlx::Error::Tls(_)
            | sea_orm::sqlx::Error::PoolTimedOut
            | sea_orm::sqlx::Error::PoolClosed
            | sea_orm::sqlx::Error::WorkerCrashed => true,
            sea_orm::sqlx::Error::Database(d) => d.code().is_some_and(|c| {
                c.starts_with("08") || matches!(c.as_ref(), "57P01" | "57P02" | "57P03")
            }),
            _ => false,
        },
        _ => false,
    }
}

/// Whether a database error is a unique-constraint violation (for 409 answers).
/// Months of submissions made ahead of the current one on PostgreSQL (migration 49).
pub const PARTITION_MONTHS_AHEAD: i32 = 24;

/// Months of submissions made before the current one at least: this week may have begun
/// last month, and a late post belongs to an earlier week.
pub const PARTITION_MONTHS_BACK: i32 = 3;

/// On PostgreSQL, makes the monthly partitions of `submissions` from the month of `since`
/// (or [`PARTITION_MONTHS_BACK`] months ago when that is earlier) to
/// [`PARTITION_MONTHS_AHEAD`] months ahead that do not exist yet, and answers how many
/// it made; SQLite has one table and makes none. Waits at most 5 s for the lock a new
/// partition takes on the table (it is tried again at the next run).
pub async fn ensure_partitions(
    db: &DatabaseConnection,
    since: chrono::NaiveDate,
) -> Result<u64, DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(0);
    }
    use chrono::Datelike;
    let today = chrono::Utc::now().date_naive();
    let back = ((today.year() - since.year()) * 12 + today.month() as i32 - since.month() as i32)
        .clamp(PARTITION_MONTHS_BACK, 240);
    let txn = db.begin().await?;
    txn.execute_unprepared("SET LOCAL lock_timeout = '5s'")
        .await?;
    let made: i32 = txn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT duta_submission_partitions({back}, {PARTITION_MONTHS_AHEAD})"),
        ))
        .await?
        .map(|r| r.try_get_by_index(0))
        .transpose()?
        .unwrap_or(0);
    txn.commit().await?;
    Ok(u64::try_from(made).unwrap_or(0))
}

pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn scratch() -> (tempfile::TempDir, DatabaseConnection) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/turn.db", dir.path().display());
        let db = connect(&url).await.expect("connect");
        db.execute_unprepared("CREATE TABLE t (n INTEGER NOT NULL)")
            .await
            .expect("table");
        (dir, db)
    }

    async fn count(db: &DatabaseConnection) -> i64 {
        let row = db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT COUNT(*) FROM t",
            ))
            .await
            .expect("count")
            .expect("a row");
        row.try_get_by_index(0).expect("a number")
    }

    #[tokio::test]
    async fn sqlite_is_built_with_a_stable_query_planner() {
        let (_dir, db) = scratch().await;
        assert!(
            planner_is_stable(&db).await.expect("compile options"),
            "LIBSQLITE3_FLAGS in .cargo/config.toml did not reach the SQLite build"
        );
    }

    #[tokio::test]
    async fn writers_take_turns_and_an_abandoned_transaction_passes_the_turn_on() {
        let (_dir, db) = scratch().await;
        let first = begin_write(&db).await.expect("first writer");
        first
            .execute_unprepared("INSERT INTO t (n) VALUES (1)")
            .await
            .expect("insert");
        // The second writer waits for the first...
        let waiting = tokio::spawn({
            let db = db.clone();
            async move {
                let txn = begin_write(&db).await.expect("second writer");
                txn.execute_unprepared("INSERT INTO t (n) VALUES (2)")
                    .await
                    .expect("insert");
                txn.commit().await.expect("commit");
            }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(
            !waiting.is_finished(),
            "a second writer ran beside the first"
        );
        // ...and goes on once the first is dropped without a commit, which rolls it back.
        drop(first);
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("the turn passed on")
            .expect("second writer");
        assert_eq!(count(&db).await, 1);
        // Many writers at once all commit, none of them "database is locked".
        let writers: Vec<_> = (0..50)
            .map(|n| {
                let db = db.clone();
                tokio::spawn(async move {
                    let txn = begin_write(&db).await?;
                    txn.execute_unprepared(&format!("INSERT INTO t (n) VALUES ({n})"))
                        .await?;
                    txn.commit().await
                })
            })
            .collect();
        for w in writers {
            w.await.expect("writer task").expect("writer");
        }
        assert_eq!(count(&db).await, 51);
    }
}
