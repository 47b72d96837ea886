//! A forgotten password: the person asks for a link by email ("Lupa kata sandi?"), or an
//! admin (a coordinator, for their ambassadors) makes one and passes it on; the link sets a
//! new password once. And an admin (a coordinator, for their ambassadors) turning off the
//! two-step sign-in of someone who lost their authenticator.
//!
//! Rules:
//! - Asking answers the same whether or not the address has an account; every request
//!   counts against the address asked for and the client address (an hour's window), so
//!   the limits do not tell either.
//! - Without SMTP no link is made on request (nobody could receive it); staff make one.
//! - A link works once, for `password_reset_minutes`, and only while it is the person's
//!   newest; a new password ends every session (the security stamp rotates), forgives the
//!   account's failed sign-ins, and is audited. An account with two-step sign-in still
//!   needs its code after the reset: the link replaces the password, not the app.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use serde::Serialize;

use super::guards::CurrentUser;
use super::jwt::JwtKeys;
use super::passwords::{check_new_password, Hasher};
use super::roles::Role;
use super::rules::{new_stamp, normalize_email};
use super::service::Session;
use super::throttle;
use super::tokens::{self, Found, Purpose};
use crate::accounts::rules::is_valid_email;
use crate::audit::record as audit;
use crate::config::AppConfig;
use crate::db::begin_write;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::notify::Mailer;
use crate::web::i18n::{self, Lang};
use entity::{ambassadors, recovery_codes, users};

/// The window of the "forgot password" limits.
pub const REQUEST_WINDOW_MINUTES: i64 = 60;

/// Where a reset link leads; the token follows.
pub const RESET_PATH: &str = "/password/reset/";

/// The language of the person's emails and messages: their own, else the programme's.
pub(crate) fn lang_of(user: &users::Model, cfg: &AppConfig) -> Lang {
    user.language
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or(cfg.default_language)
}

/// "Forgot password": emails a reset link when the address has an active account and
/// SMTP is on. Answers `Ok` either way; 429 past the hour's limits; 422 for text that is
/// not an email address. The answer waits only for the request to be counted: looking the
/// address up, making the link and sending it happen after, so an address with an account
/// takes the same time to answer as one without.
pub async fn request_reset(
    db: &DatabaseConnection,
    cfg: &AppConfig,
    mailer: &Mailer,
    email: &str,
    ip: &ClientIp,
) -> AppResult<()> {
    let email = normalize_email(email);
    if !is_valid_email(&email) {
        return Err(AppError::Validation(FieldErrors::single(
            "email",
            Msg::new("users.email_invalid"),
        )));
    }
    let account = throttle::reset_account_bucket(&email);
    let address = throttle::reset_ip_bucket(&ip.key());
    throttle::check_buckets(
        db,
        REQUEST_WINDOW_MINUTES,
        &[
            (&account, cfg.password_reset_max_per_account),
            (&address, cfg.password_reset_max_per_ip),
        ],
    )
    .await?;
    let txn = begin_write(db).await?;
    throttle::record(&txn, REQUEST_WINDOW_MINUTES, &[&account, &address]).await?;
    txn.commit().await?;
    if mailer.is_enabled() {
        let (db, cfg, mailer, ip) = (db.clone(), cfg.clone(), mailer.clone(), ip.clone());
        tokio::spawn(async move {
            if let Err(e) = email_reset_link(&db, &cfg, &mailer, &email, &ip).await {
                tracing::warn!(error = %e, "password reset link not made");
            }
        });
    }
    Ok(())
}

/// Makes and emails a reset link to the active account with this (normalised) address,
/// if there is one.
async fn email_reset_link(
    db: &DatabaseConnection,
    cfg: &AppConfig,
    mailer: &Mailer,
    email: &str,
    ip: &ClientIp,
) -> AppResult<()> {
    let txn = begin_write(db).await?;
    let Some(user) = users::Entity::find()
        .filter(users::Column::Email.eq(email))
        .one(&txn)
        .await?
        .filter(|u| u.is_active)
    else {
        return Ok(());
    };
    let valid_for = Duration::minutes(cfg.password_reset_minutes);
    let issued = tokens::issue(&txn, user.id, Purpose::PasswordReset, valid_for, None).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: None,
            action: "user.password_reset_requested",
            target_type: "user",
            target_id: Some(user.id),
            institution_id: user.institution_id,
            detail: serde_json::json!({ "expires_at": issued.expires_at }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    if let Some(link) = mailer.link(&format!("{RESET_PATH}{}", issued.token)) {
        send_link_mail(mailer, cfg, &user, &link, None);
    }
    Ok(())
}

fn send_link_mail(
    mailer: &Mailer,
    cfg: &AppConfig,
    user: &users::Model,
    link: &str,
    sent_by: Option<&str>,
) {
    let lang = lang_of(user, cfg);
    let minutes = cfg.password_reset_minutes.to_string();
    let subject = i18n::t(lang, "mail.reset_subject");
    let mut body = i18n::t_with(
        lang,
        "mail.reset_body",
        &[
            ("url", link),
            ("minutes", &minutes),
            ("name", user.name.trim()),
        ],
    );
    if let Some(by) = sent_by {
        body.push_str("\n\n");
        body.push_str(&i18n::t_with(lang, "mail.reset_sent_by", &[("by", by)]));
    }
    mailer.spawn_text(
        "password reset",
        user.id,
        &user.email,
        &user.name,
        subject,
        body,
    );
}

/// What a reset link says when it cannot be used.
const DEAD: tokens::DeadKeys = tokens::DeadKeys {
    spent: "reset.link_spent",
    expired: "reset.link_expired",
};

/// The account a reset link opens, while it works; otherwise why not (404 or 409).
pub async fn link_account(db: &DatabaseConnection, token: &str) -> AppResult<users::Model> {
    Ok(tokens::open(db, token, Purpose::PasswordReset, DEAD)
        .await?
        .1)
}

/// What a used reset link leads to.
pub enum Reset {
    /// Signed in with the new password.
    Session(Session),
    /// The password is set; the account's two-step sign-in comes next, at the sign-in page.
    NeedsCode(users::Model),
}

/// Sets a new password with a reset link (once).
pub async fn reset_password(
    db: &DatabaseConnection,
    keys: &JwtKeys,
    hasher: &Hasher,
    token: &str,
    new: &str,
    confirm: &str,
    ip: &ClientIp,
) -> AppResult<Reset> {
    let done = LinkUse {
        purpose: Purpose::PasswordReset,
        dead: DEAD,
        action: "user.password_reset",
        made_by_key: "link_made_by",
    };
    let updated = set_password_with_link(db, hasher, &done, token, new, confirm, ip).await?;
    if updated.totp_enabled_at.is_some() {
        return Ok(Reset::NeedsCode(updated));
    }
    Ok(Reset::Session(
        super::service::start_session(db, keys, updated).await?,
    ))
}

/// What a single-use link that sets a password is, as [`set_password_with_link`] uses it.
pub(crate) struct LinkUse {
    pub purpose: Purpose,
    pub dead: tokens::DeadKeys,
    /// The audit action.
    pub action: &'static str,
    /// Where the audit row names who made the link.
    pub made_by_key: &'static str,
}

/// Sets a password with a reset link or an invitation (once): the password rules and the
/// confirmation, then in one transaction the link claimed, the password and a new security
/// stamp (every other session ends), any pending invitation accepted, the person's open
/// links of both kinds revoked, their failed sign-ins forgiven, and the audit row.
pub(crate) async fn set_password_with_link(
    db: &DatabaseConnection,
    hasher: &Hasher,
    how: &LinkUse,
    token: &str,
    new: &str,
    confirm: &str,
    ip: &ClientIp,
) -> AppResult<users::Model> {
    let (link, user) = tokens::open(db, token, how.purpose, how.dead).await?;
    let mut errors = check_new_password("new_password", new, &user.email);
    if errors.is_empty() && new != confirm {
        errors.add("confirm_password", Msg::new("password.mismatch"));
    }
    errors.into_result()?;
    let hash = hasher.hash(new).await?;
    let txn = begin_write(db).await?;
    if !tokens::consume(&txn, link.id).await? {
        return Err(tokens::dead(&Found::Spent, how.dead));
    }
    let fresh = users::Entity::find_by_id(user.id)
        .one(&txn)
        .await?
        .filter(|u| u.is_active)
        .ok_or(AppError::NotFound)?;
    let mut active: users::ActiveModel = fresh.into();
    active.password_hash = Set(hash);
    active.security_stamp = Set(new_stamp());
    active.invitation_pending_since = Set(None);
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    tokens::revoke_open(&txn, updated.id, Purpose::PasswordReset).await?;
    tokens::revoke_open(&txn, updated.id, Purpose::Invitation).await?;
    throttle::clear_account(&txn, &throttle::account_bucket(&updated.email)).await?;
    let mut detail = serde_json::Map::new();
    detail.insert(how.made_by_key.into(), serde_json::json!(link.created_by));
    audit::record(
        &txn,
        audit::Entry {
            actor: None,
            action: how.action,
            target_type: "user",
            target_id: Some(updated.id),
            institution_id: updated.institution_id,
            detail: serde_json::Value::Object(detail),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// A single-use link made by staff for someone, to pass on: a reset link or an
/// invitation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LinkToPassOn {
    /// The link itself: whoever opens it may set the person's password, once.
    pub link: String,
    pub expires_at: DateTime<Utc>,
    /// Whether it was also emailed to the person (SMTP on).
    pub emailed: bool,
    /// A `wa.me` link with the message typed in: to the ambassador's mobile number, or
    /// (an invitation to someone without one) to a chat the sender picks. None for a reset
    /// link of someone without a mobile number.
    pub whatsapp_url: Option<String>,
}

/// The user `id` as `actor` may manage their sign-in: admins anyone, coordinators the
/// ambassadors in their scope; 404 for anyone else, 403 for other roles.
pub(crate) async fn managed_user(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    id: i64,
) -> AppResult<(users::Model, Option<ambassadors::Model>)> {
    let user = match actor.role {
        Role::Admin | Role::Coordinator => users::Entity::find_by_id(id).one(db).await?,
        _ => return Err(AppError::Forbidden),
    }
    .ok_or(AppError::NotFound)?;
    let amb = if user.role == Role::Ambassador.as_str() {
        crate::ambassadors::service::scoped(actor)
            .filter(ambassadors::Column::UserId.eq(user.id))
            .one(db)
            .await?
    } else {
        None
    };
    if actor.role == Role::Coordinator && amb.is_none() {
        return Err(AppError::NotFound);
    }
    Ok((user, amb))
}

pub(crate) fn inactive() -> AppError {
    AppError::Validation(FieldErrors::single("user", Msg::conflict("reset.inactive")))
}

/// Makes a reset link for the user `id`, emails it to them when SMTP is on, and returns it
/// to pass on (with a WhatsApp message for an ambassador). Audited.
#[allow(clippy::too_many_arguments)]
pub async fn send_reset_link(
    db: &DatabaseConnection,
    cfg: &AppConfig,
    mailer: &Mailer,
    actor: &CurrentUser,
    id: i64,
    origin: &str,
    ip: &ClientIp,
) -> AppResult<LinkToPassOn> {
    let txn = begin_write(db).await?;
    let (user, amb) = managed_user(&txn, actor, id).await?;
    if !user.is_active {
        return Err(inactive());
    }
    let valid_for = Duration::minutes(cfg.password_reset_minutes);
    let issued = tokens::issue(
        &txn,
        user.id,
        Purpose::PasswordReset,
        valid_for,
        Some(actor.id()),
    )
    .await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(actor),
            action: "user.password_reset_link_made",
            target_type: "user",
            target_id: Some(user.id),
            institution_id: user.institution_id,
            detail: serde_json::json!({ "expires_at": issued.expires_at, "emailed": mailer.is_enabled() }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    let path = format!("{RESET_PATH}{}", issued.token);
    let link = mailer
        .link(&path)
        .unwrap_or_else(|| format!("{}{path}", origin.trim_end_matches('/')));
    send_link_mail(mailer, cfg, &user, &link, Some(&actor.user.name));
    let whatsapp_url = amb.and_then(|a| {
        let text = i18n::t_with(
            lang_of(&user, cfg),
            "reset.whatsapp",
            &[("url", &link), ("name", a.display_name.trim())],
        );
        crate::submissions::rules::wa_message_link(&a.phone, &text)
    });
    Ok(LinkToPassOn {
        link,
        expires_at: issued.expires_at,
        emailed: mailer.is_enabled(),
        whatsapp_url,
    })
}

/// Turns off the two-step sign-in of the user `id` (who lost their authenticator): the
/// app's secret and the recovery codes go, every session ends, the person is emailed, and
/// it is audited. A staff member of a programme that requires it sets it up again at the
/// next sign-in.
pub async fn reset_two_factor(
    db: &DatabaseConnection,
    cfg: &AppConfig,
    mailer: &Mailer,
    actor: &CurrentUser,
    id: i64,
    ip: &ClientIp,
) -> AppResult<()> {
    let txn = begin_write(db).await?;
    let (user, _) = managed_user(&txn, actor, id).await?;
    if user.totp_enabled_at.is_none() {
        return Err(AppError::Validation(FieldErrors::single(
            "user",
            Msg::conflict("reset.two_factor_off"),
        )));
    }
    let mut active: users::ActiveModel = user.clone().into();
    active.totp_secret = Set(None);
    active.totp_enabled_at = Set(None);
    active.totp_last_step = Set(None);
    active.security_stamp = Set(new_stamp());
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
    recovery_codes::Entity::delete_many()
        .filter(recovery_codes::Column::UserId.eq(user.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(actor),
            action: "user.two_factor_reset",
            target_type: "user",
            target_id: Some(user.id),
            institution_id: user.institution_id,
            detail: serde_json::json!({}),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    let lang = lang_of(&user, cfg);
    let subject = i18n::t(lang, "mail.two_factor_reset_subject");
    let body = i18n::t_with(
        lang,
        "mail.two_factor_reset_body",
        &[("name", user.name.trim()), ("by", actor.user.name.trim())],
    );
    mailer.spawn_text(
        "two-step reset",
        user.id,
        &user.email,
        &user.name,
        subject,
        body,
    );
    Ok(())
}
