//! The programme's time zone kept in memory for the busy routes (a submission places its
//! post in a week by it): used only at the `settings` stamp it was read at (see
//! `crate::kept`), so a change of the settings, on any node, shows in the next request.

use sea_orm::DatabaseConnection;

use crate::error::AppResult;
use crate::kept::{self, Kept, Topic};

/// A part of the application state (`crate::state`): the time zone last read, with its
/// stamp.
pub struct ZoneCache(Kept<(), chrono_tz::Tz>);

impl Default for ZoneCache {
    fn default() -> Self {
        ZoneCache(Kept::new(Topic::Settings, 1))
    }
}

impl ZoneCache {
    /// The programme's time zone, as [`super::service::programme_timezone`] reads it.
    pub async fn get(&self, db: &DatabaseConnection) -> AppResult<chrono_tz::Tz> {
        self.get_at(db, kept::stamp(db, Topic::Settings).await?)
            .await
    }

    /// [`ZoneCache::get`] with the `settings` stamp already read (before this call).
    pub async fn get_at(&self, db: &DatabaseConnection, stamp: i64) -> AppResult<chrono_tz::Tz> {
        let tz = self
            .0
            .get_or_compute(stamp, (), || super::service::programme_timezone(db))
            .await?;
        Ok(*tz)
    }
}
