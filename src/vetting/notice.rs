//! Telling coordinators that a candidate waits: when an application enters the vetting
//! queue (signed up with nothing to confirm, address confirmed, or sent again after a
//! rejection), each active coordinator whose scope holds the candidate's unit gets one
//! notification linking to the queue, by email too unless they turned it off. While a
//! coordinator's earlier notice is unread, it is brought to the top instead of adding
//! another, and no second email goes: a recruitment day is one message, not hundreds.

use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter};

use crate::auth::roles::Role;
use crate::error::AppResult;
use crate::notify::Mailer;
use entity::{ambassadors, users, work_units};

pub const KIND: &str = "candidate_waiting";

/// Tells the coordinators of a candidate now waiting; failures are logged (the
/// application itself is stored).
pub async fn candidate_waiting(db: &DatabaseConnection, mailer: &Mailer, ambassador_id: i64) {
    if let Err(e) = tell(db, mailer, ambassador_id).await {
        tracing::warn!(ambassador = ambassador_id, error = %e, "coordinators not told of a candidate");
    }
}

async fn tell(db: &DatabaseConnection, mailer: &Mailer, ambassador_id: i64) -> AppResult<()> {
    let Some(amb) = ambassadors::Entity::find_by_id(ambassador_id)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    if amb.status != "pending" {
        return Ok(());
    }
    // The candidate's unit and the units above it: a coordinator of any of them, or of
    // the whole institution, vets this candidate.
    let path = work_units::Entity::find_by_id(amb.work_unit_id)
        .one(db)
        .await?
        .map(|u| u.path)
        .unwrap_or_default();
    let above: Vec<i64> = path
        .split('/')
        .filter_map(|p| p.parse::<i64>().ok())
        .collect();
    let coordinators: Vec<i64> = users::Entity::find()
        .filter(users::Column::InstitutionId.eq(amb.institution_id))
        .filter(users::Column::Role.eq(Role::Coordinator.as_str()))
        .filter(users::Column::IsActive.eq(true))
        .filter(
            Condition::any()
                .add(users::Column::WorkUnitId.is_null())
                .add(users::Column::WorkUnitId.is_in(above)),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    crate::notifications::service::notice_once(db, mailer, KIND, &coordinators, "/vetting").await
}
