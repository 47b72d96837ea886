//! Invitations: a staff account an admin makes, or an ambassador a coordinator imports
//! from the roster, gets a single-use link with which the person sets their own first
//! password, instead of a password typed by someone else.
//!
//! Rules:
//! - Until it is accepted the account has no password anyone knows (the hash of a random
//!   secret nobody keeps) and `invitation_pending_since` is set; lists show it as "not
//!   accepted".
//! - The link works once, for `invitation_days` (7 by default), and only while it is the
//!   person's newest; staff send it again (a new link, the old one stops working) or
//!   revoke it (nobody can use it; sending again makes a new one).
//! - It is emailed when Duta sends email, and always shown to the sender to copy or send
//!   over WhatsApp.
//! - Accepting sets the password, ends any other session, signs the person in and is
//!   audited. A reset link used before the invitation accepts it too.

use chrono::Duration;
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::guards::CurrentUser;
use super::jwt::JwtKeys;
use super::passwords::Hasher;
use super::reset::{self, lang_of, LinkToPassOn};
use super::service::Session;
use super::tokens::{self, Issued, Purpose};
use crate::audit::record as audit;
use crate::config::AppConfig;
use crate::db::begin_write;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::notify::Mailer;
use crate::web::i18n;
use entity::users;

/// Where an invitation leads; the token follows.
pub const INVITE_PATH: &str = "/invitation/";

/// What an invitation link says when it cannot be used.
const DEAD: tokens::DeadKeys = tokens::DeadKeys {
    spent: "invite.link_spent",
    expired: "invite.link_expired",
};

/// Makes the invitation of the account `user_id`, just created without a password, inside
/// the transaction that created it.
pub async fn issue(
    db: &impl ConnectionTrait,
    cfg: &AppConfig,
    user_id: i64,
    sent_by: Option<i64>,
) -> AppResult<Issued> {
    tokens::issue(
        db,
        user_id,
        Purpose::Invitation,
        Duration::days(cfg.invitation_days),
        sent_by,
    )
    .await
}

/// After the invitation's transaction: the link (on the mailer's public address, else the
/// request's origin), emailed when SMTP is on, with a WhatsApp message to the ambassador's
/// mobile number (`phone`), or to a chat the sender picks.
pub fn pass_on(
    mailer: &Mailer,
    cfg: &AppConfig,
    user: &users::Model,
    phone: Option<&str>,
    issued: &Issued,
    origin: &str,
    sent_by: Option<&str>,
) -> LinkToPassOn {
    let path = format!("{INVITE_PATH}{}", issued.token);
    let link = mailer
        .link(&path)
        .unwrap_or_else(|| format!("{}{path}", origin.trim_end_matches('/')));
    let lang = lang_of(user, cfg);
    let days = cfg.invitation_days.to_string();
    let by = sent_by.map(str::trim).unwrap_or("Duta");
    let vars = [
        ("url", link.as_str()),
        ("days", days.as_str()),
        ("name", user.name.trim()),
        ("by", by),
    ];
    mailer.spawn_text(
        "invitation",
        user.id,
        &user.email,
        &user.name,
        i18n::t(lang, "mail.invite_subject"),
        i18n::t_with(lang, "mail.invite_body", &vars),
    );
    let text = i18n::t_with(lang, "invite.whatsapp", &vars);
    let whatsapp_url = phone
        .and_then(|p| crate::submissions::rules::wa_message_link(p, &text))
        .or_else(|| Some(crate::briefs::rules::wa_share_link(&text)));
    LinkToPassOn {
        link,
        expires_at: issued.expires_at,
        emailed: mailer.is_enabled(),
        whatsapp_url,
    }
}

fn accepted_already() -> AppError {
    AppError::Validation(FieldErrors::single(
        "user",
        Msg::conflict("invite.accepted_already"),
    ))
}

/// Sends the user `id` a new invitation (their older link stops working): admins anyone,
/// coordinators the ambassadors in their scope. 409 when the account is inactive or has
/// accepted already.
#[allow(clippy::too_many_arguments)]
pub async fn send_again(
    db: &DatabaseConnection,
    cfg: &AppConfig,
    mailer: &Mailer,
    actor: &CurrentUser,
    id: i64,
    origin: &str,
    ip: &ClientIp,
) -> AppResult<LinkToPassOn> {
    let txn = begin_write(db).await?;
    let (user, amb) = reset::managed_user(&txn, actor, id).await?;
    if !user.is_active {
        return Err(reset::inactive());
    }
    if user.invitation_pending_since.is_none() {
        return Err(accepted_already());
    }
    let issued = issue(&txn, cfg, user.id, Some(actor.id())).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(actor),
            action: "user.invitation_sent",
            target_type: "user",
            target_id: Some(user.id),
            institution_id: user.institution_id,
            detail: serde_json::json!({ "expires_at": issued.expires_at, "emailed": mailer.is_enabled() }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(pass_on(
        mailer,
        cfg,
        &user,
        amb.as_ref().map(|a| a.phone.as_str()),
        &issued,
        origin,
        Some(&actor.user.name),
    ))
}

/// Stops the user's open invitation link from working (sent to the wrong address, say);
/// the account stays waiting, and sending again makes a new link. 409 when the account has
/// accepted already.
pub async fn revoke(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
    ip: &ClientIp,
) -> AppResult<()> {
    let txn = begin_write(db).await?;
    let (user, _) = reset::managed_user(&txn, actor, id).await?;
    if user.invitation_pending_since.is_none() {
        return Err(accepted_already());
    }
    tokens::revoke_open(&txn, user.id, Purpose::Invitation).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(actor),
            action: "user.invitation_revoked",
            target_type: "user",
            target_id: Some(user.id),
            institution_id: user.institution_id,
            detail: serde_json::json!({}),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The account an invitation link opens, while it works; otherwise why not (404 or 409).
pub async fn link_account(db: &DatabaseConnection, token: &str) -> AppResult<users::Model> {
    Ok(tokens::open(db, token, Purpose::Invitation, DEAD).await?.1)
}

/// Accepts an invitation (once): sets the first password and signs the person in.
pub async fn accept(
    db: &DatabaseConnection,
    keys: &JwtKeys,
    hasher: &Hasher,
    token: &str,
    new: &str,
    confirm: &str,
    ip: &ClientIp,
) -> AppResult<Session> {
    let how = reset::LinkUse {
        purpose: Purpose::Invitation,
        dead: DEAD,
        action: "user.invitation_accepted",
        made_by_key: "sent_by",
    };
    let updated = reset::set_password_with_link(db, hasher, &how, token, new, confirm, ip).await?;
    super::service::start_session(db, keys, updated).await
}
