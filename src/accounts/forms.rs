//! Request bodies for staff accounts.

use rocket::form::FromForm;
use serde::{Deserialize, Serialize};

use crate::accounts::rules::PERSON_NAME;
use crate::auth::passwords::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use crate::http::csrf::CsrfProtected;

/// The roles an admin gives; ambassadors sign up themselves.
pub const STAFF_ROLES: [&str; 4] = ["coordinator", "leadership", "national", "admin"];

crate::text_schema!(person_name_schema, PERSON_NAME);
crate::text_schema!(nullable_person_name_schema, PERSON_NAME, nullable);
fn staff_role_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::choice(&STAFF_ROLES)
}
fn nullable_staff_role_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::nullable_choice(&STAFF_ROLES)
}
/// A new password: 10 to 256 characters, any characters, and not the account's email.
pub fn new_password_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::as_schema(
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .min_length(Some(MIN_PASSWORD_CHARS))
            .max_length(Some(MAX_PASSWORD_CHARS)),
    )
}

/// A new password as [`new_password_schema`] says, or `null`.
pub fn nullable_new_password_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::as_schema(
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                utoipa::openapi::schema::Type::String,
                utoipa::openapi::schema::Type::Null,
            ]))
            .min_length(Some(MIN_PASSWORD_CHARS))
            .max_length(Some(MAX_PASSWORD_CHARS)),
    )
}

/// What an admin gives to create an account; shared by the page and the API. Not
/// `Serialize`: it may hold a first password.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[serde(default)]
    #[schema(required = true, schema_with = crate::text::email_schema)]
    pub email: String,
    #[serde(default)]
    #[schema(required = true, schema_with = person_name_schema)]
    pub name: String,
    #[serde(default)]
    #[schema(required = true, schema_with = staff_role_schema)]
    pub role: String,
    /// Required for coordinators and leadership; must be absent or `null` for national
    /// users and admins.
    #[schema(minimum = 1)]
    pub institution_id: Option<i64>,
    /// A coordinator limited to one unit (and its subtree) of their institution.
    #[schema(minimum = 1)]
    pub work_unit_id: Option<i64>,
    /// Left out or `null` (the usual way): the account gets an invitation, a link with
    /// which the person sets their own password. Given: the account's first password.
    #[schema(schema_with = nullable_new_password_schema)]
    pub password: Option<String>,
}

/// A change of name, role or scope; every field is optional.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    /// `null` or absent keeps the name.
    #[schema(schema_with = nullable_person_name_schema)]
    pub name: Option<String>,
    /// `null` or absent keeps the role; an admin cannot change their own.
    #[schema(schema_with = nullable_staff_role_schema)]
    pub role: Option<String>,
    /// `null` or absent keeps the institution (a national or admin role has none).
    #[schema(minimum = 1)]
    pub institution_id: Option<i64>,
    /// `null` or absent keeps the unit while the institution stays the same.
    #[schema(minimum = 1)]
    pub work_unit_id: Option<i64>,
    /// Removes the limit to one unit.
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
