//! Sign-in throttling per account and per client address, counted in the database so
//! that several app nodes share one count. Failed attempts are rows; a bucket with too
//! many rows inside the window is refused until the oldest of them ages out.

use chrono::{Duration, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use crate::config::AppConfig;
use crate::error::{AppError, AppResult};
use entity::login_failures as lf;

pub fn account_bucket(email: &str) -> String {
    format!("account:{}", email.trim().to_lowercase())
}

pub fn ip_bucket(ip: &str) -> String {
    format!("ip:{ip}")
}

/// Refuses with 429 when either bucket is full; says how long to wait.
pub async fn check(
    db: &impl ConnectionTrait,
    cfg: &AppConfig,
    account: &str,
    ip: &str,
) -> AppResult<()> {
    let since = Utc::now() - Duration::minutes(cfg.login_window_minutes);
    for (bucket, limit) in [
        (account, cfg.login_max_failures_per_account),
        (ip, cfg.login_max_failures_per_ip),
    ] {
        let count = lf::Entity::find()
            .filter(lf::Column::Bucket.eq(bucket))
            .filter(lf::Column::At.gt(since))
            .count(db)
            .await?;
        if count >= limit {
            let oldest = lf::Entity::find()
                .filter(lf::Column::Bucket.eq(bucket))
                .filter(lf::Column::At.gt(since))
                .order_by_asc(lf::Column::At)
                .one(db)
                .await?;
            let retry = oldest
                .map(|o| {
                    (o.at + Duration::minutes(cfg.login_window_minutes) - Utc::now()).num_seconds()
                })
                .unwrap_or(60);
            return Err(AppError::RateLimited {
                retry_after_secs: retry.max(1),
            });
        }
    }
    Ok(())
}

pub async fn record_failure(
    db: &impl ConnectionTrait,
    cfg: &AppConfig,
    account: &str,
    ip: &str,
) -> AppResult<()> {
    let now = Utc::now();
    lf::Entity::insert_many([
        lf::ActiveModel {
            bucket: Set(account.to_string()),
            at: Set(now),
            ..Default::default()
        },
        lf::ActiveModel {
            bucket: Set(ip.to_string()),
            at: Set(now),
            ..Default::default()
        },
    ])
    .exec_without_returning(db)
    .await?;
    // Rows older than the window count for nothing; keep the table small.
    lf::Entity::delete_many()
        .filter(lf::Column::At.lt(now - Duration::minutes(cfg.login_window_minutes)))
        .exec(db)
        .await?;
    Ok(())
}

/// A successful sign-in forgives the account's failures (not the address's).
pub async fn clear_account(db: &impl ConnectionTrait, account: &str) -> AppResult<()> {
    lf::Entity::delete_many()
        .filter(lf::Column::Bucket.eq(account))
        .exec(db)
        .await?;
    Ok(())
}
