//! Confirming a candidate's email address. While Duta sends email, a candidate who signs up
//! gets a link (good once, for 7 days, only the newest); until they open it the application
//! stays out of the vetting queue and cannot be approved. They can ask for the link again
//! from their status page. Without SMTP nothing could be confirmed, so nothing is asked.

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::guards::CurrentUser;
use super::throttle;
use super::tokens::{self, Found, Issued, Purpose};
use crate::audit::record as audit;
use crate::config::AppConfig;
use crate::db::begin_write;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::notify::Mailer;
use crate::web::i18n::{self, Lang};
use entity::users;

/// Where a confirmation link leads; the token follows.
pub const CONFIRM_PATH: &str = "/email/confirm/";
/// How long a confirmation link works.
pub const VALID_DAYS: i64 = 7;
const WINDOW_MINUTES: i64 = 60;

/// Makes the account's confirmation link (older ones stop working). Call it inside the
/// transaction that marks the account unconfirmed.
pub async fn issue(db: &impl ConnectionTrait, user_id: i64) -> AppResult<Issued> {
    tokens::issue(
        db,
        user_id,
        Purpose::EmailConfirmation,
        Duration::days(VALID_DAYS),
        None,
    )
    .await
}

/// Emails the link (in the person's language), off the request path.
pub fn send(mailer: &Mailer, cfg_language: Lang, user: &users::Model, issued: &Issued) {
    let Some(link) = mailer.link(&format!("{CONFIRM_PATH}{}", issued.token)) else {
        return;
    };
    let lang = user
        .language
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or(cfg_language);
    let days = VALID_DAYS.to_string();
    let subject = i18n::t(lang, "mail.confirm_subject");
    let body = i18n::t_with(
        lang,
        "mail.confirm_body",
        &[("url", &link), ("days", &days), ("name", user.name.trim())],
    );
    mailer.spawn_text(
        "email confirmation",
        user.id,
        &user.email,
        &user.name,
        subject,
        body,
    );
}

/// What a confirmation link says when it cannot be used.
const DEAD: tokens::DeadKeys = tokens::DeadKeys {
    spent: "confirm.link_spent",
    expired: "confirm.link_expired",
};

/// The account a confirmation link is for, while the link works; otherwise why not.
pub async fn link_account(db: &DatabaseConnection, token: &str) -> AppResult<users::Model> {
    Ok(tokens::open(db, token, Purpose::EmailConfirmation, DEAD)
        .await?
        .1)
}

/// Confirms the address with the link's token (once): the application enters the queue.
pub async fn confirm(
    db: &DatabaseConnection,
    mailer: &Mailer,
    token: &str,
    ip: &ClientIp,
) -> AppResult<users::Model> {
    let (link, user) = tokens::open(db, token, Purpose::EmailConfirmation, DEAD).await?;
    let txn = begin_write(db).await?;
    if !tokens::consume(&txn, link.id).await? {
        return Err(tokens::dead(&Found::Spent, DEAD));
    }
    users::Entity::update_many()
        .col_expr(
            users::Column::EmailUnconfirmedSince,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(users::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(users::Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: None,
            action: "user.email_confirmed",
            target_type: "user",
            target_id: Some(user.id),
            institution_id: user.institution_id,
            detail: serde_json::json!({}),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    // The application waits for vetting from now: its coordinators are told.
    if let Some(amb) = crate::ambassadors::service::find_ambassador_by_user(db, user.id).await? {
        crate::vetting::notice::candidate_waiting(db, mailer, amb.id).await;
    }
    users::Entity::find_by_id(user.id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Sends the signed-in candidate a new confirmation link (the older one stops working):
/// 409 when their address needs no confirmation, 429 past 3 an hour
/// (`password_reset_max_per_account`).
pub async fn resend(
    db: &DatabaseConnection,
    cfg: &AppConfig,
    mailer: &Mailer,
    user: &CurrentUser,
    ip: &ClientIp,
) -> AppResult<()> {
    let fresh = users::Entity::find_by_id(user.id())
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if fresh.email_unconfirmed_since.is_none() || !mailer.is_enabled() {
        return Err(AppError::Validation(FieldErrors::single(
            "email",
            Msg::conflict("confirm.not_needed"),
        )));
    }
    let bucket = format!("confirm-account:{}", fresh.id);
    throttle::check_buckets(
        db,
        WINDOW_MINUTES,
        &[(&bucket, cfg.password_reset_max_per_account)],
    )
    .await?;
    let txn = begin_write(db).await?;
    throttle::record(&txn, WINDOW_MINUTES, &[&bucket]).await?;
    let issued = issue(&txn, fresh.id).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "user.email_confirmation_sent",
            target_type: "user",
            target_id: Some(fresh.id),
            institution_id: fresh.institution_id,
            detail: serde_json::json!({ "expires_at": issued.expires_at }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    send(mailer, cfg.default_language, &fresh, &issued);
    Ok(())
}
