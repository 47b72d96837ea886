//! Request bodies for staff accounts.

use rocket::form::FromForm;
use serde::{Deserialize, Serialize};

use crate::http::csrf::CsrfProtected;

/// What an admin gives to create an account; shared by the page and the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewUser {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    /// coordinator, leadership, national or admin
    #[serde(default)]
    pub role: String,
    pub institution_id: Option<i64>,
    pub work_unit_id: Option<i64>,
    #[serde(default, skip_serializing)]
    pub password: String,
}

/// A change of name, role or scope; every field is optional.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct UserUpdate {
    pub name: Option<String>,
    pub role: Option<String>,
    /// `null` or absent keeps the institution; use `clear_scope` to remove it.
    pub institution_id: Option<i64>,
    pub work_unit_id: Option<i64>,
    #[serde(default)]
    pub clear_work_unit: bool,
}

#[derive(FromForm, Default, Serialize)]
pub struct NewUserForm {
    #[field(default = String::new())]
    pub email: String,
    #[field(default = String::new())]
    pub name: String,
    #[field(default = String::new())]
    pub role: String,
    #[field(default = String::new())]
    pub institution_id: String,
    #[field(default = String::new())]
    pub work_unit_id: String,
    #[serde(skip)]
    #[field(default = String::new())]
    pub password: String,
    #[serde(skip)]
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for NewUserForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(FromForm, Default, Serialize)]
pub struct EditUserForm {
    #[field(default = String::new())]
    pub name: String,
    #[field(default = String::new())]
    pub role: String,
    #[field(default = String::new())]
    pub institution_id: String,
    #[field(default = String::new())]
    pub work_unit_id: String,
    #[serde(skip)]
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for EditUserForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// An optional id typed into a form: empty is none, anything else must be a number.
pub fn parse_optional_id(s: &str) -> Result<Option<i64>, std::num::ParseIntError> {
    let s = s.trim();
    if s.is_empty() {
        Ok(None)
    } else {
        s.parse::<i64>().map(Some)
    }
}
