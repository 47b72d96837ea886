//! Recognition's reads and writes: what ambassadors have done, the badges it earns (kept
//! once earned), and whether they show them on the board.

use std::collections::HashMap;

use chrono::Utc;
use entity::{
    ambassadors, badge_settings, draft_reviews, earned_badges, lesson_completions, lessons,
    submissions,
};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect,
};
use serde::Serialize;

use super::rules::{self, Deeds};
use crate::auth::guards::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::leaderboard::rules::{Window, MAX_WEEKS};
use crate::leaderboard::standings;

/// How many of `ids` each has, from a grouped count (`(ambassador_id, n)` rows).
async fn counted<C: ConnectionTrait>(
    db: &C,
    q: sea_orm::Select<impl EntityTrait>,
    column: impl sea_orm::ColumnTrait,
) -> AppResult<HashMap<i64, u64>> {
    let rows: Vec<(i64, i64)> = q
        .select_only()
        .column(column)
        .column_as(Expr::col(column).count(), "n")
        .group_by(column)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
        .collect())
}

/// What each of `people` has done, read together (a few grouped queries for any number).
pub async fn deeds_of(
    db: &DatabaseConnection,
    people: &[ambassadors::Model],
) -> AppResult<HashMap<i64, Deeds>> {
    let ids: Vec<i64> = people.iter().map(|a| a.id).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let posts = counted(
        db,
        submissions::Entity::find()
            .filter(submissions::Column::AmbassadorId.is_in(ids.clone()))
            .filter(submissions::Column::Status.eq("verified")),
        submissions::Column::AmbassadorId,
    )
    .await?;
    let lessons_done = counted(
        db,
        lesson_completions::Entity::find()
            .filter(lesson_completions::Column::AmbassadorId.is_in(ids.clone())),
        lesson_completions::Column::AmbassadorId,
    )
    .await?;
    let accepted = counted(
        db,
        draft_reviews::Entity::find()
            .filter(draft_reviews::Column::AmbassadorId.is_in(ids.clone()))
            .filter(draft_reviews::Column::State.eq("accepted")),
        draft_reviews::Column::AmbassadorId,
    )
    .await?;
    let referrals = crate::recruitment::service::counts_for(db, &ids).await?;
    // The lessons on each institution's path: Duta's, and its own not archived.
    let mut path_size: HashMap<i64, u64> = HashMap::new();
    for a in people {
        if path_size.contains_key(&a.institution_id) {
            continue;
        }
        let n = lessons::Entity::find()
            .filter(lessons::Column::ArchivedAt.is_null())
            .filter(
                Condition::any()
                    .add(lessons::Column::InstitutionId.is_null())
                    .add(lessons::Column::InstitutionId.eq(a.institution_id)),
            )
            .count(db)
            .await?;
        path_size.insert(a.institution_id, n);
    }
    // Streaks as the board counts them, over its longest window.
    let week = standings::current_week(db).await?;
    let window = Window::ending(week, MAX_WEEKS);
    let persons = standings::approved(db, &ids).await?;
    let facts = standings::facts(db, &ids, week).await?;
    let streaks: HashMap<i64, u32> = persons
        .iter()
        .map(|p| (p.id, facts.score(p, &window).best_streak))
        .collect();
    Ok(people
        .iter()
        .map(|a| {
            (
                a.id,
                Deeds {
                    verified_posts: posts.get(&a.id).copied().unwrap_or(0),
                    best_streak: streaks.get(&a.id).copied().unwrap_or(0),
                    lessons_completed: lessons_done.get(&a.id).copied().unwrap_or(0),
                    lessons_on_path: path_size.get(&a.institution_id).copied().unwrap_or(0),
                    drafts_accepted: accepted.get(&a.id).copied().unwrap_or(0),
                    referrals_approved: referrals.get(&a.id).map_or(0, |c| c.1),
                },
            )
        })
        .collect())
}

/// A badge an ambassador holds, and since when.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EarnedBadge {
    pub key: String,
    pub earned_at: chrono::DateTime<Utc>,
}

/// The badges each of `people` holds: those kept, and those their deeds earn now (kept
/// from now on), in the order of the rules.
pub async fn badges_of(
    db: &DatabaseConnection,
    people: &[ambassadors::Model],
) -> AppResult<HashMap<i64, (Deeds, Vec<EarnedBadge>)>> {
    let deeds = deeds_of(db, people).await?;
    let ids: Vec<i64> = people.iter().map(|a| a.id).collect();
    let mut kept: HashMap<i64, HashMap<String, chrono::DateTime<Utc>>> = HashMap::new();
    for b in earned_badges::Entity::find()
        .filter(earned_badges::Column::AmbassadorId.is_in(ids))
        .all(db)
        .await?
    {
        kept.entry(b.ambassador_id)
            .or_default()
            .insert(b.badge, b.earned_at);
    }
    // Stored to the microsecond on every engine: the date shown now is the date kept.
    let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
    let mut fresh = Vec::new();
    let mut out = HashMap::new();
    for a in people {
        let d = deeds.get(&a.id).copied().unwrap_or_default();
        let mine = kept.entry(a.id).or_default();
        for key in rules::earned(&d) {
            if !mine.contains_key(key) {
                mine.insert(key.to_string(), now);
                fresh.push(earned_badges::ActiveModel {
                    ambassador_id: Set(a.id),
                    badge: Set(key.to_string()),
                    earned_at: Set(now),
                    ..Default::default()
                });
            }
        }
        let list = rules::BADGES
            .iter()
            .filter_map(|b| {
                mine.get(b.key).map(|t| EarnedBadge {
                    key: b.key.to_string(),
                    earned_at: *t,
                })
            })
            .collect();
        out.insert(a.id, (d, list));
    }
    if !fresh.is_empty() {
        // Two readers at once may both find a badge new: the first one's date stands.
        earned_badges::Entity::insert_many(fresh)
            .on_conflict_do_nothing_on([
                earned_badges::Column::AmbassadorId,
                earned_badges::Column::Badge,
            ])
            .exec_without_returning(db)
            .await?;
    }
    Ok(out)
}

/// An ambassador's badges, what earned them, and whether they show them on the board.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BadgesView {
    pub ambassador_id: i64,
    pub deeds: Deeds,
    pub badges: Vec<EarnedBadge>,
    pub show_on_board: bool,
}

async fn shows_on_board(db: &DatabaseConnection, ambassador_id: i64) -> AppResult<bool> {
    Ok(badge_settings::Entity::find_by_id(ambassador_id)
        .one(db)
        .await?
        .is_some_and(|s| s.show_on_board))
}

/// The badges of one ambassador.
pub async fn view_of(db: &DatabaseConnection, a: &ambassadors::Model) -> AppResult<BadgesView> {
    let (deeds, badges) = badges_of(db, std::slice::from_ref(a))
        .await?
        .remove(&a.id)
        .unwrap_or_default();
    Ok(BadgesView {
        ambassador_id: a.id,
        deeds,
        badges,
        show_on_board: shows_on_board(db, a.id).await?,
    })
}

/// The signed-in ambassador's badges (404 for an account that is not an ambassador).
pub async fn mine(db: &DatabaseConnection, user: &CurrentUser) -> AppResult<BadgesView> {
    let me = crate::ambassadors::service::find_ambassador_by_user(db, user.id())
        .await?
        .ok_or(AppError::NotFound)?;
    view_of(db, &me).await
}

/// The signed-in ambassador shows their badges on the board, or stops.
pub async fn set_show_on_board(
    db: &DatabaseConnection,
    user: &CurrentUser,
    show: bool,
) -> AppResult<BadgesView> {
    let me = crate::ambassadors::service::find_ambassador_by_user(db, user.id())
        .await?
        .ok_or(AppError::NotFound)?;
    badge_settings::Entity::insert(badge_settings::ActiveModel {
        ambassador_id: Set(me.id),
        show_on_board: Set(show),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(badge_settings::Column::AmbassadorId)
            .update_columns([
                badge_settings::Column::ShowOnBoard,
                badge_settings::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    view_of(db, &me).await
}

/// The badges of the board's rows whose ambassadors show them there (one query when none
/// does), keyed by ambassador.
pub async fn on_board(
    db: &DatabaseConnection,
    ids: &[i64],
) -> AppResult<HashMap<i64, Vec<String>>> {
    let showing: Vec<i64> = badge_settings::Entity::find()
        .filter(badge_settings::Column::AmbassadorId.is_in(ids.iter().copied()))
        .filter(badge_settings::Column::ShowOnBoard.eq(true))
        .select_only()
        .column(badge_settings::Column::AmbassadorId)
        .into_tuple()
        .all(db)
        .await?;
    if showing.is_empty() {
        return Ok(HashMap::new());
    }
    let people = ambassadors::Entity::find()
        .filter(ambassadors::Column::Id.is_in(showing))
        .all(db)
        .await?;
    Ok(badges_of(db, &people)
        .await?
        .into_iter()
        .map(|(id, (_, list))| (id, list.into_iter().map(|b| b.key).collect()))
        .collect())
}
