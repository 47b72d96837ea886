//! Request bodies of sign-in and password change, for pages and for the API.

use rocket::form::FromForm;
use serde::{Deserialize, Serialize};

use crate::http::csrf::CsrfProtected;

#[derive(FromForm, Default, Serialize)]
pub struct LoginForm {
    #[field(default = String::new())]
    pub email: String,
    #[serde(skip)]
    #[field(default = String::new())]
    pub password: String,
    pub next: Option<String>,
    #[serde(skip)]
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for LoginForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// The second step of a two-step sign-in.
#[derive(FromForm, Default)]
pub struct CodeForm {
    #[field(default = String::new())]
    pub ticket: String,
    #[field(default = String::new())]
    pub code: String,
    pub next: Option<String>,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for CodeForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// A code of the authenticator app (or a recovery code), with the password where a
/// change needs it.
#[derive(FromForm, Default)]
pub struct TwoFactorForm {
    #[field(default = String::new())]
    pub code: String,
    #[field(default = String::new())]
    pub password: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for TwoFactorForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorRequest {
    /// Six digits of the authenticator app (or, to turn it off, a recovery code).
    #[serde(default)]
    pub code: String,
    /// Needed to turn it off and to renew the recovery codes.
    #[serde(default)]
    pub password: String,
}

#[derive(FromForm, Default)]
pub struct ChangePasswordForm {
    #[field(default = String::new())]
    pub current_password: String,
    #[field(default = String::new())]
    pub new_password: String,
    #[field(default = String::new())]
    pub confirm_password: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for ChangePasswordForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    /// For accounts with two-step sign-in: six digits of the app, or a recovery code.
    #[serde(default)]
    pub code: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    /// The password in use now; a wrong one is a field error (422).
    #[serde(default)]
    #[schema(required = true)]
    pub current_password: String,
    /// Not the email address and not the current password.
    #[serde(default)]
    #[schema(required = true, schema_with = crate::accounts::forms::new_password_schema)]
    pub new_password: String,
}

/// "Forgot password": the address to send a link to.
#[derive(FromForm, Default, Serialize)]
pub struct ForgotForm {
    #[field(default = String::new())]
    pub email: String,
    #[serde(skip)]
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for ForgotForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotRequest {
    /// The account's email address. The answer is the same whether or not it has one.
    #[serde(default)]
    #[schema(required = true, schema_with = crate::text::email_schema)]
    pub email: String,
}

/// A new password set with a reset link.
#[derive(FromForm, Default)]
pub struct ResetForm {
    #[field(default = String::new())]
    pub new_password: String,
    #[field(default = String::new())]
    pub confirm_password: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for ResetForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// The token at the end of the emailed link (`/password/reset/<token>`).
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 1,
        max_length = 64,
        pattern = "^[A-Za-z0-9_-]+$"
    )]
    pub token: String,
    /// Not the email address.
    #[serde(default)]
    #[schema(required = true, schema_with = crate::accounts::forms::new_password_schema)]
    pub new_password: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationRequest {
    /// The token at the end of the invitation link (`/invitation/<token>`).
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 1,
        max_length = 64,
        pattern = "^[A-Za-z0-9_-]+$"
    )]
    pub token: String,
    /// The first password; not the email address.
    #[serde(default)]
    #[schema(required = true, schema_with = crate::accounts::forms::new_password_schema)]
    pub new_password: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    /// The token at the end of the emailed link (`/email/confirm/<token>`).
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 1,
        max_length = 64,
        pattern = "^[A-Za-z0-9_-]+$"
    )]
    pub token: String,
}
