//! Reading a user's notifications; every query filters by the user's own id.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use crate::auth::guards::CurrentUser;
use crate::error::AppResult;
use entity::{briefs, notifications};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    pub id: i64,
    /// brief_published
    pub kind: String,
    pub brief_id: Option<i64>,
    pub brief_title: Option<String>,
    pub urgent: bool,
    pub created_at: DateTime<Utc>,
    pub read: bool,
    /// For `post_rejected`: the coordinator's reason.
    pub detail: Option<String>,
}

/// The user's latest 100 notifications, newest first.
pub async fn list_for(
    db: &DatabaseConnection,
    user: &CurrentUser,
) -> AppResult<Vec<NotificationView>> {
    let rows = notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(user.id()))
        .order_by_desc(notifications::Column::CreatedAt)
        .order_by_desc(notifications::Column::Id)
        .limit(100)
        .all(db)
        .await?;
    let brief_ids: Vec<i64> = rows.iter().filter_map(|n| n.brief_id).collect();
    let briefs = briefs::Entity::find()
        .filter(briefs::Column::Id.is_in(brief_ids))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|n| {
            let brief = n.brief_id.and_then(|id| briefs.iter().find(|b| b.id == id));
            NotificationView {
                id: n.id,
                kind: n.kind,
                brief_id: n.brief_id,
                brief_title: brief.map(|b| b.title.clone()),
                urgent: brief.is_some_and(|b| b.priority == "urgent"),
                created_at: n.created_at,
                read: n.read_at.is_some(),
                detail: n.detail,
            }
        })
        .collect())
}

/// Marks every unread notification of the user read.
pub async fn mark_all_read(db: &DatabaseConnection, user: &CurrentUser) -> AppResult<()> {
    notifications::Entity::update_many()
        .col_expr(notifications::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notifications::Column::UserId.eq(user.id()))
        .filter(notifications::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// How long a notification is kept: half a year. What it tells (a brief to post, a post
/// rejected, the weekly reminder) is long past by then, and at national scale the table
/// grows by about eleven rows per ambassador a week (a brief told to its whole audience, the
/// reminder): half a billion a year at a million ambassadors if nothing went.
pub const KEEP_DAYS: i64 = 180;

/// Rows removed per statement, each in its own transaction, so the removal never holds
/// many locks or a long transaction.
const PRUNE_BATCH: u64 = 10_000;

/// Removes the notifications created more than [`KEEP_DAYS`] days before `now`, oldest
/// first in batches; answers how many went.
pub async fn prune(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<u64> {
    use sea_orm::sea_query::Query;
    let cutoff = now - chrono::TimeDelta::days(KEEP_DAYS);
    let mut removed = 0;
    loop {
        // Ids grow with the time of writing, so the oldest are found first along the
        // primary key, without an index on the time.
        let batch = Query::select()
            .column(notifications::Column::Id)
            .from(notifications::Entity)
            .and_where(notifications::Column::CreatedAt.lt(cutoff))
            .order_by(notifications::Column::Id, sea_orm::Order::Asc)
            .limit(PRUNE_BATCH)
            .to_owned();
        // SQLite and PostgreSQL both take `IN (SELECT … LIMIT n)`; MySQL is not used.
        let gone = notifications::Entity::delete_many()
            .filter(notifications::Column::Id.in_subquery(batch))
            .exec(db)
            .await?
            .rows_affected;
        removed += gone;
        if gone < PRUNE_BATCH {
            return Ok(removed);
        }
    }
}

/// Tells each of `users` of something waiting at `path` with one notice of `kind`: while a
/// user's earlier notice of that kind is unread it is brought to the top instead of adding
/// another, and only those without one get the notice and its email. A busy day is one
/// message per person, not hundreds.
pub async fn notice_once(
    db: &DatabaseConnection,
    mailer: &crate::notify::Mailer,
    kind: &'static str,
    users: &[i64],
    path: &str,
) -> AppResult<()> {
    if users.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let unread: Vec<i64> = notifications::Entity::find()
        .select_only()
        .column(notifications::Column::UserId)
        .filter(notifications::Column::UserId.is_in(users.to_vec()))
        .filter(notifications::Column::Kind.eq(kind))
        .filter(notifications::Column::ReadAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    if !unread.is_empty() {
        notifications::Entity::update_many()
            .col_expr(notifications::Column::CreatedAt, Expr::value(now))
            .filter(notifications::Column::UserId.is_in(unread.clone()))
            .filter(notifications::Column::Kind.eq(kind))
            .filter(notifications::Column::ReadAt.is_null())
            .exec(db)
            .await?;
    }
    let fresh: Vec<i64> = users
        .iter()
        .copied()
        .filter(|u| !unread.contains(u))
        .collect();
    if fresh.is_empty() {
        return Ok(());
    }
    notifications::Entity::insert_many(fresh.iter().map(|u| notifications::ActiveModel {
        user_id: Set(*u),
        kind: Set(kind.to_string()),
        brief_id: Set(None),
        created_at: Set(now),
        read_at: Set(None),
        ..Default::default()
    }))
    .exec_without_returning(db)
    .await?;
    crate::notifications::email::send_notices(db, mailer, kind, &fresh, path, &[]).await
}
