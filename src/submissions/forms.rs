//! Request bodies of submissions: the API's JSON, the ambassador's page form (turned
//! into the same request) and the coordinator's decision.

use rocket::form::FromForm;
use serde::Deserialize;

/// A post for a brief. Counts are optional whole numbers from 0 to 1,000,000,000.
///
/// Rules against what is stored (409): the brief must be addressed to the caller and
/// target the platform; `posted_at` lies between the start of the brief's week and now;
/// the post was not submitted before, and the caller has no open submission for this
/// brief and platform.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmissionRequest {
    #[schema(value_type = i64, required = true, minimum = 1)]
    pub brief_id: Option<i64>,
    #[serde(default)]
    #[schema(required = true, schema_with = platform_schema)]
    pub platform: String,
    /// The post's address on that platform (a status on X, a post or reel on Instagram,
    /// …); Duta keeps it normalised (https, canonical host, no tracking parameters).
    #[serde(default)]
    #[schema(required = true, schema_with = url_schema)]
    pub url: String,
    /// With an offset, or a local time in the programme's time zone.
    #[serde(default)]
    #[schema(required = true, schema_with = crate::briefs::rules::instant_schema)]
    pub posted_at: String,
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000)]
    pub likes: Option<serde_json::Value>,
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000)]
    pub comments: Option<serde_json::Value>,
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000)]
    pub shares: Option<serde_json::Value>,
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000)]
    pub saves: Option<serde_json::Value>,
}

fn platform_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::choice(&crate::briefs::rules::PLATFORMS)
}

fn url_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::as_schema(
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .max_length(Some(2_048))
            .examples([serde_json::json!(
                "https://x.com/humas_kominfo/status/1861234567890123456"
            )]),
    )
}

/// A coordinator's decision to verify or revert: a reason is optional.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    #[serde(default)]
    #[schema(schema_with = reason_schema)]
    pub reason: String,
}

/// A coordinator's rejection: the reason the ambassador reads is required.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct RejectionRequest {
    #[serde(default)]
    #[schema(required = true, schema_with = rejection_schema)]
    pub reason: String,
}

crate::text_schema!(reason_schema, super::service::REASON);
crate::text_schema!(
    rejection_schema,
    crate::text::Text::lines(1, super::service::MAX_REASON_CHARS)
);

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
