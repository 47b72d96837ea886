//! Briefs found addressed to an ambassador's unit a moment ago, kept for the busy
//! submission route (every post names its brief): an answer holds for at most
//! `cache_ms`, and only while no brief was written on this node since it was found.
//! Only briefs found are kept; a brief not found is looked up again every time.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};

use super::service::addressed_to;
use crate::ambassadors::service::Own;
use crate::error::AppResult;
use crate::web::kept::make_room;
use entity::briefs;

/// Answers kept at most; beyond it, expired ones go, and if none had, all.
const MAX_KEPT: usize = 50_000;

/// (brief, institution, the unit's path): the brief is addressed to such an ambassador.
type Key = (i64, i64, String);

/// Managed state: briefs found addressed, when, and the briefs' write count then.
pub struct AddressedBriefs {
    ttl: Duration,
    kept: Mutex<HashMap<Key, (Instant, u64, briefs::Model)>>,
}

impl AddressedBriefs {
    pub fn new(ttl: Duration) -> AddressedBriefs {
        AddressedBriefs {
            ttl,
            kept: Mutex::new(HashMap::new()),
        }
    }

    /// The brief, when it is addressed to this ambassador (as [`addressed_to`] decides;
    /// published briefs stay addressed until they are written).
    pub async fn find(
        &self,
        db: &DatabaseConnection,
        own: &Own,
        brief_id: i64,
        now: DateTime<Utc>,
    ) -> AppResult<Option<briefs::Model>> {
        let key = (brief_id, own.record.institution_id, own.unit_path.clone());
        // Counted before the read, so a write during it leaves the answer stale.
        let stamp = briefs::WRITES.load(Ordering::SeqCst);
        if let Ok(kept) = self.kept.lock() {
            if let Some((at, seen, brief)) = kept.get(&key) {
                if *seen == stamp && at.elapsed() < self.ttl {
                    return Ok(Some(brief.clone()));
                }
            }
        }
        let found = addressed_to(&own.record, &own.unit_path, now)
            .filter(briefs::Column::Id.eq(brief_id))
            .one(db)
            .await?;
        if let (Some(brief), false) = (&found, self.ttl.is_zero()) {
            if let Ok(mut kept) = self.kept.lock() {
                make_room(&mut kept, MAX_KEPT, |_, (at, _, _)| at.elapsed() < self.ttl);
                kept.insert(key, (Instant::now(), stamp, brief.clone()));
            }
        }
        Ok(found)
    }
}
