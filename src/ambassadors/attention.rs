//! When the programme's rules tighten: an admin makes another platform required or raises
//! a threshold. Approved ambassadors who then fall short stay approved, are told (an in-app
//! notification), add the account or new evidence from their status page, and show as
//! "needs attention" to their coordinators until every required platform meets again.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use crate::error::AppResult;
use entity::{ambassador_platforms as ap, ambassadors, notifications};

/// Ids read per statement.
const BATCH: usize = 1_000;

/// Sets the stored verdicts of counted accounts (from a platform's API or a coordinator)
/// on each platform to what its threshold now says.
pub async fn recompute_verdicts(
    db: &impl ConnectionTrait,
    thresholds: &[(String, i64)],
) -> AppResult<()> {
    for (platform, threshold) in thresholds {
        for (verdict, meets) in [("meets", true), ("below", false)] {
            let cond = if meets {
                ap::Column::FollowerCount.gte(*threshold)
            } else {
                ap::Column::FollowerCount.lt(*threshold)
            };
            ap::Entity::update_many()
                .col_expr(ap::Column::Verdict, Expr::value(verdict))
                .filter(ap::Column::Platform.eq(platform.as_str()))
                .filter(ap::Column::Method.is_in(["api", "coordinator"]))
                .filter(ap::Column::FollowerCount.is_not_null())
                .filter(ap::Column::Verdict.ne(verdict))
                .filter(cond)
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

/// The approved ambassadors (id → user id) with a required platform that does not meet:
/// no account on it, or one whose verdict is not `meets`.
pub async fn short_of(
    db: &impl ConnectionTrait,
    required: &[String],
) -> AppResult<HashMap<i64, i64>> {
    let mut out = HashMap::new();
    for platform in required {
        let meeting = Query::select()
            .column(ap::Column::AmbassadorId)
            .from(ap::Entity)
            .and_where(ap::Column::Platform.eq(platform.as_str()))
            .and_where(ap::Column::Verdict.eq("meets"))
            .to_owned();
        let rows: Vec<(i64, i64)> = ambassadors::Entity::find()
            .select_only()
            .columns([ambassadors::Column::Id, ambassadors::Column::UserId])
            .filter(ambassadors::Column::Status.eq("approved"))
            .filter(ambassadors::Column::Id.not_in_subquery(meeting))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Tells the ambassadors in `after` who were not in `before` (in-app).
pub async fn tell_newly_short(
    db: &impl ConnectionTrait,
    before: &HashMap<i64, i64>,
    after: &HashMap<i64, i64>,
) -> AppResult<usize> {
    let now = Utc::now();
    let users: Vec<i64> = after
        .iter()
        .filter(|(id, _)| !before.contains_key(id))
        .map(|(_, user)| *user)
        .collect::<HashSet<i64>>()
        .into_iter()
        .collect();
    for chunk in users.chunks(BATCH) {
        notifications::Entity::insert_many(chunk.iter().map(|u| notifications::ActiveModel {
            user_id: Set(*u),
            kind: Set("needs_attention".to_string()),
            brief_id: Set(None),
            created_at: Set(now),
            read_at: Set(None),
            ..Default::default()
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(users.len())
}

/// The ambassadors among `ids` who fall short of the rules now.
pub async fn needing_attention(
    db: &impl ConnectionTrait,
    required: &[String],
    ids: &[i64],
) -> AppResult<HashSet<i64>> {
    let mut out = HashSet::new();
    if required.is_empty() || ids.is_empty() {
        return Ok(out);
    }
    for chunk in ids.chunks(BATCH) {
        let meeting: Vec<(i64, String)> = ap::Entity::find()
            .select_only()
            .columns([ap::Column::AmbassadorId, ap::Column::Platform])
            .filter(ap::Column::AmbassadorId.is_in(chunk.iter().copied()))
            .filter(ap::Column::Verdict.eq("meets"))
            .into_tuple()
            .all(db)
            .await?;
        let meeting: HashSet<(i64, String)> = meeting.into_iter().collect();
        for id in chunk {
            if required
                .iter()
                .any(|p| !meeting.contains(&(*id, p.clone())))
            {
                out.insert(*id);
            }
        }
    }
    Ok(out)
}

/// The earliest `below_since` of each of `ids` (the re-check found a required account
/// below its threshold since then).
pub async fn below_since(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, chrono::DateTime<Utc>>> {
    let mut out: HashMap<i64, chrono::DateTime<Utc>> = HashMap::new();
    for chunk in ids.chunks(BATCH) {
        let rows: Vec<(i64, Option<chrono::DateTime<Utc>>)> = ap::Entity::find()
            .select_only()
            .columns([ap::Column::AmbassadorId, ap::Column::BelowSince])
            .filter(ap::Column::AmbassadorId.is_in(chunk.iter().copied()))
            .filter(ap::Column::BelowSince.is_not_null())
            .into_tuple()
            .all(db)
            .await?;
        for (id, since) in rows {
            if let Some(s) = since {
                out.entry(id).and_modify(|d| *d = (*d).min(s)).or_insert(s);
            }
        }
    }
    Ok(out)
}
