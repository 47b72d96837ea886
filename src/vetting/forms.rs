//! Request bodies of vetting decisions.

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    /// `YYYY-MM-DD`, not in the future; today when absent.
    pub member_since: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// Shown to the candidate: what to fix.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowersRequest {
    #[serde(default)]
    pub platform: String,
    /// The count the coordinator read (from the screenshot or the profile).
    #[schema(value_type = i64)]
    pub count: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecheckRequest {
    #[serde(default)]
    pub platform: String,
}
