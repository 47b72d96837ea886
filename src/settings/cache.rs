//! The programme's time zone kept in memory for the busy routes (a submission places its
//! post in a week by it): read again after at most `cache_ms`, and at once when the
//! settings row was written on this node.

use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sea_orm::DatabaseConnection;

use crate::error::AppResult;
use entity::programme_settings;

/// Managed state: the time zone last read, when, and the settings' write count then.
pub struct ZoneCache {
    ttl: Duration,
    copy: Mutex<Option<(Instant, u64, chrono_tz::Tz)>>,
}

impl ZoneCache {
    pub fn new(ttl: Duration) -> ZoneCache {
        ZoneCache {
            ttl,
            copy: Mutex::new(None),
        }
    }

    /// The programme's time zone, as [`super::service::programme_timezone`] reads it.
    pub async fn get(&self, db: &DatabaseConnection) -> AppResult<chrono_tz::Tz> {
        // Counted before the read, so a write during it leaves the copy stale.
        let stamp = programme_settings::WRITES.load(Ordering::SeqCst);
        if let Ok(copy) = self.copy.lock() {
            if let Some((at, seen, tz)) = copy.as_ref() {
                if *seen == stamp && at.elapsed() < self.ttl {
                    return Ok(*tz);
                }
            }
        }
        let tz = super::service::programme_timezone(db).await?;
        if !self.ttl.is_zero() {
            if let Ok(mut copy) = self.copy.lock() {
                *copy = Some((Instant::now(), stamp, tz));
            }
        }
        Ok(tz)
    }
}
