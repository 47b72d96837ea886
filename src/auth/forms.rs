//! Request bodies of sign-in and password change, for pages and for the API.

use rocket::form::FromForm;
use serde::{Deserialize, Serialize};

use crate::web::csrf::CsrfProtected;

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
pub struct LoginRequest {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ChangePasswordRequest {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
}
