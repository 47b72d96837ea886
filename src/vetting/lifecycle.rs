//! An approved ambassador's membership after vetting: a coordinator suspends them (with a
//! reason shown to them), reinstates them, or removes them from the programme.
//!
//! Rules:
//! - Suspension and removal take effect from the current week (in the programme's time
//!   zone): from it on the person is off the board, gets no reminders, is not expected to
//!   post, and cannot submit posts; their earlier weeks stay in the board's history and the
//!   statistics as they were. They can still sign in, read their status (with the reason)
//!   and reach their own data.
//! - Reinstatement ends the break at the start of the current week: the weeks in between
//!   count as grace weeks on the board and as not expected in the statistics. Suspended or
//!   removed in the same week as reinstated, no week is lost.
//! - Each step is one transaction with its audit row and an in-app notification; the
//!   person is emailed too when Duta sends email.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;

use crate::audit::record as audit;
use crate::auth::guards::CurrentUser;
use crate::db::begin_write;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::notify::Mailer;
use crate::web::i18n::{self, Lang};
use entity::{ambassadors, membership_breaks, notifications, users};

/// Why someone is suspended or removed: 5 to 1,000 characters, shown to them.
pub const REASON: crate::text::Text = crate::text::Text::lines(5, 1_000);

/// A change of membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Suspend,
    Remove,
    Reinstate,
}

impl Step {
    /// The statuses the step starts from.
    fn from(self) -> &'static [&'static str] {
        match self {
            Step::Suspend => &["approved"],
            Step::Remove => &["approved", "suspended"],
            Step::Reinstate => &["suspended", "removed"],
        }
    }

    fn to(self) -> &'static str {
        match self {
            Step::Suspend => "suspended",
            Step::Remove => "removed",
            Step::Reinstate => "approved",
        }
    }

    /// The audit action, notification kind and catalogue key stem.
    fn name(self) -> &'static str {
        match self {
            Step::Suspend => "suspended",
            Step::Remove => "removed",
            Step::Reinstate => "reinstated",
        }
    }
}

/// A suspension or removal as the person and their coordinators see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BreakView {
    /// `suspended` or `removed`.
    pub kind: String,
    pub reason: String,
    /// The Monday of the first week out.
    #[schema(value_type = String)]
    pub from_week: chrono::NaiveDate,
    /// The Monday of the week back; none while it lasts.
    #[schema(value_type = Option<String>)]
    pub until_week: Option<chrono::NaiveDate>,
}

impl From<membership_breaks::Model> for BreakView {
    fn from(b: membership_breaks::Model) -> Self {
        BreakView {
            kind: b.kind,
            reason: b.reason,
            from_week: b.from_week,
            until_week: b.until_week,
        }
    }
}

/// The ambassador's break that lasts now, if any.
pub async fn open_break(
    db: &impl sea_orm::ConnectionTrait,
    ambassador_id: i64,
) -> AppResult<Option<membership_breaks::Model>> {
    Ok(membership_breaks::Entity::find()
        .filter(membership_breaks::Column::AmbassadorId.eq(ambassador_id))
        .filter(membership_breaks::Column::UntilWeek.is_null())
        .order_by_desc(membership_breaks::Column::Id)
        .one(db)
        .await?)
}

/// Every break of the ambassador, newest first.
pub async fn breaks(
    db: &impl sea_orm::ConnectionTrait,
    ambassador_id: i64,
) -> AppResult<Vec<BreakView>> {
    Ok(membership_breaks::Entity::find()
        .filter(membership_breaks::Column::AmbassadorId.eq(ambassador_id))
        .order_by_desc(membership_breaks::Column::FromWeek)
        .order_by_desc(membership_breaks::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(BreakView::from)
        .collect())
}

/// Takes one step for the ambassador `id` in the caller's scope (404 outside it); 409 from
/// a status the step does not start from; 422 for a missing or overlong reason (suspension
/// and removal).
pub async fn change(
    db: &DatabaseConnection,
    mailer: &Mailer,
    user: &CurrentUser,
    id: i64,
    step: Step,
    reason: Option<&str>,
    ip: &ClientIp,
) -> AppResult<ambassadors::Model> {
    super::service::get_candidate_for(db, user, id).await?;
    let reason = match step {
        Step::Reinstate => None,
        _ => Some(REASON.clean(reason.unwrap_or("")).ok_or_else(|| {
            AppError::Validation(FieldErrors::single(
                "reason",
                Msg::new("membership.reason_invalid"),
            ))
        })?),
    };
    let txn = begin_write(db).await?;
    crate::leaderboard::participation::lock(&txn, &[id]).await?;
    let amb = ambassadors::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if !step.from().contains(&amb.status.as_str()) {
        return Err(AppError::Validation(FieldErrors::single(
            "status",
            Msg::conflict(match step {
                Step::Suspend => "membership.cannot_suspend",
                Step::Remove => "membership.cannot_remove",
                Step::Reinstate => "membership.cannot_reinstate",
            }),
        )));
    }
    let now = Utc::now();
    let week = crate::leaderboard::standings::current_week(&txn).await?;
    let open = open_break(&txn, id).await?;
    match (step, open) {
        (Step::Reinstate, Some(b)) => {
            if b.from_week >= week {
                // Back in the week it began: no week was out.
                membership_breaks::Entity::delete_by_id(b.id)
                    .exec(&txn)
                    .await?;
            } else {
                let mut end: membership_breaks::ActiveModel = b.into();
                end.until_week = Set(Some(week));
                end.ended_by = Set(Some(user.id()));
                end.ended_at = Set(Some(now));
                end.update(&txn).await?;
            }
        }
        (Step::Reinstate, None) => {}
        (_, Some(b)) => {
            // Removed while suspended: the break goes on, as a removal.
            let mut b: membership_breaks::ActiveModel = b.into();
            b.kind = Set(step.to().to_string());
            b.reason = Set(reason.clone().unwrap_or_default());
            b.update(&txn).await?;
        }
        (_, None) => {
            membership_breaks::ActiveModel {
                ambassador_id: Set(id),
                kind: Set(step.to().to_string()),
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
        }
    }
    let mut active: ambassadors::ActiveModel = amb.clone().into();
    active.status = Set(step.to().to_string());
    active.updated_at = Set(now);
    let saved = active.update(&txn).await?;
    crate::leaderboard::standings::refresh(&txn, &[id]).await?;
    notifications::ActiveModel {
        user_id: Set(saved.user_id),
        kind: Set(format!("membership_{}", step.name())),
        brief_id: Set(None),
        created_at: Set(now),
        read_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: match step {
                Step::Suspend => "ambassador.suspended",
                Step::Remove => "ambassador.removed",
                Step::Reinstate => "ambassador.reinstated",
            },
            target_type: "ambassador",
            target_id: Some(id),
            institution_id: Some(saved.institution_id),
            detail: serde_json::json!({
                "from": amb.status,
                "to": saved.status,
                "reason": reason,
                "week": week,
            }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    tell(db, mailer, &saved, step, reason.as_deref()).await;
    Ok(saved)
}

/// Emails the person (when Duta sends email); a failure is logged, the change stands.
pub(crate) async fn tell(
    db: &DatabaseConnection,
    mailer: &Mailer,
    amb: &ambassadors::Model,
    step: Step,
    reason: Option<&str>,
) {
    if !mailer.is_enabled() {
        return;
    }
    let user = match users::Entity::find_by_id(amb.user_id).one(db).await {
        Ok(Some(u)) => u,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %e, "membership email skipped");
            return;
        }
    };
    let lang = user
        .language
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or(Lang::Id);
    let url = mailer.link("/me/status").unwrap_or_default();
    let name = step.name();
    let body = i18n::t_with(
        lang,
        &format!("mail.membership_{name}_body"),
        &[
            ("name", amb.display_name.trim()),
            ("reason", reason.unwrap_or("")),
            ("url", &url),
        ],
    );
    mailer.spawn_text(
        "membership",
        user.id,
        &user.email,
        &user.name,
        i18n::t(lang, &format!("mail.membership_{name}_subject")),
        body,
    );
}
