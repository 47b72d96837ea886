//! The leaderboard's reads and the writes that feed it: the weekly aggregate (changed in
//! the same transaction as every verification and reversal), the rebuild that checks it
//! against the submissions, the holiday calendar and approved leave.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Order, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IdenStatic,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use super::participation::{self, WeekRow};
use super::rules::{self, Cell, Window, DEFAULT_WEEKS, MAX_WEEKS};
use super::standings;
use crate::audit::record as audit;
use crate::auth::guards::CurrentUser;
use crate::auth::roles::{Role, Scope};
use crate::briefs::rules::IsoWeek;
use crate::db::begin_write;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::kept::{Kept, Topic};
use crate::org::cache::Org;
use entity::{
    ambassadors, brief_activity, holidays, leaves, platform_weeks, standings as standings_table,
    submissions, week_activity, work_units,
};

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 200;

/// What one submission adds to the stored aggregates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostFacts {
    pub ambassador_id: i64,
    pub work_unit_id: Option<i64>,
    pub brief_id: i64,
    pub platform: String,
    pub week_start: NaiveDate,
    pub on_time: bool,
    /// Interactions and followers, when the post counts for engagement.
    pub engagement: Option<(i64, i64)>,
}

impl PostFacts {
    pub fn of(s: &submissions::Model) -> PostFacts {
        PostFacts {
            ambassador_id: s.ambassador_id,
            work_unit_id: s.work_unit_id,
            brief_id: s.brief_id,
            platform: s.platform.clone(),
            week_start: s.week_start,
            on_time: s.on_time,
            engagement: crate::submissions::rules::engagement_counts(
                [s.likes, s.comments, s.shares, s.saves],
                s.followers,
            ),
        }
    }
}

/// The weekly aggregate's columns for a platform's posts, interactions and followers.
fn platform_columns(
    platform: &str,
) -> Option<(
    week_activity::Column,
    week_activity::Column,
    week_activity::Column,
)> {
    let p = participation::PLATFORMS
        .iter()
        .position(|p| *p == platform)?;
    let figure = |k: usize| WEEK_FIGURES[1 + 3 * p + k];
    Some((figure(0), figure(1), figure(2)))
}

/// Changes the aggregates for one submission: `submitted` (+1 when it arrives) and
/// `verified` (+1 on verification, −1 on reversal), and the ambassador's stored
/// standings. Call it inside the transaction of the change it follows.
pub async fn record_post(
    db: &impl ConnectionTrait,
    post: &PostFacts,
    submitted: i64,
    verified: i32,
) -> AppResult<()> {
    record_counts(db, post, submitted, verified).await?;
    if verified != 0 {
        standings::refresh(db, &[post.ambassador_id]).await?;
    }
    Ok(())
}

/// What [`record_post`] does to the aggregates, without the standings: for writes of
/// many posts, which then bring the standings of all their ambassadors up to date at
/// once with [`standings::refresh`].
pub async fn record_counts(
    db: &impl ConnectionTrait,
    post: &PostFacts,
    submitted: i64,
    verified: i32,
) -> AppResult<()> {
    let now = Utc::now();
    let v = i64::from(verified);
    let (interactions, followers) = post.engagement.unwrap_or((0, 0));
    if verified != 0 {
        // The ambassador's share of the stored statistics changes with this week: the
        // week as it was, and as it is after the change, in turn with other writes.
        participation::lock(db, &[post.ambassador_id]).await?;
        let key = (post.ambassador_id, post.week_start);
        let before = week_activity::Entity::find_by_id(key).one(db).await?;
        let mut row = week_activity::ActiveModel {
            ambassador_id: Set(post.ambassador_id),
            week_start: Set(post.week_start),
            verified_posts: Set(std::cmp::max(verified, 0)),
            x_posts: Set(0),
            x_interactions: Set(0),
            x_followers: Set(0),
            instagram_posts: Set(0),
            instagram_interactions: Set(0),
            instagram_followers: Set(0),
            facebook_posts: Set(0),
            facebook_interactions: Set(0),
            facebook_followers: Set(0),
            tiktok_posts: Set(0),
            tiktok_interactions: Set(0),
            tiktok_followers: Set(0),
            youtube_posts: Set(0),
            youtube_interactions: Set(0),
            youtube_followers: Set(0),
            updated_at: Set(now),
        };
        let mut conflict = OnConflict::columns([
            week_activity::Column::AmbassadorId,
            week_activity::Column::WeekStart,
        ]);
        conflict
            .value(
                week_activity::Column::VerifiedPosts,
                Expr::col((week_activity::Entity, week_activity::Column::VerifiedPosts))
                    .add(verified),
            )
            .value(week_activity::Column::UpdatedAt, Expr::value(now));
        if let Some((posts_col, inter_col, foll_col)) = platform_columns(&post.platform) {
            let first = std::cmp::max(v, 0);
            row.set(posts_col, first.into());
            row.set(inter_col, (first * interactions).into());
            row.set(foll_col, (first * followers).into());
            conflict
                .value(
                    posts_col,
                    Expr::col((week_activity::Entity, posts_col)).add(v),
                )
                .value(
                    inter_col,
                    Expr::col((week_activity::Entity, inter_col)).add(v * interactions),
                )
                .value(
                    foll_col,
                    Expr::col((week_activity::Entity, foll_col)).add(v * followers),
                );
        }
        week_activity::Entity::insert(row)
            .on_conflict(conflict.to_owned())
            .exec_without_returning(db)
            .await?;
        let after = week_activity::Entity::find_by_id(key).one(db).await?;
        participation::record_week(
            db,
            post.ambassador_id,
            before.as_ref().map(WeekRow::of).as_ref(),
            after.as_ref().map(WeekRow::of).as_ref(),
        )
        .await?;
        if post.engagement.is_some() {
            record_platform_week(
                db,
                &post.platform,
                post.week_start,
                v,
                interactions,
                followers,
            )
            .await?;
        }
    }
    let Some(unit) = post.work_unit_id else {
        return Ok(());
    };
    if submitted == 0 && verified == 0 {
        return Ok(());
    }
    let on_time = v * i64::from(post.on_time);
    use brief_activity::Column as B;
    let col = |c: B| Expr::col((brief_activity::Entity, c));
    brief_activity::Entity::insert(brief_activity::ActiveModel {
        brief_id: Set(post.brief_id),
        work_unit_id: Set(unit),
        platform: Set(post.platform.clone()),
        submitted: Set(std::cmp::max(submitted, 0)),
        verified: Set(std::cmp::max(v, 0)),
        on_time: Set(std::cmp::max(on_time, 0)),
        interactions: Set(std::cmp::max(v * interactions, 0)),
        followers: Set(std::cmp::max(v * followers, 0)),
    })
    .on_conflict(
        OnConflict::columns([B::BriefId, B::WorkUnitId, B::Platform])
            .value(B::Submitted, col(B::Submitted).add(submitted))
            .value(B::Verified, col(B::Verified).add(v))
            .value(B::OnTime, col(B::OnTime).add(on_time))
            .value(B::Interactions, col(B::Interactions).add(v * interactions))
            .value(B::Followers, col(B::Followers).add(v * followers))
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Moves the programme's engagement on a platform in the week of posting by `posts`
/// verified posts with counts (−1 on a reversal) with these interactions and followers.
async fn record_platform_week(
    db: &impl ConnectionTrait,
    platform: &str,
    week_start: NaiveDate,
    posts: i64,
    interactions: i64,
    followers: i64,
) -> AppResult<()> {
    use platform_weeks::Column as P;
    let col = |c: P| Expr::col((platform_weeks::Entity, c));
    platform_weeks::Entity::insert(platform_weeks::ActiveModel {
        platform: Set(platform.to_string()),
        week_start: Set(week_start),
        posts: Set(std::cmp::max(posts, 0)),
        interactions: Set(std::cmp::max(posts * interactions, 0)),
        followers: Set(std::cmp::max(posts * followers, 0)),
    })
    .on_conflict(
        OnConflict::columns([P::Platform, P::WeekStart])
            .value(P::Posts, col(P::Posts).add(posts))
            .value(
                P::Interactions,
                col(P::Interactions).add(posts * interactions),
            )
            .value(P::Followers, col(P::Followers).add(posts * followers))
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The programme's engagement on a platform over the weeks of posting from `since`:
/// the interactions and followers of its verified posts with counts.
pub async fn platform_norm(
    db: &impl ConnectionTrait,
    platform: &str,
    since: NaiveDate,
) -> AppResult<(i64, i64)> {
    let rows = platform_weeks::Entity::find()
        .filter(platform_weeks::Column::Platform.eq(platform))
        .filter(platform_weeks::Column::WeekStart.gte(since))
        .all(db)
        .await?;
    Ok(rows
        .iter()
        .fold((0, 0), |(i, f), r| (i + r.interactions, f + r.followers)))
}

/// Counts new, not yet verified posts into the brief aggregates at once: what
/// [`record_post`] with `submitted = 1, verified = 0` does for each, one statement for
/// all (the same brief, unit and platform summed first, as one row may take one change).
pub async fn record_submitted(db: &impl ConnectionTrait, posts: &[PostFacts]) -> AppResult<()> {
    let mut counts: HashMap<(i64, i64, &str), i64> = HashMap::new();
    for p in posts {
        if let Some(unit) = p.work_unit_id {
            *counts
                .entry((p.brief_id, unit, p.platform.as_str()))
                .or_default() += 1;
        }
    }
    if counts.is_empty() {
        return Ok(());
    }
    use brief_activity::Column as B;
    brief_activity::Entity::insert_many(counts.into_iter().map(|((brief, unit, platform), n)| {
        brief_activity::ActiveModel {
            brief_id: Set(brief),
            work_unit_id: Set(unit),
            platform: Set(platform.to_string()),
            submitted: Set(n),
            verified: Set(0),
            on_time: Set(0),
            interactions: Set(0),
            followers: Set(0),
        }
    }))
    .on_conflict(
        OnConflict::columns([B::BriefId, B::WorkUnitId, B::Platform])
            .value(
                B::Submitted,
                Expr::col((brief_activity::Entity, B::Submitted))
                    .add(Expr::col((Alias::new("excluded"), B::Submitted))),
            )
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The filters of a board: by institution, by work unit (with its subtree), the window.
#[derive(Debug, Clone, Default)]
pub struct BoardQuery {
    pub institution_id: Option<i64>,
    pub work_unit_id: Option<i64>,
    pub weeks: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WindowView {
    /// The Monday of the first week.
    pub from: NaiveDate,
    /// The Sunday of the current week.
    pub to: NaiveDate,
    pub weeks: u32,
    pub from_week: String,
    pub to_week: String,
}

impl From<Window> for WindowView {
    fn from(w: Window) -> Self {
        WindowView {
            from: w.from(),
            to: w.to + Duration::days(6),
            weeks: w.weeks,
            from_week: IsoWeek::of(w.from()).to_string(),
            to_week: IsoWeek::of(w.to).to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EntryView {
    pub rank: u32,
    pub ambassador_id: i64,
    pub display_name: String,
    pub work_unit: String,
    pub eligible_weeks: u32,
    pub active_weeks: u32,
    /// Active weeks ÷ eligible weeks, from 0 to 1.
    pub consistency: f64,
    /// The same, in whole percent (for people).
    pub consistency_percent: u32,
    pub current_streak: u32,
    pub best_streak: u32,
    pub verified_posts: u32,
    /// Fewer than 4 eligible weeks: listed after everyone else.
    pub new: bool,
    /// The streak badge earned (2, 4, 8, 12 or 26 weeks), if any.
    pub badge: Option<u32>,
    /// The badges the ambassador holds (see `/api/v1/badges`), when they show them on the
    /// board; empty otherwise.
    pub badges: Vec<String>,
    /// The signed-in ambassador's own row.
    pub me: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BoardView {
    pub window: WindowView,
    pub institution_id: Option<i64>,
    pub work_unit_id: Option<i64>,
    /// Ambassadors on the board with these filters.
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
    pub entries: Vec<EntryView>,
    /// The signed-in ambassador's row, also when it is not on this page.
    pub mine: Option<EntryView>,
    /// The board's stamp the entries were read at (see `crate::kept`).
    #[serde(skip)]
    pub stamp: i64,
}

/// The resolved scope of a board: which members it holds.
#[derive(Debug, Clone)]
pub struct Filter {
    pub institution_id: Option<i64>,
    pub work_unit_id: Option<i64>,
    pub path: Option<String>,
}

/// The institution of an ambassador (approved or a candidate); not found when they have
/// no ambassador record.
async fn institution_of_ambassador(db: &DatabaseConnection, user: &CurrentUser) -> AppResult<i64> {
    let institution: Option<i64> = ambassadors::Entity::find()
        .select_only()
        .column(ambassadors::Column::InstitutionId)
        .filter(ambassadors::Column::UserId.eq(user.id()))
        .into_tuple()
        .one(db)
        .await?;
    institution.ok_or(AppError::NotFound)
}

/// The institution (and unit) a user may look at. Ambassadors see their own
/// institution's board; staff their scope's; another institution's or a unit outside
/// the scope is not found.
pub async fn resolve_filter(
    db: &DatabaseConnection,
    org: &Org,
    user: &CurrentUser,
    institution_id: Option<i64>,
    work_unit_id: Option<i64>,
) -> AppResult<Filter> {
    let (own_institution, own_path) = if user.role == Role::Ambassador {
        let institution = institution_of_ambassador(db, user).await?;
        (Some(institution), None)
    } else {
        match user.scope() {
            Scope::All => (None, None),
            Scope::Institution {
                institution_id,
                work_unit_path,
            } => (Some(institution_id), work_unit_path),
        }
    };
    if let (Some(own), Some(asked)) = (own_institution, institution_id) {
        if own != asked {
            return Err(AppError::NotFound);
        }
    }
    if let Some(asked) = institution_id {
        org.institution(asked).ok_or(AppError::NotFound)?;
    }
    let mut institution = institution_id.or(own_institution);
    let mut path = own_path.clone();
    if let Some(unit_id) = work_unit_id {
        let unit = org.unit(unit_id).ok_or(AppError::NotFound)?;
        if institution.is_some_and(|i| i != unit.institution_id)
            || own_path
                .as_deref()
                .is_some_and(|p| !unit.path.starts_with(p))
        {
            return Err(AppError::NotFound);
        }
        institution = Some(unit.institution_id);
        path = Some(unit.path.clone());
    }
    Ok(Filter {
        institution_id: institution,
        work_unit_id,
        path,
    })
}

fn parse_num(
    raw: Option<&str>,
    field: &str,
    range: std::ops::RangeInclusive<u64>,
    errors: &mut FieldErrors,
) -> Option<u64> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    match raw.parse::<u64>() {
        Ok(n) if range.contains(&n) => Some(n),
        _ => {
            errors.add(
                field,
                Msg::new("leaderboard.number_range")
                    .arg("min", range.start())
                    .arg("max", range.end()),
            );
            None
        }
    }
}

/// The window length asked for: 1 to 52 weeks, 12 when not given.
pub fn parse_weeks(raw: Option<&str>, errors: &mut FieldErrors) -> u32 {
    parse_num(raw, "weeks", 1..=u64::from(MAX_WEEKS), errors).map_or(DEFAULT_WEEKS, |n| n as u32)
}

/// One ambassador's place on a board, before it is numbered.
#[derive(Debug, Clone)]
struct Ranked {
    ambassador_id: i64,
    user_id: i64,
    name: String,
    unit_name: String,
    score: rules::Score,
    key: i64,
}

fn entry(r: &Ranked, rank: u32, me: Option<i64>) -> EntryView {
    let s = r.score;
    EntryView {
        rank,
        ambassador_id: r.ambassador_id,
        display_name: r.name.clone(),
        work_unit: r.unit_name.clone(),
        eligible_weeks: s.eligible_weeks,
        active_weeks: s.active_weeks,
        consistency: (s.consistency() * 1000.0).round() / 1000.0,
        consistency_percent: (s.consistency() * 100.0).round() as u32,
        current_streak: s.current_streak,
        best_streak: s.best_streak,
        verified_posts: s.verified_posts,
        new: s.is_new(),
        badge: rules::streak_badge(s.current_streak),
        badges: Vec::new(),
        me: me == Some(r.user_id),
    }
}

/// Ranks a page of rows in board order, the first of which has `before` rows with a
/// better key in front of it: equal keys share a rank (1, 2, 2, 4).
fn number(rows: &[Ranked], offset: u64, before: u64, me: Option<i64>) -> Vec<EntryView> {
    let mut out: Vec<EntryView> = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let rank = match i {
            0 => before + 1,
            _ if rows[i - 1].key == r.key => u64::from(out[i - 1].rank),
            _ => offset + i as u64 + 1,
        };
        out.push(entry(r, u32::try_from(rank).unwrap_or(u32::MAX), me));
    }
    out
}

/// A board's figures: how many it holds, a page of it, and the viewer's own row.
struct Page {
    total: u64,
    entries: Vec<EntryView>,
    mine: Option<EntryView>,
}

/// The stored standings of a board, as a query limited to the filter; with `joined`,
/// joined to each ambassador and their unit (for the rows shown; counts need neither).
/// A unit filter reads the rows of the units in its subtree.
fn board_query(filter: &Filter, week: NaiveDate, weeks: u32, joined: bool) -> SelectStatement {
    use sea_orm::sea_query::Query;
    use standings_table::Column as S;
    let s = standings_table::Entity;
    let mut q = Query::select();
    q.from(s)
        .and_where(Expr::col((s, S::WeekOf)).eq(week))
        .and_where(Expr::col((s, S::Weeks)).eq(i32::try_from(weeks).unwrap_or(0)));
    if joined {
        q.inner_join(
            ambassadors::Entity,
            Expr::col((ambassadors::Entity, ambassadors::Column::Id)).equals((s, S::AmbassadorId)),
        )
        .inner_join(
            work_units::Entity,
            Expr::col((work_units::Entity, work_units::Column::Id))
                .equals((ambassadors::Entity, ambassadors::Column::WorkUnitId)),
        );
    }
    if let Some(i) = filter.institution_id {
        q.and_where(Expr::col((s, S::InstitutionId)).eq(i));
    }
    if let Some(path) = &filter.path {
        q.and_where(
            Expr::col((s, S::WorkUnitId)).in_subquery(
                Query::select()
                    .column(work_units::Column::Id)
                    .from(work_units::Entity)
                    .and_where(Expr::col(work_units::Column::Path).like(format!("{path}%")))
                    .to_owned(),
            ),
        );
    }
    q
}

async fn count(db: &DatabaseConnection, q: SelectStatement) -> AppResult<u64> {
    let mut q = q;
    q.expr(Expr::cust("COUNT(*)"));
    let backend = db.get_database_backend();
    let n: i64 = match db.query_one_raw(backend.build(&q)).await? {
        Some(row) => row.try_get_by_index(0)?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

async fn ranked(db: &DatabaseConnection, q: SelectStatement) -> AppResult<Vec<Ranked>> {
    use standings_table::Column as S;
    let mut q = q;
    let s = standings_table::Entity;
    q.column((s, S::AmbassadorId))
        .column((ambassadors::Entity, ambassadors::Column::UserId))
        .column((ambassadors::Entity, ambassadors::Column::DisplayName))
        .column((work_units::Entity, work_units::Column::Name))
        .column((s, S::EligibleWeeks))
        .column((s, S::ActiveWeeks))
        .column((s, S::CurrentStreak))
        .column((s, S::BestStreak))
        .column((s, S::VerifiedPosts))
        .column((s, S::SortKey));
    let backend = db.get_database_backend();
    let mut out = Vec::new();
    for row in db.query_all_raw(backend.build(&q)).await? {
        let n = |i: usize| -> AppResult<u32> {
            Ok(u32::try_from(row.try_get_by_index::<i32>(i)?).unwrap_or(0))
        };
        out.push(Ranked {
            ambassador_id: row.try_get_by_index(0)?,
            user_id: row.try_get_by_index(1)?,
            name: row.try_get_by_index(2)?,
            unit_name: row.try_get_by_index(3)?,
            score: rules::Score {
                eligible_weeks: n(4)?,
                active_weeks: n(5)?,
                current_streak: n(6)?,
                best_streak: n(7)?,
                verified_posts: n(8)?,
            },
            key: row.try_get_by_index(9)?,
        });
    }
    Ok(out)
}

/// A page of a board kept in `standings` (the windows the pages offer): a few indexed
/// reads, whatever the board's size.
async fn stored_page(
    db: &DatabaseConnection,
    filter: &Filter,
    window: Window,
    offset: u64,
    limit: u64,
    me: Option<i64>,
) -> AppResult<Page> {
    use standings_table::Column as S;
    let base = |joined| board_query(filter, window.to, window.weeks, joined);
    let s = standings_table::Entity;
    let total = count(db, base(false)).await?;
    let before = |key: i64| {
        let mut q = base(false);
        q.and_where(Expr::col((s, S::SortKey)).lt(key));
        count(db, q)
    };
    let mut entries = Vec::new();
    if limit > 0 && offset < total {
        let mut page = base(true);
        page.order_by((s, S::SortKey), Order::Asc)
            .order_by((s, S::SortName), Order::Asc)
            .order_by((s, S::AmbassadorId), Order::Asc)
            .limit(limit)
            .offset(offset);
        let rows = ranked(db, page).await?;
        let first = match rows.first() {
            Some(r) => before(r.key).await?,
            None => 0,
        };
        entries = number(&rows, offset, first, me);
    }
    let mine = match me {
        Some(user_id) if !entries.iter().any(|e| e.me) => {
            let own: Option<i64> = ambassadors::Entity::find()
                .select_only()
                .column(ambassadors::Column::Id)
                .filter(ambassadors::Column::UserId.eq(user_id))
                .into_tuple()
                .one(db)
                .await?;
            let found = match own {
                Some(id) => {
                    let mut q = base(true);
                    q.and_where(Expr::col((s, S::AmbassadorId)).eq(id));
                    ranked(db, q).await?.into_iter().next()
                }
                None => None,
            };
            match found {
                Some(r) => {
                    let rank = before(r.key).await? + 1;
                    Some(entry(&r, u32::try_from(rank).unwrap_or(u32::MAX), me))
                }
                None => None,
            }
        }
        _ => entries.iter().find(|e| e.me).cloned(),
    };
    Ok(Page {
        total,
        entries,
        mine,
    })
}

/// A page of a board over a window that is not kept (the API takes any length from 1
/// to 52 weeks): every approved ambassador in the filter scored from the weekly
/// aggregate and ranked here.
async fn computed_page(
    db: &DatabaseConnection,
    filter: &Filter,
    window: Window,
    offset: u64,
    limit: u64,
    me: Option<i64>,
) -> AppResult<Page> {
    let mut q = ambassadors::Entity::find()
        .select_only()
        .columns([
            ambassadors::Column::Id,
            ambassadors::Column::UserId,
            ambassadors::Column::InstitutionId,
            ambassadors::Column::DisplayName,
            ambassadors::Column::MemberSince,
            ambassadors::Column::WorkUnitId,
        ])
        .filter(ambassadors::Column::Status.eq("approved"));
    if let Some(i) = filter.institution_id {
        q = q.filter(ambassadors::Column::InstitutionId.eq(i));
    }
    if let Some(path) = &filter.path {
        q = q.filter(
            ambassadors::Column::WorkUnitId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(work_units::Column::Id)
                    .from(work_units::Entity)
                    .and_where(Expr::col(work_units::Column::Path).like(format!("{path}%")))
                    .to_owned(),
            ),
        );
    }
    let found: Vec<(i64, i64, i64, String, Option<NaiveDate>, i64)> =
        q.into_tuple().all(db).await?;
    let units: HashMap<i64, String> = work_units::Entity::find()
        .select_only()
        .columns([work_units::Column::Id, work_units::Column::Name])
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let people: Vec<(i64, i64, i64, String, Option<NaiveDate>, i64)> = found;
    let ids: Vec<i64> = people.iter().map(|p| p.0).collect();
    let facts = standings::facts(db, &ids, window.to).await?;
    let mut rows: Vec<Ranked> = people
        .into_iter()
        .map(|(id, user_id, institution_id, name, member_since, unit)| {
            let unit_name = units.get(&unit).cloned().unwrap_or_default();
            let person = standings::Person {
                id,
                institution_id,
                work_unit_id: unit,
                name: name.clone(),
                member_since,
            };
            let score = facts.score(&person, &window);
            Ranked {
                ambassador_id: id,
                user_id,
                name,
                unit_name,
                score,
                key: rules::sort_key(&score),
            }
        })
        .collect();
    rows.sort_by(|a, b| (a.key, &a.name, a.ambassador_id).cmp(&(b.key, &b.name, b.ambassador_id)));
    let total = rows.len() as u64;
    let before = |i: usize| rows.iter().take(i).filter(|r| r.key < rows[i].key).count() as u64;
    let start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(rows.len());
    let end = start.saturating_add(limit as usize).min(rows.len());
    let first = if start < end { before(start) } else { 0 };
    let entries = number(&rows[start..end], offset, first, me);
    let mine = me
        .and_then(|u| rows.iter().position(|r| r.user_id == u))
        .map(|i| {
            let rank = u32::try_from(before(i) + 1).unwrap_or(u32::MAX);
            entry(&rows[i], rank, me)
        });
    Ok(Page {
        total,
        entries,
        mine,
    })
}

/// A page of a board in `window`, from the stored standings when the window is kept.
async fn page_of(
    db: &DatabaseConnection,
    filter: &Filter,
    window: Window,
    offset: u64,
    limit: u64,
    me: Option<i64>,
) -> AppResult<Page> {
    if standings::STORED.contains(&window.weeks) {
        stored_page(db, filter, window, offset, limit, me).await
    } else {
        computed_page(db, filter, window, offset, limit, me).await
    }
}

/// A page of the board with these filters, ranked among those it holds (shared ranks),
/// with the signed-in ambassador's own row.
pub async fn board_for(
    db: &DatabaseConnection,
    kept: &BoardKept,
    org: &Org,
    user: &CurrentUser,
    q: &BoardQuery,
) -> AppResult<BoardView> {
    let mut errors = FieldErrors::new();
    let weeks = parse_weeks(q.weeks.as_deref(), &mut errors);
    let limit =
        parse_num(q.limit.as_deref(), "limit", 1..=MAX_LIMIT, &mut errors).unwrap_or(DEFAULT_LIMIT);
    let offset = parse_num(q.offset.as_deref(), "offset", 0..=10_000_000, &mut errors).unwrap_or(0);
    errors.into_result()?;
    let (stamp, week) = kept.current(db, user).await?;
    let filter = resolve_filter(db, org, user, q.institution_id, q.work_unit_id).await?;
    let window = Window::ending(week, weeks);
    let key = (
        filter.institution_id,
        filter.path.clone(),
        window.to,
        weeks,
        offset,
        limit,
    );
    let page = kept
        .pages
        .get_or_compute(stamp, key.clone(), || {
            page_of(db, &filter, window, offset, limit, None)
        })
        .await?;
    let mut entries = page.entries.clone();
    let mut mine = None;
    if user.role == Role::Ambassador {
        let own = kept
            .own_ids
            .get_or_compute(stamp, user.id(), || async {
                Ok(ambassadors::Entity::find()
                    .select_only()
                    .column(ambassadors::Column::Id)
                    .filter(ambassadors::Column::UserId.eq(user.id()))
                    .into_tuple::<i64>()
                    .one(db)
                    .await?)
            })
            .await?;
        for e in entries.iter_mut() {
            e.me = Some(e.ambassador_id) == *own;
        }
        mine = match entries.iter().find(|e| e.me) {
            Some(e) => Some(e.clone()),
            None if own.is_some() => kept
                .mine
                .get_or_compute(
                    stamp,
                    (user.id(), key.0, key.1, window.to, weeks),
                    || async {
                        Ok(page_of(db, &filter, window, 0, 0, Some(user.id()))
                            .await?
                            .mine)
                    },
                )
                .await?
                .as_ref()
                .clone(),
            None => None,
        };
    }
    // Badges are read fresh (lessons, reviews and referrals are not the board's facts),
    // for the rows of those who show them.
    let ids: Vec<i64> = entries
        .iter()
        .chain(mine.iter())
        .map(|e| e.ambassador_id)
        .collect();
    let shown = crate::recognition::service::on_board(db, &ids).await?;
    for e in entries.iter_mut().chain(mine.iter_mut()) {
        if let Some(b) = shown.get(&e.ambassador_id) {
            e.badges = b.clone();
        }
    }
    Ok(BoardView {
        window: window.into(),
        institution_id: filter.institution_id,
        work_unit_id: filter.work_unit_id,
        total: page.total,
        limit,
        offset,
        entries,
        mine,
        stamp,
    })
}

/// A board page's key: institution, unit path, last Monday, weeks, offset, limit.
type PageKey = (Option<i64>, Option<String>, NaiveDate, u32, u64, u64);
/// An ambassador's own row on a board: user, institution, unit path, last Monday, weeks.
type MineKey = (i64, Option<i64>, Option<String>, NaiveDate, u32);

/// What a node keeps of the board, each answer with the stamp it was computed at (see
/// `crate::kept`): the programme's zone, the weeks found complete, pages of the board
/// (without the viewer's marks), ambassadors' ids and own rows, and their own standings.
pub struct BoardKept {
    zone: Kept<(), chrono_tz::Tz>,
    complete: Kept<NaiveDate, ()>,
    pages: Kept<PageKey, Page>,
    own_ids: Kept<i64, Option<i64>>,
    mine: Kept<MineKey, Option<EntryView>>,
    standings: Kept<(i64, u32, NaiveDate), StandingView>,
}

impl Default for BoardKept {
    fn default() -> Self {
        BoardKept {
            zone: Kept::new(Topic::Board, 1),
            complete: Kept::new(Topic::Board, 4),
            pages: Kept::one_at_a_time(Topic::Board, 1024),
            own_ids: Kept::new(Topic::Board, 20_000),
            mine: Kept::new(Topic::Board, 4_096),
            standings: Kept::new(Topic::Board, 4_096),
        }
    }
}

impl BoardKept {
    /// The board's stamp for this request and the current week, its standings complete.
    pub async fn current(
        &self,
        db: &DatabaseConnection,
        user: &CurrentUser,
    ) -> AppResult<(i64, NaiveDate)> {
        let stamp = user.stamp(db, Topic::Board).await?;
        let zone = self
            .zone
            .get_or_compute(stamp, (), || standings::programme_zone(db))
            .await?;
        let week = rules::week_of(Utc::now(), zone.as_ref());
        self.complete
            .get_or_compute(stamp, week, || standings::ensure_week(db, week))
            .await?;
        Ok((stamp, week))
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WeekCellView {
    /// Like `2026-W48`.
    pub week: String,
    pub monday: NaiveDate,
    /// not_member, grace, active, missed or current
    #[schema(value_type = String)]
    pub state: Cell,
    pub verified_posts: u32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StandingView {
    pub window: WindowView,
    /// The ambassador's row on their institution's board; none until approved.
    pub entry: Option<EntryView>,
    /// Ambassadors on their institution's board.
    pub total: u64,
    pub weeks: Vec<WeekCellView>,
}

/// An ambassador's own standing: their row and rank on the institution's board and
/// their weeks over the window.
pub async fn standing_of(
    db: &DatabaseConnection,
    kept: &BoardKept,
    user: &CurrentUser,
    weeks: Option<&str>,
) -> AppResult<StandingView> {
    Ok(standing_kept(db, kept, user, weeks)
        .await?
        .1
        .as_ref()
        .clone())
}

/// What a kept standing stands for: the board's stamp, the current week and the window.
pub type StandingKey = (i64, NaiveDate, u32);

/// [`standing_of`] as kept, with what it was kept under (a page rendered from it can be
/// kept under the same).
pub async fn standing_kept(
    db: &DatabaseConnection,
    kept: &BoardKept,
    user: &CurrentUser,
    weeks: Option<&str>,
) -> AppResult<(StandingKey, std::sync::Arc<StandingView>)> {
    let mut errors = FieldErrors::new();
    let weeks = parse_weeks(weeks, &mut errors);
    errors.into_result()?;
    let (stamp, week) = kept.current(db, user).await?;
    let view = kept
        .standings
        .get_or_compute(stamp, (user.id(), weeks, week), || {
            compute_standing(db, user, week, weeks)
        })
        .await?;
    Ok(((stamp, week, weeks), view))
}

async fn compute_standing(
    db: &DatabaseConnection,
    user: &CurrentUser,
    week: NaiveDate,
    weeks: u32,
) -> AppResult<StandingView> {
    let institution = institution_of_ambassador(db, user).await?;
    let window = Window::ending(week, weeks);
    let filter = Filter {
        institution_id: Some(institution),
        work_unit_id: None,
        path: None,
    };
    // Only the own row and the board's size: no page of rows.
    let page = page_of(db, &filter, window, 0, 0, Some(user.id())).await?;
    let weeks = match standings::approved_of_user(db, user.id()).await? {
        Some(person) => {
            let id = person.id;
            let facts = standings::facts(db, &[id], window.to).await?;
            facts
                .cells(&person, &window)
                .into_iter()
                .map(|(monday, state, posts)| WeekCellView {
                    week: IsoWeek::of(monday).to_string(),
                    monday,
                    state,
                    verified_posts: posts,
                })
                .collect()
        }
        None => Vec::new(),
    };
    Ok(StandingView {
        window: window.into(),
        entry: page.mine,
        total: page.total,
        weeks,
    })
}

/// One row the rebuild corrected: what was stored and what the submissions say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// `week_activity`, `brief_activity`, `platform_weeks`, a statistics table or
    /// `standings`.
    pub table: &'static str,
    /// The row, like `ambassador 12 week 2026-W47` or `brief 3 unit 7 x`.
    pub row: String,
    /// The row's figures as stored and as computed, `name=value` separated by spaces.
    pub stored: String,
    pub computed: String,
}

/// A post counts for engagement when it has any count and a follower count above zero
/// (the SQL twin of [`crate::submissions::rules::engagement_counts`]).
const COUNTED: &str = "(likes IS NOT NULL OR comments IS NOT NULL OR shares IS NOT NULL \
     OR saves IS NOT NULL) AND followers > 0";
const INTERACTIONS: &str =
    "COALESCE(likes, 0) + COALESCE(comments, 0) + COALESCE(shares, 0) + COALESCE(saves, 0)";
/// The weekly aggregate's figures, in the order the rebuild computes them: all verified
/// posts, then per platform (in the order of [`participation::PLATFORMS`]) posts,
/// interactions and followers.
pub const WEEK_FIGURES: [week_activity::Column; 1 + 3 * participation::PLATFORMS.len()] = {
    use week_activity::Column as C;
    [
        C::VerifiedPosts,
        C::XPosts,
        C::XInteractions,
        C::XFollowers,
        C::InstagramPosts,
        C::InstagramInteractions,
        C::InstagramFollowers,
        C::FacebookPosts,
        C::FacebookInteractions,
        C::FacebookFollowers,
        C::TiktokPosts,
        C::TiktokInteractions,
        C::TiktokFollowers,
        C::YoutubePosts,
        C::YoutubeInteractions,
        C::YoutubeFollowers,
    ]
};
const PLATFORM_FIGURES: [&str; 3] = ["posts", "interactions", "followers"];
const BRIEF_FIGURES: [&str; 5] = [
    "submitted",
    "verified",
    "on_time",
    "interactions",
    "followers",
];

fn sum(expr: &str) -> String {
    format!("CAST(SUM({expr}) AS BIGINT)")
}

fn describe(names: &[&str], values: &[i64]) -> String {
    names
        .iter()
        .zip(values)
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs a statement that returns nothing.
async fn run(db: &impl ConnectionTrait, sql: &str) -> AppResult<()> {
    db.execute_unprepared(sql).await?;
    Ok(())
}

/// The rows of a comparison query: the key columns, then `N` stored figures, then `N`
/// computed ones.
async fn differing<K, const N: usize>(
    db: &impl ConnectionTrait,
    sql: &str,
    key: impl Fn(&sea_orm::QueryResult) -> Result<K, sea_orm::DbErr>,
    first: usize,
) -> AppResult<Vec<(K, [i64; N], [i64; N])>> {
    let backend = db.get_database_backend();
    let mut out = Vec::new();
    for row in db
        .query_all_raw(sea_orm::Statement::from_string(backend, sql))
        .await?
    {
        let mut have = [0; N];
        let mut should = [0; N];
        for i in 0..N {
            have[i] = row.try_get_by_index::<Option<i64>>(first + i)?.unwrap_or(0);
            should[i] = row
                .try_get_by_index::<Option<i64>>(first + N + i)?
                .unwrap_or(0);
        }
        out.push((key(&row)?, have, should));
    }
    Ok(out)
}

/// The two queries that find where a stored aggregate and its recomputation (a temporary
/// table with columns `f0…`) differ, keyed by `keys`: rows computed but stored differently
/// or not at all, and rows stored with figures that nothing computed supports.
fn comparisons(table: &str, temp: &str, keys: &[&str], stored: &[&str]) -> [String; 2] {
    let on = keys
        .iter()
        .map(|k| format!("c.{k} = s.{k}"))
        .collect::<Vec<_>>()
        .join(" AND ");
    let stored_cols = stored
        .iter()
        .map(|c| format!("CAST(s.{c} AS BIGINT)"))
        .collect::<Vec<_>>()
        .join(", ");
    let computed = (0..stored.len())
        .map(|i| format!("c.f{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let zeros = vec!["CAST(0 AS BIGINT)"; stored.len()].join(", ");
    let differ = stored
        .iter()
        .enumerate()
        .map(|(i, c)| format!("s.{c} <> c.f{i}"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let nonzero = stored
        .iter()
        .map(|c| format!("s.{c} <> 0"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let c_keys = keys
        .iter()
        .map(|k| format!("c.{k}"))
        .collect::<Vec<_>>()
        .join(", ");
    let s_keys = keys
        .iter()
        .map(|k| format!("s.{k}"))
        .collect::<Vec<_>>()
        .join(", ");
    let first_key = keys[0];
    [
        format!(
            "SELECT {c_keys}, {stored_cols}, {computed} FROM {temp} c \
             LEFT JOIN {table} s ON {on} WHERE s.{first_key} IS NULL OR {differ}"
        ),
        format!(
            "SELECT {s_keys}, {stored_cols}, {zeros} FROM {table} s WHERE ({nonzero}) \
             AND NOT EXISTS (SELECT 1 FROM {temp} c WHERE {on})"
        ),
    ]
}

/// Recomputes the weekly, per-brief and per-platform aggregates from the submissions and writes what
/// differs, in one transaction. Returns the corrections (there should be none).
///
/// The recomputation and the comparison run in the database: each aggregate is computed
/// into a temporary table in one sequential pass over the submissions, and only the rows
/// that differ come back. Written so that no index on status, ambassador or brief
/// applies (`CAST`, `|| ''`): an index would turn the pass into a random read of every
/// row. The casts also give the temporary keys an integer type, which their indexes need.
pub async fn rebuild(db: &DatabaseConnection) -> AppResult<Vec<Correction>> {
    // One snapshot for the posts and the aggregates compared with them: a verification
    // committed while this runs is in neither, and never "corrected" away.
    let txn = crate::db::begin_snapshot(db).await?;
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        // The grouping sorts millions of rows; in memory rather than in a temporary file.
        // A connection whose temporary database is open (after an ALTER TABLE … DROP
        // COLUMN, say) cannot move it inside a transaction: it then sorts in the file,
        // slower and with the same result.
        if let Err(e) = run(&txn, "PRAGMA temp_store = MEMORY").await {
            tracing::debug!(error = %e, "rebuild sorts in a temporary file");
        }
    }
    let mut corrections = Vec::new();
    let now = Utc::now();

    // The weekly aggregate.
    let mut week_exprs = vec![sum("1")];
    for p in participation::PLATFORMS {
        week_exprs.push(sum(&format!(
            "CASE WHEN platform = '{p}' THEN 1 ELSE 0 END"
        )));
        week_exprs.push(sum(&format!(
            "CASE WHEN platform = '{p}' AND {COUNTED} THEN {INTERACTIONS} ELSE 0 END"
        )));
        week_exprs.push(sum(&format!(
            "CASE WHEN platform = '{p}' AND {COUNTED} THEN followers ELSE 0 END"
        )));
    }
    let named = |exprs: &[String]| {
        exprs
            .iter()
            .enumerate()
            .map(|(i, e)| format!("{e} AS f{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    run(&txn, "DROP TABLE IF EXISTS rebuild_week").await?;
    run(
        &txn,
        &format!(
            "CREATE TEMPORARY TABLE rebuild_week AS \
             SELECT CAST(ambassador_id AS BIGINT) AS ambassador_id, week_start, {} \
             FROM submissions WHERE status || '' = 'verified' \
             GROUP BY CAST(ambassador_id AS BIGINT), week_start",
            named(&week_exprs)
        ),
    )
    .await?;
    run(
        &txn,
        "CREATE INDEX rebuild_week_key ON rebuild_week (ambassador_id, week_start)",
    )
    .await?;
    let week_cols = WEEK_FIGURES.map(|c| c.as_str());
    let key = |r: &sea_orm::QueryResult| -> Result<(i64, NaiveDate), sea_orm::DbErr> {
        Ok((r.try_get_by_index(0)?, r.try_get_by_index(1)?))
    };
    let mut wrong = Vec::new();
    for sql in comparisons(
        "week_activity",
        "rebuild_week",
        &["ambassador_id", "week_start"],
        &week_cols,
    ) {
        wrong.extend(differing::<_, { WEEK_FIGURES.len() }>(&txn, &sql, key, 2).await?);
    }
    run(&txn, "DROP TABLE rebuild_week").await?;
    wrong.sort_by_key(|(k, _, _)| *k);
    for ((a, w), have, should) in wrong {
        let v = |i: usize| should[i];
        week_activity::Entity::insert(week_activity::ActiveModel {
            ambassador_id: Set(a),
            week_start: Set(w),
            verified_posts: Set(i32::try_from(v(0)).unwrap_or(i32::MAX)),
            x_posts: Set(v(1)),
            x_interactions: Set(v(2)),
            x_followers: Set(v(3)),
            instagram_posts: Set(v(4)),
            instagram_interactions: Set(v(5)),
            instagram_followers: Set(v(6)),
            facebook_posts: Set(v(7)),
            facebook_interactions: Set(v(8)),
            facebook_followers: Set(v(9)),
            tiktok_posts: Set(v(10)),
            tiktok_interactions: Set(v(11)),
            tiktok_followers: Set(v(12)),
            youtube_posts: Set(v(13)),
            youtube_interactions: Set(v(14)),
            youtube_followers: Set(v(15)),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                week_activity::Column::AmbassadorId,
                week_activity::Column::WeekStart,
            ])
            .update_columns(WEEK_FIGURES)
            .update_column(week_activity::Column::UpdatedAt)
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        corrections.push(Correction {
            table: "week_activity",
            row: format!("ambassador {a} week {}", IsoWeek::of(w)),
            stored: describe(&week_cols, &have),
            computed: describe(&week_cols, &should),
        });
    }

    // The per-brief aggregate.
    let brief_exprs = [
        sum("1"),
        sum("CASE WHEN status = 'verified' THEN 1 ELSE 0 END"),
        sum("CASE WHEN status = 'verified' AND on_time THEN 1 ELSE 0 END"),
        sum(&format!(
            "CASE WHEN status = 'verified' AND {COUNTED} THEN {INTERACTIONS} ELSE 0 END"
        )),
        sum(&format!(
            "CASE WHEN status = 'verified' AND {COUNTED} THEN followers ELSE 0 END"
        )),
    ];
    run(&txn, "DROP TABLE IF EXISTS rebuild_brief").await?;
    run(
        &txn,
        &format!(
            "CREATE TEMPORARY TABLE rebuild_brief AS \
             SELECT CAST(brief_id AS BIGINT) AS brief_id, work_unit_id, platform, {} \
             FROM submissions WHERE work_unit_id IS NOT NULL \
             GROUP BY CAST(brief_id AS BIGINT), work_unit_id, platform",
            named(&brief_exprs)
        ),
    )
    .await?;
    run(
        &txn,
        "CREATE INDEX rebuild_brief_key ON rebuild_brief (brief_id, work_unit_id, platform)",
    )
    .await?;
    let key = |r: &sea_orm::QueryResult| -> Result<(i64, i64, String), sea_orm::DbErr> {
        Ok((
            r.try_get_by_index(0)?,
            r.try_get_by_index(1)?,
            r.try_get_by_index(2)?,
        ))
    };
    let mut wrong = Vec::new();
    for sql in comparisons(
        "brief_activity",
        "rebuild_brief",
        &["brief_id", "work_unit_id", "platform"],
        &BRIEF_FIGURES,
    ) {
        wrong.extend(differing::<_, 5>(&txn, &sql, key, 3).await?);
    }
    run(&txn, "DROP TABLE rebuild_brief").await?;
    wrong.sort_by(|a, b| a.0.cmp(&b.0));
    for ((brief, unit, platform), have, should) in wrong {
        use brief_activity::Column as B;
        brief_activity::Entity::insert(brief_activity::ActiveModel {
            brief_id: Set(brief),
            work_unit_id: Set(unit),
            platform: Set(platform.clone()),
            submitted: Set(should[0]),
            verified: Set(should[1]),
            on_time: Set(should[2]),
            interactions: Set(should[3]),
            followers: Set(should[4]),
        })
        .on_conflict(
            OnConflict::columns([B::BriefId, B::WorkUnitId, B::Platform])
                .update_columns([
                    B::Submitted,
                    B::Verified,
                    B::OnTime,
                    B::Interactions,
                    B::Followers,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        corrections.push(Correction {
            table: "brief_activity",
            row: format!("brief {brief} unit {unit} {platform}"),
            stored: describe(&BRIEF_FIGURES, &have),
            computed: describe(&BRIEF_FIGURES, &should),
        });
    }

    // The programme's engagement per platform and week.
    run(&txn, "DROP TABLE IF EXISTS rebuild_platform").await?;
    run(
        &txn,
        &format!(
            "CREATE TEMPORARY TABLE rebuild_platform AS \
             SELECT platform, week_start, {} AS f0, {} AS f1, {} AS f2 \
             FROM submissions WHERE status || '' = 'verified' AND {COUNTED} \
             GROUP BY platform, week_start",
            sum("1"),
            sum(INTERACTIONS),
            sum("followers")
        ),
    )
    .await?;
    let key = |r: &sea_orm::QueryResult| -> Result<(String, NaiveDate), sea_orm::DbErr> {
        Ok((r.try_get_by_index(0)?, r.try_get_by_index(1)?))
    };
    let mut wrong = Vec::new();
    for sql in comparisons(
        "platform_weeks",
        "rebuild_platform",
        &["platform", "week_start"],
        &PLATFORM_FIGURES,
    ) {
        wrong.extend(differing::<_, 3>(&txn, &sql, key, 2).await?);
    }
    run(&txn, "DROP TABLE rebuild_platform").await?;
    wrong.sort_by(|a, b| a.0.cmp(&b.0));
    for ((platform, week), have, should) in wrong {
        use platform_weeks::Column as P;
        platform_weeks::Entity::insert(platform_weeks::ActiveModel {
            platform: Set(platform.clone()),
            week_start: Set(week),
            posts: Set(should[0]),
            interactions: Set(should[1]),
            followers: Set(should[2]),
        })
        .on_conflict(
            OnConflict::columns([P::Platform, P::WeekStart])
                .update_columns([P::Posts, P::Interactions, P::Followers])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        corrections.push(Correction {
            table: "platform_weeks",
            row: format!("{platform} week {}", IsoWeek::of(week)),
            stored: describe(&PLATFORM_FIGURES, &have),
            computed: describe(&PLATFORM_FIGURES, &should),
        });
    }
    txn.commit().await?;
    // The stored statistics and standings, from the corrected aggregate.
    for d in participation::check(db).await? {
        corrections.push(Correction {
            table: d.table,
            row: d.row,
            stored: d.stored,
            computed: d.computed,
        });
    }
    for d in standings::check(db).await? {
        corrections.push(Correction {
            table: "standings",
            row: d.row,
            stored: d.stored,
            computed: d.computed,
        });
    }
    Ok(corrections)
}

// ---- grace weeks: the holiday calendar and leave ----

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HolidayView {
    pub id: i64,
    pub week: String,
    pub monday: NaiveDate,
    pub label: String,
}

impl From<holidays::Model> for HolidayView {
    fn from(h: holidays::Model) -> Self {
        HolidayView {
            id: h.id,
            week: IsoWeek::of(h.week_start).to_string(),
            monday: h.week_start,
            label: h.label,
        }
    }
}

pub async fn list_holidays(db: &DatabaseConnection) -> AppResult<Vec<HolidayView>> {
    Ok(holidays::Entity::find()
        .order_by_desc(holidays::Column::WeekStart)
        .all(db)
        .await?
        .into_iter()
        .map(HolidayView::from)
        .collect())
}

/// A holiday's name, as shown on the board.
pub const HOLIDAY_LABEL: crate::text::Text = crate::text::Text::line(1, 100);
/// The note kept with a leave.
pub const LEAVE_NOTE: crate::text::Text = crate::text::Text::lines(0, 500);

fn week_field(raw: &str, field: &str, errors: &mut FieldErrors) -> Option<NaiveDate> {
    match IsoWeek::parse(raw) {
        Ok(w) => Some(w.monday()),
        Err(e) => {
            errors.add(field, Msg::new(e.key()));
            None
        }
    }
}

/// Marks a week as a holiday of the programme (admins). 409 when it already is one.
pub async fn add_holiday(
    db: &DatabaseConnection,
    user: &CurrentUser,
    week: &str,
    label: &str,
    ip: &ClientIp,
) -> AppResult<HolidayView> {
    let mut errors = FieldErrors::new();
    let monday = week_field(week, "week", &mut errors);
    let label = match HOLIDAY_LABEL.clean(label) {
        Some(l) => l,
        None if label.trim().is_empty() => {
            errors.add("label", Msg::new("leaderboard.label_required"));
            String::new()
        }
        None => {
            errors.add("label", Msg::new("leaderboard.label_long"));
            String::new()
        }
    };
    errors.into_result()?;
    let monday = monday.ok_or(AppError::NotFound)?;
    let txn = begin_write(db).await?;
    let saved = holidays::ActiveModel {
        week_start: Set(monday),
        label: Set(label.clone()),
        created_by: Set(Some(user.id())),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            AppError::Conflict(FieldErrors::single(
                "week",
                Msg::new("leaderboard.holiday_taken"),
            ))
        } else {
            e.into()
        }
    })?;
    standings::refresh_everyone(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "holiday.add",
            target_type: "holiday",
            target_id: Some(saved.id),
            institution_id: None,
            detail: serde_json::json!({"week": IsoWeek::of(monday).to_string(), "label": label}),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved.into())
}

pub async fn remove_holiday(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    ip: &ClientIp,
) -> AppResult<()> {
    let txn = begin_write(db).await?;
    let h = holidays::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    holidays::Entity::delete_by_id(id).exec(&txn).await?;
    standings::refresh_everyone(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "holiday.remove",
            target_type: "holiday",
            target_id: Some(id),
            institution_id: None,
            detail: serde_json::json!({"week": IsoWeek::of(h.week_start).to_string()}),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LeaveView {
    pub id: i64,
    pub ambassador_id: i64,
    pub from_week: String,
    pub to_week: String,
    pub note: String,
}

impl From<leaves::Model> for LeaveView {
    fn from(l: leaves::Model) -> Self {
        LeaveView {
            id: l.id,
            ambassador_id: l.ambassador_id,
            from_week: IsoWeek::of(l.from_week).to_string(),
            to_week: IsoWeek::of(l.to_week).to_string(),
            note: l.note,
        }
    }
}

/// An ambassador a coordinator (or admin) may manage: in their scope, else not found.
pub async fn get_managed_ambassador(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
) -> AppResult<ambassadors::Model> {
    if !matches!(user.role, Role::Coordinator | Role::Admin) {
        return Err(AppError::NotFound);
    }
    crate::vetting::service::get_candidate_for(db, user, id).await
}

pub async fn leaves_of(
    db: &DatabaseConnection,
    user: &CurrentUser,
    ambassador_id: i64,
) -> AppResult<Vec<LeaveView>> {
    let amb = get_managed_ambassador(db, user, ambassador_id).await?;
    Ok(leaves::Entity::find()
        .filter(leaves::Column::AmbassadorId.eq(amb.id))
        .order_by_desc(leaves::Column::FromWeek)
        .all(db)
        .await?
        .into_iter()
        .map(LeaveView::from)
        .collect())
}

/// Checks a leave as typed: its first and last week (empty last: the first), not
/// backwards, at most [`MAX_WEEKS`] long, and its note.
fn check_leave(
    from_week: &str,
    to_week: &str,
    note: &str,
) -> AppResult<(NaiveDate, NaiveDate, String)> {
    let mut errors = FieldErrors::new();
    let from = week_field(from_week, "from_week", &mut errors);
    let to = if to_week.trim().is_empty() {
        from
    } else {
        week_field(to_week, "to_week", &mut errors)
    };
    if let (Some(a), Some(b)) = (from, to) {
        if b < a {
            errors.add("to_week", Msg::new("leaderboard.leave_backwards"));
        } else if (b - a).num_weeks() >= i64::from(MAX_WEEKS) {
            errors.add("to_week", Msg::new("leaderboard.leave_long"));
        }
    }
    let note = LEAVE_NOTE.clean(note).unwrap_or_else(|| {
        errors.add("note", Msg::new("leaderboard.note_long"));
        String::new()
    });
    errors.into_result()?;
    match (from, to) {
        (Some(from), Some(to)) => Ok((from, to, note)),
        _ => Err(AppError::NotFound),
    }
}

/// 409 at `from_week` when the person has another leave sharing a week with this one.
async fn refuse_overlap(
    txn: &impl ConnectionTrait,
    ambassador_id: i64,
    except: Option<i64>,
    (from, to): (NaiveDate, NaiveDate),
) -> AppResult<()> {
    let mut q = leaves::Entity::find()
        .filter(leaves::Column::AmbassadorId.eq(ambassador_id))
        .filter(leaves::Column::FromWeek.lte(to))
        .filter(leaves::Column::ToWeek.gte(from));
    if let Some(id) = except {
        q = q.filter(leaves::Column::Id.ne(id));
    }
    if let Some(other) = q.one(txn).await? {
        return Err(AppError::Conflict(FieldErrors::single(
            "from_week",
            Msg::new("leaderboard.leave_overlap")
                .arg("from", IsoWeek::of(other.from_week))
                .arg("to", IsoWeek::of(other.to_week)),
        )));
    }
    Ok(())
}

/// Records approved leave: the weeks from `from_week` to `to_week` become grace weeks.
/// 409 when it shares a week with another leave of the person.
pub async fn add_leave(
    db: &DatabaseConnection,
    user: &CurrentUser,
    ambassador_id: i64,
    from_week: &str,
    to_week: &str,
    note: &str,
    ip: &ClientIp,
) -> AppResult<LeaveView> {
    let amb = get_managed_ambassador(db, user, ambassador_id).await?;
    let (from, to, note) = check_leave(from_week, to_week, note)?;
    let txn = begin_write(db).await?;
    refuse_overlap(&txn, amb.id, None, (from, to)).await?;
    let saved = leaves::ActiveModel {
        ambassador_id: Set(amb.id),
        from_week: Set(from),
        to_week: Set(to),
        note: Set(note),
        recorded_by: Set(Some(user.id())),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    standings::refresh(&txn, &[amb.id]).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "leave.add",
            target_type: "ambassador",
            target_id: Some(amb.id),
            institution_id: Some(amb.institution_id),
            detail: serde_json::json!({
                "from_week": IsoWeek::of(from).to_string(),
                "to_week": IsoWeek::of(to).to_string(),
            }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved.into())
}

/// Changes a recorded leave (its weeks and note), or cancels it (`None`): the board
/// follows in the same transaction. 404 for a leave not of this ambassador; 409 when the
/// changed weeks share one with another leave of theirs.
pub async fn change_leave(
    db: &DatabaseConnection,
    user: &CurrentUser,
    ambassador_id: i64,
    leave_id: i64,
    change: Option<(&str, &str, &str)>,
    ip: &ClientIp,
) -> AppResult<Option<LeaveView>> {
    let amb = get_managed_ambassador(db, user, ambassador_id).await?;
    let checked = change
        .map(|(from, to, note)| check_leave(from, to, note))
        .transpose()?;
    let txn = begin_write(db).await?;
    let current = leaves::Entity::find_by_id(leave_id)
        .filter(leaves::Column::AmbassadorId.eq(amb.id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let before = serde_json::json!({
        "from_week": IsoWeek::of(current.from_week).to_string(),
        "to_week": IsoWeek::of(current.to_week).to_string(),
    });
    let (action, saved) = match checked {
        Some((from, to, note)) => {
            refuse_overlap(&txn, amb.id, Some(current.id), (from, to)).await?;
            let mut m: leaves::ActiveModel = current.into();
            m.from_week = Set(from);
            m.to_week = Set(to);
            m.note = Set(note);
            ("leave.update", Some(m.update(&txn).await?))
        }
        None => {
            leaves::Entity::delete_by_id(current.id).exec(&txn).await?;
            ("leave.cancel", None)
        }
    };
    standings::refresh(&txn, &[amb.id]).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action,
            target_type: "ambassador",
            target_id: Some(amb.id),
            institution_id: Some(amb.institution_id),
            detail: serde_json::json!({
                "leave_id": leave_id,
                "from": before,
                "to": saved.as_ref().map(|l| serde_json::json!({
                    "from_week": IsoWeek::of(l.from_week).to_string(),
                    "to_week": IsoWeek::of(l.to_week).to_string(),
                })),
            }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved.map(LeaveView::from))
}
