//! Request bodies of submissions: the API's JSON, the ambassador's page form (turned
//! into the same request) and the coordinator's decision.

use rocket::form::FromForm;
use serde::Deserialize;

/// A post for a brief. Counts are optional whole numbers from 0 to 1,000,000,000.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmissionRequest {
    pub brief_id: Option<i64>,
    /// x, instagram, facebook, tiktok or youtube: one of the brief's platforms.
    #[serde(default)]
    pub platform: String,
    /// The post's address; normalised (https, canonical host, no tracking parameters).
    #[serde(default)]
    pub url: String,
    /// RFC 3339, or `YYYY-MM-DDTHH:MM` in the programme's time zone; between the start
    /// of the brief's week and now.
    #[serde(default)]
    pub posted_at: String,
    #[schema(value_type = Option<i64>)]
    pub likes: Option<serde_json::Value>,
    #[schema(value_type = Option<i64>)]
    pub comments: Option<serde_json::Value>,
    #[schema(value_type = Option<i64>)]
    pub shares: Option<serde_json::Value>,
    #[schema(value_type = Option<i64>)]
    pub saves: Option<serde_json::Value>,
}

/// A coordinator's decision: the reason is required to reject, optional otherwise.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    #[serde(default)]
    pub reason: String,
}

/// The ambassador's submission form on a brief's page (multipart, with a screenshot).
#[derive(FromForm)]
pub struct SubmissionForm<'r> {
    #[field(default = String::new())]
    pub platform: String,
    #[field(default = String::new())]
    pub url: String,
    #[field(default = String::new())]
    pub posted_at: String,
    #[field(default = String::new())]
    pub likes: String,
    #[field(default = String::new())]
    pub comments: String,
    #[field(default = String::new())]
    pub shares: String,
    #[field(default = String::new())]
    pub saves: String,
    pub screenshot: Option<rocket::fs::TempFile<'r>>,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl crate::http::csrf::CsrfProtected for SubmissionForm<'_> {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// What the form keeps when it is shown again.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SubmissionValues {
    pub platform: String,
    pub url: String,
    pub posted_at: String,
    pub likes: String,
    pub comments: String,
    pub shares: String,
    pub saves: String,
}

fn count_value(s: &str) -> Option<serde_json::Value> {
    let s = s.trim();
    if s.is_empty() {
        None
    } else {
        // Indonesians write thousands with dots (1.250): those are ignored.
        let digits: String = s.chars().filter(|c| *c != '.' && *c != ' ').collect();
        Some(match digits.parse::<i64>() {
            Ok(n) => serde_json::Value::from(n),
            Err(_) => serde_json::Value::String(s.to_string()),
        })
    }
}

impl SubmissionForm<'_> {
    pub fn values(&self) -> SubmissionValues {
        SubmissionValues {
            platform: self.platform.clone(),
            url: self.url.clone(),
            posted_at: self.posted_at.clone(),
            likes: self.likes.clone(),
            comments: self.comments.clone(),
            shares: self.shares.clone(),
            saves: self.saves.clone(),
        }
    }

    pub fn to_request(&self, brief_id: i64) -> SubmissionRequest {
        SubmissionRequest {
            brief_id: Some(brief_id),
            platform: self.platform.clone(),
            url: self.url.clone(),
            posted_at: self.posted_at.clone(),
            likes: count_value(&self.likes),
            comments: count_value(&self.comments),
            shares: count_value(&self.shares),
            saves: count_value(&self.saves),
        }
    }
}

/// A coordinator's decision on the queue page.
#[derive(Debug, Clone, Default, FromForm)]
pub struct DecisionForm {
    #[field(default = String::new())]
    pub reason: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl crate::http::csrf::CsrfProtected for DecisionForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}
