//! Two-step sign-in: setting up an authenticator app, checking its codes (each accepted
//! once) and recovery codes (each usable once), turning it off, and whether the
//! programme requires it of staff.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, Statement,
};
use serde::Serialize;

use super::guards::CurrentUser;
use super::passwords::Hasher;
use super::totp;
use crate::audit::record as audit;
use crate::db::begin_write;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::nip::NipKey;
use entity::{recovery_codes, users};

pub use super::guards::two_factor_required as required;

fn field_error(field: &str, key: &str) -> AppError {
    AppError::Validation(FieldErrors::single(field, Msg::new(key)))
}

/// A request that is well formed but meets the account in the wrong state (two-step
/// sign-in already on, not on, or required): 409 in the API, the field's message on pages.
fn state_error(field: &str, key: &str) -> AppError {
    AppError::Validation(FieldErrors::single(field, Msg::conflict(key)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    s.len()
        .is_multiple_of(2)
        .then(|| {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
                .collect()
        })
        .flatten()
}

fn secret_of(key: &NipKey, user: &users::Model) -> Option<Vec<u8>> {
    unhex(&key.open(user.totp_secret.as_deref()?)?)
}

/// What the setup page shows: the secret for typing in, and the QR code of its link.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Setup {
    /// The secret in base32, for typing into the app.
    pub secret: String,
    pub otpauth_url: String,
    /// The QR code of `otpauth_url`, as SVG.
    pub qr_svg: String,
}

/// Starts (or shows again) the setup: a secret is kept, sealed, until a code proves the
/// app has it. Refused when two-step sign-in is already on.
pub async fn begin_setup(
    db: &DatabaseConnection,
    key: &NipKey,
    user: &CurrentUser,
) -> AppResult<Setup> {
    if user.user.totp_enabled_at.is_some() {
        return Err(state_error("code", "two_factor.already_on"));
    }
    let secret = match secret_of(key, &user.user) {
        Some(s) => s,
        None => {
            let s = totp::new_secret();
            let mut u: users::ActiveModel = user.user.clone().into();
            u.totp_secret = Set(Some(key.seal(&hex(&s))));
            u.update(db).await?;
            s
        }
    };
    let url = totp::otpauth_url("Duta", &user.user.email, &secret);
    let qr_svg = qrcode::QrCode::new(url.as_bytes())
        .map_err(AppError::internal)?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(Setup {
        secret: totp::base32(&secret),
        otpauth_url: url,
        qr_svg,
    })
}

/// Accepts a code of the user's app once: the step is recorded in the same statement
/// that checks it was not used, so two requests with one code cannot both pass.
async fn accept_totp(
    db: &DatabaseConnection,
    key: &NipKey,
    user: &users::Model,
    code: u32,
) -> AppResult<bool> {
    let Some(secret) = secret_of(key, user) else {
        return Ok(false);
    };
    let now = totp::step_of(Utc::now().timestamp());
    let Some(step) = totp::matching_step(&secret, code, now, user.totp_last_step) else {
        return Ok(false);
    };
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 \
             AND (totp_last_step IS NULL OR totp_last_step < $1)"
        }
        _ => {
            "UPDATE users SET totp_last_step = ?1 WHERE id = ?2 \
             AND (totp_last_step IS NULL OR totp_last_step < ?1)"
        }
    };
    let done = db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [step.into(), user.id.into()],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Uses up one recovery code.
async fn accept_recovery(db: &DatabaseConnection, user_id: i64, input: &str) -> AppResult<bool> {
    if input.len() > 64 {
        return Ok(false);
    }
    let done = recovery_codes::Entity::update_many()
        .col_expr(recovery_codes::Column::UsedAt, Some(Utc::now()).into())
        .filter(recovery_codes::Column::UserId.eq(user_id))
        .filter(recovery_codes::Column::CodeHash.eq(totp::recovery_hash(input)))
        .filter(recovery_codes::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// The second factor of a sign-in: a code of the app, or else a recovery code.
pub async fn check_second_factor(
    db: &DatabaseConnection,
    key: &NipKey,
    user: &users::Model,
    input: &str,
) -> AppResult<bool> {
    if user.totp_enabled_at.is_none() {
        return Ok(false);
    }
    match totp::parse_code(input) {
        Some(code) => accept_totp(db, key, user, code).await,
        None => accept_recovery(db, user.id, input).await,
    }
}

async fn write_recovery_codes(txn: &crate::db::WriteTxn, user_id: i64) -> AppResult<Vec<String>> {
    recovery_codes::Entity::delete_many()
        .filter(recovery_codes::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    let codes = totp::new_recovery_codes();
    let now = Utc::now();
    recovery_codes::Entity::insert_many(codes.iter().map(|c| recovery_codes::ActiveModel {
        user_id: Set(user_id),
        code_hash: Set(totp::recovery_hash(c)),
        used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }))
    .exec(txn)
    .await?;
    Ok(codes)
}

/// Turns two-step sign-in on once a code of the app matches the secret being set up;
/// returns the recovery codes, shown this once.
pub async fn enable(
    db: &DatabaseConnection,
    key: &NipKey,
    user: &CurrentUser,
    code: &str,
    ip: &ClientIp,
) -> AppResult<Vec<String>> {
    if user.user.totp_enabled_at.is_some() {
        return Err(state_error("code", "two_factor.already_on"));
    }
    if secret_of(key, &user.user).is_none() {
        return Err(state_error("code", "two_factor.setup_missing"));
    }
    let Some(parsed) = totp::parse_code(code) else {
        return Err(field_error("code", "two_factor.code_format"));
    };
    if !accept_totp(db, key, &user.user, parsed).await? {
        return Err(field_error("code", "two_factor.code_wrong"));
    }
    let txn = begin_write(db).await?;
    let fresh = users::Entity::find_by_id(user.id())
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut u: users::ActiveModel = fresh.into();
    u.totp_enabled_at = Set(Some(Utc::now()));
    u.updated_at = Set(Utc::now());
    u.update(&txn).await?;
    let codes = write_recovery_codes(&txn, user.id()).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "user.two_factor_enabled",
            target_type: "user",
            target_id: Some(user.id()),
            institution_id: user.user.institution_id,
            detail: serde_json::json!({}),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(codes)
}

/// New recovery codes in place of the old ones (password needed).
pub async fn renew_recovery_codes(
    db: &DatabaseConnection,
    hasher: &Hasher,
    user: &CurrentUser,
    password: &str,
    ip: &ClientIp,
) -> AppResult<Vec<String>> {
    if user.user.totp_enabled_at.is_none() {
        return Err(state_error("password", "two_factor.not_on"));
    }
    super::passwords::confirm(hasher, user, password).await?;
    let txn = begin_write(db).await?;
    let codes = write_recovery_codes(&txn, user.id()).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "user.recovery_codes_renewed",
            target_type: "user",
            target_id: Some(user.id()),
            institution_id: user.user.institution_id,
            detail: serde_json::json!({}),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(codes)
}

/// Turns two-step sign-in off (password and a current code needed); refused while the
/// programme requires it of this person's role.
pub async fn disable(
    db: &DatabaseConnection,
    key: &NipKey,
    hasher: &Hasher,
    user: &CurrentUser,
    password: &str,
    code: &str,
    ip: &ClientIp,
) -> AppResult<()> {
    if user.user.totp_enabled_at.is_none() {
        return Err(state_error("code", "two_factor.not_on"));
    }
    if user.role.is_staff() && required(db).await? {
        return Err(state_error("code", "two_factor.required_stays"));
    }
    super::passwords::confirm(hasher, user, password).await?;
    if !check_second_factor(db, key, &user.user, code).await? {
        return Err(field_error("code", "two_factor.code_wrong"));
    }
    let txn = begin_write(db).await?;
    let fresh = users::Entity::find_by_id(user.id())
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut u: users::ActiveModel = fresh.into();
    u.totp_secret = Set(None);
    u.totp_enabled_at = Set(None);
    u.totp_last_step = Set(None);
    u.updated_at = Set(Utc::now());
    u.update(&txn).await?;
    recovery_codes::Entity::delete_many()
        .filter(recovery_codes::Column::UserId.eq(user.id()))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "user.two_factor_disabled",
            target_type: "user",
            target_id: Some(user.id()),
            institution_id: user.user.institution_id,
            detail: serde_json::json!({}),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// How many unused recovery codes the user has left.
pub async fn recovery_codes_left(db: &DatabaseConnection, user_id: i64) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(recovery_codes::Entity::find()
        .filter(recovery_codes::Column::UserId.eq(user_id))
        .filter(recovery_codes::Column::UsedAt.is_null())
        .count(db)
        .await?)
}
