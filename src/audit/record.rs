//! Writing one row of the audit log (reading it is `service`).

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use crate::auth::guards::CurrentUser;
use crate::error::AppResult;
use crate::http::client_ip::ClientIp;

pub struct Entry<'a> {
    pub actor: Option<&'a CurrentUser>,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: Option<i64>,
    pub institution_id: Option<i64>,
    pub detail: serde_json::Value,
    pub ip: Option<&'a ClientIp>,
}

/// Writes one row; call it inside the transaction of the change it records.
pub async fn record(db: &impl ConnectionTrait, e: Entry<'_>) -> AppResult<()> {
    entity::audit_log::ActiveModel {
        at: Set(Utc::now()),
        actor_id: Set(e.actor.map(|a| a.id())),
        action: Set(e.action.to_string()),
        target_type: Set(e.target_type.to_string()),
        target_id: Set(e.target_id),
        institution_id: Set(e.institution_id),
        detail: Set(e.detail.to_string()),
        client_ip: Set(e.ip.and_then(|i| i.0).map(|i| i.to_string())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
