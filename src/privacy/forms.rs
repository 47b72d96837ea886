//! Request bodies of the personal-data pages and API.

use rocket::form::FromForm;
use serde::Deserialize;

use crate::http::csrf::CsrfProtected;

/// A destructive step confirmed with the person's password.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordConfirm {
    /// The caller's current password; a wrong one is a field error (422).
    #[serde(default)]
    #[schema(required = true)]
    pub password: String,
}

#[derive(FromForm, Default)]
pub struct CorrectionForm {
    #[field(default = String::new())]
    pub name: String,
    #[field(default = String::new())]
    pub display_name: String,
    #[field(default = String::new())]
    pub phone: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

#[derive(FromForm, Default)]
pub struct PasswordForm {
    #[field(default = String::new())]
    pub password: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for CorrectionForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

impl CsrfProtected for PasswordForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}
