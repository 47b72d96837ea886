//! Request bodies for programme settings.

use rocket::form::FromForm;
use serde::{Deserialize, Serialize};

use crate::web::csrf::CsrfProtected;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PlatformSetting {
    /// facebook, x, instagram, tiktok or youtube
    pub platform: String,
    pub required: bool,
    /// Minimum followers (on Facebook: friends or followers).
    pub threshold: i32,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SettingsInput {
    /// An IANA time zone, such as Asia/Jakarta.
    pub timezone: String,
    /// Leaderboard window, 1 to 52 weeks.
    pub window_weeks: i32,
    pub platforms: Vec<PlatformSetting>,
    /// Days a withdrawn ambassador's data is kept before it is erased, 1 to 3650
    /// (30 when left out).
    #[serde(default = "default_retention_days")]
    pub retention_days: i32,
    /// Admins, national users, leadership and coordinators must sign in with a
    /// second factor (TOTP). False when left out.
    #[serde(default)]
    pub two_factor_required: bool,
}

pub fn default_retention_days() -> i32 {
    30
}

#[derive(FromForm, Default, Serialize)]
pub struct PlatformFormRow {
    #[field(default = String::new())]
    pub platform: String,
    #[field(default = false)]
    pub required: bool,
    #[field(default = String::new())]
    pub threshold: String,
}

#[derive(FromForm, Default, Serialize)]
pub struct SettingsForm {
    #[field(default = String::new())]
    pub timezone: String,
    #[field(default = String::new())]
    pub window_weeks: String,
    #[field(default = String::new())]
    pub retention_days: String,
    #[field(default = false)]
    pub two_factor_required: bool,
    #[field(default = Vec::new())]
    pub platforms: Vec<PlatformFormRow>,
    #[serde(skip)]
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for SettingsForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}
