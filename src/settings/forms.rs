//! Request bodies for programme settings.

use rocket::form::FromForm;
use serde::{Deserialize, Serialize};

use crate::http::csrf::CsrfProtected;

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
    /// A follower count rising by more than this many percent between two checks raises
    /// an integrity flag (1 to 1000; 50 when left out).
    #[serde(default = "default_follower_jump")]
    pub follower_jump_percent: i32,
    /// Words briefs and drafts must not contain while the neutrality mode is on, one a
    /// line (at most 200 words of 60 characters).
    #[serde(default)]
    pub blocklist: String,
    /// The election-period neutrality mode, `YYYY-MM-DD` to `YYYY-MM-DD` (both or none).
    #[serde(default)]
    pub neutrality_from: Option<String>,
    #[serde(default)]
    pub neutrality_to: Option<String>,
}

pub fn default_follower_jump() -> i32 {
    50
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
    #[field(default = String::new())]
    pub follower_jump_percent: String,
    #[field(default = String::new())]
    pub blocklist: String,
    #[field(default = String::new())]
    pub neutrality_from: String,
    #[field(default = String::new())]
    pub neutrality_to: String,
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
