//! What the statistics read, straight from the stored weekly aggregate: the approved
//! ambassadors of a scope, a chunk at a time, each with their weeks in the window, their
//! latest follower counts and their grace weeks. Nothing is held between requests here;
//! a computed result is kept by `service` only at the stamp it was computed at.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};

use super::rules::{Person, Week, PLATFORMS};
use crate::error::AppResult;
use crate::leaderboard::service::{Filter, WEEK_FIGURES};
use entity::{ambassador_platforms, ambassadors, holidays, leaves, week_activity, work_units};

/// Ambassadors read per round: bounds what one computation holds at a time.
const CHUNK: u64 = 1_000;

/// An approved ambassador as the statistics see them.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: i64,
    pub name: String,
    pub institution_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub member_since: Option<NaiveDate>,
    /// The latest follower count per platform (in [`PLATFORMS`] order).
    pub followers: [Option<u32>; 3],
}

/// The aggregate columns the statistics read.
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

/// Calls `visit` once for every approved ambassador in `filter`'s scope, in id order, with
/// what the statistics know of them from `since` (a Monday) on and whether a week is a
/// grace week for them (a programme holiday or their leave).
pub async fn each_member(
    db: &impl ConnectionTrait,
    filter: &Filter,
    since: NaiveDate,
    mut visit: impl FnMut(&Member, &Person, &dyn Fn(NaiveDate) -> bool),
) -> AppResult<()> {
    let units: HashMap<i64, (String, String)> = {
        let mut q = work_units::Entity::find().select_only().columns([
            work_units::Column::Id,
            work_units::Column::Name,
            work_units::Column::Path,
        ]);
        if let Some(i) = filter.institution_id {
            q = q.filter(work_units::Column::InstitutionId.eq(i));
        }
        if let Some(p) = &filter.path {
            q = q.filter(work_units::Column::Path.starts_with(p.as_str()));
        }
        q.into_tuple::<(i64, String, String)>()
            .all(db)
            .await?
            .into_iter()
            .map(|(id, name, path)| (id, (name, path)))
            .collect()
    };
    let holidays: HashSet<NaiveDate> = holidays::Entity::find()
        .select_only()
        .column(holidays::Column::WeekStart)
        .into_tuple::<NaiveDate>()
        .all(db)
        .await?
        .into_iter()
        .collect();

    let mut after = 0i64;
    loop {
        let mut q = ambassadors::Entity::find()
            .select_only()
            .columns([
                ambassadors::Column::Id,
                ambassadors::Column::DisplayName,
                ambassadors::Column::InstitutionId,
                ambassadors::Column::WorkUnitId,
                ambassadors::Column::MemberSince,
            ])
            .filter(ambassadors::Column::Status.eq("approved"))
            .filter(ambassadors::Column::Id.gt(after))
            .order_by_asc(ambassadors::Column::Id)
            .limit(CHUNK);
        if let Some(i) = filter.institution_id {
            q = q.filter(ambassadors::Column::InstitutionId.eq(i));
        }
        if let Some(p) = &filter.path {
            let in_subtree = Query::select()
                .column(work_units::Column::Id)
                .from(work_units::Entity)
                .and_where(Expr::col(work_units::Column::Path).like(format!("{p}%")))
                .to_owned();
            q = q.filter(ambassadors::Column::WorkUnitId.in_subquery(in_subtree));
        }
        let rows: Vec<(i64, String, i64, i64, Option<NaiveDate>)> = q.into_tuple().all(db).await?;
        let Some(last) = rows.last().map(|r| r.0) else {
            break;
        };
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        // The round's rows of the other tables: by the range of its ids when they lie close
        // together (an index range), else by their list. Rows of ambassadors outside the
        // round are never looked up below. With a list the weeks are not filtered in the
        // query: PostgreSQL would plan a long list beside a week range as a scan of every
        // week from `since` on.
        let first = ids[0];
        let dense = usize::try_from(last - first).is_ok_and(|span| span < 16 * ids.len());
        let of_round = |column: sea_orm::sea_query::SimpleExpr| {
            if dense {
                column.between(first, last)
            } else {
                column.is_in(ids.clone())
            }
        };

        let mut followers: HashMap<i64, [Option<u32>; 3]> = HashMap::new();
        let counts: Vec<(i64, String, Option<i64>)> = ambassador_platforms::Entity::find()
            .select_only()
            .columns([
                ambassador_platforms::Column::AmbassadorId,
                ambassador_platforms::Column::Platform,
                ambassador_platforms::Column::FollowerCount,
            ])
            .filter(of_round(Expr::col(
                ambassador_platforms::Column::AmbassadorId,
            )))
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

        let mut activity: HashMap<i64, Vec<Week>> = HashMap::new();
        let weeks: Vec<ActivityRow> = week_activity::Entity::find()
            .select_only()
            .columns([
                week_activity::Column::AmbassadorId,
                week_activity::Column::WeekStart,
            ])
            .columns(WEEK_FIGURES)
            .filter(of_round(Expr::col(week_activity::Column::AmbassadorId)))
            .apply_if(dense.then_some(since), |q, since| {
                q.filter(week_activity::Column::WeekStart.gte(since))
            })
            .into_model()
            .all(db)
            .await?;
        for row in weeks.into_iter().filter(|r| r.week_start >= since) {
            activity
                .entry(row.ambassador_id)
                .or_default()
                .push(row.week());
        }
        for v in activity.values_mut() {
            v.sort_by_key(|w| w.monday);
        }

        let mut leave: HashMap<i64, Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
        for (id, from, to) in leaves::Entity::find()
            .select_only()
            .columns([
                leaves::Column::AmbassadorId,
                leaves::Column::FromWeek,
                leaves::Column::ToWeek,
            ])
            .filter(of_round(Expr::col(leaves::Column::AmbassadorId)))
            .into_tuple::<(i64, NaiveDate, NaiveDate)>()
            .all(db)
            .await?
        {
            leave.entry(id).or_default().push((from, to));
        }

        for (id, name, institution_id, work_unit_id, member_since) in rows {
            let (unit_name, unit_path) = units.get(&work_unit_id).cloned().unwrap_or_default();
            let member = Member {
                id,
                name,
                institution_id,
                unit_name,
                unit_path,
                member_since,
                followers: followers.get(&id).copied().unwrap_or_default(),
            };
            let person = Person {
                member_since,
                weeks: activity.get(&id).map_or(&[], Vec::as_slice),
                followers: member.followers,
            };
            let own_leave = leave.get(&id);
            let grace = |w: NaiveDate| {
                holidays.contains(&w)
                    || own_leave.is_some_and(|ls| ls.iter().any(|(a, b)| *a <= w && w <= *b))
            };
            visit(&member, &person, &grace);
        }
        after = last;
    }
    Ok(())
}
