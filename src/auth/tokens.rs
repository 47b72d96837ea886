//! Single-use links that let a person in without a password (a forgotten password's
//! reset; invitations and email confirmations use the same rows). The link carries 32
//! random bytes; the database keeps only their SHA-256, so a copy of the database opens
//! nothing. A link is good once ([`consume`] claims it with one conditional update, so two
//! uses racing each other cannot both win), until it expires, and until a newer link of
//! the same purpose is made for the same person.

use aws_lc_rs::digest;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::error::AppResult;
use entity::{account_tokens, users};

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    PasswordReset,
    EmailConfirmation,
    /// A new account's first password (staff made by an admin, an imported ambassador).
    Invitation,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::PasswordReset => "password_reset",
            Purpose::EmailConfirmation => "email_confirmation",
            Purpose::Invitation => "invitation",
        }
    }
}

/// The longest token text looked up; anything longer is not a token of Duta's.
pub const MAX_TOKEN_CHARS: usize = 64;

/// How a link's token is stored and looked up: the SHA-256 of its text, in hex.
pub fn token_hash(token: &str) -> String {
    digest::digest(&digest::SHA256, token.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A link just made: the token (only ever in the link) and when it stops working.
pub struct Issued {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Makes a link of `purpose` for the user, valid for `valid_for`; earlier open links of the
/// same purpose for the same user stop working. Call it inside the transaction of the
/// change it belongs to.
pub async fn issue(
    db: &impl ConnectionTrait,
    user_id: i64,
    purpose: Purpose,
    valid_for: Duration,
    created_by: Option<i64>,
) -> AppResult<Issued> {
    let now = Utc::now();
    revoke_open(db, user_id, purpose).await?;
    let token = new_token();
    let expires_at = now + valid_for;
    account_tokens::Entity::insert(account_tokens::ActiveModel {
        user_id: Set(user_id),
        purpose: Set(purpose.as_str().to_string()),
        token_hash: Set(token_hash(&token)),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
        created_by: Set(created_by),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(Issued { token, expires_at })
}

/// Every open link of `purpose` for the user stops working.
pub async fn revoke_open(
    db: &impl ConnectionTrait,
    user_id: i64,
    purpose: Purpose,
) -> AppResult<()> {
    account_tokens::Entity::update_many()
        .col_expr(account_tokens::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(account_tokens::Column::UserId.eq(user_id))
        .filter(account_tokens::Column::Purpose.eq(purpose.as_str()))
        .filter(account_tokens::Column::UsedAt.is_null())
        .filter(account_tokens::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// What a link's token turned out to be.
#[derive(Debug)]
pub enum Found {
    /// Good: the link and its (active) account.
    Open(Box<account_tokens::Model>, Box<users::Model>),
    /// Used already, replaced by a newer link, or revoked.
    Spent,
    Expired,
    /// No such link of this purpose (mistyped, tampered with, or made up), or its account
    /// is no longer active.
    Unknown,
}

/// Looks a link's token up. The lookup is by the token's hash, so its time does not
/// depend on how much of a guess is right.
pub async fn find(db: &impl ConnectionTrait, token: &str, purpose: Purpose) -> AppResult<Found> {
    let token = token.trim();
    if token.is_empty() || token.len() > MAX_TOKEN_CHARS {
        return Ok(Found::Unknown);
    }
    let Some(row) = account_tokens::Entity::find()
        .filter(account_tokens::Column::TokenHash.eq(token_hash(token)))
        .one(db)
        .await?
    else {
        return Ok(Found::Unknown);
    };
    if row.purpose != purpose.as_str() {
        return Ok(Found::Unknown);
    }
    if row.used_at.is_some() || row.revoked_at.is_some() {
        return Ok(Found::Spent);
    }
    if row.expires_at <= Utc::now() {
        return Ok(Found::Expired);
    }
    match users::Entity::find_by_id(row.user_id).one(db).await? {
        Some(user) if user.is_active => Ok(Found::Open(Box::new(row), Box::new(user))),
        _ => Ok(Found::Unknown),
    }
}

/// The catalogue keys of what a link of one purpose says when it cannot be used: used or
/// replaced, and expired.
#[derive(Debug, Clone, Copy)]
pub struct DeadKeys {
    pub spent: &'static str,
    pub expired: &'static str,
}

/// Why a link cannot be used: 404 for a token Duta never made (mistyped, tampered with,
/// guessed) or whose account is inactive; 409 with the reason at `token` for one used,
/// replaced by a newer one, or expired.
pub fn dead(found: &Found, keys: DeadKeys) -> crate::error::AppError {
    use crate::error::{AppError, FieldErrors, Msg};
    let key = match found {
        Found::Spent => keys.spent,
        Found::Expired => keys.expired,
        _ => return AppError::NotFound,
    };
    AppError::Validation(FieldErrors::single("token", Msg::conflict(key)))
}

/// The open link of `purpose` with this token, and its account; otherwise [`dead`].
pub async fn open(
    db: &impl ConnectionTrait,
    token: &str,
    purpose: Purpose,
    keys: DeadKeys,
) -> AppResult<(account_tokens::Model, users::Model)> {
    match find(db, token, purpose).await? {
        Found::Open(link, user) => Ok((*link, *user)),
        other => Err(dead(&other, keys)),
    }
}

/// Claims an open link for this one use; false when another use claimed it first (or it
/// was revoked meanwhile). Call it inside the transaction of what the link does.
pub async fn consume(db: &impl ConnectionTrait, id: i64) -> AppResult<bool> {
    let now = Utc::now();
    let done = account_tokens::Entity::update_many()
        .col_expr(account_tokens::Column::UsedAt, Expr::value(now))
        .filter(account_tokens::Column::Id.eq(id))
        .filter(account_tokens::Column::UsedAt.is_null())
        .filter(account_tokens::Column::RevokedAt.is_null())
        .filter(account_tokens::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_as_their_hash() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "32 bytes in unpadded base64url");
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert!(a.len() <= MAX_TOKEN_CHARS);
        let h = token_hash(&a);
        assert_eq!(h.len(), 64);
        assert_ne!(h, a);
        assert_eq!(h, token_hash(&a));
        // The SHA-256 of "abc" (FIPS 180-2, appendix B.1).
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
