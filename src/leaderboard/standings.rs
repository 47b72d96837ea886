//! The stored standings: every approved ambassador's figures on the board of each window
//! the pages offer, for the current week and the next, in the `standings` table.
//!
//! Every write that changes a figure calls [`refresh`] for the ambassadors it touched,
//! inside its own transaction: the rows are computed again from the weekly aggregate,
//! the grace weeks and the ambassador's record, so the answer to the write comes after
//! the board has changed, on every node. On PostgreSQL `refresh` first locks the
//! ambassadors' rows, so two writes for one ambassador compute one after the other, each
//! from what the other committed.
//!
//! A week's standings are complete when `standing_weeks` names it. Each complete week
//! also has its successor filled in (a write updates both), so when a week turns the
//! board is already there; the week after is then filled in the background
//! ([`prepare_next`]) while requests read the complete one. Only when nothing is
//! complete (a new database, or a node that was off for over a week) does a request wait
//! for [`build`].

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{Duration, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::rules::{self, Score, Window, MAX_WEEKS};
use crate::db::begin_write;
use crate::error::AppResult;
use entity::{ambassadors, holidays, leaves, programme_settings, standing_weeks, standings};

/// The window lengths kept in the table: the ones the pages offer.
pub const STORED: [u32; 4] = [4, 12, 26, 52];

/// Ambassadors computed per statement (and per transaction of a build).
const BATCH: usize = 1_000;

/// An ambassador as the standings need them.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: i64,
    pub institution_id: i64,
    pub work_unit_id: i64,
    pub name: String,
    pub member_since: Option<NaiveDate>,
}

/// The grace weeks and verified posts of some ambassadors, from a Monday on.
#[derive(Debug, Default)]
pub struct Facts {
    holidays: HashSet<NaiveDate>,
    leaves: HashMap<i64, Vec<(NaiveDate, NaiveDate)>>,
    posts: HashMap<(i64, NaiveDate), u32>,
}

impl Facts {
    fn grace(&self, id: i64, week: NaiveDate) -> bool {
        self.holidays.contains(&week)
            || self
                .leaves
                .get(&id)
                .is_some_and(|l| l.iter().any(|(a, b)| *a <= week && week <= *b))
    }

    /// One ambassador's weeks over a window, oldest first.
    pub fn cells(&self, p: &Person, window: &Window) -> Vec<(NaiveDate, rules::Cell, u32)> {
        rules::cells(
            window,
            p.member_since,
            |w| self.posts.get(&(p.id, w)).copied().unwrap_or(0),
            |w| self.grace(p.id, w),
        )
    }

    pub fn score(&self, p: &Person, window: &Window) -> Score {
        rules::score(&self.cells(p, window))
    }
}

/// The Monday of the current week in the programme's time zone.
pub async fn current_week(db: &impl ConnectionTrait) -> AppResult<NaiveDate> {
    Ok(rules::week_of(Utc::now(), &programme_zone(db).await?))
}

/// The programme's time zone (Asia/Jakarta when none is set).
pub async fn programme_zone(db: &impl ConnectionTrait) -> AppResult<chrono_tz::Tz> {
    let tz: Option<String> = programme_settings::Entity::find_by_id(1)
        .select_only()
        .column(programme_settings::Column::Timezone)
        .into_tuple()
        .one(db)
        .await?;
    Ok(tz
        .and_then(|t| t.parse().ok())
        .unwrap_or(chrono_tz::Asia::Jakarta))
}

/// Reads what scoring `ids` needs for windows ending at or before `last` (a Monday).
pub async fn facts(db: &impl ConnectionTrait, ids: &[i64], last: NaiveDate) -> AppResult<Facts> {
    let from = last - Duration::weeks(i64::from(MAX_WEEKS));
    let mut f = Facts {
        holidays: holidays::Entity::find()
            .select_only()
            .column(holidays::Column::WeekStart)
            .filter(holidays::Column::WeekStart.gte(from))
            .into_tuple::<NaiveDate>()
            .all(db)
            .await?
            .into_iter()
            .collect(),
        ..Facts::default()
    };
    for chunk in ids.chunks(BATCH) {
        for (id, a, b) in leaves::Entity::find()
            .select_only()
            .columns([
                leaves::Column::AmbassadorId,
                leaves::Column::FromWeek,
                leaves::Column::ToWeek,
            ])
            .filter(leaves::Column::AmbassadorId.is_in(chunk.iter().copied()))
            .filter(leaves::Column::ToWeek.gte(from))
            .into_tuple::<(i64, NaiveDate, NaiveDate)>()
            .all(db)
            .await?
        {
            f.leaves.entry(id).or_default().push((a, b));
        }
        // Weeks of a suspension or removal are not expected either: after a
        // reinstatement they count as grace weeks.
        for (id, breaks) in super::participation::breaks_of(db, chunk).await? {
            for (from, until) in breaks {
                let last = until.map_or(NaiveDate::MAX, |u| u - Duration::weeks(1));
                f.leaves.entry(id).or_default().push((from, last));
            }
        }
        for (id, week, n) in entity::week_activity::Entity::find()
            .select_only()
            .columns([
                entity::week_activity::Column::AmbassadorId,
                entity::week_activity::Column::WeekStart,
                entity::week_activity::Column::VerifiedPosts,
            ])
            .filter(entity::week_activity::Column::AmbassadorId.is_in(chunk.iter().copied()))
            .filter(entity::week_activity::Column::WeekStart.gte(from))
            .filter(entity::week_activity::Column::VerifiedPosts.gt(0))
            .into_tuple::<(i64, NaiveDate, i32)>()
            .all(db)
            .await?
        {
            f.posts
                .insert((id, week), u32::try_from(n.max(0)).unwrap_or(0));
        }
    }
    Ok(f)
}

/// Approved ambassadors' columns as the standings need them; callers add which ones.
fn approved_query() -> sea_orm::Select<ambassadors::Entity> {
    ambassadors::Entity::find()
        .select_only()
        .columns([
            ambassadors::Column::Id,
            ambassadors::Column::InstitutionId,
            ambassadors::Column::WorkUnitId,
            ambassadors::Column::DisplayName,
            ambassadors::Column::MemberSince,
        ])
        .filter(ambassadors::Column::Status.eq("approved"))
}

type PersonRow = (i64, i64, i64, String, Option<NaiveDate>);

fn person((id, institution_id, work_unit_id, name, member_since): PersonRow) -> Person {
    Person {
        id,
        institution_id,
        work_unit_id,
        name,
        member_since,
    }
}

/// The approved ambassador of a user, if they are one.
pub async fn approved_of_user(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> AppResult<Option<Person>> {
    let row: Option<PersonRow> = approved_query()
        .filter(ambassadors::Column::UserId.eq(user_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(row.map(person))
}

/// The approved ambassadors among `ids`, as the standings need them.
pub async fn approved(db: &impl ConnectionTrait, ids: &[i64]) -> AppResult<Vec<Person>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(BATCH) {
        let rows: Vec<PersonRow> = approved_query()
            .filter(ambassadors::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows.into_iter().map(person));
    }
    Ok(out)
}

/// The stored row of one ambassador on one board.
pub fn row(p: &Person, window: &Window, s: &Score) -> standings::ActiveModel {
    let n = |v: u32| Set(i32::try_from(v).unwrap_or(i32::MAX));
    standings::ActiveModel {
        ambassador_id: Set(p.id),
        weeks: n(window.weeks),
        week_of: Set(window.to),
        institution_id: Set(p.institution_id),
        work_unit_id: Set(p.work_unit_id),
        sort_name: Set(p.name.clone()),
        eligible_weeks: n(s.eligible_weeks),
        active_weeks: n(s.active_weeks),
        current_streak: n(s.current_streak),
        best_streak: n(s.best_streak),
        verified_posts: n(s.verified_posts),
        sort_key: Set(rules::sort_key(s)),
    }
}

/// Computes the rows of `ids` for the boards ending in `weeks_of` and stores them in
/// place of what was there; ambassadors who are not approved lose their rows. Call it
/// inside the transaction of the write it follows.
async fn store(
    db: &impl ConnectionTrait,
    ids: &[i64],
    weeks_of: &[NaiveDate],
    rows_there: RowsThere,
) -> AppResult<()> {
    super::participation::lock(db, ids).await?;
    store_rows(db, ids, weeks_of, rows_there).await
}

/// Whether a build may find rows of these ambassadors and weeks stored already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowsThere {
    /// Maybe: they are deleted first.
    Maybe,
    /// None: a build right after a seed, with no writer beside it.
    None,
}

async fn store_locked(
    db: &impl ConnectionTrait,
    ids: &[i64],
    weeks_of: &[NaiveDate],
) -> AppResult<()> {
    store_rows(db, ids, weeks_of, RowsThere::Maybe).await
}

async fn store_rows(
    db: &impl ConnectionTrait,
    ids: &[i64],
    weeks_of: &[NaiveDate],
    rows_there: RowsThere,
) -> AppResult<()> {
    let Some(last) = weeks_of.iter().max().copied() else {
        return Ok(());
    };
    let people = approved(db, ids).await?;
    let facts = facts(db, ids, last).await?;
    for chunk in ids.chunks(BATCH).filter(|_| rows_there == RowsThere::Maybe) {
        // All three key columns, so the primary key is used (not a board index).
        standings::Entity::delete_many()
            .filter(standings::Column::AmbassadorId.is_in(chunk.iter().copied()))
            .filter(standings::Column::Weeks.is_in(STORED.map(|w| w as i32)))
            .filter(standings::Column::WeekOf.is_in(weeks_of.iter().copied()))
            .exec(db)
            .await?;
    }
    let mut rows = Vec::with_capacity(people.len() * STORED.len() * weeks_of.len());
    for p in &people {
        for &to in weeks_of {
            for weeks in STORED {
                let window = Window { to, weeks };
                rows.push(row(p, &window, &facts.score(p, &window)));
            }
        }
    }
    // Rows per statement stay below SQLite's 32,766 bound parameters (12 columns each).
    for chunk in rows.chunks(2_000) {
        standings::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Brings the stored standings of these ambassadors up to date, for the current week and
/// the next. Every write that changes an ambassador's figures (a verification or its
/// reversal, approval, withdrawal, erasure, a new name, leave, `member_since`) calls it
/// in its own transaction, so its answer comes after the board has changed.
pub async fn refresh(db: &impl ConnectionTrait, ids: &[i64]) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    // The week is read after the lock: a build of next week's rows that passed these
    // ambassadors before it would then see it is already that week.
    super::participation::lock(db, &ids).await?;
    super::participation::sync(db, &ids).await?;
    let week = current_week(db).await?;
    store_locked(db, &ids, &[week, week + Duration::weeks(1)]).await
}

/// Brings every approved ambassador's standings up to date in this transaction (a
/// holiday concerns everyone).
pub async fn refresh_everyone(db: &impl ConnectionTrait) -> AppResult<()> {
    let ids: Vec<i64> = ambassadors::Entity::find()
        .select_only()
        .column(ambassadors::Column::Id)
        .filter(ambassadors::Column::Status.eq("approved"))
        .order_by_asc(ambassadors::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    // Every ambassador first, then their rows, in the order `refresh` takes them, so a
    // verification meanwhile waits instead of deadlocking.
    super::participation::lock(db, &ids).await?;
    let week = current_week(db).await?;
    // Those who are no longer approved keep no rows.
    standings::Entity::delete_many()
        .filter(standings::Column::WeekOf.gte(week))
        .exec(db)
        .await?;
    for chunk in ids.chunks(BATCH) {
        store_locked(db, chunk, &[week, week + Duration::weeks(1)]).await?;
    }
    Ok(())
}

/// The next thousand ambassador ids after `after`, in order (a build or check walks
/// every ambassador this way).
async fn batch_after(db: &DatabaseConnection, after: i64) -> AppResult<Vec<i64>> {
    Ok(ambassadors::Entity::find()
        .select_only()
        .column(ambassadors::Column::Id)
        .filter(ambassadors::Column::Id.gt(after))
        .order_by_asc(ambassadors::Column::Id)
        .limit(BATCH as u64)
        .into_tuple()
        .all(db)
        .await?)
}

/// Fills in every approved ambassador's rows for the boards ending in `weeks_of`, a
/// thousand ambassadors per transaction, then marks those weeks complete and forgets
/// the weeks before the current one.
pub async fn build(db: &DatabaseConnection, weeks_of: &[NaiveDate]) -> AppResult<()> {
    build_rows(db, weeks_of, RowsThere::Maybe).await
}

async fn build_rows(
    db: &DatabaseConnection,
    weeks_of: &[NaiveDate],
    rows_there: RowsThere,
) -> AppResult<()> {
    if weeks_of.is_empty() {
        return Ok(());
    }
    let mut after = i64::MIN;
    loop {
        let ids = batch_after(db, after).await?;
        let Some(last) = ids.last().copied() else {
            break;
        };
        let txn = begin_write(db).await?;
        store(&txn, &ids, weeks_of, rows_there).await?;
        txn.commit().await?;
        after = last;
    }
    let txn = begin_write(db).await?;
    let now = Utc::now();
    let first = current_week(&txn).await?;
    standing_weeks::Entity::insert_many(weeks_of.iter().map(|w| standing_weeks::ActiveModel {
        week_of: Set(*w),
        completed_at: Set(now),
    }))
    .on_conflict(
        OnConflict::column(standing_weeks::Column::WeekOf)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    standings::Entity::delete_many()
        .filter(standings::Column::WeekOf.lt(first))
        .exec(&txn)
        .await?;
    standing_weeks::Entity::delete_many()
        .filter(standing_weeks::Column::WeekOf.lt(first))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Builds this week's standings and the next's from scratch (after a seed wrote the
/// tables directly). With `empty`, the caller knows there are no standings rows and no
/// other writer (a fresh bench data set): nothing is deleted first.
pub async fn build_current(db: &DatabaseConnection, empty: bool) -> AppResult<()> {
    let week = current_week(db).await?;
    let _turn = BUILDING.lock().await;
    let rows_there = if empty {
        RowsThere::None
    } else {
        RowsThere::Maybe
    };
    build_rows(db, &[week, week + Duration::weeks(1)], rows_there).await
}

async fn complete(db: &impl ConnectionTrait, week: NaiveDate) -> AppResult<bool> {
    Ok(standing_weeks::Entity::find_by_id(week)
        .one(db)
        .await?
        .is_some())
}

/// One build at a time on this node; the others wait and then find it done.
static BUILDING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
/// A background preparation of next week's rows is under way on this node.
static PREPARING: AtomicBool = AtomicBool::new(false);

/// The current week, with its standings complete: when they are not (a new database, or
/// a node that was off for more than a week) they are built first, this week's and the
/// next's. When they are and next week's are not, those are prepared in the background.
pub async fn ensure_current(db: &DatabaseConnection) -> AppResult<NaiveDate> {
    let week = current_week(db).await?;
    ensure_week(db, week).await?;
    Ok(week)
}

/// Makes sure the standings of `week` (the current one) are complete, as
/// [`ensure_current`] says.
pub async fn ensure_week(db: &DatabaseConnection, week: NaiveDate) -> AppResult<()> {
    if !complete(db, week).await? {
        let _turn = BUILDING.lock().await;
        if !complete(db, week).await? {
            build(db, &[week, week + Duration::weeks(1)]).await?;
        }
        return Ok(());
    }
    let next = week + Duration::weeks(1);
    if !complete(db, next).await? && !PREPARING.swap(true, Ordering::SeqCst) {
        let db = db.clone();
        tokio::spawn(async move {
            if let Err(e) = prepare_next(&db, next).await {
                tracing::warn!(error = %e, "next week's standings were not prepared");
            }
            PREPARING.store(false, Ordering::SeqCst);
        });
    }
    Ok(())
}

/// Fills in next week's standings while this week's serve the board.
pub async fn prepare_next(db: &DatabaseConnection, next: NaiveDate) -> AppResult<()> {
    let _turn = BUILDING.lock().await;
    if complete(db, next).await? {
        return Ok(());
    }
    build(db, &[next]).await
}

/// A stored row that differed from its recomputation: `ambassador 12 weeks 4 2026-W49`,
/// the figures as stored (`-` when missing) and as computed (`-` when there should be
/// none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub row: String,
    pub stored: String,
    pub computed: String,
}

fn figures(m: &standings::Model) -> String {
    format!(
        "eligible={} active={} streak={} best={} posts={} institution={} unit={} name={:?} key={}",
        m.eligible_weeks,
        m.active_weeks,
        m.current_streak,
        m.best_streak,
        m.verified_posts,
        m.institution_id,
        m.work_unit_id,
        m.sort_name,
        m.sort_key
    )
}

/// Computes every stored row again, from the weekly aggregate, the grace weeks and the
/// ambassadors, for the current week and the next; stores what differs and returns it
/// (there should be nothing). A thousand ambassadors per transaction, each locked as a
/// write would lock them.
pub async fn check(db: &DatabaseConnection) -> AppResult<Vec<Difference>> {
    let mut out = Vec::new();
    let mut after = i64::MIN;
    loop {
        let ids = batch_after(db, after).await?;
        let Some(last) = ids.last().copied() else {
            break;
        };
        after = last;
        let txn = begin_write(db).await?;
        super::participation::lock(&txn, &ids).await?;
        let week = current_week(&txn).await?;
        let weeks_of = [week, week + Duration::weeks(1)];
        let people = approved(&txn, &ids).await?;
        let facts = facts(&txn, &ids, weeks_of[1]).await?;
        let mut stored: HashMap<(i64, i32, NaiveDate), standings::Model> = HashMap::new();
        for chunk in ids.chunks(BATCH) {
            for m in standings::Entity::find()
                .filter(standings::Column::AmbassadorId.is_in(chunk.iter().copied()))
                .filter(standings::Column::Weeks.is_in(STORED.map(|w| w as i32)))
                .filter(standings::Column::WeekOf.is_in(weeks_of))
                .all(&txn)
                .await?
            {
                stored.insert((m.ambassador_id, m.weeks, m.week_of), m);
            }
        }
        let mut wrong = false;
        let name = |a: i64, weeks: i32, w: NaiveDate| {
            format!(
                "ambassador {a} weeks {weeks} {}",
                crate::briefs::rules::IsoWeek::of(w)
            )
        };
        for p in &people {
            for to in weeks_of {
                for weeks in STORED {
                    let window = Window { to, weeks };
                    let should = row(p, &window, &facts.score(p, &window));
                    let should = standings::Model {
                        ambassador_id: p.id,
                        weeks: i32::try_from(weeks).unwrap_or(0),
                        week_of: to,
                        institution_id: p.institution_id,
                        work_unit_id: p.work_unit_id,
                        sort_name: p.name.clone(),
                        eligible_weeks: *should.eligible_weeks.as_ref(),
                        active_weeks: *should.active_weeks.as_ref(),
                        current_streak: *should.current_streak.as_ref(),
                        best_streak: *should.best_streak.as_ref(),
                        verified_posts: *should.verified_posts.as_ref(),
                        sort_key: *should.sort_key.as_ref(),
                    };
                    let key = (p.id, should.weeks, to);
                    match stored.remove(&key) {
                        Some(have) if have == should => {}
                        have => {
                            wrong = true;
                            out.push(Difference {
                                row: name(key.0, key.1, key.2),
                                stored: have.as_ref().map_or_else(|| "-".into(), figures),
                                computed: figures(&should),
                            });
                        }
                    }
                }
            }
        }
        for (key, have) in stored {
            wrong = true;
            out.push(Difference {
                row: name(key.0, key.1, key.2),
                stored: figures(&have),
                computed: "-".into(),
            });
        }
        if wrong {
            store_locked(&txn, &ids, &weeks_of).await?;
        }
        txn.commit().await?;
    }
    out.sort_by(|a, b| a.row.cmp(&b.row));
    Ok(out)
}
