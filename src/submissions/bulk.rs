//! Verifying or rejecting many posts of the queue at once, with one reason. Each post is
//! decided exactly as a single decision would be (its own transaction with the weekly
//! figures and its audit row), so the board and the statistics cannot tell the
//! difference. Every post must be in the caller's scope (404 and nothing done otherwise);
//! a post another coordinator decided or reverted meanwhile is skipped and reported, and
//! the rest are done.

use std::collections::HashSet;

use sea_orm::{ColumnTrait, DatabaseConnection, PaginatorTrait, QueryFilter};
use serde::{Deserialize, Serialize};

use super::service::{decide, in_scope, Decision, MAX_REASON_CHARS, REASON};
use crate::auth::guards::CurrentUser;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use entity::submissions;

/// The most posts one request decides (ten queue pages).
pub const MAX_IDS: usize = 500;

fn ids_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::id_list_schema(MAX_IDS)
}
crate::text_schema!(note_schema, REASON);
crate::text_schema!(
    rejection_schema,
    crate::text::Text::lines(1, MAX_REASON_CHARS)
);

/// Posts to verify, with an optional note for the audit log.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkVerifyRequest {
    /// Submission ids, 1 to 500, each once.
    #[serde(default)]
    #[schema(required = true, schema_with = ids_schema)]
    pub ids: Vec<i64>,
    #[serde(default)]
    #[schema(schema_with = note_schema)]
    pub reason: String,
}

/// Posts to reject, with the reason each ambassador reads (required).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRejectRequest {
    /// Submission ids, 1 to 500, each once.
    #[serde(default)]
    #[schema(required = true, schema_with = ids_schema)]
    pub ids: Vec<i64>,
    #[serde(default)]
    #[schema(required = true, schema_with = rejection_schema)]
    pub reason: String,
}

/// What a bulk decision did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct BulkDecided {
    /// The posts decided now.
    pub done: Vec<i64>,
    /// The posts no longer waiting when their turn came (decided or reverted by someone
    /// else meanwhile): left as they are.
    pub skipped: Vec<i64>,
}

/// Verifies or rejects every post of `ids` that is still pending, one at a time.
pub async fn decide_many(
    db: &DatabaseConnection,
    mailer: &crate::notify::Mailer,
    user: &CurrentUser,
    ids: &[i64],
    decision: Decision,
    reason: &str,
    ip: &ClientIp,
) -> AppResult<BulkDecided> {
    let mut errors = FieldErrors::new();
    let unique: HashSet<i64> = ids.iter().copied().collect();
    if ids.is_empty()
        || ids.len() > MAX_IDS
        || unique.len() != ids.len()
        || ids.iter().any(|i| *i < 1)
    {
        errors.add(
            "ids",
            Msg::new("submissions.bulk_ids_invalid").arg("max", MAX_IDS),
        );
    }
    if decision == Decision::Reject && reason.trim().is_empty() {
        errors.add("reason", Msg::new("submissions.reason_required"));
    } else if REASON.clean(reason).is_none() {
        errors.add(
            "reason",
            Msg::new("submissions.reason_long").arg("max", MAX_REASON_CHARS),
        );
    }
    if decision == Decision::Revert {
        errors.add("action", Msg::new("submissions.bulk_action_invalid"));
    }
    errors.into_result()?;
    let mut found = 0;
    for chunk in ids.chunks(MAX_IDS) {
        found += in_scope(user)?
            .filter(submissions::Column::Id.is_in(chunk.iter().copied()))
            .count(db)
            .await?;
    }
    if found != ids.len() as u64 {
        // A post out of the caller's reach, or none at all: nothing is decided.
        return Err(AppError::NotFound);
    }
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    let mut out = BulkDecided::default();
    for id in sorted {
        match decide(db, mailer, user, id, decision, reason, ip).await {
            Ok(_) => out.done.push(id),
            Err(AppError::Conflict(_)) => out.skipped.push(id),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}
