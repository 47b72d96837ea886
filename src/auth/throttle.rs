//! Sign-in (and password-reset) throttling per account and per client address, counted in
//! the database so that several app nodes share one count. Failed attempts are rows; a bucket with too
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

/// The buckets of "forgot password" requests: every request counts, known address or not.
pub fn reset_account_bucket(email: &str) -> String {
    format!("reset-account:{}", email.trim().to_lowercase())
}

pub fn reset_ip_bucket(ip: &str) -> String {
    format!("reset-ip:{ip}")
}

/// The bucket of sign-ups from one client address: every account made counts.
pub fn signup_ip_bucket(ip: &str) -> String {
    format!("signup-ip:{ip}")
}

/// The window of the sign-up limit.
pub const SIGNUP_WINDOW_MINUTES: i64 = 60;

/// Refuses with 429 when either sign-in bucket is full; says how long to wait.
pub async fn check(
    db: &impl ConnectionTrait,
    cfg: &AppConfig,
    account: &str,
    ip: &str,
) -> AppResult<()> {
    check_buckets(
        db,
        cfg.login_window_minutes,
        &[
            (account, cfg.login_max_failures_per_account),
            (ip, cfg.login_max_failures_per_ip),
        ],
    )
    .await
}

/// Refuses with 429 when any bucket holds `limit` rows or more inside the window of
/// `window_minutes`; says how long to wait until its oldest row ages out.
pub async fn check_buckets(
    db: &impl ConnectionTrait,
    window_minutes: i64,
    buckets: &[(&str, u64)],
) -> AppResult<()> {
    let since = Utc::now() - Duration::minutes(window_minutes);
    for &(bucket, limit) in buckets {
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
                .map(|o| (o.at + Duration::minutes(window_minutes) - Utc::now()).num_seconds())
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
    record(db, cfg.login_window_minutes, &[account, ip]).await
}

/// Counts one attempt in each bucket, and forgets rows older than `window_minutes`.
pub async fn record(
    db: &impl ConnectionTrait,
    window_minutes: i64,
    buckets: &[&str],
) -> AppResult<()> {
    let now = Utc::now();
    lf::Entity::insert_many(buckets.iter().map(|b| lf::ActiveModel {
        bucket: Set(b.to_string()),
        at: Set(now),
        ..Default::default()
    }))
    .exec_without_returning(db)
    .await?;
    // Rows older than the window count for nothing; keep the table small. (Each kind of
    // bucket, `account:` or `reset-ip:`, has its own window: only these kinds are swept.)
    let mut kinds: Vec<&str> = buckets.iter().filter_map(|b| b.split(':').next()).collect();
    kinds.dedup();
    for kind in kinds {
        lf::Entity::delete_many()
            .filter(lf::Column::At.lt(now - Duration::minutes(window_minutes)))
            .filter(lf::Column::Bucket.starts_with(format!("{kind}:")))
            .exec(db)
            .await?;
    }
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
