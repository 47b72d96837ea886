//! What the statistics read: the stored figures per work unit and week (`unit_weeks`,
//! kept by `crate::leaderboard::participation`), summed per institution nationally;
//! the leave weeks of the scope's ambassadors, applied here; and the inactive
//! ambassadors. Every read is an indexed query whose size follows the number of units
//! and weeks, or of the ambassadors on leave or inactive, not of all ambassadors.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDate};
use sea_orm::sea_query::{
    Alias, Expr, ExprTrait, JoinType, NullOrdering, Order, Query, SelectStatement,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, IdenStatic, QueryFilter, QuerySelect};

use super::rules::{ByPlatform, Cell, Raw, INACTIVE_WEEKS};
use crate::error::AppResult;
use crate::leaderboard::participation::{
    active, breaks_of, in_break, WeekRow, FIGURES, MEMBER_STATUSES,
};
use crate::leaderboard::service::Filter;
use entity::{ambassadors, holidays, leaves, stat_people, unit_weeks, week_activity, work_units};

/// Ids read per statement.
const BATCH: usize = 1_000;

/// The units of the scope, as a subquery.
fn units_in(path: &str) -> SelectStatement {
    Query::select()
        .column(work_units::Column::Id)
        .from(work_units::Entity)
        .and_where(Expr::col(work_units::Column::Path).like(format!("{path}%")))
        .to_owned()
}

/// The programme's holidays.
pub async fn holidays(db: &impl ConnectionTrait) -> AppResult<HashSet<NaiveDate>> {
    Ok(holidays::Entity::find()
        .select_only()
        .column(holidays::Column::WeekStart)
        .into_tuple::<NaiveDate>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// The figures of the scope over `mondays` (consecutive, oldest first), per work unit
/// (each unit on its own, not with its subtree) or, with `national`, per institution.
pub async fn rows(
    db: &impl ConnectionTrait,
    filter: &Filter,
    national: bool,
    mondays: &[NaiveDate],
) -> AppResult<HashMap<i64, Raw>> {
    let (Some(first), Some(last)) = (mondays.first().copied(), mondays.last().copied()) else {
        return Ok(HashMap::new());
    };
    let n = mondays.len();
    let key = if national {
        "institution_id"
    } else {
        "work_unit_id"
    };
    let scoped = |q: &mut SelectStatement| {
        if let Some(i) = filter.institution_id {
            q.and_where(Expr::col(unit_weeks::Column::InstitutionId).eq(i));
        }
        if let Some(p) = &filter.path {
            q.and_where(Expr::col(unit_weeks::Column::WorkUnitId).in_subquery(units_in(p)));
        }
    };
    let backend = db.get_database_backend();
    let mut out: HashMap<i64, Raw> = HashMap::new();

    // Members from before the window.
    let mut q = Query::select();
    q.expr(Expr::col(Alias::new(key)))
        .expr(Expr::cust("CAST(SUM(joined) AS BIGINT)"))
        .from(unit_weeks::Entity)
        .and_where(Expr::col(unit_weeks::Column::WeekStart).lt(first))
        .group_by_col(Alias::new(key));
    scoped(&mut q);
    for row in db.query_all_raw(backend.build(&q)).await? {
        let id: i64 = row.try_get_by_index(0)?;
        let joined: Option<i64> = row.try_get_by_index(1)?;
        out.entry(id).or_insert_with(|| Raw::new(n)).before += joined.unwrap_or(0);
    }

    // The window's weeks.
    let mut q = Query::select();
    q.expr(Expr::col(Alias::new(key)))
        .column(unit_weeks::Column::WeekStart)
        .from(unit_weeks::Entity)
        .and_where(Expr::col(unit_weeks::Column::WeekStart).gte(first))
        .and_where(Expr::col(unit_weeks::Column::WeekStart).lte(last))
        .group_by_col(Alias::new(key))
        .group_by_col(unit_weeks::Column::WeekStart);
    for c in FIGURES {
        q.expr(Expr::cust(format!("CAST(SUM({}) AS BIGINT)", c.as_str())));
    }
    scoped(&mut q);
    let index: HashMap<NaiveDate, usize> =
        mondays.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    for row in db.query_all_raw(backend.build(&q)).await? {
        let id: i64 = row.try_get_by_index(0)?;
        let week: NaiveDate = row.try_get_by_index(1)?;
        let Some(i) = index.get(&week).copied() else {
            continue;
        };
        let mut v = [0i64; FIGURES.len()];
        for (k, slot) in v.iter_mut().enumerate() {
            *slot = row.try_get_by_index::<Option<i64>>(k + 2)?.unwrap_or(0);
        }
        out.entry(id).or_insert_with(|| Raw::new(n)).cells[i] = Cell::of_figures(&v);
    }

    // Leave: the scope's approved ambassadors on leave in the window, and what they
    // posted in those weeks.
    let mut q = leaves::Entity::find()
        .select_only()
        .columns([
            leaves::Column::AmbassadorId,
            leaves::Column::FromWeek,
            leaves::Column::ToWeek,
        ])
        .column_as(ambassadors::Column::WorkUnitId, "work_unit_id")
        .column_as(ambassadors::Column::InstitutionId, "institution_id")
        .column_as(ambassadors::Column::MemberSince, "member_since")
        .join(
            sea_orm::JoinType::InnerJoin,
            sea_orm::RelationDef::from(
                leaves::Entity::belongs_to(ambassadors::Entity)
                    .from(leaves::Column::AmbassadorId)
                    .to(ambassadors::Column::Id),
            ),
        )
        .filter(ambassadors::Column::Status.is_in(MEMBER_STATUSES))
        .filter(leaves::Column::ToWeek.gte(first))
        .filter(leaves::Column::FromWeek.lte(last));
    if let Some(i) = filter.institution_id {
        q = q.filter(ambassadors::Column::InstitutionId.eq(i));
    }
    if let Some(p) = &filter.path {
        q = q.filter(ambassadors::Column::WorkUnitId.in_subquery(units_in(p)));
    }
    type LeaveRow = (i64, NaiveDate, NaiveDate, i64, i64, Option<NaiveDate>);
    let away: Vec<LeaveRow> = q.into_tuple().all(db).await?;
    if away.is_empty() {
        return Ok(out);
    }
    let ids: Vec<i64> = {
        let mut v: Vec<i64> = away.iter().map(|r| r.0).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let mut posted: HashMap<(i64, NaiveDate), ByPlatform<i64>> = HashMap::new();
    for chunk in ids.chunks(BATCH) {
        let rows = week_activity::Entity::find()
            .filter(week_activity::Column::AmbassadorId.is_in(chunk.iter().copied()))
            .filter(week_activity::Column::WeekStart.gte(first))
            .filter(week_activity::Column::WeekStart.lte(last))
            .all(db)
            .await?;
        for m in rows {
            posted.insert((m.ambassador_id, m.week_start), WeekRow::of(&m).posts);
        }
    }
    // One count per ambassador and week, however many leave records cover it; a week of a
    // suspension or removal is not a member's week at all.
    let breaks = breaks_of(db, &ids).await?;
    let mut counted: HashSet<(i64, usize)> = HashSet::new();
    for (id, from, to, unit, institution, since) in away {
        let row = if national { institution } else { unit };
        let out_of = breaks.get(&id).map_or(&[][..], Vec::as_slice);
        for (i, monday) in mondays.iter().copied().enumerate() {
            if monday < from || monday > to || !active(since, monday) || in_break(out_of, monday) {
                continue;
            }
            if counted.insert((id, i)) {
                out.entry(row)
                    .or_insert_with(|| Raw::new(n))
                    .leave(i, posted.get(&(id, monday)).copied());
            }
        }
    }
    Ok(out)
}

/// An approved ambassador who missed the last [`INACTIVE_WEEKS`] finished weeks.
pub struct Inactive {
    pub id: i64,
    pub name: String,
    pub work_unit_id: i64,
    /// The last week with a verified post, if any.
    pub last_active: Option<NaiveDate>,
}

/// The scope's inactive ambassadors: approved, members through the [`INACTIVE_WEEKS`]
/// weeks before `current`, none of them a holiday or on their leave, with no verified post
/// in any of them or since. How many there are, and the first `limit` of them (all with
/// none): the longest inactive first, then by name. Found through the last verified week
/// kept per member (`stat_people`), so the reads follow the number of inactive
/// ambassadors, not of all of them.
pub async fn inactive(
    db: &impl ConnectionTrait,
    filter: &Filter,
    current: NaiveDate,
    holidays: &HashSet<NaiveDate>,
    limit: Option<u64>,
) -> AppResult<(u64, Vec<Inactive>)> {
    let first = current - Duration::weeks(i64::from(INACTIVE_WEEKS));
    let last = current - Duration::weeks(1);
    if (1..=i64::from(INACTIVE_WEEKS)).any(|k| holidays.contains(&(current - Duration::weeks(k)))) {
        return Ok((0, Vec::new()));
    }
    let a = Alias::new("a");
    let s = Alias::new("s");
    let lvw = (s.clone(), stat_people::Column::LastVerifiedWeek);
    let away = Query::select()
        .expr(Expr::val(1))
        .from(leaves::Entity)
        .and_where(
            Expr::col((leaves::Entity, leaves::Column::AmbassadorId))
                .equals((a.clone(), ambassadors::Column::Id)),
        )
        .and_where(Expr::col(leaves::Column::FromWeek).lte(last))
        .and_where(Expr::col(leaves::Column::ToWeek).gte(first))
        .to_owned();
    let mut q = Query::select();
    q.columns([
        (a.clone(), ambassadors::Column::Id),
        (a.clone(), ambassadors::Column::DisplayName),
        (a.clone(), ambassadors::Column::WorkUnitId),
    ])
    .column(lvw.clone())
    .expr(Expr::cust("COUNT(*) OVER ()"))
    .from_as(stat_people::Entity, s.clone())
    .join_as(
        JoinType::InnerJoin,
        ambassadors::Entity,
        a.clone(),
        Expr::col((a.clone(), ambassadors::Column::Id))
            .equals((s.clone(), stat_people::Column::AmbassadorId)),
    )
    .and_where(
        Expr::col(lvw.clone())
            .is_null()
            .or(Expr::col(lvw.clone()).lt(first)),
    )
    .and_where(Expr::col((a.clone(), ambassadors::Column::Status)).eq("approved"))
    // A member by the first week's Sunday.
    .and_where(
        Expr::col((a.clone(), ambassadors::Column::MemberSince)).lte(first + Duration::days(6)),
    )
    .and_where(Expr::exists(away).not())
    .order_by_with_nulls(lvw, Order::Asc, NullOrdering::First)
    .order_by((a.clone(), ambassadors::Column::DisplayName), Order::Asc)
    .order_by((a.clone(), ambassadors::Column::Id), Order::Asc);
    if let Some(i) = filter.institution_id {
        q.and_where(Expr::col((a.clone(), ambassadors::Column::InstitutionId)).eq(i));
    }
    if let Some(p) = &filter.path {
        q.and_where(
            Expr::col((a.clone(), ambassadors::Column::WorkUnitId)).in_subquery(units_in(p)),
        );
    }
    if let Some(n) = limit {
        q.limit(n);
    }
    let backend = db.get_database_backend();
    let mut total = 0;
    let mut out = Vec::new();
    for row in db.query_all_raw(backend.build(&q)).await? {
        total = u64::try_from(row.try_get_by_index::<i64>(4)?).unwrap_or(0);
        out.push(Inactive {
            id: row.try_get_by_index(0)?,
            name: row.try_get_by_index(1)?,
            work_unit_id: row.try_get_by_index(2)?,
            last_active: row.try_get_by_index(3)?,
        });
    }
    Ok((total, out))
}
