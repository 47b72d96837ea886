//! Sign-in for API clients: a Bearer token in exchange for email and password.

use chrono::{DateTime, Utc};
use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use rocket::http::Status;

use super::forms::{
    ChangePasswordRequest, ConfirmRequest, ForgotRequest, InvitationRequest, LoginRequest,
    ResetRequest, TwoFactorRequest,
};
use super::guards::{Ambassador, Coordinator, CurrentUser};
use super::invite;
use super::jwt::JwtKeys;
use super::passwords::Hasher;
use super::reset;
use super::service::{self, LoginOutcome};
use super::view::UserView;
use crate::config::AppConfig;
use crate::error::{ApiErrorBody, AppResult};
use crate::http::client_ip::ClientIp;
use crate::http::origin::Origin;
use crate::notify::Mailer;
use crate::state::Shared;
use crate::web::json::ApiJson;

#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: UserView,
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 400, body = ApiErrorBody),
              (status = 401, body = ApiErrorBody), (status = 422, body = ApiErrorBody),
              (status = 429, body = ApiErrorBody)))]
#[rocket::post("/auth/login", data = "<body>")]
pub async fn login(
    body: ApiJson<LoginRequest>,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    keys: &Shared<JwtKeys>,
    hasher: &Shared<Hasher>,
    nip_key: &Shared<crate::nip::NipKey>,
    ip: ClientIp,
) -> AppResult<Json<LoginResponse>> {
    let session =
        match service::login(db, cfg, keys, hasher, &body.0.email, &body.0.password, &ip).await? {
            LoginOutcome::Session(s) => s,
            LoginOutcome::NeedsCode(user) => {
                service::finish_login(db, cfg, keys, nip_key, user, &body.0.code, &ip).await?
            }
        };
    Ok(Json(LoginResponse {
        token: session.token,
        expires_at: session.expires_at,
        user: UserView::from(&session.user),
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Done {
    pub ok: bool,
}

/// Revokes every token of the caller (the security stamp rotates).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Done), (status = 401, body = ApiErrorBody)))]
#[rocket::post("/auth/logout")]
pub async fn logout(user: &CurrentUser, db: &Shared<DatabaseConnection>) -> AppResult<Json<Done>> {
    service::logout(db, user).await?;
    Ok(Json(Done { ok: true }))
}

/// Changes the caller's password; every earlier token stops working, the new one is returned.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/me/password", data = "<body>")]
pub async fn change_password(
    body: ApiJson<ChangePasswordRequest>,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
    keys: &Shared<JwtKeys>,
    hasher: &Shared<Hasher>,
    ip: ClientIp,
) -> AppResult<Json<LoginResponse>> {
    let b = body.0;
    let change = service::PasswordChange {
        current: &b.current_password,
        new: &b.new_password,
        confirm: &b.new_password,
    };
    let session = service::change_password(db, keys, hasher, user, change, &ip).await?;
    Ok(Json(LoginResponse {
        token: session.token,
        expires_at: session.expires_at,
        user: UserView::from(&session.user),
    }))
}

/// Starts setting up two-step sign-in: the secret for the authenticator app.
#[utoipa::path(post, path = "/api/v1/me/two-factor/setup", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = super::two_factor::Setup), (status = 401, body = ApiErrorBody),
              (status = 409, description = "Two-step sign-in is already on", body = ApiErrorBody)))]
#[rocket::post("/me/two-factor/setup")]
pub async fn two_factor_setup(
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
    nip_key: &Shared<crate::nip::NipKey>,
) -> AppResult<Json<super::two_factor::Setup>> {
    Ok(Json(
        super::two_factor::begin_setup(db, nip_key, user).await?,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RecoveryCodes {
    /// One-time codes for when the app is not at hand; shown only now.
    pub recovery_codes: Vec<String>,
}

/// Turns two-step sign-in on with a code of the app; returns the recovery codes.
#[utoipa::path(post, path = "/api/v1/me/two-factor/enable", tag = "auth", security(("bearer" = [])),
    request_body = TwoFactorRequest,
    responses((status = 200, body = RecoveryCodes), (status = 401, body = ApiErrorBody),
              (status = 409, description = "Already on, or no setup begun", body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/me/two-factor/enable", data = "<body>")]
pub async fn two_factor_enable(
    body: ApiJson<TwoFactorRequest>,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
    nip_key: &Shared<crate::nip::NipKey>,
    ip: ClientIp,
) -> AppResult<Json<RecoveryCodes>> {
    let recovery_codes = super::two_factor::enable(db, nip_key, user, &body.0.code, &ip).await?;
    Ok(Json(RecoveryCodes { recovery_codes }))
}

/// Turns two-step sign-in off (password and a code needed; not while the programme
/// requires it of the caller's role).
#[utoipa::path(post, path = "/api/v1/me/two-factor/disable", tag = "auth", security(("bearer" = [])),
    request_body = TwoFactorRequest,
    responses((status = 200, body = Done), (status = 401, body = ApiErrorBody),
              (status = 409, description = "Not on, or the programme requires it of the caller's role", body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/me/two-factor/disable", data = "<body>")]
pub async fn two_factor_disable(
    body: ApiJson<TwoFactorRequest>,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
    nip_key: &Shared<crate::nip::NipKey>,
    hasher: &Shared<Hasher>,
    ip: ClientIp,
) -> AppResult<Json<Done>> {
    let b = body.0;
    super::two_factor::disable(db, nip_key, hasher, user, &b.password, &b.code, &ip).await?;
    Ok(Json(Done { ok: true }))
}

/// New recovery codes in place of the old ones (password needed).
#[utoipa::path(post, path = "/api/v1/me/two-factor/recovery-codes", tag = "auth", security(("bearer" = [])),
    request_body = TwoFactorRequest,
    responses((status = 200, body = RecoveryCodes), (status = 401, body = ApiErrorBody),
              (status = 409, description = "Two-step sign-in is not on", body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/me/two-factor/recovery-codes", data = "<body>")]
pub async fn two_factor_recovery_codes(
    body: ApiJson<TwoFactorRequest>,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
    hasher: &Shared<Hasher>,
    ip: ClientIp,
) -> AppResult<Json<RecoveryCodes>> {
    let recovery_codes =
        super::two_factor::renew_recovery_codes(db, hasher, user, &body.0.password, &ip).await?;
    Ok(Json(RecoveryCodes { recovery_codes }))
}

/// "Forgot password": emails the account a link to set a new password, valid for
/// `password_reset_minutes` (60 by default) and good once. The answer is the same whether
/// or not the address has an account (and without SMTP nothing is sent: staff make links).
/// Limited per address asked for and per client address in an hour (429).
#[utoipa::path(post, path = "/api/v1/auth/password/forgot", tag = "auth", request_body = ForgotRequest,
    responses((status = 202, body = Done), (status = 400, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody), (status = 429, body = ApiErrorBody)))]
#[rocket::post("/auth/password/forgot", data = "<body>")]
pub async fn forgot_password(
    body: ApiJson<ForgotRequest>,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    mailer: &Shared<Mailer>,
    ip: ClientIp,
) -> AppResult<(Status, Json<Done>)> {
    reset::request_reset(db, cfg, mailer, &body.0.email, &ip).await?;
    Ok((Status::Accepted, Json(Done { ok: true })))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ResetResponse {
    /// A session token; none when the account's two-step sign-in comes first (sign in with
    /// the new password and a code of the app).
    pub token: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub two_factor_required: bool,
    pub user: UserView,
}

/// Sets a new password with the token of a reset link (once). Every earlier session of
/// the account ends. 404 for a token Duta never made; 409 for a link used, replaced by a
/// newer one, or expired.
#[utoipa::path(post, path = "/api/v1/auth/password/reset", tag = "auth", request_body = ResetRequest,
    responses((status = 200, body = ResetResponse), (status = 400, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/auth/password/reset", data = "<body>")]
pub async fn reset_password(
    body: ApiJson<ResetRequest>,
    db: &Shared<DatabaseConnection>,
    keys: &Shared<JwtKeys>,
    hasher: &Shared<Hasher>,
    ip: ClientIp,
) -> AppResult<Json<ResetResponse>> {
    let b = body.0;
    let done = reset::reset_password(
        db,
        keys,
        hasher,
        &b.token,
        &b.new_password,
        &b.new_password,
        &ip,
    )
    .await?;
    Ok(Json(match done {
        reset::Reset::Session(s) => ResetResponse {
            token: Some(s.token),
            expires_at: Some(s.expires_at),
            two_factor_required: false,
            user: UserView::from(&s.user),
        },
        reset::Reset::NeedsCode(user) => ResetResponse {
            token: None,
            expires_at: None,
            two_factor_required: true,
            user: UserView::from(&user),
        },
    }))
}

/// Makes a password-reset link for someone (admins: anyone; coordinators: the ambassadors
/// in their scope), emails it to them when SMTP is on, and returns it to pass on, with a
/// WhatsApp message for an ambassador. Their older links stop working. 409 for an inactive
/// account.
#[utoipa::path(post, path = "/api/v1/users/{id}/password-reset-link", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "user id")),
    responses((status = 200, body = reset::LinkToPassOn), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
              (status = 409, body = ApiErrorBody)))]
#[rocket::post("/users/<id>/password-reset-link")]
#[allow(clippy::too_many_arguments)]
pub async fn password_reset_link(
    id: i64,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    mailer: &Shared<Mailer>,
    origin: Origin,
    ip: ClientIp,
) -> AppResult<Json<reset::LinkToPassOn>> {
    Ok(Json(
        reset::send_reset_link(db, cfg, mailer, &user, id, &origin.0, &ip).await?,
    ))
}

/// Turns off someone's two-step sign-in when they lost their authenticator (admins:
/// anyone; coordinators: the ambassadors in their scope). Their sessions end and they are
/// emailed; staff of a programme that requires it set it up again at the next sign-in.
/// 409 when it is not on.
#[utoipa::path(post, path = "/api/v1/users/{id}/two-factor/reset", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "user id")),
    responses((status = 200, body = Done), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
              (status = 409, body = ApiErrorBody)))]
#[rocket::post("/users/<id>/two-factor/reset")]
pub async fn reset_two_factor(
    id: i64,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    mailer: &Shared<Mailer>,
    ip: ClientIp,
) -> AppResult<Json<Done>> {
    reset::reset_two_factor(db, cfg, mailer, &user, id, &ip).await?;
    Ok(Json(Done { ok: true }))
}

/// Confirms a candidate's email address with the token of the emailed link (once); the
/// application then enters the vetting queue. 404 for a token Duta never made; 409 for a
/// link used, replaced by a newer one, or expired.
#[utoipa::path(post, path = "/api/v1/auth/email/confirm", tag = "auth", request_body = ConfirmRequest,
    responses((status = 200, body = Done), (status = 400, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/auth/email/confirm", data = "<body>")]
pub async fn confirm_email(
    body: ApiJson<ConfirmRequest>,
    db: &Shared<DatabaseConnection>,
    mailer: &Shared<crate::notify::Mailer>,
    ip: ClientIp,
) -> AppResult<Json<Done>> {
    super::confirm::confirm(db, mailer, &body.0.token, &ip).await?;
    Ok(Json(Done { ok: true }))
}

/// Sends the candidate a new link to confirm their email address (the older one stops
/// working). 409 when their address needs no confirmation; 429 past 3 an hour.
#[utoipa::path(post, path = "/api/v1/me/email-confirmation", tag = "auth", security(("bearer" = [])),
    responses((status = 202, body = Done), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 429, body = ApiErrorBody)))]
#[rocket::post("/me/email-confirmation")]
pub async fn resend_confirmation(
    user: Ambassador<'_>,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    mailer: &Shared<Mailer>,
    ip: ClientIp,
) -> AppResult<(Status, Json<Done>)> {
    super::confirm::resend(db, cfg, mailer, &user, &ip).await?;
    Ok((Status::Accepted, Json(Done { ok: true })))
}

/// Accepts an invitation with the token of its link (once): sets the account's first
/// password and answers a session. 404 for a token Duta never made; 409 for a link used,
/// replaced by a newer one, revoked, or expired.
#[utoipa::path(post, path = "/api/v1/auth/invitation/accept", tag = "auth", request_body = InvitationRequest,
    responses((status = 200, body = LoginResponse), (status = 400, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/auth/invitation/accept", data = "<body>")]
pub async fn accept_invitation(
    body: ApiJson<InvitationRequest>,
    db: &Shared<DatabaseConnection>,
    keys: &Shared<JwtKeys>,
    hasher: &Shared<Hasher>,
    ip: ClientIp,
) -> AppResult<Json<LoginResponse>> {
    let b = body.0;
    let session = invite::accept(
        db,
        keys,
        hasher,
        &b.token,
        &b.new_password,
        &b.new_password,
        &ip,
    )
    .await?;
    Ok(Json(LoginResponse {
        token: session.token,
        expires_at: session.expires_at,
        user: UserView::from(&session.user),
    }))
}

/// Sends someone's invitation again (admins: anyone; coordinators: the ambassadors in
/// their scope): a new link, answered here to pass on and emailed when Duta sends email;
/// the older link stops working. 409 for an inactive account or one that has accepted.
#[utoipa::path(post, path = "/api/v1/users/{id}/invitation", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "user id")),
    responses((status = 200, body = reset::LinkToPassOn), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
              (status = 409, body = ApiErrorBody)))]
#[rocket::post("/users/<id>/invitation")]
#[allow(clippy::too_many_arguments)]
pub async fn send_invitation(
    id: i64,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    mailer: &Shared<Mailer>,
    origin: Origin,
    ip: ClientIp,
) -> AppResult<Json<reset::LinkToPassOn>> {
    Ok(Json(
        invite::send_again(db, cfg, mailer, &user, id, &origin.0, &ip).await?,
    ))
}

/// Revokes someone's open invitation link (the account keeps waiting; sending again makes
/// a new link). 409 when they have accepted.
#[utoipa::path(delete, path = "/api/v1/users/{id}/invitation", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "user id")),
    responses((status = 200, body = Done), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
              (status = 409, body = ApiErrorBody)))]
#[rocket::delete("/users/<id>/invitation")]
pub async fn revoke_invitation(
    id: i64,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<Done>> {
    invite::revoke(db, &user, id, &ip).await?;
    Ok(Json(Done { ok: true }))
}
