//! The participation statistics of a scope (national, institution, work unit with its
//! subtree, platform) over a window: computed from the stored weekly aggregate, the brief
//! aggregate and the ambassadors' statuses; the submissions are read only for the first
//! posts on the window's urgent briefs (the time to amplify). A result is kept
//! only at the `stats` stamp it was computed at (see `crate::kept`): the next request
//! after any write to what it reads, on any node, computes it afresh.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration as Days, NaiveDate};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;

use super::rules::{self, BriefCounts, ByPlatform, Raw, Tally, PLATFORMS};
use super::source;
use crate::auth::guards::CurrentUser;
use crate::briefs::rules::IsoWeek;
use crate::error::{AppResult, FieldErrors, Msg};
use crate::kept::{Kept, Topic};
use crate::leaderboard::service::BoardKept;
use crate::leaderboard::service::{self as board_service, BoardQuery, Filter, WindowView};
use crate::org::cache::{Org, OrgCache};
use entity::{briefs, institutions, work_units};

/// Rows of the most consistent ambassadors shown (established members who posted).
pub const TOP: u64 = 10;
/// Inactive ambassadors listed on the page and in the API, the longest inactive first
/// (`funnel.inactive` counts them all; the downloads list them all).
pub const INACTIVE_SHOWN: usize = 100;

/// The filters of the dashboard, as typed in the query string.
#[derive(Debug, Clone, Default)]
pub struct StatsQuery {
    pub institution_id: Option<i64>,
    pub work_unit_id: Option<i64>,
    pub platform: Option<String>,
    pub weeks: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScopeView {
    pub institution_id: Option<i64>,
    pub institution: Option<String>,
    pub work_unit_id: Option<i64>,
    pub work_unit: Option<String>,
    pub platform: Option<String>,
}

/// Per platform, in the order x, instagram, facebook, tiktok, youtube: every platform,
/// 0 where nothing was posted.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema, Default)]
pub struct PerPlatform {
    pub x: u64,
    pub instagram: u64,
    pub facebook: u64,
    pub tiktok: u64,
    pub youtube: u64,
}

impl PerPlatform {
    fn of(v: ByPlatform<u64>) -> PerPlatform {
        let [x, instagram, facebook, tiktok, youtube] = v;
        PerPlatform {
            x,
            instagram,
            facebook,
            tiktok,
            youtube,
        }
    }

    /// The values in the order of [`PLATFORMS`].
    pub fn values(&self) -> ByPlatform<u64> {
        [
            self.x,
            self.instagram,
            self.facebook,
            self.tiktok,
            self.youtube,
        ]
    }

    /// The value of a platform (0 for one Duta does not know).
    pub fn get(&self, platform: &str) -> u64 {
        rules::platform_index(platform).map_or(0, |p| self.values()[p])
    }

    pub fn total(&self) -> u64 {
        self.values().iter().sum()
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WeekFigures {
    /// ISO week, like 2026-W48.
    pub week: String,
    pub monday: NaiveDate,
    /// Approved, and members by the week's Sunday.
    pub active_ambassadors: u32,
    /// Active and not on a grace week (holiday or leave).
    pub expected_ambassadors: u32,
    /// With a verified post in the week.
    pub posting_ambassadors: u32,
    /// Expected ambassadors with a verified post ÷ expected ambassadors (0–1); none when
    /// nobody was expected.
    pub participation_rate: Option<f64>,
    /// Verified posts per platform.
    pub posts: PerPlatform,
    /// Latest follower counts of those who posted, per platform.
    pub reach: PerPlatform,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitRow {
    /// A work unit's id, or an institution's in the national view.
    pub id: i64,
    /// `work_unit` or `institution`.
    pub kind: &'static str,
    pub name: String,
    /// Depth below the scope (0 for the scope's own level).
    pub depth: u32,
    /// Approved ambassadors in the unit and its subtree.
    pub ambassadors: u32,
    pub rate_this_week: Option<f64>,
    pub rate_window: Option<f64>,
    pub rate_previous_window: Option<f64>,
    /// Window against the previous window, in percentage points.
    pub change_points: Option<f64>,
    /// The weekly rate over the window, oldest first.
    pub trend: Vec<Option<f64>>,
    /// Urgent briefs of the window that the row's ambassadors posted for.
    pub urgent_briefs_posted: u64,
    /// The median minutes from an urgent brief's coming out to each of the row's
    /// ambassadors' first post for it (waiting or verified), over the window's urgent
    /// briefs; none without such a post.
    pub time_to_amplify_minutes: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlatformRow {
    pub platform: &'static str,
    /// Verified posts over the window.
    pub posts: u64,
    pub reach_this_week: u64,
    /// The mean of the weekly reach over the window.
    pub reach_weekly_average: u64,
    /// Interactions ÷ followers × 100 over the window's verified posts with counts.
    pub engagement_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema, Default)]
pub struct Funnel {
    /// Everyone who signed up, whatever became of them.
    pub signed_up: u64,
    pub pending: u64,
    pub approved: u64,
    /// Approved and with a verified post this week.
    pub active_this_week: u64,
    /// Approved and without a verified post in the last three finished weeks.
    pub inactive: u64,
    /// Of those who signed up, those who came through an ambassador's referral link, and
    /// of them those approved.
    pub referred: u64,
    pub referred_approved: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BriefRow {
    pub id: i64,
    pub week: String,
    pub title: String,
    pub category: String,
    pub submitted: i64,
    pub verified: i64,
    pub on_time_rate: Option<f64>,
    /// Interactions ÷ followers × 100 over the verified posts with counts.
    pub engagement_rate: Option<f64>,
    /// An urgent brief (a counter-narrative or a clarification).
    pub urgent: bool,
    /// Urgent briefs: ambassadors of the scope who posted for it (waiting or verified).
    pub posters: u64,
    /// Urgent briefs: the median minutes from its coming out to each of the scope's
    /// posters' first post ("time to amplify"); none without a post.
    pub time_to_amplify_minutes: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CategoryRow {
    pub category: String,
    pub briefs: u64,
    pub submitted: i64,
    pub verified: i64,
    pub on_time_rate: Option<f64>,
    pub engagement_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TopRow {
    pub rank: u32,
    pub display_name: String,
    pub work_unit: String,
    pub consistency: f64,
    pub active_weeks: u32,
    pub eligible_weeks: u32,
    pub current_streak: u32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InactiveRow {
    pub ambassador_id: i64,
    pub display_name: String,
    pub work_unit: String,
    /// The last ISO week with a verified post, if any.
    pub last_active_week: Option<String>,
}

/// Everything the dashboard, the API, the exports and the printable report show.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Participation {
    pub scope: ScopeView,
    pub window: WindowView,
    pub weeks: Vec<WeekFigures>,
    pub work_units: Vec<UnitRow>,
    /// The platforms the programme has, in the order x, instagram, facebook, tiktok,
    /// youtube: those its settings require, and any other with a verified post in the
    /// scope over the window. Only the chosen one under a platform filter. The pages and
    /// downloads show a column, series or row for these platforms only.
    pub platforms: Vec<PlatformRow>,
    pub funnel: Funnel,
    pub briefs: Vec<BriefRow>,
    pub categories: Vec<CategoryRow>,
    /// The scope's speed on urgent briefs over the window.
    pub amplify: AmplifyFigures,
    pub most_consistent: Vec<TopRow>,
    /// Inactive ambassadors, longest without a post first, at most 100 (staff who follow
    /// up only; `funnel.inactive` counts them all, `inactive.csv` lists them all).
    pub inactive: Vec<InactiveRow>,
}

/// How fast the scope carries its urgent briefs over the window.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema, Default)]
pub struct AmplifyFigures {
    /// Urgent briefs published in the window (of the scope's institution, or all
    /// nationally).
    pub urgent_briefs: u64,
    /// First posts of the scope's ambassadors on them.
    pub first_posts: u64,
    /// The median minutes from coming out to those first posts; none without a post.
    pub time_to_amplify_minutes: Option<f64>,
}

/// Institution, unit path, platform, window and the current week's Monday.
type Key = (Option<i64>, Option<String>, Option<usize>, u32, NaiveDate);

/// Scopes whose figures a node keeps.
const KEPT_SCOPES: usize = 256;

/// Computed statistics per scope, shared by the requests of one node, each kept at the
/// stamp it was computed at; one is computed at a time.
pub struct StatsCache(Kept<Key, Participation>);

impl Default for StatsCache {
    fn default() -> Self {
        StatsCache(Kept::one_at_a_time(Topic::Stats, KEPT_SCOPES))
    }
}

fn parse(q: &StatsQuery) -> AppResult<(u32, Option<usize>)> {
    let mut errors = FieldErrors::new();
    let weeks = match q.weeks.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => rules::DEFAULT_WINDOW,
        Some(raw) => match raw.parse::<u32>() {
            Ok(n) if rules::WINDOWS.contains(&n) => n,
            _ => {
                errors.add("weeks", Msg::new("stats.weeks_invalid"));
                rules::DEFAULT_WINDOW
            }
        },
    };
    let platform = match q
        .platform
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(raw) => {
            let p = rules::platform_index(raw);
            if p.is_none() {
                errors.add("platform", Msg::new("stats.platform_invalid"));
            }
            p
        }
    };
    errors.into_result()?;
    Ok((weeks, platform))
}

/// The statistics a user asked for, within their scope (404 outside it). The figures
/// come from `replica` when there is one (`crate::http::reads`), kept at the replica's
/// own `stats` stamp: a replica that has replayed up to a stamp holds what the primary
/// held at it. The unit tree and the current week come from the primary.
pub async fn participation(
    db: &DatabaseConnection,
    replica: Option<&DatabaseConnection>,
    kept: &BoardKept,
    org: &OrgCache,
    cache: &StatsCache,
    user: &CurrentUser,
    q: &StatsQuery,
) -> AppResult<Arc<Participation>> {
    let (weeks, platform) = parse(q)?;
    // Read before anything the result is computed from.
    let stamp = match replica {
        Some(r) => crate::kept::stamp(r, Topic::Stats).await?,
        None => user.stamp(db, Topic::Stats).await?,
    };
    let (org, filter, current) = scope_of(db, kept, org, user, q).await?;
    let key: Key = (
        filter.institution_id,
        filter.path.clone(),
        platform,
        weeks,
        current,
    );
    cache
        .0
        .get_or_compute(stamp, key, || async {
            let started = Instant::now();
            let figures = replica.unwrap_or(db);
            let result = compute(
                figures,
                kept,
                &org,
                user,
                &filter,
                (current, weeks),
                platform,
            )
            .await?;
            tracing::debug!(
                ms = started.elapsed().as_millis() as u64,
                "participation computed"
            );
            Ok(result)
        })
        .await
}

/// The organisation tree, the scope the user asked for (within what they may see) and the
/// current week: what the statistics and their downloads are computed for.
async fn scope_of(
    db: &DatabaseConnection,
    kept: &BoardKept,
    org: &OrgCache,
    user: &CurrentUser,
    q: &StatsQuery,
) -> AppResult<(Arc<Org>, Filter, NaiveDate)> {
    let org = org.get_at(db, user.stamp(db, Topic::Org).await?).await?;
    let filter =
        board_service::resolve_filter(db, &org, user, q.institution_id, q.work_unit_id).await?;
    let (_, current) = kept.current(db, user).await?;
    Ok((org, filter, current))
}

/// A row of the per-unit table before its figures: who it is and which members it holds.
struct RowSpec {
    id: i64,
    kind: &'static str,
    name: String,
    depth: u32,
}

async fn compute(
    db: &DatabaseConnection,
    kept: &BoardKept,
    org: &Org,
    user: &CurrentUser,
    filter: &Filter,
    (current, weeks): (NaiveDate, u32),
    platform: Option<usize>,
) -> AppResult<Participation> {
    let (institution, unit) = scope_names(db, filter).await?;
    let (rows, row_of_unit) = row_specs(db, filter).await?;
    let national = filter.institution_id.is_none();

    // Weekly figures and unit rows, from the stored figures per unit and week.
    // The window and the one before it, oldest first.
    let mondays: Vec<NaiveDate> = (0..2 * weeks)
        .rev()
        .map(|k| current - Days::weeks(i64::from(k)))
        .collect();
    let n2 = mondays.len();
    let stored = source::rows(db, filter, national, &mondays).await?;
    let holidays = source::holidays(db).await?;
    let mut all = Raw::new(n2);
    let mut per_row: Vec<Raw> = (0..row_of_unit.len()).map(|_| Raw::new(n2)).collect();
    let unit_of: HashMap<i64, &entity::work_units::Model> =
        org.units.iter().map(|u| (u.id, u)).collect();
    for (id, raw) in &stored {
        all.add(raw);
        let targets: Vec<usize> = if national {
            row_of_unit
                .get(&RowKey::Institution(*id))
                .copied()
                .into_iter()
                .collect()
        } else {
            unit_of
                .get(id)
                .map(|u| {
                    path_ids(&u.path)
                        .filter_map(|a| row_of_unit.get(&RowKey::Unit(a)).copied())
                        .collect()
                })
                .unwrap_or_default()
        };
        for t in targets {
            if let Some(r) = per_row.get_mut(t) {
                r.add(raw);
            }
        }
    }
    let holiday = |m: NaiveDate| holidays.contains(&m);
    let overall = Tally::of(&all, mondays.clone(), platform, holiday, weeks as usize);
    let tallies: Vec<Tally> = per_row
        .iter()
        .map(|r| Tally::of(r, mondays.clone(), platform, holiday, n2))
        .collect();
    let (inactive_total, inactive) = inactive_rows(
        db,
        org,
        filter,
        current,
        &holidays,
        Some(INACTIVE_SHOWN as u64),
    )
    .await?;
    let n = weeks as usize;
    let window_range = n..2 * n;
    let previous_range = 0..n;
    let current = 2 * n - 1;

    let from = overall.mondays[n];
    let to = overall.mondays[current];
    let firsts = first_posts(db, filter, platform, from, to).await?;
    let mut row_minutes: Vec<(HashSet<i64>, Vec<f64>)> =
        (0..row_of_unit.len()).map(|_| Default::default()).collect();
    for f in &firsts {
        let targets: Vec<usize> = if national {
            row_of_unit
                .get(&RowKey::Institution(f.institution_id))
                .copied()
                .into_iter()
                .collect()
        } else {
            unit_of
                .get(&f.work_unit_id)
                .map(|u| {
                    path_ids(&u.path)
                        .filter_map(|a| row_of_unit.get(&RowKey::Unit(a)).copied())
                        .collect()
                })
                .unwrap_or_default()
        };
        for t in targets {
            if let Some((briefs, minutes)) = row_minutes.get_mut(t) {
                briefs.insert(f.brief_id);
                minutes.push(f.minutes);
            }
        }
    }

    let week_rows: Vec<WeekFigures> = window_range
        .clone()
        .map(|i| WeekFigures {
            week: IsoWeek::of(overall.mondays[i]).to_string(),
            monday: overall.mondays[i],
            active_ambassadors: overall.active[i],
            expected_ambassadors: overall.expected[i],
            posting_ambassadors: overall.posting[i],
            participation_rate: overall.rate(i).map(round4),
            posts: PerPlatform::of(overall.posts[i]),
            reach: PerPlatform::of(overall.reach[i]),
        })
        .collect();

    let work_units = rows
        .into_iter()
        .zip(tallies.iter())
        .zip(row_minutes)
        .map(|((spec, t), (amplified, minutes))| {
            let now = t.rate_over(window_range.clone());
            let before = t.rate_over(previous_range.clone());
            UnitRow {
                id: spec.id,
                kind: spec.kind,
                name: spec.name,
                depth: spec.depth,
                ambassadors: t.members,
                rate_this_week: t.rate(current).map(round4),
                rate_window: now.map(round4),
                rate_previous_window: before.map(round4),
                change_points: rules::change_points(now, before).map(round1),
                trend: window_range
                    .clone()
                    .map(|i| t.rate(i).map(round4))
                    .collect(),
                urgent_briefs_posted: amplified.len() as u64,
                time_to_amplify_minutes: crate::briefs::audience::median(minutes).map(round1),
            }
        })
        .collect();

    let required = crate::settings::service::thresholds(db).await?.0;
    let platforms = PLATFORMS
        .iter()
        .enumerate()
        .filter(|(p, name)| match platform {
            Some(q) => q == *p,
            None => {
                required.iter().any(|r| r == *name)
                    || window_range
                        .clone()
                        .any(|i| overall.posts[i][*p] > 0 || overall.reach[i][*p] > 0)
                    || overall.followers[*p] > 0
            }
        })
        .map(|(p, name)| {
            let posts: u64 = window_range.clone().map(|i| overall.posts[i][p]).sum();
            let reach_sum: u64 = window_range.clone().map(|i| overall.reach[i][p]).sum();
            PlatformRow {
                platform: name,
                posts,
                reach_this_week: overall.reach[current][p],
                reach_weekly_average: reach_sum / n.max(1) as u64,
                engagement_rate: overall.engagement(p).map(round2),
            }
        })
        .collect();

    let mut funnel = funnel(db, filter).await?;
    funnel.active_this_week = u64::from(overall.participating[current]);
    funnel.inactive = inactive_total;

    let (mut briefs, categories) = brief_performance(db, filter, platform, from, to).await?;
    let mut per_brief: HashMap<i64, Vec<f64>> = HashMap::new();
    for f in &firsts {
        per_brief.entry(f.brief_id).or_default().push(f.minutes);
    }
    for b in briefs.iter_mut().filter(|b| b.urgent) {
        let minutes = per_brief.remove(&b.id).unwrap_or_default();
        b.posters = minutes.len() as u64;
        b.time_to_amplify_minutes = crate::briefs::audience::median(minutes).map(round1);
    }
    let amplify = AmplifyFigures {
        urgent_briefs: briefs.iter().filter(|b| b.urgent).count() as u64,
        first_posts: firsts.len() as u64,
        time_to_amplify_minutes: crate::briefs::audience::median(
            firsts.iter().map(|f| f.minutes).collect(),
        )
        .map(round1),
    };

    let board_view = board_service::board_for(
        db,
        kept,
        org,
        user,
        &BoardQuery {
            institution_id: filter.institution_id,
            work_unit_id: filter.work_unit_id,
            weeks: Some(weeks.to_string()),
            limit: Some((TOP * 5).to_string()),
            offset: None,
        },
    )
    .await?;
    let most_consistent = board_view
        .entries
        .into_iter()
        .filter(|e| !e.new && e.active_weeks > 0)
        .take(TOP as usize)
        .map(|e| TopRow {
            rank: e.rank,
            display_name: e.display_name,
            work_unit: e.work_unit,
            consistency: e.consistency,
            active_weeks: e.active_weeks,
            eligible_weeks: e.eligible_weeks,
            current_streak: e.current_streak,
        })
        .collect();

    Ok(Participation {
        scope: ScopeView {
            institution_id: filter.institution_id,
            institution,
            work_unit_id: filter.work_unit_id,
            work_unit: unit,
            platform: platform.map(|p| PLATFORMS[p].to_string()),
        },
        window: board_view.window,
        weeks: week_rows,
        work_units,
        platforms,
        funnel,
        briefs,
        categories,
        amplify,
        most_consistent,
        inactive,
    })
}

/// How many inactive ambassadors the scope has and the first `limit` of them as rows.
async fn inactive_rows(
    db: &DatabaseConnection,
    org: &Org,
    filter: &Filter,
    current: NaiveDate,
    holidays: &std::collections::HashSet<NaiveDate>,
    limit: Option<u64>,
) -> AppResult<(u64, Vec<InactiveRow>)> {
    let unit_of: HashMap<i64, &entity::work_units::Model> =
        org.units.iter().map(|u| (u.id, u)).collect();
    let (total, rows) = source::inactive(db, filter, current, holidays, limit).await?;
    let rows = rows
        .into_iter()
        .map(|r| InactiveRow {
            ambassador_id: r.id,
            display_name: r.name,
            work_unit: unit_of
                .get(&r.work_unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            last_active_week: r.last_active.map(|w| IsoWeek::of(w).to_string()),
        })
        .collect();
    Ok((total, rows))
}

/// Every inactive ambassador of the scope the user asked for (the statistics list the
/// first [`INACTIVE_SHOWN`]): for the downloads. Read where the figures are read.
pub async fn all_inactive(
    db: &DatabaseConnection,
    replica: Option<&DatabaseConnection>,
    kept: &BoardKept,
    org: &OrgCache,
    user: &CurrentUser,
    q: &StatsQuery,
) -> AppResult<Vec<InactiveRow>> {
    parse(q)?;
    let (org, filter, current) = scope_of(db, kept, org, user, q).await?;
    let figures = replica.unwrap_or(db);
    let holidays = source::holidays(figures).await?;
    Ok(
        inactive_rows(figures, &org, &filter, current, &holidays, None)
            .await?
            .1,
    )
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// The ids along a materialised path like `/3/17/42/`.
fn path_ids(path: &str) -> impl Iterator<Item = i64> + '_ {
    path.split('/').filter_map(|s| s.parse().ok())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum RowKey {
    Institution(i64),
    Unit(i64),
}

async fn scope_names(
    db: &DatabaseConnection,
    filter: &Filter,
) -> AppResult<(Option<String>, Option<String>)> {
    let institution = match filter.institution_id {
        Some(id) => institutions::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|i| i.name),
        None => None,
    };
    let unit = match filter.work_unit_id {
        Some(id) => work_units::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|u| u.name),
        None => None,
    };
    Ok((institution, unit))
}

/// The rows of the per-unit table: each institution nationally, otherwise every unit in
/// the scope's subtree in tree order; and where each unit or institution sits.
async fn row_specs(
    db: &DatabaseConnection,
    filter: &Filter,
) -> AppResult<(Vec<RowSpec>, HashMap<RowKey, usize>)> {
    let mut specs = Vec::new();
    let mut index = HashMap::new();
    match filter.institution_id {
        None => {
            for i in institutions::Entity::find()
                .order_by_asc(institutions::Column::Name)
                .all(db)
                .await?
            {
                index.insert(RowKey::Institution(i.id), specs.len());
                specs.push(RowSpec {
                    id: i.id,
                    kind: "institution",
                    name: i.name,
                    depth: 0,
                });
            }
        }
        Some(inst) => {
            let mut q = work_units::Entity::find()
                .filter(work_units::Column::InstitutionId.eq(inst))
                .order_by_asc(work_units::Column::Path);
            if let Some(p) = &filter.path {
                q = q.filter(work_units::Column::Path.starts_with(p.as_str()));
            }
            let base = filter.path.as_deref().map_or(0, |p| path_ids(p).count());
            let mut units = q.all(db).await?;
            // Tree order with siblings by name: sort by the names along the path.
            let names: HashMap<i64, String> = units
                .iter()
                .map(|u| (u.id, u.name.to_lowercase()))
                .collect();
            units.sort_by_cached_key(|u| {
                path_ids(&u.path)
                    .map(|id| (names.get(&id).cloned().unwrap_or_default(), id))
                    .collect::<Vec<_>>()
            });
            for u in units {
                let depth = path_ids(&u.path).count().saturating_sub(base.max(1)) as u32;
                index.insert(RowKey::Unit(u.id), specs.len());
                specs.push(RowSpec {
                    id: u.id,
                    kind: "work_unit",
                    name: u.name,
                    depth,
                });
            }
        }
    }
    Ok((specs, index))
}

/// The scope's ambassadors per status, from the counts kept per unit and status
/// (`ambassador_counts`, kept by triggers on `ambassadors`).
async fn funnel(db: &DatabaseConnection, filter: &Filter) -> AppResult<Funnel> {
    let c = Alias::new("ambassador_counts");
    let mut q = Query::select();
    q.column((c.clone(), Alias::new("status")))
        .expr(Expr::cust("CAST(SUM(n) AS BIGINT)"))
        .from(c.clone())
        .group_by_col((c.clone(), Alias::new("status")));
    if let Some(i) = filter.institution_id {
        q.and_where(Expr::col((c.clone(), Alias::new("institution_id"))).eq(i));
    }
    if let Some(p) = &filter.path {
        let units = Query::select()
            .column(work_units::Column::Id)
            .from(work_units::Entity)
            .and_where(Expr::col(work_units::Column::Path).like(format!("{p}%")))
            .to_owned();
        q.and_where(Expr::col((c.clone(), Alias::new("work_unit_id"))).in_subquery(units));
    }
    let backend = db.get_database_backend();
    let mut f = Funnel::default();
    for row in db.query_all_raw(backend.build(&q)).await? {
        let status: String = row.try_get_by_index(0)?;
        let n: Option<i64> = row.try_get_by_index(1)?;
        let n = u64::try_from(n.unwrap_or(0)).unwrap_or(0);
        f.signed_up += n;
        match status.as_str() {
            "pending" => f.pending += n,
            "approved" => f.approved += n,
            _ => {}
        }
    }
    (f.referred, f.referred_approved) = crate::recruitment::service::scope_counts(
        db,
        filter.institution_id,
        filter.path.as_deref(),
    )
    .await?;
    Ok(f)
}

/// Brief performance over the window from the brief aggregate: per brief and per GPR
/// category, newest first.
async fn brief_performance(
    db: &DatabaseConnection,
    filter: &Filter,
    platform: Option<usize>,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<(Vec<BriefRow>, Vec<CategoryRow>)> {
    let mut bq = briefs::Entity::find()
        .filter(briefs::Column::WeekStart.gte(from))
        .filter(briefs::Column::WeekStart.lte(to))
        .filter(briefs::Column::Status.is_in(["published", "closed"]))
        .order_by_desc(briefs::Column::WeekStart)
        .order_by_asc(briefs::Column::Id);
    if let Some(i) = filter.institution_id {
        bq = bq.filter(briefs::Column::InstitutionId.eq(i));
    }
    let list: Vec<(i64, NaiveDate, String, String, String)> = bq
        .select_only()
        .columns([
            briefs::Column::Id,
            briefs::Column::WeekStart,
            briefs::Column::Title,
            briefs::Column::Category,
            briefs::Column::Priority,
        ])
        .into_tuple()
        .all(db)
        .await?;

    let ba = Alias::new("ba");
    let sum = |c: &str| Expr::cust(format!("CAST(SUM(ba.{c}) AS BIGINT)"));
    let mut q = Query::select();
    q.column((ba.clone(), Alias::new("brief_id")))
        .expr(sum("submitted"))
        .expr(sum("verified"))
        .expr(sum("on_time"))
        .expr(sum("interactions"))
        .expr(sum("followers"))
        .from_as(Alias::new("brief_activity"), ba.clone())
        .inner_join(
            briefs::Entity,
            Expr::col((briefs::Entity, briefs::Column::Id))
                .equals((ba.clone(), Alias::new("brief_id"))),
        )
        .and_where(Expr::col((briefs::Entity, briefs::Column::WeekStart)).gte(from))
        .and_where(Expr::col((briefs::Entity, briefs::Column::WeekStart)).lte(to))
        .group_by_col((ba.clone(), Alias::new("brief_id")));
    if let Some(i) = filter.institution_id {
        q.and_where(Expr::col((briefs::Entity, briefs::Column::InstitutionId)).eq(i));
    }
    if let Some(p) = platform {
        q.and_where(Expr::col((ba.clone(), Alias::new("platform"))).eq(PLATFORMS[p]));
    }
    if let Some(path) = &filter.path {
        let units = Query::select()
            .column(work_units::Column::Id)
            .from(work_units::Entity)
            .and_where(Expr::col(work_units::Column::Path).like(format!("{path}%")))
            .to_owned();
        q.and_where(Expr::col((ba.clone(), Alias::new("work_unit_id"))).in_subquery(units));
    }
    let backend = db.get_database_backend();
    let mut counts: HashMap<i64, BriefCounts> = HashMap::new();
    for row in db.query_all_raw(backend.build(&q)).await? {
        let id: i64 = row.try_get_by_index(0)?;
        let get = |i: usize| -> AppResult<i64> {
            Ok(row.try_get_by_index::<Option<i64>>(i)?.unwrap_or(0))
        };
        counts.insert(
            id,
            BriefCounts {
                submitted: get(1)?,
                verified: get(2)?,
                on_time: get(3)?,
                interactions: get(4)?,
                followers: get(5)?,
            },
        );
    }

    let mut by_category: Vec<(String, u64, BriefCounts)> = crate::briefs::rules::CATEGORIES
        .iter()
        .map(|c| (c.to_string(), 0, BriefCounts::default()))
        .collect();
    let mut rows = Vec::with_capacity(list.len());
    for (id, week_start, title, category, priority) in list {
        let c = counts.get(&id).copied().unwrap_or_default();
        match by_category.iter_mut().find(|(k, _, _)| *k == category) {
            Some(entry) => {
                entry.1 += 1;
                entry.2.add(&c);
            }
            None => by_category.push((category.clone(), 1, c)),
        }
        rows.push(BriefRow {
            id,
            week: IsoWeek::of(week_start).to_string(),
            title,
            category,
            submitted: c.submitted,
            verified: c.verified,
            on_time_rate: c.on_time_rate().map(round4),
            engagement_rate: c.engagement().map(round2),
            urgent: priority == "urgent",
            posters: 0,
            time_to_amplify_minutes: None,
        });
    }
    let categories = by_category
        .into_iter()
        .map(|(category, n, c)| CategoryRow {
            category,
            briefs: n,
            submitted: c.submitted,
            verified: c.verified,
            on_time_rate: c.on_time_rate().map(round4),
            engagement_rate: c.engagement().map(round2),
        })
        .collect();
    Ok((rows, categories))
}

/// An ambassador's first post (waiting or verified) on an urgent brief, in minutes from
/// the brief's coming out (never below nothing: a post said to be made before counts as
/// made at once).
struct FirstPost {
    brief_id: i64,
    institution_id: i64,
    work_unit_id: i64,
    minutes: f64,
}

/// The first posts of the scope's ambassadors on the urgent briefs published in the window
/// (weeks `from` to `to`), on the chosen platform if any: one grouped read of the
/// submissions of those briefs.
async fn first_posts(
    db: &DatabaseConnection,
    filter: &Filter,
    platform: Option<usize>,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<FirstPost>> {
    use entity::{ambassadors, submissions};
    let mut q = Query::select();
    q.column((submissions::Entity, submissions::Column::BriefId))
        .column((ambassadors::Entity, ambassadors::Column::InstitutionId))
        .column((ambassadors::Entity, ambassadors::Column::WorkUnitId))
        .column((briefs::Entity, briefs::Column::NotifiedAt))
        .column((briefs::Entity, briefs::Column::PublishAt))
        .expr_as(
            Expr::col((submissions::Entity, submissions::Column::PostedAt)).min(),
            Alias::new("first_at"),
        )
        .from(submissions::Entity)
        .inner_join(
            briefs::Entity,
            Expr::col((briefs::Entity, briefs::Column::Id))
                .equals((submissions::Entity, submissions::Column::BriefId)),
        )
        .inner_join(
            ambassadors::Entity,
            Expr::col((ambassadors::Entity, ambassadors::Column::Id))
                .equals((submissions::Entity, submissions::Column::AmbassadorId)),
        )
        .and_where(Expr::col((briefs::Entity, briefs::Column::Priority)).eq("urgent"))
        .and_where(
            Expr::col((briefs::Entity, briefs::Column::Status)).is_in(["published", "closed"]),
        )
        .and_where(Expr::col((briefs::Entity, briefs::Column::WeekStart)).gte(from))
        .and_where(Expr::col((briefs::Entity, briefs::Column::WeekStart)).lte(to))
        .and_where(
            Expr::col((submissions::Entity, submissions::Column::Status))
                .is_in(["pending", "verified"]),
        )
        .group_by_columns([
            (submissions::Entity, submissions::Column::BriefId),
            (submissions::Entity, submissions::Column::AmbassadorId),
        ])
        .group_by_columns([
            (ambassadors::Entity, ambassadors::Column::InstitutionId),
            (ambassadors::Entity, ambassadors::Column::WorkUnitId),
        ])
        .group_by_columns([
            (briefs::Entity, briefs::Column::NotifiedAt),
            (briefs::Entity, briefs::Column::PublishAt),
        ]);
    if let Some(i) = filter.institution_id {
        q.and_where(Expr::col((briefs::Entity, briefs::Column::InstitutionId)).eq(i));
    }
    if let Some(p) = platform {
        q.and_where(
            Expr::col((submissions::Entity, submissions::Column::Platform)).eq(PLATFORMS[p]),
        );
    }
    if let Some(path) = &filter.path {
        let units = Query::select()
            .column(work_units::Column::Id)
            .from(work_units::Entity)
            .and_where(Expr::col(work_units::Column::Path).like(format!("{path}%")))
            .to_owned();
        q.and_where(
            Expr::col((ambassadors::Entity, ambassadors::Column::WorkUnitId)).in_subquery(units),
        );
    }
    let backend = db.get_database_backend();
    let mut out = Vec::new();
    for row in db.query_all_raw(backend.build(&q)).await? {
        let notified: Option<chrono::DateTime<chrono::Utc>> = row.try_get("", "notified_at")?;
        let publish: Option<chrono::DateTime<chrono::Utc>> = row.try_get("", "publish_at")?;
        let first: chrono::DateTime<chrono::Utc> = row.try_get("", "first_at")?;
        let Some(out_at) = notified.or(publish) else {
            continue;
        };
        out.push(FirstPost {
            brief_id: row.try_get("", "brief_id")?,
            institution_id: row.try_get("", "institution_id")?,
            work_unit_id: row.try_get("", "work_unit_id")?,
            minutes: (Ord::max((first - out_at).num_seconds(), 0) as f64) / 60.0,
        });
    }
    Ok(out)
}
