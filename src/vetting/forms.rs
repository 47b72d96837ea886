//! Request bodies of vetting decisions.

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    /// `YYYY-MM-DD`, not in the future (409 otherwise); today when absent or empty.
    #[schema(schema_with = member_since_schema)]
    pub member_since: Option<String>,
}

fn member_since_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::nullable_date_schema()
}

/// Why a candidate is rejected: 5 to 1,000 characters, shown to them.
pub const REJECTION: crate::text::Text = crate::text::Text::lines(5, 1_000);
crate::text_schema!(rejection_schema, REJECTION);

crate::text_schema!(membership_reason_schema, super::lifecycle::REASON);

/// Why an ambassador is suspended or removed from the programme: shown to them.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipRequest {
    #[serde(default)]
    #[schema(required = true, schema_with = membership_reason_schema)]
    pub reason: String,
}

fn platform_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::choice(&crate::settings::rules::PLATFORMS)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// Shown to the candidate: what to fix.
    #[serde(default)]
    #[schema(required = true, schema_with = rejection_schema)]
    pub reason: String,
}

/// A platform the candidate registered (409 for one they did not).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowersRequest {
    #[serde(default)]
    #[schema(required = true, schema_with = platform_schema)]
    pub platform: String,
    /// The count the coordinator read (from the screenshot or the profile).
    #[schema(required = true, schema_with = crate::ambassadors::forms::count_schema)]
    pub count: Option<serde_json::Value>,
}

/// A platform the candidate registered (409 for one they did not).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecheckRequest {
    #[serde(default)]
    #[schema(required = true, schema_with = platform_schema)]
    pub platform: String,
}
