//! Actions on many people of the roster at once: approve, send the invitation again, send
//! a reminder, suspend, or move to a unit. All or nothing: every selected person must be in
//! the caller's scope (404 otherwise) and in a state the action applies to (409 naming each
//! who is not, at `ids.<id>`); then one transaction does it for everyone, each person with
//! their own audit row, and the figures follow in it.

use std::collections::HashSet;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use crate::audit::record as audit;
use crate::auth::guards::CurrentUser;
use crate::auth::reset::LinkToPassOn;
use crate::config::AppConfig;
use crate::db::begin_write;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::notify::Mailer;
use entity::{ambassadors, membership_breaks, notifications, users, work_units};

/// The most people one action takes.
pub const MAX_IDS: usize = 5_000;
pub const ACTIONS: [&str; 5] = ["approve", "invite", "remind", "suspend", "move"];

fn action_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::choice(&ACTIONS)
}
fn ids_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::id_list_schema(MAX_IDS)
}
crate::text_schema!(
    nullable_reason_schema,
    crate::vetting::lifecycle::REASON,
    nullable
);

/// One action on the selected people.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    #[serde(default)]
    #[schema(required = true, schema_with = action_schema)]
    pub action: String,
    /// Ambassador ids (as on the roster), 1 to 5,000, each once.
    #[serde(default)]
    #[schema(required = true, schema_with = ids_schema)]
    pub ids: Vec<i64>,
    /// `suspend`: the reason shown to each person (5 to 1,000 characters).
    #[schema(schema_with = nullable_reason_schema)]
    pub reason: Option<String>,
    /// `move`: a unit of the people's institution in the caller's scope.
    #[schema(minimum = 1)]
    pub work_unit_id: Option<i64>,
}

/// What an action did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BulkDone {
    pub action: String,
    /// How many people it changed.
    pub done: usize,
    /// `invite`: each person's new link, to pass on.
    pub invitations: Vec<BulkInvitation>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BulkInvitation {
    pub id: i64,
    pub name: String,
    pub invitation: LinkToPassOn,
}

fn refuse(errors: &mut FieldErrors, id: i64, key: &str) {
    errors.add(&format!("ids.{id}"), Msg::conflict(key));
}

/// Runs one action for every selected person, or for nobody.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    db: &DatabaseConnection,
    cfg: &AppConfig,
    mailer: &Mailer,
    user: &CurrentUser,
    input: &BulkRequest,
    origin: &str,
    ip: &ClientIp,
) -> AppResult<BulkDone> {
    let mut errors = FieldErrors::new();
    let action = input.action.as_str();
    if !ACTIONS.contains(&action) {
        errors.add("action", Msg::new("roster.bulk_action_invalid"));
    }
    let unique: HashSet<i64> = input.ids.iter().copied().collect();
    if input.ids.is_empty()
        || input.ids.len() > MAX_IDS
        || unique.len() != input.ids.len()
        || input.ids.iter().any(|i| *i < 1)
    {
        errors.add("ids", Msg::new("roster.bulk_ids_invalid"));
    }
    // A reason is read only by `suspend` (required there), but one given is checked
    // whatever the action.
    let cleaned = input
        .reason
        .as_deref()
        .map(|r| crate::vetting::lifecycle::REASON.clean(r));
    if matches!(cleaned, Some(None)) || (action == "suspend" && cleaned.is_none()) {
        errors.add("reason", Msg::new("membership.reason_invalid"));
    }
    let reason = if action == "suspend" {
        cleaned.flatten()
    } else {
        None
    };
    if action == "move" && input.work_unit_id.is_none() {
        errors.add("work_unit_id", Msg::new("record.unit_required"));
    }
    errors.into_result()?;

    let txn = begin_write(db).await?;
    let mut ids = input.ids.clone();
    ids.sort_unstable();
    crate::leaderboard::participation::lock(&txn, &ids).await?;
    let mut people: Vec<ambassadors::Model> = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1_000) {
        people.extend(
            crate::ambassadors::service::scoped(user)
                .filter(ambassadors::Column::Id.is_in(chunk.iter().copied()))
                .order_by_asc(ambassadors::Column::Id)
                .all(&txn)
                .await?,
        );
    }
    if people.len() != ids.len() {
        // Someone is out of the caller's scope, or does not exist: nobody is changed.
        return Err(AppError::NotFound);
    }
    let mut accounts: std::collections::HashMap<i64, users::Model> =
        std::collections::HashMap::new();
    for chunk in people.chunks(1_000) {
        for u in users::Entity::find()
            .filter(users::Column::Id.is_in(chunk.iter().map(|a| a.user_id)))
            .all(&txn)
            .await?
        {
            accounts.insert(u.id, u);
        }
    }
    let now = Utc::now();
    let week = crate::leaderboard::standings::current_week(&txn).await?;
    let mut refused = FieldErrors::new();
    let unit = match (action, input.work_unit_id) {
        ("move", Some(u)) => {
            let found = work_units::Entity::find_by_id(u)
                .one(&txn)
                .await?
                .filter(|w| user.scope().allows_work_unit(w.institution_id, &w.path));
            match found {
                Some(w) => Some(w),
                None => {
                    return Err(AppError::Validation(FieldErrors::single(
                        "work_unit_id",
                        Msg::conflict("users.work_unit_unknown"),
                    )))
                }
            }
        }
        _ => None,
    };
    match action {
        "approve" => {
            let (required, _) = crate::settings::service::thresholds(db).await?;
            let pending: Vec<i64> = people.iter().map(|a| a.id).collect();
            let short =
                crate::ambassadors::attention::needing_attention(&txn, &required, &pending).await?;
            for a in &people {
                if a.status != "pending" {
                    refuse(&mut refused, a.id, "roster.bulk_not_pending");
                } else if short.contains(&a.id) {
                    refuse(&mut refused, a.id, "roster.bulk_not_eligible");
                } else if accounts
                    .get(&a.user_id)
                    .is_some_and(|u| u.email_unconfirmed_since.is_some())
                {
                    refuse(&mut refused, a.id, "vetting.email_unconfirmed");
                }
            }
        }
        "invite" => {
            for a in &people {
                let pending = accounts
                    .get(&a.user_id)
                    .is_some_and(|u| u.is_active && u.invitation_pending_since.is_some());
                if !pending {
                    refuse(&mut refused, a.id, "invite.accepted_already");
                }
            }
        }
        "remind" | "suspend" => {
            for a in &people {
                if a.status != "approved" {
                    refuse(&mut refused, a.id, "roster.bulk_not_approved");
                }
            }
        }
        _ => {
            for a in &people {
                if unit
                    .as_ref()
                    .is_some_and(|w| w.institution_id != a.institution_id)
                {
                    refuse(&mut refused, a.id, "users.work_unit_unknown");
                }
            }
        }
    }
    refused.into_result()?;

    let today = crate::settings::service::programme_today(db).await?;
    let mut invitations = Vec::new();
    let mut to_tell: Vec<i64> = Vec::new();
    for a in &people {
        let detail;
        let audit_action = match action {
            "approve" => {
                let mut m: ambassadors::ActiveModel = a.clone().into();
                m.status = Set("approved".into());
                m.member_since = Set(Some(today));
                m.rejection_reason = Set(None);
                m.decided_at = Set(Some(now));
                m.decided_by = Set(Some(user.id()));
                m.updated_at = Set(now);
                m.update(&txn).await?;
                detail = serde_json::json!({ "from": a.status, "to": "approved", "member_since": today, "bulk": true });
                "ambassador.approved"
            }
            "invite" => {
                let issued =
                    crate::auth::invite::issue(&txn, cfg, a.user_id, Some(user.id())).await?;
                invitations.push((a.clone(), issued));
                detail = serde_json::json!({ "bulk": true });
                "user.invitation_sent"
            }
            "remind" => {
                to_tell.push(a.user_id);
                detail = serde_json::json!({ "week": week, "bulk": true });
                "ambassador.reminded"
            }
            "suspend" => {
                membership_breaks::ActiveModel {
                    ambassador_id: Set(a.id),
                    kind: Set("suspended".into()),
                    reason: Set(reason.clone().unwrap_or_default()),
                    from_week: Set(week),
                    until_week: Set(None),
                    created_by: Set(Some(user.id())),
                    created_at: Set(now),
                    ended_by: Set(None),
                    ended_at: Set(None),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                let mut m: ambassadors::ActiveModel = a.clone().into();
                m.status = Set("suspended".into());
                m.updated_at = Set(now);
                m.update(&txn).await?;
                to_tell.push(a.user_id);
                detail = serde_json::json!({ "from": a.status, "to": "suspended", "reason": reason, "week": week, "bulk": true });
                "ambassador.suspended"
            }
            _ => {
                detail = serde_json::json!({
                    "fields": ["work_unit_id"],
                    "from_work_unit": a.work_unit_id,
                    "to_work_unit": unit.as_ref().map(|w| w.id),
                    "bulk": true,
                });
                "ambassador.corrected"
            }
        };
        let (target_type, target_id) = if action == "invite" {
            ("user", a.user_id)
        } else {
            ("ambassador", a.id)
        };
        audit::record(
            &txn,
            audit::Entry {
                actor: Some(user),
                action: audit_action,
                target_type,
                target_id: Some(target_id),
                institution_id: Some(a.institution_id),
                detail,
                ip: Some(ip),
            },
        )
        .await?;
    }
    if let Some(w) = &unit {
        for chunk in ids.chunks(1_000) {
            ambassadors::Entity::update_many()
                .col_expr(ambassadors::Column::WorkUnitId, Expr::value(w.id))
                .col_expr(ambassadors::Column::UpdatedAt, Expr::value(now))
                .filter(ambassadors::Column::Id.is_in(chunk.iter().copied()))
                .exec(&txn)
                .await?;
        }
        let user_ids: Vec<i64> = people.iter().map(|a| a.user_id).collect();
        for chunk in user_ids.chunks(1_000) {
            users::Entity::update_many()
                .col_expr(users::Column::WorkUnitId, Expr::value(w.id))
                .filter(users::Column::Id.is_in(chunk.iter().copied()))
                .exec(&txn)
                .await?;
        }
    }
    if !to_tell.is_empty() {
        let kind = if action == "suspend" {
            "membership_suspended"
        } else {
            "weekly_reminder"
        };
        for chunk in to_tell.chunks(500) {
            notifications::Entity::insert_many(chunk.iter().map(|u| notifications::ActiveModel {
                user_id: Set(*u),
                kind: Set(kind.to_string()),
                brief_id: Set(None),
                created_at: Set(now),
                read_at: Set(None),
                ..Default::default()
            }))
            .exec_without_returning(&txn)
            .await?;
        }
    }
    if matches!(action, "approve" | "suspend" | "move") {
        crate::leaderboard::standings::refresh(&txn, &ids).await?;
    }
    txn.commit().await?;
    // As a single decision would: the decision email, or the suspension's (SMTP on).
    if mailer.is_enabled() && matches!(action, "approve" | "suspend") {
        for a in &people {
            if action == "approve" {
                if let Some(saved) = ambassadors::Entity::find_by_id(a.id).one(db).await? {
                    crate::vetting::service::notify_candidate(db, mailer, &saved).await;
                }
            } else {
                let step = crate::vetting::lifecycle::Step::Suspend;
                crate::vetting::lifecycle::tell(db, mailer, a, step, reason.as_deref()).await;
            }
        }
    }
    let done = people.len();
    let invitations = invitations
        .into_iter()
        .filter_map(|(a, issued)| {
            let person = accounts.get(&a.user_id)?;
            Some(BulkInvitation {
                id: a.id,
                name: person.name.clone(),
                invitation: crate::auth::invite::pass_on(
                    mailer,
                    cfg,
                    person,
                    Some(&a.phone),
                    &issued,
                    origin,
                    Some(&user.user.name),
                ),
            })
        })
        .collect();
    Ok(BulkDone {
        action: action.to_string(),
        done,
        invitations,
    })
}
