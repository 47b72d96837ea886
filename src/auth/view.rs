//! The signed-in user as the API shows them.

use chrono::{DateTime, Utc};
use entity::users;
use serde::Serialize;

/// A user as the API shows it: never the password hash or the security stamp.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub institution_id: Option<i64>,
    pub work_unit_id: Option<i64>,
    pub language: Option<String>,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
    /// Whether two-step sign-in is on.
    pub two_factor: bool,
    /// Made with an invitation the person has not accepted yet (no password set).
    pub invitation_pending: bool,
}

impl From<&users::Model> for UserView {
    fn from(u: &users::Model) -> Self {
        UserView {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role.clone(),
            institution_id: u.institution_id,
            work_unit_id: u.work_unit_id,
            language: u.language.clone(),
            is_active: u.is_active,
            created_at: u.created_at,
            last_login_at: u.last_login_at,
            two_factor: u.totp_enabled_at.is_some(),
            invitation_pending: u.invitation_pending_since.is_some(),
        }
    }
}
