//! Reading a user's notifications; every query filters by the user's own id.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
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
