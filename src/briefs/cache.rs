//! Briefs found addressed to an ambassador's unit a moment ago, kept for the busy
//! submission route (every post names its brief): an answer is used only at the `briefs`
//! stamp it was found at (see `crate::kept`), so any write to a brief or its audience, on
//! any node, ends it. Only briefs found are kept; a brief not found is looked up again
//! every time (a scheduled brief becomes addressed when its time comes).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};

use super::rules::{self, IsoWeek};
use super::service::{addressed_to, compute_week, CurrentWeek};
use crate::ambassadors::service::Own;
use crate::auth::guards::CurrentUser;
use crate::error::AppResult;
use crate::kept::{self, Kept, Topic};
use crate::settings::service::programme_timezone;
use entity::briefs;

/// Answers kept at most; beyond it, those of an older stamp go, and if none had, all.
const MAX_KEPT: usize = 50_000;

/// (brief, institution, the unit's path): the brief is addressed to such an ambassador.
type Key = (i64, i64, String);

/// A part of the application state (`crate::state`): briefs found addressed, each with its
/// stamp.
pub struct AddressedBriefs(Kept<Key, briefs::Model>);

impl Default for AddressedBriefs {
    fn default() -> Self {
        AddressedBriefs(Kept::new(Topic::Briefs, MAX_KEPT))
    }
}

impl AddressedBriefs {
    /// The brief, when it is addressed to this ambassador (as [`addressed_to`] decides;
    /// published briefs stay addressed until they are written).
    pub async fn find(
        &self,
        db: &DatabaseConnection,
        own: &Own,
        brief_id: i64,
        now: DateTime<Utc>,
    ) -> AppResult<Option<briefs::Model>> {
        // Read before the brief, so a write during the read leaves the answer stale.
        let stamp = kept::stamp(db, Topic::Briefs).await?;
        self.find_at(db, stamp, own, brief_id, now).await
    }

    /// [`AddressedBriefs::find`] with the `briefs` stamp already read (before this call).
    pub async fn find_at(
        &self,
        db: &DatabaseConnection,
        stamp: i64,
        own: &Own,
        brief_id: i64,
        now: DateTime<Utc>,
    ) -> AppResult<Option<briefs::Model>> {
        let key = (brief_id, own.record.institution_id, own.unit_path.clone());
        if let Some(brief) = self.0.find(stamp, &key) {
            return Ok(Some((*brief).clone()));
        }
        let found = addressed_to(&own.record, &own.unit_path, now)
            .filter(briefs::Column::Id.eq(brief_id))
            .one(db)
            .await?;
        if let Some(brief) = &found {
            self.0.keep(stamp, key, brief.clone());
        }
        Ok(found)
    }
}

/// Ambassadors' weeks kept at most (one per user). A week holds its briefs' whole text
/// (some kilobytes each, ten briefs a week in the bench set), so this bounds the memory it
/// takes to some tens of MiB; beyond it, entries of an older stamp go, and if none had,
/// all. Sharing one copy of each brief between users would let it keep more.
const MAX_WEEKS: usize = 1_000;

/// An ambassador's week as computed at some moment: the time zone and Monday it was
/// computed for, and when the next scheduled brief of their institution comes due (it
/// becomes addressed to them then, without a write).
pub struct KeptWeek {
    pub week: CurrentWeek,
    /// Told apart from every other week computed on this node (see [`Weeks::current`]).
    pub serial: u64,
    pub tz: chrono_tz::Tz,
    pub monday: chrono::NaiveDate,
    pub until: Option<DateTime<Utc>>,
}

/// The next week's serial (see [`KeptWeek::serial`]).
static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A part of the application state (`crate::state`): each ambassador's week of briefs, kept
/// at the `week` stamp and under their own stamp (their drafts and submissions), so any
/// write to a brief, what it shows, a pause, the ambassador, the units or the settings ends
/// every kept week, and an ambassador's own draft or post ends theirs.
pub struct Weeks(Kept<(i64, i64), KeptWeek>);

impl Default for Weeks {
    fn default() -> Self {
        Weeks(Kept::new(Topic::Week, MAX_WEEKS))
    }
}

impl Weeks {
    /// The ambassador's week (see [`super::service::compute_week`]), kept per user: a
    /// kept week is used while both its stamps hold, in the same ISO week, and before the
    /// next scheduled brief of the institution comes due; its hours left are counted
    /// again for each request.
    pub async fn current(
        &self,
        db: &DatabaseConnection,
        user: &CurrentUser,
    ) -> AppResult<CurrentWeek> {
        Ok(self.current_with_serial(db, user).await?.0)
    }

    /// [`Weeks::current`], the `week` stamp it was read at, and a number that changes
    /// whenever the week is computed again (pages rendered from it are kept under it, see
    /// `crate::web::splice::OwnPages`); the hours left are not part of what it stands for.
    pub async fn current_with_serial(
        &self,
        db: &DatabaseConnection,
        user: &CurrentUser,
    ) -> AppResult<(CurrentWeek, i64, u64)> {
        let now = Utc::now();
        // Both stamps are read before anything the week is computed from.
        let stamp = user.stamp(db, Topic::Week).await?;
        let own = user.own_stamp(db).await?;
        let key = (user.id(), own);
        if let Some(k) = self.0.find(stamp, &key) {
            let same_week = IsoWeek::of(now.with_timezone(&k.tz).date_naive()).monday() == k.monday;
            if same_week && k.until.is_none_or(|u| now < u) {
                let mut week = k.week.clone();
                for b in &mut week.briefs {
                    b.hours_left = rules::hours_left(b.brief.deadline, now);
                }
                return Ok((week, stamp, k.serial));
            }
        }
        let tz = programme_timezone(db).await?;
        let (week, until) = compute_week(db, user, tz, now).await?;
        let monday = IsoWeek::of(now.with_timezone(&tz).date_naive()).monday();
        let serial = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.0.keep(
            stamp,
            key,
            KeptWeek {
                week: week.clone(),
                serial,
                tz,
                monday,
                until,
            },
        );
        Ok((week, stamp, serial))
    }
}
