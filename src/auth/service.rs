//! Sign-in, sign-out and password change.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use super::guards::CurrentUser;
use super::jwt::JwtKeys;
use super::passwords::{check_new_password, Hasher, MAX_PASSWORD_CHARS};
use super::rules::{new_stamp, normalize_email};
use super::throttle;
use crate::audit::record as audit;
use crate::config::AppConfig;
use crate::db::begin_write;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::nip::NipKey;
use entity::users;

/// What a right password leads to.
pub enum LoginOutcome {
    Session(Session),
    /// The account uses two-step sign-in: a code of its app is needed first.
    NeedsCode(users::Model),
}

pub struct Session {
    pub user: users::Model,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Checks the password and issues a session. An unknown email, an inactive account and
/// a wrong password all get the same answer, after the same amount of work.
pub async fn login(
    db: &DatabaseConnection,
    cfg: &AppConfig,
    keys: &JwtKeys,
    hasher: &Hasher,
    email: &str,
    password: &str,
    ip: &ClientIp,
) -> AppResult<LoginOutcome> {
    let email = normalize_email(email);
    let account = throttle::account_bucket(&email);
    let address = throttle::ip_bucket(&ip.key());
    throttle::check(db, cfg, &account, &address).await?;

    let user = if email.len() <= 254 {
        users::Entity::find()
            .filter(users::Column::Email.eq(email.as_str()))
            .one(db)
            .await?
    } else {
        None
    };
    let usable = user.as_ref().filter(|u| u.is_active);
    let password_ok = password.chars().count() <= MAX_PASSWORD_CHARS
        && hasher
            .verify(password, usable.map(|u| u.password_hash.as_str()))
            .await?;
    let user = match (password_ok, usable) {
        (true, Some(u)) => u.clone(),
        _ => {
            throttle::record_failure(db, cfg, &account, &address).await?;
            return Err(AppError::BadCredentials);
        }
    };
    if user.totp_enabled_at.is_some() {
        // The failures are cleared once the code is right too.
        return Ok(LoginOutcome::NeedsCode(user));
    }
    throttle::clear_account(db, &account).await?;
    Ok(LoginOutcome::Session(start_session(db, keys, user).await?))
}

pub(crate) async fn start_session(
    db: &DatabaseConnection,
    keys: &JwtKeys,
    user: users::Model,
) -> AppResult<Session> {
    let mut active: users::ActiveModel = user.into();
    active.last_login_at = Set(Some(Utc::now()));
    let user = active.update(db).await?;
    let (token, expires_at) = keys
        .issue(user.id, &user.role, &user.security_stamp)
        .map_err(AppError::internal)?;
    Ok(Session {
        user,
        token,
        expires_at,
    })
}

/// The account behind a two-step sign-in ticket, while it is valid and the account
/// unchanged (same security stamp, still active).
pub async fn ticket_user(
    db: &DatabaseConnection,
    keys: &JwtKeys,
    ticket: &str,
) -> AppResult<Option<users::Model>> {
    let Some(claims) = keys.verify_ticket(ticket) else {
        return Ok(None);
    };
    let Ok(id) = claims.sub.parse::<i64>() else {
        return Ok(None);
    };
    Ok(users::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|u| u.is_active && u.security_stamp == claims.stamp))
}

/// The second step of a sign-in: a code of the account's app or one of its recovery
/// codes. A wrong code counts as a failed sign-in for throttling.
pub async fn finish_login(
    db: &DatabaseConnection,
    cfg: &AppConfig,
    keys: &JwtKeys,
    key: &NipKey,
    user: users::Model,
    code: &str,
    ip: &ClientIp,
) -> AppResult<Session> {
    let account = throttle::account_bucket(&user.email);
    let address = throttle::ip_bucket(&ip.key());
    throttle::check(db, cfg, &account, &address).await?;
    if code.trim().is_empty() {
        return Err(AppError::Validation(FieldErrors::single(
            "code",
            Msg::new("two_factor.code_required"),
        )));
    }
    if !super::two_factor::check_second_factor(db, key, &user, code).await? {
        throttle::record_failure(db, cfg, &account, &address).await?;
        return Err(AppError::Validation(FieldErrors::single(
            "code",
            Msg::new("two_factor.code_wrong"),
        )));
    }
    throttle::clear_account(db, &account).await?;
    start_session(db, keys, user).await
}

/// Ends every session of the user by rotating their security stamp.
pub async fn logout(db: &DatabaseConnection, user: &CurrentUser) -> AppResult<()> {
    let mut active: users::ActiveModel = user.user.clone().into();
    active.security_stamp = Set(new_stamp());
    active.updated_at = Set(Utc::now());
    active.update(db).await?;
    Ok(())
}

/// What a person types to change their password.
pub struct PasswordChange<'a> {
    pub current: &'a str,
    pub new: &'a str,
    pub confirm: &'a str,
}

/// Changes the password, revoking every other session; returns a fresh session token.
pub async fn change_password(
    db: &DatabaseConnection,
    keys: &JwtKeys,
    hasher: &Hasher,
    user: &CurrentUser,
    change: PasswordChange<'_>,
    ip: &ClientIp,
) -> AppResult<Session> {
    let PasswordChange {
        current,
        new,
        confirm,
    } = change;
    let mut errors = FieldErrors::new();
    let current_ok = current.chars().count() <= MAX_PASSWORD_CHARS
        && hasher
            .verify(current, Some(&user.user.password_hash))
            .await?;
    if !current_ok {
        errors.add("current_password", Msg::new("password.current_wrong"));
    }
    let rules = check_new_password("new_password", new, &user.user.email);
    let new_ok = rules.is_empty();
    errors.0.extend(rules.0);
    if new_ok && new != confirm {
        errors.add("confirm_password", Msg::new("password.mismatch"));
    }
    if new_ok && current_ok && new == current {
        errors.add("new_password", Msg::new("password.same_as_old"));
    }
    errors.into_result()?;
    let hash = hasher.hash(new).await?;
    let txn = begin_write(db).await?;
    let mut active: users::ActiveModel = user.user.clone().into();
    active.password_hash = Set(hash);
    active.security_stamp = Set(new_stamp());
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "user.password_changed",
            target_type: "user",
            target_id: Some(updated.id),
            institution_id: updated.institution_id,
            detail: serde_json::json!({}),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    let (token, expires_at) = keys
        .issue(updated.id, &updated.role, &updated.security_stamp)
        .map_err(AppError::internal)?;
    Ok(Session {
        user: updated,
        token,
        expires_at,
    })
}
