//! What a member of staff finds on their home page: a coordinator (or admin) today's work
//! in counts, each linking to the queue it counts — candidates waiting, posts to verify,
//! urgent briefs and how many have posted, who has not posted this week, open integrity
//! flags, invitations not accepted; leadership and national users this week's
//! participation, its trend and the units (or institutions) lagging. Every count is read
//! from the database with the same rule as the queue it links to.

use chrono::{DateTime, Utc};
use sea_orm::QuerySelect;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, QueryFilter, QueryOrder};
use serde::Serialize;

use crate::auth::guards::CurrentUser;
use crate::auth::roles::Role;
use crate::error::AppResult;
use crate::leaderboard::service::BoardKept;
use crate::nip::NipKey;
use crate::org::cache::OrgCache;
use crate::stats::service::StatsCache;
use entity::briefs;

/// Urgent briefs shown on a coordinator's home.
pub const URGENT_SHOWN: u64 = 5;
/// Units (or institutions) shown as lagging.
pub const LAGGING_SHOWN: usize = 5;

/// An open urgent brief: how long is left and how many of its audience have posted.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UrgentBrief {
    pub id: i64,
    pub title: String,
    pub deadline: DateTime<Utc>,
    /// The deadline in the programme's zone, with the zone's name (WIB, WITA, WIT).
    pub deadline_local: String,
    /// Whole hours left, rounded up.
    pub hours_left: i64,
    /// People of the audience (in the caller's scope) with a post submitted or verified.
    pub posted: u64,
    pub audience: u64,
}

/// A coordinator's (or admin's) work today.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Work {
    /// Candidates waiting for a decision (`/vetting`).
    pub candidates_waiting: u64,
    /// Of them, waiting more than three working days.
    pub candidates_overdue: u64,
    /// Posts waiting for verification (`/submissions`).
    pub posts_waiting: u64,
    /// Hours the oldest of them has waited.
    pub oldest_post_hours: Option<i64>,
    /// Published urgent briefs whose deadline is ahead, soonest first (at most five).
    pub urgent_briefs: Vec<UrgentBrief>,
    /// People expected to post this week who have not (`/submissions/reminders`).
    pub not_posted_this_week: u64,
    /// Integrity flags not cleared (`/integrity`).
    pub open_flags: u64,
    /// People who have not accepted their invitation (`/roster?invitation=pending`).
    pub invitations_pending: u64,
    /// Drafts waiting for a review (`/reviews`), and hours the oldest has waited.
    pub reviews_waiting: u64,
    pub oldest_review_hours: Option<i64>,
}

/// A week's participation on the trend.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrendPoint {
    /// ISO week, like 2026-W48.
    pub week: String,
    /// Expected ambassadors with a verified post ÷ expected ambassadors (0–1).
    pub participation_rate: Option<f64>,
}

/// A unit (or, nationally, an institution) with low participation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Lagging {
    pub id: i64,
    /// `work_unit` or `institution`.
    pub kind: String,
    pub name: String,
    pub ambassadors: u32,
    pub rate_this_week: Option<f64>,
    /// Over the statistics' default window.
    pub rate_window: Option<f64>,
}

/// Leadership's (and the national users') view: this week, the trend, who lags.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Overview {
    /// The week in progress.
    pub week: String,
    pub expected_ambassadors: u32,
    pub posting_ambassadors: u32,
    pub participation_rate: Option<f64>,
    /// The default window's weeks, oldest first (this week last).
    pub trend: Vec<TrendPoint>,
    /// Lowest participation over the window first (at most five).
    pub lagging: Vec<Lagging>,
}

/// A member of staff's home: `work` for coordinators and admins, `overview` for
/// leadership, national users and admins.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Desk {
    pub work: Option<Work>,
    pub overview: Option<Overview>,
}

/// The shared state the statistics are read through.
pub struct Sources<'a> {
    pub db: &'a DatabaseConnection,
    pub key: &'a NipKey,
    pub kept: &'a BoardKept,
    pub org: &'a OrgCache,
    pub stats: &'a StatsCache,
}

/// The home of a member of staff.
pub async fn desk_of(src: &Sources<'_>, user: &CurrentUser, now: DateTime<Utc>) -> AppResult<Desk> {
    let work = match user.role {
        Role::Coordinator | Role::Admin => Some(work_of(src, user, now).await?),
        _ => None,
    };
    let overview = match user.role {
        Role::Leadership | Role::National | Role::Admin => Some(overview_of(src, user).await?),
        _ => None,
    };
    Ok(Desk { work, overview })
}

async fn work_of(src: &Sources<'_>, user: &CurrentUser, now: DateTime<Utc>) -> AppResult<Work> {
    let db = src.db;
    let (candidates_waiting, candidates_overdue) =
        crate::vetting::service::waiting_counts(db, user, now).await?;
    let (posts_waiting, oldest) = crate::submissions::service::waiting(db, user).await?;
    let invitations = crate::roster::service::RosterQuery {
        invitation: "pending".into(),
        ..Default::default()
    };
    let invitations_pending = crate::roster::service::list(db, src.key, user, &invitations, 1, 0)
        .await?
        .total;
    let (reviews_waiting, oldest_review) = crate::mentoring::service::waiting(db, user).await?;
    Ok(Work {
        reviews_waiting,
        oldest_review_hours: oldest_review.map(|t| (now - t).num_hours().max(0)),
        candidates_waiting,
        candidates_overdue,
        posts_waiting,
        oldest_post_hours: oldest.map(|t| (now - t).num_hours().max(0)),
        urgent_briefs: urgent_briefs(db, user, now).await?,
        not_posted_this_week: crate::submissions::service::unposted_count(db, user, now).await?,
        open_flags: crate::integrity::service::open_count(db, user).await?,
        invitations_pending,
    })
}

/// Published urgent briefs of the caller's scope whose deadline is ahead, soonest first.
async fn urgent_briefs(
    db: &DatabaseConnection,
    user: &CurrentUser,
    now: DateTime<Utc>,
) -> AppResult<Vec<UrgentBrief>> {
    let rows = crate::briefs::service::staff_scoped(user)
        .filter(briefs::Column::Priority.eq("urgent"))
        .filter(briefs::Column::Deadline.gt(now))
        .filter(
            Condition::any()
                .add(briefs::Column::Status.eq("published"))
                .add(
                    Condition::all()
                        .add(briefs::Column::Status.eq("scheduled"))
                        .add(briefs::Column::PublishAt.lte(now)),
                ),
        )
        .order_by_asc(briefs::Column::Deadline)
        .order_by_asc(briefs::Column::Id)
        .limit(URGENT_SHOWN)
        .all(db)
        .await?;
    let tz = crate::settings::service::programme_timezone(db).await?;
    let mut out = Vec::with_capacity(rows.len());
    for b in rows {
        let counts = crate::briefs::audience::counts_of(db, user, &b).await?;
        out.push(UrgentBrief {
            id: b.id,
            deadline_local: crate::web::time::local_with_zone(b.deadline, &tz),
            hours_left: crate::briefs::rules::hours_left(b.deadline, now),
            deadline: b.deadline,
            title: b.title,
            posted: counts.posted,
            audience: counts.audience,
        });
    }
    Ok(out)
}

async fn overview_of(src: &Sources<'_>, user: &CurrentUser) -> AppResult<Overview> {
    let p = crate::stats::service::participation(
        src.db,
        None,
        src.kept,
        src.org,
        src.stats,
        user,
        &crate::stats::service::StatsQuery::default(),
    )
    .await?;
    let last = p.weeks.last();
    let mut lagging: Vec<Lagging> = p
        .work_units
        .iter()
        .filter(|u| u.ambassadors > 0 && u.rate_window.is_some())
        .map(|u| Lagging {
            id: u.id,
            kind: u.kind.to_string(),
            name: u.name.clone(),
            ambassadors: u.ambassadors,
            rate_this_week: u.rate_this_week,
            rate_window: u.rate_window,
        })
        .collect();
    lagging.sort_by(|a, b| {
        a.rate_window
            .partial_cmp(&b.rate_window)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.name.cmp(&b.name))
    });
    lagging.truncate(LAGGING_SHOWN);
    Ok(Overview {
        week: last.map(|w| w.week.clone()).unwrap_or_default(),
        expected_ambassadors: last.map(|w| w.expected_ambassadors).unwrap_or(0),
        posting_ambassadors: last.map(|w| w.posting_ambassadors).unwrap_or(0),
        participation_rate: last.and_then(|w| w.participation_rate),
        trend: p
            .weeks
            .iter()
            .map(|w| TrendPoint {
                week: w.week.clone(),
                participation_rate: w.participation_rate,
            })
            .collect(),
        lagging,
    })
}
