//! The leaderboard in memory. Ranking 100,000 ambassadors on every request would be far
//! too slow, so each app node keeps the stored weekly aggregate, the approved
//! ambassadors and the grace weeks in memory and ranks them once per window length.
//!
//! Freshness: a request that finds the board older than `leaderboard_refresh_ms`
//! (default 1 s) brings it up to date first (one request at a time; the others are
//! served the board as it is). The board is first loaded in the background at start.
//! Bringing up to date reads only what changed since the last time: aggregate rows
//! whose `updated_at` is later than the start of the previous refresh, less an overlap
//! (a transaction may commit a little after its clock reading, and another node's clock
//! may be a little behind), and ambassadors, work units, holidays and leave when their
//! count or latest change moved. Every 15 minutes everything is read again from
//! scratch, in the background, while requests are served the board as it is. Several
//! nodes on one PostgreSQL database thus agree within about a second, and nothing here
//! ever reads the submissions table.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use tokio::sync::RwLock;

use super::rules::{self, Score, Window, MAX_WEEKS};
use crate::error::{AppError, AppResult};
use crate::settings::service::programme_timezone;
use crate::stats::rules::{Person, Week, PLATFORMS};
use entity::{ambassador_platforms, ambassadors, holidays, leaves, week_activity, work_units};

/// How far back the aggregate rows are re-read on each refresh, for transactions that
/// committed after a later one's clock reading.
const OVERLAP: chrono::Duration = chrono::Duration::seconds(10);
/// Everything is read again from scratch this often.
const FULL_RELOAD: Duration = Duration::from_secs(15 * 60);

/// An approved ambassador as the board shows them.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub institution_id: i64,
    pub work_unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub member_since: Option<NaiveDate>,
    /// The latest follower count per platform (in `stats::rules::PLATFORMS` order).
    pub followers: [Option<u32>; 3],
}

/// A board filter: institution and work-unit path.
pub type FilterKey = (Option<i64>, Option<String>);

/// Counts and latest changes of the small tables, to see whether they moved.
type Marks = Vec<(i64, Option<String>)>;

struct Data {
    members: Arc<Vec<Member>>,
    /// A member's index in `members` by their user id.
    by_user: Arc<HashMap<i64, u32>>,
    /// Per ambassador, their weeks sorted by Monday.
    activity: HashMap<i64, Vec<Week>>,
    holidays: HashSet<NaiveDate>,
    leaves: HashMap<i64, Vec<(NaiveDate, NaiveDate)>>,
    today: NaiveDate,
    /// When the last refresh began reading the aggregate.
    activity_mark: Option<DateTime<Utc>>,
    member_marks: Marks,
    grace_marks: Marks,
    loaded_at: Instant,
    refreshed_at: Instant,
    version: u64,
}

impl Data {
    fn posts(&self, id: i64, week: NaiveDate) -> u32 {
        self.activity
            .get(&id)
            .and_then(|v| {
                v.binary_search_by_key(&week, |w| w.monday)
                    .ok()
                    .map(|i| u32::from(v[i].total))
            })
            .unwrap_or(0)
    }

    fn grace(&self, id: i64, week: NaiveDate) -> bool {
        self.holidays.contains(&week)
            || self
                .leaves
                .get(&id)
                .is_some_and(|ls| ls.iter().any(|(a, b)| *a <= week && week <= *b))
    }

    /// One member's week cells over a window.
    fn cells_of(&self, m: &Member, window: &Window) -> Vec<(NaiveDate, rules::Cell, u32)> {
        rules::cells(
            window,
            m.member_since,
            |w| self.posts(m.id, w),
            |w| self.grace(m.id, w),
        )
    }
}

/// Everyone ranked over one window, best first.
pub struct Ranking {
    pub window: Window,
    pub version: u64,
    pub members: Arc<Vec<Member>>,
    /// A member's index in `members` by their user id.
    by_user: Arc<HashMap<i64, u32>>,
    /// (index into `members`, score), in rank order; ties by name, then id.
    pub rows: Vec<(u32, Score)>,
    /// The board as each filter (institution, unit path) sees it, made on first use.
    slices: Mutex<HashMap<FilterKey, Arc<Slice>>>,
}

/// The members one filter admits, in rank order, with their shared ranks among them.
pub struct Slice {
    /// Positions in `Ranking::rows`.
    pub rows: Vec<u32>,
    /// Each one's rank within the filter (ties share a rank).
    pub ranks: Vec<u32>,
    /// A member's index in `members` → their place in `rows`.
    by_member: HashMap<u32, u32>,
}

/// Filters whose slices a ranking keeps; beyond it they are made again.
const MAX_SLICES: usize = 256;

impl Slice {
    pub fn len(&self) -> u64 {
        self.rows.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The place of a member (by index in `members`) in this slice.
    pub fn place_of(&self, member: u32) -> Option<usize> {
        self.by_member.get(&member).map(|&i| i as usize)
    }
}

impl Ranking {
    /// The board as a filter sees it, made once per ranking and filter.
    pub fn slice(&self, key: &FilterKey, admits: impl Fn(&Member) -> bool) -> Arc<Slice> {
        if let Some(s) = self.slices.lock().ok().and_then(|c| c.get(key).cloned()) {
            return s;
        }
        let mut slice = Slice {
            rows: Vec::new(),
            ranks: Vec::new(),
            by_member: HashMap::new(),
        };
        let mut previous: Option<&Score> = None;
        for (pos, (member, score)) in self.rows.iter().enumerate() {
            if !admits(&self.members[*member as usize]) {
                continue;
            }
            let place = slice.rows.len() as u32;
            let rank = match previous {
                Some(p) if rules::rank_order(p, score) == std::cmp::Ordering::Equal => {
                    slice.ranks.last().copied().unwrap_or(1)
                }
                _ => place + 1,
            };
            previous = Some(score);
            slice.rows.push(pos as u32);
            slice.ranks.push(rank);
            slice.by_member.insert(*member, place);
        }
        let slice = Arc::new(slice);
        if let Ok(mut c) = self.slices.lock() {
            if c.len() >= MAX_SLICES {
                c.clear();
            }
            c.insert(key.clone(), slice.clone());
        }
        slice
    }

    /// A member's index in `members` by their user id.
    pub fn member_of_user(&self, user_id: i64) -> Option<u32> {
        self.by_user.get(&user_id).copied()
    }
}

/// A read-only look at the board's data, for the participation statistics.
pub struct View<'a> {
    d: &'a Data,
}

impl<'a> View<'a> {
    pub fn today(&self) -> NaiveDate {
        self.d.today
    }

    pub fn members(&self) -> &'a [Member] {
        &self.d.members
    }

    /// A member as the statistics see them.
    pub fn person(&self, m: &Member) -> Person<'a> {
        Person {
            member_since: m.member_since,
            weeks: self.d.activity.get(&m.id).map_or(&[], Vec::as_slice),
            followers: m.followers,
        }
    }

    /// Whether the week is a holiday or the member's leave.
    pub fn grace(&self, id: i64, week: NaiveDate) -> bool {
        self.d.grace(id, week)
    }
}

/// The aggregate columns the board reads.
#[derive(Debug, sea_orm::FromQueryResult)]
struct ActivityRow {
    ambassador_id: i64,
    week_start: NaiveDate,
    verified_posts: i32,
    x_posts: i64,
    x_interactions: i64,
    x_followers: i64,
    instagram_posts: i64,
    instagram_interactions: i64,
    instagram_followers: i64,
    facebook_posts: i64,
    facebook_interactions: i64,
    facebook_followers: i64,
}

impl ActivityRow {
    fn week(&self) -> Week {
        Week::from_counts(
            self.week_start,
            i64::from(self.verified_posts),
            [self.x_posts, self.instagram_posts, self.facebook_posts],
            [
                self.x_interactions,
                self.instagram_interactions,
                self.facebook_interactions,
            ],
            [
                self.x_followers,
                self.instagram_followers,
                self.facebook_followers,
            ],
        )
    }
}

pub struct Board {
    refresh: Duration,
    /// How often everything is read again.
    full_reload: Duration,
    data: Arc<RwLock<Option<Data>>>,
    refreshing: Arc<tokio::sync::Mutex<()>>,
    computing: tokio::sync::Mutex<()>,
    rankings: Mutex<HashMap<u32, Arc<Ranking>>>,
    /// Aggregate rows the last refresh read.
    rows_read: Arc<AtomicUsize>,
}

fn ts(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(|t| t.to_rfc3339())
}

impl Board {
    pub fn new(refresh: Duration) -> Board {
        Board {
            refresh,
            full_reload: FULL_RELOAD,
            data: Arc::new(RwLock::new(None)),
            refreshing: Arc::new(tokio::sync::Mutex::new(())),
            computing: tokio::sync::Mutex::new(()),
            rankings: Mutex::new(HashMap::new()),
            rows_read: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Brings the board up to date when it is older than the refresh interval: the
    /// request that notices reads what changed (one request at a time; the others are
    /// served the board as it is), and the first load is waited for. Reading everything
    /// again (every 15 minutes) runs on its own task, while requests go on with the board
    /// as it is (with an interval of 0, as in the tests, it is waited for too).
    pub async fn ensure_fresh(&self, db: &DatabaseConnection) -> AppResult<()> {
        let (loaded, due, reload) = match &*self.data.read().await {
            None => (false, true, false),
            Some(d) => (
                true,
                d.refreshed_at.elapsed() >= self.refresh,
                d.loaded_at.elapsed() >= self.full_reload,
            ),
        };
        if !due {
            return Ok(());
        }
        if reload && !self.refresh.is_zero() {
            self.refresh_in_background(db);
            return Ok(());
        }
        let _guard = if loaded {
            match self.refreshing.try_lock() {
                Ok(g) => g,
                Err(_) => return Ok(()),
            }
        } else {
            let g = self.refreshing.lock().await;
            // Those who waited for the load at start (or another first load) find it done.
            if !self.refresh.is_zero() && self.data.read().await.is_some() {
                return Ok(());
            }
            g
        };
        refresh(&self.data, &self.rows_read, self.full_reload, db).await
    }

    /// The same board reading everything again at another interval (for tests).
    pub fn with_full_reload(self, every: Duration) -> Board {
        Board {
            full_reload: every,
            ..self
        }
    }

    /// Loads the board in the background, so that the first visitor after a start does
    /// not wait for it (they wait only for what is left of this load). Nothing happens
    /// with a refresh interval of 0: the board then loads on first use.
    pub fn warm_up(&self, db: &DatabaseConnection) {
        if !self.refresh.is_zero() {
            self.refresh_in_background(db);
        }
    }

    /// Starts a refresh on its own task unless one is running.
    fn refresh_in_background(&self, db: &DatabaseConnection) {
        let Ok(guard) = self.refreshing.clone().try_lock_owned() else {
            return;
        };
        let (data, rows_read, db) = (self.data.clone(), self.rows_read.clone(), db.clone());
        let full_reload = self.full_reload;
        tokio::spawn(async move {
            if let Err(e) = refresh(&data, &rows_read, full_reload, &db).await {
                tracing::warn!(error = %e, "the leaderboard could not be brought up to date");
            }
            drop(guard);
        });
    }

    /// How many aggregate rows the last refresh read (all of them on a full load, only
    /// the recently changed ones otherwise).
    pub fn rows_read_last(&self) -> usize {
        self.rows_read.load(Ordering::Relaxed)
    }

    /// How often the board is brought up to date.
    pub fn refresh_interval(&self) -> Duration {
        self.refresh
    }

    /// The data's version: it moves whenever a refresh changed something.
    pub async fn version(&self) -> u64 {
        self.data.read().await.as_ref().map_or(0, |d| d.version)
    }

    /// Runs `f` over the data as of the last refresh, off the async threads.
    pub async fn view<T: Send + 'static>(
        &self,
        db: &DatabaseConnection,
        f: impl FnOnce(View) -> T + Send + 'static,
    ) -> AppResult<T> {
        self.ensure_fresh(db).await?;
        let data = self.data.clone().read_owned().await;
        tokio::task::spawn_blocking(move || -> AppResult<T> {
            let d = data
                .as_ref()
                .ok_or_else(|| AppError::internal("board not loaded"))?;
            Ok(f(View { d }))
        })
        .await
        .map_err(AppError::internal)?
    }

    /// Everyone ranked over the last `weeks` weeks, as of the last refresh.
    pub async fn ranking(&self, db: &DatabaseConnection, weeks: u32) -> AppResult<Arc<Ranking>> {
        self.ensure_fresh(db).await?;
        let (version, today) = match &*self.data.read().await {
            Some(d) => (d.version, d.today),
            None => return Err(AppError::internal("board not loaded")),
        };
        let window = Window::ending(today, weeks);
        let cached = self.cached(window.weeks);
        if let Some(r) = &cached {
            if r.version == version && r.window == window {
                return Ok(r.clone());
            }
        }
        // One ranking at a time; while it is computed, others get the previous one.
        let _guard = match (self.computing.try_lock(), &cached) {
            (Ok(g), _) => g,
            (Err(_), Some(r)) => return Ok(r.clone()),
            (Err(_), None) => self.computing.lock().await,
        };
        if let Some(r) = self.cached(window.weeks) {
            if r.version == version && r.window == window {
                return Ok(r);
            }
        }
        let data = self.data.clone().read_owned().await;
        let ranking = tokio::task::spawn_blocking(move || -> AppResult<Ranking> {
            let d = data
                .as_ref()
                .ok_or_else(|| AppError::internal("board not loaded"))?;
            let window = Window::ending(d.today, window.weeks);
            Ok(rank_all(d, window))
        })
        .await
        .map_err(AppError::internal)??;
        let ranking = Arc::new(ranking);
        if let Ok(mut map) = self.rankings.lock() {
            map.insert(ranking.window.weeks, ranking.clone());
        }
        Ok(ranking)
    }

    fn cached(&self, weeks: u32) -> Option<Arc<Ranking>> {
        self.rankings
            .lock()
            .ok()
            .and_then(|m| m.get(&weeks).cloned())
    }

    /// The approved member with this user id, as of the last refresh.
    pub async fn member_of_user(
        &self,
        db: &DatabaseConnection,
        user_id: i64,
    ) -> AppResult<Option<Member>> {
        self.ensure_fresh(db).await?;
        let guard = self.data.read().await;
        Ok(guard.as_ref().and_then(|d| {
            d.by_user
                .get(&user_id)
                .map(|&i| d.members[i as usize].clone())
        }))
    }

    /// One ambassador's week cells over a window (for their own page), by their user id,
    /// as of the last refresh; none when they are not an approved member.
    pub async fn cells_of(
        &self,
        db: &DatabaseConnection,
        user_id: i64,
        weeks: u32,
    ) -> AppResult<Option<(Window, Vec<(NaiveDate, rules::Cell, u32)>)>> {
        self.ensure_fresh(db).await?;
        let guard = self.data.read().await;
        let Some(d) = guard.as_ref() else {
            return Ok(None);
        };
        let window = Window::ending(d.today, weeks);
        Ok(d.by_user
            .get(&user_id)
            .map(|&i| (window, d.cells_of(&d.members[i as usize], &window))))
    }
}

/// Brings `data` up to date: everything on a first load (and every `full_reload`), else
/// what changed since the last refresh.
async fn refresh(
    data_lock: &RwLock<Option<Data>>,
    rows_read: &AtomicUsize,
    full_reload: Duration,
    db: &DatabaseConnection,
) -> AppResult<()> {
    let tz = programme_timezone(db).await?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let member_marks = member_marks(db).await?;
    let grace_marks = grace_marks(db).await?;
    let (full, activity_mark, same_members, same_grace) = {
        let guard = data_lock.read().await;
        match &*guard {
            Some(d) if d.loaded_at.elapsed() < full_reload => (
                false,
                d.activity_mark,
                d.member_marks == member_marks,
                d.grace_marks == grace_marks,
            ),
            _ => (true, None, false, false),
        }
    };
    // Two of the longest windows: the statistics compare a window with the one before.
    let since = rules::monday_of(today) - chrono::Duration::weeks(2 * i64::from(MAX_WEEKS));
    // Rows changed from here on are read by the next refresh (with the overlap).
    let started = Utc::now();
    let rows = read_activity(
        db,
        since,
        activity_mark.filter(|_| !full).map(|m| m - OVERLAP),
    )
    .await?;
    let members = if same_members {
        None
    } else {
        Some(Arc::new(load_members(db).await?))
    };
    let grace = if same_grace {
        None
    } else {
        Some(load_grace(db).await?)
    };

    let mut guard = data_lock.write().await;
    let now = Instant::now();
    let data = match guard.as_mut() {
        Some(d) if !full => d,
        _ => {
            let version = guard.as_ref().map_or(0, |d| d.version) + 1;
            *guard = Some(Data {
                members: Arc::new(Vec::new()),
                by_user: Arc::new(HashMap::new()),
                activity: HashMap::new(),
                holidays: HashSet::new(),
                leaves: HashMap::new(),
                today,
                activity_mark: None,
                member_marks: Vec::new(),
                grace_marks: Vec::new(),
                loaded_at: now,
                refreshed_at: now,
                version,
            });
            guard
                .as_mut()
                .ok_or_else(|| AppError::internal("board not loaded"))?
        }
    };
    rows_read.store(rows.len(), Ordering::Relaxed);
    let mut changed = full || data.today != today;
    for (id, week) in rows {
        let weeks = data.activity.entry(id).or_default();
        match weeks.binary_search_by_key(&week.monday, |w| w.monday) {
            Ok(i) if weeks[i] != week => {
                weeks[i] = week;
                changed = true;
            }
            Ok(_) => {}
            Err(i) => {
                weeks.insert(i, week);
                changed = true;
            }
        }
    }
    if full {
        data.activity.values_mut().for_each(Vec::shrink_to_fit);
    }
    data.activity_mark = Some(started);
    if let Some(m) = members {
        data.by_user = Arc::new(
            m.iter()
                .enumerate()
                .map(|(i, m)| (m.user_id, i as u32))
                .collect(),
        );
        data.members = m;
        data.member_marks = member_marks;
        changed = true;
    }
    if let Some((h, l)) = grace {
        data.holidays = h;
        data.leaves = l;
        data.grace_marks = grace_marks;
        changed = true;
    }
    data.today = today;
    data.refreshed_at = now;
    if changed {
        data.version += 1;
    }
    Ok(())
}

fn rank_all(d: &Data, window: Window) -> Ranking {
    let mut rows: Vec<(u32, Score)> = d
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| (i as u32, rules::score(&d.cells_of(m, &window))))
        .collect();
    let members = &d.members;
    rows.sort_by(|a, b| {
        rules::rank_order(&a.1, &b.1)
            .then_with(|| members[a.0 as usize].name.cmp(&members[b.0 as usize].name))
            .then_with(|| members[a.0 as usize].id.cmp(&members[b.0 as usize].id))
    });
    Ranking {
        window,
        version: d.version,
        members: d.members.clone(),
        by_user: d.by_user.clone(),
        rows,
        slices: Mutex::new(HashMap::new()),
    }
}

/// Ambassadors whose rows one query of the full load reads, so that only a part of
/// the aggregate is ever held as query rows.
const ACTIVITY_CHUNK: i64 = 5_000;

/// The aggregate rows from `since` on, compactly: all of them (in chunks of ambassadors)
/// or those changed after `changed_after`.
async fn read_activity(
    db: &DatabaseConnection,
    since: NaiveDate,
    changed_after: Option<DateTime<Utc>>,
) -> AppResult<Vec<(i64, Week)>> {
    let query = || {
        week_activity::Entity::find()
            .select_only()
            .columns([
                week_activity::Column::AmbassadorId,
                week_activity::Column::WeekStart,
            ])
            .columns(super::service::WEEK_FIGURES)
            .filter(week_activity::Column::WeekStart.gte(since))
    };
    let mut out = Vec::new();
    let mut take = |rows: Vec<ActivityRow>| {
        out.extend(rows.into_iter().map(|row| (row.ambassador_id, row.week())));
    };
    if let Some(after) = changed_after {
        take(
            query()
                .filter(week_activity::Column::UpdatedAt.gt(after))
                .into_model()
                .all(db)
                .await?,
        );
        return Ok(out);
    }
    let last: Option<Option<i64>> = week_activity::Entity::find()
        .select_only()
        .expr(Expr::col(week_activity::Column::AmbassadorId).max())
        .into_tuple()
        .one(db)
        .await?;
    let last = last.flatten().unwrap_or(0);
    let mut from = 0i64;
    while from <= last {
        let to = from.saturating_add(ACTIVITY_CHUNK);
        take(
            query()
                .filter(week_activity::Column::AmbassadorId.gte(from))
                .filter(week_activity::Column::AmbassadorId.lt(to))
                .into_model()
                .all(db)
                .await?,
        );
        from = to;
    }
    Ok(out)
}

async fn member_marks(db: &DatabaseConnection) -> AppResult<Marks> {
    let a: Option<(i64, Option<DateTime<Utc>>)> = ambassadors::Entity::find()
        .select_only()
        .expr(Expr::col(ambassadors::Column::Id).count())
        .expr(Expr::col(ambassadors::Column::UpdatedAt).max())
        .into_tuple()
        .one(db)
        .await?;
    let u: Option<(i64, Option<i64>)> = work_units::Entity::find()
        .select_only()
        .expr(Expr::col(work_units::Column::Id).count())
        .expr(Expr::col(work_units::Column::Id).max())
        .into_tuple()
        .one(db)
        .await?;
    let f: Option<(i64, Option<DateTime<Utc>>)> = ambassador_platforms::Entity::find()
        .select_only()
        .expr(Expr::col(ambassador_platforms::Column::Id).count())
        .expr(Expr::col(ambassador_platforms::Column::UpdatedAt).max())
        .into_tuple()
        .one(db)
        .await?;
    let (ac, am) = a.unwrap_or((0, None));
    let (uc, um) = u.unwrap_or((0, None));
    let (fc, fm) = f.unwrap_or((0, None));
    Ok(vec![
        (ac, ts(am)),
        (uc, um.map(|m| m.to_string())),
        (fc, ts(fm)),
    ])
}

async fn grace_marks(db: &DatabaseConnection) -> AppResult<Marks> {
    let h: Option<(i64, Option<i64>)> = holidays::Entity::find()
        .select_only()
        .expr(Expr::col(holidays::Column::Id).count())
        .expr(Expr::col(holidays::Column::Id).max())
        .into_tuple()
        .one(db)
        .await?;
    let l: Option<(i64, Option<i64>)> = leaves::Entity::find()
        .select_only()
        .expr(Expr::col(leaves::Column::Id).count())
        .expr(Expr::col(leaves::Column::Id).max())
        .into_tuple()
        .one(db)
        .await?;
    Ok([h, l]
        .into_iter()
        .map(|x| {
            let (c, m) = x.unwrap_or((0, None));
            (c, m.map(|m| m.to_string()))
        })
        .collect())
}

async fn load_members(db: &DatabaseConnection) -> AppResult<Vec<Member>> {
    let units: HashMap<i64, (String, String)> = work_units::Entity::find()
        .select_only()
        .columns([
            work_units::Column::Id,
            work_units::Column::Name,
            work_units::Column::Path,
        ])
        .into_tuple::<(i64, String, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, name, path)| (id, (name, path)))
        .collect();
    let rows: Vec<(i64, i64, String, i64, i64, Option<NaiveDate>)> = ambassadors::Entity::find()
        .select_only()
        .columns([
            ambassadors::Column::Id,
            ambassadors::Column::UserId,
            ambassadors::Column::DisplayName,
            ambassadors::Column::InstitutionId,
            ambassadors::Column::WorkUnitId,
            ambassadors::Column::MemberSince,
        ])
        .filter(ambassadors::Column::Status.eq("approved"))
        .into_tuple()
        .all(db)
        .await?;
    let mut followers: HashMap<i64, [Option<u32>; 3]> = HashMap::new();
    let counts: Vec<(i64, String, Option<i64>)> = ambassador_platforms::Entity::find()
        .select_only()
        .columns([
            ambassador_platforms::Column::AmbassadorId,
            ambassador_platforms::Column::Platform,
            ambassador_platforms::Column::FollowerCount,
        ])
        .filter(ambassador_platforms::Column::FollowerCount.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    for (id, platform, count) in counts {
        if let Some(p) = PLATFORMS.iter().position(|x| *x == platform) {
            followers.entry(id).or_default()[p] =
                count.map(|c| u32::try_from(std::cmp::max(c, 0)).unwrap_or(u32::MAX));
        }
    }
    Ok(rows
        .into_iter()
        .map(
            |(id, user_id, name, institution_id, work_unit_id, member_since)| {
                let (unit_name, unit_path) = units.get(&work_unit_id).cloned().unwrap_or_default();
                Member {
                    id,
                    user_id,
                    name,
                    institution_id,
                    work_unit_id,
                    unit_name,
                    unit_path,
                    member_since,
                    followers: followers.get(&id).copied().unwrap_or_default(),
                }
            },
        )
        .collect())
}

type Grace = (
    HashSet<NaiveDate>,
    HashMap<i64, Vec<(NaiveDate, NaiveDate)>>,
);

async fn load_grace(db: &DatabaseConnection) -> AppResult<Grace> {
    let h: HashSet<NaiveDate> = holidays::Entity::find()
        .select_only()
        .column(holidays::Column::WeekStart)
        .into_tuple::<NaiveDate>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut l: HashMap<i64, Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
    for (id, from, to) in leaves::Entity::find()
        .select_only()
        .columns([
            leaves::Column::AmbassadorId,
            leaves::Column::FromWeek,
            leaves::Column::ToWeek,
        ])
        .into_tuple::<(i64, NaiveDate, NaiveDate)>()
        .all(db)
        .await?
    {
        l.entry(id).or_default().push((from, to));
    }
    Ok((h, l))
}
