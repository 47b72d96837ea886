//! The participation statistics, stored per work unit and week in `unit_weeks`, and
//! brought up to date in the transaction of every write that changes them.
//!
//! Each approved ambassador has a share in the rows of their unit: one `joined` in the
//! week they became a member, and in every week they were active (a member by its
//! Sunday) and posted, their posting, posts, reach (latest follower counts) and the
//! interactions and followers of their posts with counts. `stat_people` records what
//! each share was computed with (unit, `member_since`, follower counts), so a write
//! takes the old share out and puts the new one in:
//!
//! - a verification or its reversal changes one week: [`record_week`];
//! - approval, suspension, withdrawal, erasure, a move to another unit, a new
//!   `member_since` or new follower counts change the whole share: [`sync`] compares the
//!   ambassador with what `stat_people` says and moves the share when they differ.
//!
//! Leave and holidays are not stored here: they are few, and the statistics apply them
//! when they read (see `crate::stats::source`). [`check`] computes every row again from
//! the weekly aggregate (for `duta leaderboard rebuild` and to fill the tables the first
//! time).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};

use super::rules::monday_of;
use crate::db::begin_snapshot;
use crate::error::AppResult;
use entity::{
    ambassador_platforms, ambassadors, membership_breaks, stat_people, unit_weeks, week_activity,
};

/// The platforms of the statistics, in the order of every per-platform array: every
/// platform an ambassador can post on (`crate::briefs::rules::PLATFORMS`).
pub const PLATFORMS: [&str; 5] = ["x", "instagram", "facebook", "tiktok", "youtube"];

/// One value per platform, in the order of [`PLATFORMS`].
pub type ByPlatform<T> = [T; PLATFORMS.len()];

/// Ambassadors read per statement.
const BATCH: usize = 1_000;

/// The statuses of ambassadors who have a share: approved members, and members who were
/// suspended or removed (their weeks before stay in the figures).
pub const MEMBER_STATUSES: [&str; 3] = ["approved", "suspended", "removed"];

/// Weeks out of the programme: from a Monday until a Monday (exclusive; none while it
/// lasts).
pub type Break = (NaiveDate, Option<NaiveDate>);

/// What an ambassador's share is computed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub institution_id: i64,
    pub work_unit_id: i64,
    pub member_since: Option<NaiveDate>,
    /// The latest follower count per platform (0 when none is known).
    pub followers: ByPlatform<i64>,
    /// Suspensions and removal, oldest first.
    pub breaks: Vec<Break>,
}

impl Applied {
    /// Whether the ambassador is a member in the week of `monday`: a member by its Sunday
    /// and not in a break.
    pub fn active_in(&self, monday: NaiveDate) -> bool {
        active(self.member_since, monday) && !in_break(&self.breaks, monday)
    }

    /// The weeks the ambassador's membership began (+1) and stopped (-1): joining, and
    /// each break's start and end.
    fn turns(&self) -> Vec<(NaiveDate, i64)> {
        let Some(since) = self.member_since else {
            return Vec::new();
        };
        let start = monday_of(since);
        let mut out = vec![(start, 1)];
        let mut open_until: Option<NaiveDate> = None;
        for &(from, until) in &self.breaks {
            let from = std::cmp::max(from, start);
            if until.is_some_and(|u| u <= from) {
                continue;
            }
            // Breaks do not overlap; one that would is read from where the last ended.
            if let Some(prev) = open_until {
                if from < prev {
                    continue;
                }
            }
            out.push((from, -1));
            match until {
                Some(u) => {
                    out.push((u, 1));
                    open_until = Some(u);
                }
                None => break,
            }
        }
        out
    }
}

/// Whether `monday` falls in one of the breaks.
pub fn in_break(breaks: &[Break], monday: NaiveDate) -> bool {
    breaks
        .iter()
        .any(|&(from, until)| from <= monday && until.is_none_or(|u| monday < u))
}

/// The breaks as `stat_people.breaks` stores them.
fn breaks_text(breaks: &[Break]) -> String {
    breaks
        .iter()
        .map(|(f, u)| format!("{f}/{}", u.map(|d| d.to_string()).unwrap_or_default()))
        .collect::<Vec<_>>()
        .join(",")
}

fn breaks_of_text(text: &str) -> Vec<Break> {
    text.split(',')
        .filter_map(|b| {
            let (f, u) = b.split_once('/')?;
            Some((f.parse().ok()?, u.parse().ok()))
        })
        .collect()
}

/// The membership breaks of `ids`, oldest first.
pub async fn breaks_of(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, Vec<Break>>> {
    let mut out: HashMap<i64, Vec<Break>> = HashMap::new();
    for chunk in ids.chunks(BATCH) {
        let rows: Vec<(i64, NaiveDate, Option<NaiveDate>)> = membership_breaks::Entity::find()
            .select_only()
            .columns([
                membership_breaks::Column::AmbassadorId,
                membership_breaks::Column::FromWeek,
                membership_breaks::Column::UntilWeek,
            ])
            .filter(membership_breaks::Column::AmbassadorId.is_in(chunk.iter().copied()))
            .order_by_asc(membership_breaks::Column::FromWeek)
            .order_by_asc(membership_breaks::Column::Id)
            .into_tuple()
            .all(db)
            .await?;
        for (id, from, until) in rows {
            out.entry(id).or_default().push((from, until));
        }
    }
    Ok(out)
}

/// The figures of one unit's week (or the change to them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cell {
    pub joined: i64,
    pub posting: i64,
    pub posting_on: ByPlatform<i64>,
    pub posts: ByPlatform<i64>,
    pub reach: ByPlatform<i64>,
    pub interactions: ByPlatform<i64>,
    pub followers: ByPlatform<i64>,
}

impl Cell {
    pub fn add(&mut self, o: &Cell, sign: i64) {
        self.joined += sign * o.joined;
        self.posting += sign * o.posting;
        for p in 0..PLATFORMS.len() {
            self.posting_on[p] += sign * o.posting_on[p];
            self.posts[p] += sign * o.posts[p];
            self.reach[p] += sign * o.reach[p];
            self.interactions[p] += sign * o.interactions[p];
            self.followers[p] += sign * o.followers[p];
        }
    }

    pub fn is_zero(&self) -> bool {
        *self == Cell::default()
    }

    fn of_row(r: &unit_weeks::Model) -> Cell {
        Cell {
            joined: r.joined,
            posting: r.posting,
            posting_on: [
                r.x_posting,
                r.instagram_posting,
                r.facebook_posting,
                r.tiktok_posting,
                r.youtube_posting,
            ],
            posts: [
                r.x_posts,
                r.instagram_posts,
                r.facebook_posts,
                r.tiktok_posts,
                r.youtube_posts,
            ],
            reach: [
                r.x_reach,
                r.instagram_reach,
                r.facebook_reach,
                r.tiktok_reach,
                r.youtube_reach,
            ],
            interactions: [
                r.x_interactions,
                r.instagram_interactions,
                r.facebook_interactions,
                r.tiktok_interactions,
                r.youtube_interactions,
            ],
            followers: [
                r.x_followers,
                r.instagram_followers,
                r.facebook_followers,
                r.tiktok_followers,
                r.youtube_followers,
            ],
        }
    }

    fn describe(&self) -> String {
        format!(
            "joined={} posting={} posting_on={:?} posts={:?} reach={:?} interactions={:?} followers={:?}",
            self.joined,
            self.posting,
            self.posting_on,
            self.posts,
            self.reach,
            self.interactions,
            self.followers
        )
    }
}

/// One ambassador's week in the weekly aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekRow {
    pub monday: NaiveDate,
    pub total: i64,
    pub posts: ByPlatform<i64>,
    pub interactions: ByPlatform<i64>,
    pub followers: ByPlatform<i64>,
}

impl WeekRow {
    pub fn of(m: &week_activity::Model) -> WeekRow {
        WeekRow {
            monday: m.week_start,
            total: i64::from(m.verified_posts),
            posts: [
                m.x_posts,
                m.instagram_posts,
                m.facebook_posts,
                m.tiktok_posts,
                m.youtube_posts,
            ],
            interactions: [
                m.x_interactions,
                m.instagram_interactions,
                m.facebook_interactions,
                m.tiktok_interactions,
                m.youtube_interactions,
            ],
            followers: [
                m.x_followers,
                m.instagram_followers,
                m.facebook_followers,
                m.tiktok_followers,
                m.youtube_followers,
            ],
        }
    }
}

/// Whether an ambassador who became a member on `since` is active in the week of
/// `monday`: a member by its Sunday.
pub fn active(since: Option<NaiveDate>, monday: NaiveDate) -> bool {
    since.is_some_and(|d| monday_of(d) <= monday)
}

/// What one week of an ambassador adds to their unit's row of that week.
pub fn share(state: &Applied, w: &WeekRow) -> Option<Cell> {
    if !state.active_in(w.monday) {
        return None;
    }
    let mut c = Cell {
        posting: i64::from(w.total > 0),
        ..Cell::default()
    };
    for p in 0..PLATFORMS.len() {
        if w.posts[p] > 0 {
            c.posting_on[p] = 1;
            c.posts[p] = w.posts[p];
            c.reach[p] = state.followers[p];
            c.interactions[p] = w.interactions[p];
            c.followers[p] = w.followers[p];
        }
    }
    (!c.is_zero()).then_some(c)
}

/// Changes to unit rows, by unit and week, with the unit's institution.
#[derive(Debug, Default)]
struct Deltas(BTreeMap<(i64, NaiveDate), (i64, Cell)>);

impl Deltas {
    fn add(&mut self, state: &Applied, week: NaiveDate, cell: &Cell, sign: i64) {
        self.0
            .entry((state.work_unit_id, week))
            .or_insert((state.institution_id, Cell::default()))
            .1
            .add(cell, sign);
    }

    /// An ambassador's whole share, from their weeks, in or out.
    fn whole(&mut self, state: &Applied, weeks: &[WeekRow], sign: i64) {
        for (week, n) in state.turns() {
            let joined = Cell {
                joined: n,
                ..Cell::default()
            };
            self.add(state, week, &joined, sign);
        }
        for w in weeks {
            if let Some(c) = share(state, w) {
                self.add(state, w.monday, &c, sign);
            }
        }
    }
}

fn model(unit: i64, week: NaiveDate, institution: i64, c: &Cell) -> unit_weeks::ActiveModel {
    unit_weeks::ActiveModel {
        work_unit_id: Set(unit),
        week_start: Set(week),
        institution_id: Set(institution),
        joined: Set(c.joined),
        posting: Set(c.posting),
        x_posting: Set(c.posting_on[0]),
        instagram_posting: Set(c.posting_on[1]),
        facebook_posting: Set(c.posting_on[2]),
        tiktok_posting: Set(c.posting_on[3]),
        youtube_posting: Set(c.posting_on[4]),
        x_posts: Set(c.posts[0]),
        instagram_posts: Set(c.posts[1]),
        facebook_posts: Set(c.posts[2]),
        tiktok_posts: Set(c.posts[3]),
        youtube_posts: Set(c.posts[4]),
        x_reach: Set(c.reach[0]),
        instagram_reach: Set(c.reach[1]),
        facebook_reach: Set(c.reach[2]),
        tiktok_reach: Set(c.reach[3]),
        youtube_reach: Set(c.reach[4]),
        x_interactions: Set(c.interactions[0]),
        instagram_interactions: Set(c.interactions[1]),
        facebook_interactions: Set(c.interactions[2]),
        tiktok_interactions: Set(c.interactions[3]),
        youtube_interactions: Set(c.interactions[4]),
        x_followers: Set(c.followers[0]),
        instagram_followers: Set(c.followers[1]),
        facebook_followers: Set(c.followers[2]),
        tiktok_followers: Set(c.followers[3]),
        youtube_followers: Set(c.followers[4]),
    }
}

/// The figure columns of `unit_weeks`, in the order of [`Cell`]'s fields (each
/// per-platform field in the order of [`PLATFORMS`]).
pub const FIGURES: [unit_weeks::Column; 2 + 5 * PLATFORMS.len()] = {
    use unit_weeks::Column as C;
    [
        C::Joined,
        C::Posting,
        C::XPosting,
        C::InstagramPosting,
        C::FacebookPosting,
        C::TiktokPosting,
        C::YoutubePosting,
        C::XPosts,
        C::InstagramPosts,
        C::FacebookPosts,
        C::TiktokPosts,
        C::YoutubePosts,
        C::XReach,
        C::InstagramReach,
        C::FacebookReach,
        C::TiktokReach,
        C::YoutubeReach,
        C::XInteractions,
        C::InstagramInteractions,
        C::FacebookInteractions,
        C::TiktokInteractions,
        C::YoutubeInteractions,
        C::XFollowers,
        C::InstagramFollowers,
        C::FacebookFollowers,
        C::TiktokFollowers,
        C::YoutubeFollowers,
    ]
};

impl Cell {
    /// A cell from the values of [`FIGURES`], in that order.
    pub fn of_figures(v: &[i64; FIGURES.len()]) -> Cell {
        let n = PLATFORMS.len();
        let group = |k: usize| -> ByPlatform<i64> { std::array::from_fn(|p| v[2 + k * n + p]) };
        Cell {
            joined: v[0],
            posting: v[1],
            posting_on: group(0),
            posts: group(1),
            reach: group(2),
            interactions: group(3),
            followers: group(4),
        }
    }
}

/// Adds the changes to the stored rows, one statement per thousand rows.
async fn apply(db: &impl ConnectionTrait, deltas: Deltas) -> AppResult<()> {
    let rows: Vec<unit_weeks::ActiveModel> = deltas
        .0
        .into_iter()
        .filter(|(_, (_, c))| !c.is_zero())
        .map(|((unit, week), (institution, c))| model(unit, week, institution, &c))
        .collect();
    let mut conflict = OnConflict::columns([
        unit_weeks::Column::WorkUnitId,
        unit_weeks::Column::WeekStart,
    ]);
    for c in FIGURES {
        conflict.value(
            c,
            Expr::col((unit_weeks::Entity, c)).add(Expr::col((Alias::new("excluded"), c))),
        );
    }
    // 30 columns a row stay below SQLite's 32,766 bound parameters.
    for chunk in rows.chunks(BATCH) {
        unit_weeks::Entity::insert_many(chunk.to_vec())
            .on_conflict(conflict.clone())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// The ambassadors among `ids` who are approved, with what their share is computed with
/// now.
async fn current(db: &impl ConnectionTrait, ids: &[i64]) -> AppResult<HashMap<i64, Applied>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(BATCH) {
        let rows: Vec<(i64, i64, i64, Option<NaiveDate>)> = ambassadors::Entity::find()
            .select_only()
            .columns([
                ambassadors::Column::Id,
                ambassadors::Column::InstitutionId,
                ambassadors::Column::WorkUnitId,
                ambassadors::Column::MemberSince,
            ])
            .filter(ambassadors::Column::Id.is_in(chunk.iter().copied()))
            .filter(ambassadors::Column::Status.is_in(MEMBER_STATUSES))
            .into_tuple()
            .all(db)
            .await?;
        let mut breaks = breaks_of(db, chunk).await?;
        for (id, institution_id, work_unit_id, member_since) in rows {
            out.insert(
                id,
                Applied {
                    institution_id,
                    work_unit_id,
                    member_since,
                    followers: ByPlatform::default(),
                    breaks: breaks.remove(&id).unwrap_or_default(),
                },
            );
        }
        let counts: Vec<(i64, String, Option<i64>)> = ambassador_platforms::Entity::find()
            .select_only()
            .columns([
                ambassador_platforms::Column::AmbassadorId,
                ambassador_platforms::Column::Platform,
                ambassador_platforms::Column::FollowerCount,
            ])
            .filter(ambassador_platforms::Column::AmbassadorId.is_in(chunk.iter().copied()))
            .filter(ambassador_platforms::Column::FollowerCount.is_not_null())
            .into_tuple()
            .all(db)
            .await?;
        for (id, platform, count) in counts {
            let (Some(a), Some(p)) = (
                out.get_mut(&id),
                PLATFORMS.iter().position(|x| *x == platform),
            ) else {
                continue;
            };
            a.followers[p] = std::cmp::max(count.unwrap_or(0), 0);
        }
    }
    Ok(out)
}

fn applied_of(m: &stat_people::Model) -> Applied {
    Applied {
        institution_id: m.institution_id,
        work_unit_id: m.work_unit_id,
        member_since: m.member_since,
        followers: [
            m.x_followers,
            m.instagram_followers,
            m.facebook_followers,
            m.tiktok_followers,
            m.youtube_followers,
        ],
        breaks: breaks_of_text(&m.breaks),
    }
}

/// The last week of `weeks` with a verified post.
pub fn last_verified(weeks: &[WeekRow]) -> Option<NaiveDate> {
    weeks.iter().filter(|w| w.total > 0).map(|w| w.monday).max()
}

fn person_row(id: i64, a: &Applied, last: Option<NaiveDate>) -> stat_people::ActiveModel {
    stat_people::ActiveModel {
        ambassador_id: Set(id),
        institution_id: Set(a.institution_id),
        work_unit_id: Set(a.work_unit_id),
        member_since: Set(a.member_since),
        x_followers: Set(a.followers[0]),
        instagram_followers: Set(a.followers[1]),
        facebook_followers: Set(a.followers[2]),
        tiktok_followers: Set(a.followers[3]),
        youtube_followers: Set(a.followers[4]),
        breaks: Set(breaks_text(&a.breaks)),
        last_verified_week: Set(last),
    }
}

/// What the stored shares of `ids` were computed with, and the last verified week stored
/// with each.
async fn applied(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, (Applied, Option<NaiveDate>)>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(BATCH) {
        for m in stat_people::Entity::find()
            .filter(stat_people::Column::AmbassadorId.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            out.insert(m.ambassador_id, (applied_of(&m), m.last_verified_week));
        }
    }
    Ok(out)
}

/// Every stored week of `ids`.
async fn weeks_of(db: &impl ConnectionTrait, ids: &[i64]) -> AppResult<HashMap<i64, Vec<WeekRow>>> {
    let mut out: HashMap<i64, Vec<WeekRow>> = HashMap::new();
    for chunk in ids.chunks(BATCH) {
        for m in week_activity::Entity::find()
            .filter(week_activity::Column::AmbassadorId.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            out.entry(m.ambassador_id)
                .or_default()
                .push(WeekRow::of(&m));
        }
    }
    Ok(out)
}

/// Stores what a share is now computed with and the member's last verified week of
/// `weeks` (none: the ambassador has no share).
async fn remember(
    db: &impl ConnectionTrait,
    id: i64,
    now: Option<&Applied>,
    weeks: &[WeekRow],
) -> AppResult<()> {
    stat_people::Entity::delete_by_id(id).exec(db).await?;
    if let Some(a) = now {
        stat_people::Entity::insert(person_row(id, a, last_verified(weeks)))
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Locks the ambassadors' rows until the transaction ends (PostgreSQL; SQLite has one
/// writer at a time anyway), in id order so that two writers never wait on each other:
/// the writes that change one ambassador's share or standings take turns.
pub async fn lock(db: &impl ConnectionTrait, ids: &[i64]) -> AppResult<()> {
    if db.get_database_backend() != DbBackend::Postgres || ids.is_empty() {
        return Ok(());
    }
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(BATCH) {
        let list = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        db.query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT id FROM ambassadors WHERE id IN ({list}) ORDER BY id FOR UPDATE"),
        ))
        .await?;
    }
    Ok(())
}

/// Moves the shares of `ids` whose unit, membership or follower counts changed since
/// they were stored. Call it inside the transaction of the write, after [`lock`].
pub async fn sync(db: &impl ConnectionTrait, ids: &[i64]) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let now = current(db, ids).await?;
    let before = applied(db, ids).await?;
    let mut changed: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| now.get(id) != before.get(id).map(|(a, _)| a))
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    changed.sort_unstable();
    changed.dedup();
    let weeks = weeks_of(db, &changed).await?;
    let mut deltas = Deltas::default();
    for id in &changed {
        let own = weeks.get(id).map_or(&[][..], Vec::as_slice);
        if let Some((old, _)) = before.get(id) {
            deltas.whole(old, own, -1);
        }
        if let Some(new) = now.get(id) {
            deltas.whole(new, own, 1);
        }
        remember(db, *id, now.get(id), own).await?;
    }
    apply(db, deltas).await
}

/// Changes the stored figures for one week of an ambassador that went from `old` to
/// `new` (a verification or its reversal). Call it inside that transaction, after
/// [`lock`].
pub async fn record_week(
    db: &impl ConnectionTrait,
    ambassador_id: i64,
    old: Option<&WeekRow>,
    new: Option<&WeekRow>,
) -> AppResult<()> {
    let Some(state) = stat_people::Entity::find_by_id(ambassador_id)
        .one(db)
        .await?
        .map(|m| applied_of(&m))
    else {
        return Ok(());
    };
    let mut deltas = Deltas::default();
    for (row, sign) in [(old, -1), (new, 1)] {
        if let Some(c) = row.and_then(|w| share(&state, w)) {
            deltas.add(&state, row.map_or(NaiveDate::MIN, |w| w.monday), &c, sign);
        }
    }
    let verified = |w: Option<&WeekRow>| w.is_some_and(|w| w.total > 0);
    if verified(old) != verified(new) {
        // The week gained its first verified post or lost its last: the last verified
        // week is the latest week that has one now.
        let latest = sea_orm::sea_query::Query::select()
            .expr(Expr::col(week_activity::Column::WeekStart).max())
            .from(week_activity::Entity)
            .and_where(week_activity::Column::AmbassadorId.eq(ambassador_id))
            .and_where(week_activity::Column::VerifiedPosts.gt(0))
            .to_owned();
        stat_people::Entity::update_many()
            .col_expr(stat_people::Column::LastVerifiedWeek, Expr::from(latest))
            .filter(stat_people::Column::AmbassadorId.eq(ambassador_id))
            .exec(db)
            .await?;
    }
    apply(db, deltas).await
}

/// A stored row that differed from its recomputation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub table: &'static str,
    pub row: String,
    pub stored: String,
    pub computed: String,
}

fn describe_person((a, last): &(Applied, Option<NaiveDate>)) -> String {
    format!(
        "institution={} unit={} member_since={} followers={:?} breaks={} last_verified={}",
        a.institution_id,
        a.work_unit_id,
        a.member_since.map_or_else(|| "-".into(), |d| d.to_string()),
        a.followers,
        breaks_text(&a.breaks),
        last.map_or_else(|| "-".into(), |d| d.to_string())
    )
}

/// Computes every share and every unit row again from the ambassadors, their follower
/// counts and the weekly aggregate; stores what differs and returns it (after any
/// history of writes there should be nothing). One transaction that reads one snapshot
/// ([`begin_snapshot`]): on PostgreSQL verifications go on while it reads, and a row it
/// would correct that one of them changed meanwhile fails the check instead of being put
/// back (SQLite has one writer anyway).
pub async fn check(db: &DatabaseConnection) -> AppResult<Vec<Difference>> {
    let txn = begin_snapshot(db).await?;
    let mut out = Vec::new();
    let mut should = Deltas::default();
    let mut after = i64::MIN;
    loop {
        let ids: Vec<i64> = ambassadors::Entity::find()
            .select_only()
            .column(ambassadors::Column::Id)
            .filter(ambassadors::Column::Id.gt(after))
            .order_by_asc(ambassadors::Column::Id)
            .limit(BATCH as u64)
            .into_tuple()
            .all(&txn)
            .await?;
        let Some(last) = ids.last().copied() else {
            break;
        };
        after = last;
        let now = current(&txn, &ids).await?;
        let before = applied(&txn, &ids).await?;
        let weeks = weeks_of(&txn, &ids).await?;
        for id in &ids {
            let own = weeks.get(id).map_or(&[][..], Vec::as_slice);
            if let Some(a) = now.get(id) {
                should.whole(a, own, 1);
            }
            let computed = now.get(id).map(|a| (a.clone(), last_verified(own)));
            if computed.as_ref() != before.get(id) {
                out.push(Difference {
                    table: "stat_people",
                    row: format!("ambassador {id}"),
                    stored: before.get(id).map_or_else(|| "-".into(), describe_person),
                    computed: computed
                        .as_ref()
                        .map_or_else(|| "-".into(), describe_person),
                });
                remember(&txn, *id, now.get(id), own).await?;
            }
        }
    }
    // Rows of ambassadors who no longer exist.
    let orphans: Vec<i64> = stat_people::Entity::find()
        .select_only()
        .column(stat_people::Column::AmbassadorId)
        .filter(
            stat_people::Column::AmbassadorId.not_in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(ambassadors::Column::Id)
                    .from(ambassadors::Entity)
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(&txn)
        .await?;
    for id in orphans {
        out.push(Difference {
            table: "stat_people",
            row: format!("ambassador {id}"),
            stored: "present".into(),
            computed: "-".into(),
        });
        remember(&txn, id, None, &[]).await?;
    }

    let mut stored: HashMap<(i64, NaiveDate), (i64, Cell)> = HashMap::new();
    let mut pages = unit_weeks::Entity::find()
        .order_by_asc(unit_weeks::Column::WorkUnitId)
        .order_by_asc(unit_weeks::Column::WeekStart)
        .paginate(&txn, 10_000);
    while let Some(rows) = pages.fetch_and_next().await? {
        for r in rows {
            stored.insert(
                (r.work_unit_id, r.week_start),
                (r.institution_id, Cell::of_row(&r)),
            );
        }
    }
    let name = |unit: i64, week: NaiveDate| {
        format!("unit {unit} {}", crate::briefs::rules::IsoWeek::of(week))
    };
    let mut fix = Vec::new();
    for ((unit, week), (institution, cell)) in should.0 {
        let have = stored.remove(&(unit, week));
        let same = match &have {
            Some((i, c)) => *i == institution && *c == cell,
            None => cell.is_zero(),
        };
        if !same {
            out.push(Difference {
                table: "unit_weeks",
                row: name(unit, week),
                stored: have.map_or_else(|| "-".into(), |(_, c)| c.describe()),
                computed: cell.describe(),
            });
            fix.push((unit, week, Some((institution, cell))));
        }
    }
    for ((unit, week), (_, cell)) in stored {
        if !cell.is_zero() {
            out.push(Difference {
                table: "unit_weeks",
                row: name(unit, week),
                stored: cell.describe(),
                computed: "-".into(),
            });
            fix.push((unit, week, None));
        }
    }
    for (unit, week, row) in fix {
        unit_weeks::Entity::delete_by_id((unit, week))
            .exec(&txn)
            .await?;
        if let Some((institution, cell)) = row {
            unit_weeks::Entity::insert(model(unit, week, institution, &cell))
                .exec_without_returning(&txn)
                .await?;
        }
    }
    txn.commit().await?;
    out.sort_by(|a, b| (a.table, &a.row).cmp(&(b.table, &b.row)));
    Ok(out)
}

/// Fills the tables of a database from before they existed: approved ambassadors and no
/// stored share at all. Two reads of one row each, so a node starts as fast on a million
/// ambassadors as on ten (the seeds and `duta leaderboard rebuild` run [`check`]
/// themselves).
pub async fn ensure_built(db: &DatabaseConnection) -> AppResult<()> {
    let approved = ambassadors::Entity::find()
        .select_only()
        .column(ambassadors::Column::Id)
        .filter(ambassadors::Column::Status.eq("approved"))
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_some();
    let stored = stat_people::Entity::find()
        .select_only()
        .column(stat_people::Column::AmbassadorId)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_some();
    if approved && !stored {
        let fixed = check(db).await?.len();
        tracing::info!(rows = fixed, "participation figures stored");
    }
    Ok(())
}

/// Brings an ambassador's share up to date after a write to their follower counts (their
/// reach in every week they posted). Call it inside that write's transaction.
pub async fn followers_changed(db: &impl ConnectionTrait, ambassador_id: i64) -> AppResult<()> {
    lock(db, &[ambassador_id]).await?;
    sync(db, &[ambassador_id]).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn member(breaks: Vec<Break>) -> Applied {
        Applied {
            institution_id: 1,
            work_unit_id: 1,
            // A Wednesday: a member from that week's Monday.
            member_since: Some(d("2026-09-02")),
            followers: ByPlatform::default(),
            breaks,
        }
    }

    #[test]
    fn a_break_takes_its_weeks_out_and_keeps_the_others() {
        let a = member(vec![(d("2026-10-05"), Some(d("2026-10-26")))]);
        assert_eq!(
            a.turns(),
            vec![
                (d("2026-08-31"), 1),
                (d("2026-10-05"), -1),
                (d("2026-10-26"), 1)
            ]
        );
        assert!(a.active_in(d("2026-09-28")));
        assert!(!a.active_in(d("2026-10-05")));
        assert!(!a.active_in(d("2026-10-19")));
        assert!(a.active_in(d("2026-10-26")), "back in the week it ended");
        assert!(!a.active_in(d("2026-08-24")), "not before joining");
        // A break that lasts: out from its week on.
        let open = member(vec![(d("2026-11-30"), None)]);
        assert_eq!(
            open.turns(),
            vec![(d("2026-08-31"), 1), (d("2026-11-30"), -1)]
        );
        assert!(!open.active_in(d("2027-06-07")));
        // Empty or before joining: nothing moves twice.
        let odd = member(vec![
            (d("2026-08-03"), Some(d("2026-08-17"))),
            (d("2026-09-14"), Some(d("2026-09-14"))),
        ]);
        assert_eq!(odd.turns(), vec![(d("2026-08-31"), 1)]);
    }

    #[test]
    fn every_platform_a_post_can_be_on_has_its_figures() {
        for p in crate::briefs::rules::PLATFORMS {
            assert!(PLATFORMS.contains(&p), "{p}");
        }
        assert_eq!(FIGURES.len(), 2 + 5 * PLATFORMS.len());
    }

    #[test]
    fn breaks_are_stored_as_text_and_read_back() {
        let breaks = vec![
            (d("2026-10-05"), Some(d("2026-10-26"))),
            (d("2026-11-30"), None),
        ];
        let text = breaks_text(&breaks);
        assert_eq!(text, "2026-10-05/2026-10-26,2026-11-30/");
        assert_eq!(breaks_of_text(&text), breaks);
        assert_eq!(breaks_of_text(""), Vec::<Break>::new());
    }
}
