//! Leases in `job_leases`: which app node runs a job now. A run is claimed with one
//! upsert that only takes over an expired lease, so on SQLite and PostgreSQL alike two
//! nodes asking at once cannot both win, and a node that died mid-run is replaced once its
//! lease runs out. Session advisory locks are not used: through a pool they are unsafe.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::{AppError, AppResult};
use entity::job_leases::{Column, Entity};

/// Claims the run of `job` for `holder` until `now + ttl`; true when this caller won.
///
/// The row is written when there is none, or taken over when its lease ended (at or before
/// `now`); `RETURNING` yields a row only in those two cases, so the answer comes from the
/// same statement that claims. A holder whose own lease still runs gets false as well: a
/// run is claimed once, and [`release`] ends it.
pub async fn try_claim(
    db: &impl ConnectionTrait,
    job: &str,
    holder: &str,
    ttl: TimeDelta,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let expires_at = now + ttl;
    let mut insert = Query::insert();
    insert
        .into_table(Entity)
        .columns([
            Column::Job,
            Column::Holder,
            Column::ExpiresAt,
            Column::UpdatedAt,
        ])
        .values([job.into(), holder.into(), expires_at.into(), now.into()])
        .map_err(AppError::internal)?
        .on_conflict(
            OnConflict::column(Column::Job)
                .update_columns([Column::Holder, Column::ExpiresAt, Column::UpdatedAt])
                .action_and_where(Expr::col((Entity, Column::ExpiresAt)).lte(now))
                .to_owned(),
        )
        .returning_col(Column::Holder);
    let statement = db.get_database_backend().build(&insert);
    let won = db.query_all_raw(statement).await?;
    Ok(!won.is_empty())
}

/// Ends `holder`'s lease on `job` now, so that the next tick of any node may run it.
/// Does nothing when another node has taken the lease over meanwhile.
pub async fn release(
    db: &impl ConnectionTrait,
    job: &str,
    holder: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    Entity::update_many()
        .col_expr(Column::ExpiresAt, Expr::value(now))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Job.eq(job))
        .filter(Column::Holder.eq(holder))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::DatabaseConnection;

    async fn sqlite() -> (tempfile::TempDir, DatabaseConnection) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let db = crate::db::connect(&url).await.unwrap();
        crate::db::migrate(&db).await.unwrap();
        (dir, db)
    }

    /// Ten nodes ask at once: exactly one wins.
    async fn one_of_many_wins(db: &DatabaseConnection) {
        // Whole seconds: PostgreSQL keeps microseconds, the comparison below wants equality.
        let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 0);
        let claims = (0..10).map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                try_claim(
                    &db,
                    "race",
                    &format!("node-{i}"),
                    TimeDelta::minutes(30),
                    now,
                )
                .await
            })
        });
        let mut winners = 0;
        for claim in claims.collect::<Vec<_>>() {
            if claim.await.unwrap().unwrap() {
                winners += 1;
            }
        }
        assert_eq!(winners, 1);
        let row = Entity::find_by_id("race").one(db).await.unwrap().unwrap();
        assert!(row.holder.starts_with("node-"));
        assert_eq!(row.expires_at, now + TimeDelta::minutes(30));
    }

    /// A lease that ran out is taken over; a running one is not, not even by its holder;
    /// a released one is free again.
    async fn expired_leases_are_taken_over(db: &DatabaseConnection) {
        let now = Utc::now();
        let ttl = TimeDelta::hours(1);
        assert!(try_claim(db, "job", "a", ttl, now - TimeDelta::hours(2))
            .await
            .unwrap());
        assert!(try_claim(db, "job", "b", ttl, now).await.unwrap());
        assert!(!try_claim(db, "job", "a", ttl, now).await.unwrap());
        assert!(!try_claim(db, "job", "b", ttl, now).await.unwrap());
        let row = Entity::find_by_id("job").one(db).await.unwrap().unwrap();
        assert_eq!(row.holder, "b");
        // A stale holder cannot end someone else's lease.
        release(db, "job", "a", now).await.unwrap();
        assert!(!try_claim(db, "job", "c", ttl, now).await.unwrap());
        release(db, "job", "b", now).await.unwrap();
        assert!(try_claim(db, "job", "c", ttl, now).await.unwrap());
        // Other jobs have their own leases.
        assert!(try_claim(db, "other", "a", ttl, now).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_claims_on_sqlite_have_one_winner() {
        let (_dir, db) = sqlite().await;
        one_of_many_wins(&db).await;
    }

    #[tokio::test]
    async fn expired_leases_are_taken_over_on_sqlite() {
        let (_dir, db) = sqlite().await;
        expired_leases_are_taken_over(&db).await;
    }

    /// The same on a fresh PostgreSQL database when `DUTA_TEST_POSTGRES_URL` is set.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn claims_on_postgres() {
        let base = match std::env::var("DUTA_TEST_POSTGRES_URL") {
            Ok(b) if !b.is_empty() => b,
            _ => return,
        };
        let name = format!("duta_t_jobs_{:016x}", rand::random::<u64>());
        let admin = sea_orm::Database::connect(&base).await.unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let (prefix, _) = base.rsplit_once('/').unwrap();
        let db = crate::db::connect(&format!("{prefix}/{name}"))
            .await
            .unwrap();
        crate::db::migrate(&db).await.unwrap();
        one_of_many_wins(&db).await;
        expired_leases_are_taken_over(&db).await;
        db.close().await.unwrap();
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
            .await
            .unwrap();
    }
}
