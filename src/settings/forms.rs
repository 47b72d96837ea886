//! Request bodies for programme settings.

use rocket::form::FromForm;
use serde::{Deserialize, Serialize};

use crate::http::csrf::CsrfProtected;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlatformSetting {
    #[schema(schema_with = platform_schema)]
    pub platform: String,
    pub required: bool,
    /// Minimum followers (on Facebook: friends or followers).
    #[schema(minimum = 0, maximum = 100_000_000)]
    pub threshold: i32,
}

fn platform_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::choice(&super::rules::PLATFORMS)
}

fn timezone_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    let names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    crate::text::choice(&names)
}

fn blocklist_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::as_schema(
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .max_length(Some(super::rules::BLOCKLIST_CHARS))
            .pattern(Some(super::rules::blocklist_pattern())),
    )
}

fn neutrality_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::nullable_date_schema()
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    /// An IANA time zone, such as Asia/Jakarta.
    #[schema(schema_with = timezone_schema)]
    pub timezone: String,
    /// Leaderboard window, 1 to 52 weeks.
    #[schema(minimum = 1, maximum = 52)]
    pub window_weeks: i32,
    /// Each platform at most once; platforms left out keep their settings.
    pub platforms: Vec<PlatformSetting>,
    /// Days a withdrawn ambassador's data is kept before it is erased, 1 to 3650
    /// (30 when left out).
    #[serde(default = "default_retention_days")]
    #[schema(minimum = 1, maximum = 3650)]
    pub retention_days: i32,
    /// Admins, national users, leadership and coordinators must sign in with a
    /// second factor (TOTP). False when left out.
    #[serde(default)]
    pub two_factor_required: bool,
    /// A follower count rising by more than this many percent between two checks raises
    /// an integrity flag (1 to 1000; 50 when left out).
    #[serde(default = "default_follower_jump")]
    #[schema(minimum = 1, maximum = 1000)]
    pub follower_jump_percent: i32,
    /// Words briefs and drafts must not contain while the neutrality mode is on, one a
    /// line: at most 12,000 characters, lines of at most 60 characters ending in `\n`
    /// (or `\r\n`), no other control characters.
    #[serde(default)]
    #[schema(schema_with = blocklist_schema)]
    pub blocklist: String,
    /// The election-period neutrality mode, `YYYY-MM-DD` to `YYYY-MM-DD`: both or none
    /// (empty or `null`), the first not after the last.
    #[serde(default)]
    #[schema(schema_with = neutrality_schema)]
    pub neutrality_from: Option<String>,
    #[serde(default)]
    #[schema(schema_with = neutrality_schema)]
    pub neutrality_to: Option<String>,
    /// The weekly reminder goes out from this day of the week (1 Monday … 7 Sunday; 4,
    /// Thursday, when left out) ...
    #[serde(default = "default_reminder_weekday")]
    #[schema(minimum = 1, maximum = 7)]
    pub reminder_weekday: i32,
    /// ... at this hour (0–23; 9 when left out) in the programme's zone, until the week
    /// ends, once a week.
    #[serde(default = "default_reminder_hour")]
    #[schema(minimum = 0, maximum = 23)]
    pub reminder_hour: i32,
}

pub fn default_reminder_weekday() -> i32 {
    4
}

pub fn default_reminder_hour() -> i32 {
    9
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
    #[field(default = String::new())]
    pub reminder_weekday: String,
    #[field(default = String::new())]
    pub reminder_hour: String,
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
