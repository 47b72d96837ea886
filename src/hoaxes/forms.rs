//! The report form (page and API, both multipart with an optional screenshot), and the
//! decisions on a case.

use rocket::form::{FromForm, Lenient};
use rocket::fs::TempFile;
use serde::{Deserialize, Serialize};

use super::rules;
use super::service::ReportInput;
use crate::http::csrf::CsrfProtected;

/// The report form on its page.
#[derive(FromForm)]
pub struct ReportForm<'r> {
    #[field(default = String::new())]
    pub links: String,
    #[field(default = String::new())]
    pub platform: String,
    #[field(default = String::new())]
    pub seen_where: String,
    #[field(default = String::new())]
    pub note: String,
    pub screenshot: Option<TempFile<'r>>,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for ReportForm<'_> {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

impl ReportForm<'_> {
    pub fn input(&self) -> ReportInput {
        ReportInput {
            links: self.links.clone(),
            platform: self.platform.clone(),
            seen_where: self.seen_where.clone(),
            note: self.note.clone(),
        }
    }
}

/// The report as the API reads it: each field as the values sent (a second value of a
/// field is an error at that field, not a silent choice), the form itself read strictly.
#[derive(FromForm)]
pub struct ReportUpload<'r> {
    pub links: Lenient<Vec<String>>,
    pub platform: Lenient<Vec<String>>,
    pub seen_where: Lenient<Vec<String>>,
    pub note: Lenient<Vec<String>>,
    pub screenshot: Lenient<Vec<TempFile<'r>>>,
}

/// The report form as the document shows it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ReportUploadDoc {
    /// One to five web links (http or https), one per line or separated by spaces; may
    /// be empty when a screenshot is sent.
    #[schema(required = false, schema_with = links_schema)]
    links: String,
    /// Where it circulates: whatsapp, x, facebook, instagram, tiktok, youtube, telegram
    /// or other.
    #[schema(required = true, schema_with = channel_schema)]
    platform: String,
    /// Where it was seen, in the reporter's words ("Grup WA alumni").
    #[schema(required = false, schema_with = seen_where_schema)]
    seen_where: String,
    #[schema(required = false, schema_with = note_schema)]
    note: String,
    /// A screenshot: a JPEG, PNG, WebP or GIF image of at most 15 MiB (its bytes are
    /// read, not its name or type). Required when no link is given.
    #[schema(value_type = String, format = Binary, content_media_type = "image/*")]
    screenshot: Option<Vec<u8>>,
}

crate::text_schema!(links_schema, rules::LINKS_TEXT);
crate::text_schema!(seen_where_schema, rules::SEEN_WHERE);
crate::text_schema!(note_schema, rules::NOTE);
crate::text_schema!(decision_note_schema, rules::DECISION_NOTE);
crate::text_schema!(forward_note_schema, rules::FORWARD_NOTE);

pub fn channel_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::choice(&rules::CHANNELS)
}

pub fn decision_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::choice(&rules::DECISIONS)
}

pub fn target_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::as_schema(crate::text::pattern_schema(
        "^(national|[1-9][0-9]{0,17})$".to_string(),
    ))
}

/// A decision on a case.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideRequest {
    /// `confirmed` (a hoax to answer) or `not_hoax`.
    #[serde(default)]
    #[schema(required = true, schema_with = decision_schema)]
    pub decision: String,
    /// What the reporters read with the decision.
    #[serde(default)]
    #[schema(schema_with = decision_note_schema)]
    pub note: String,
}

/// Moving a case to another list: `national`, or an institution's id.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForwardRequest {
    #[serde(default)]
    #[schema(required = true, schema_with = target_schema)]
    pub to: String,
    /// Why it is not ours (3 to 1,000 characters).
    #[serde(default)]
    #[schema(required = true, schema_with = forward_note_schema)]
    pub note: String,
}

/// The decision form on a case's page.
#[derive(FromForm, Default, Serialize)]
pub struct DecideForm {
    #[field(default = String::new())]
    pub decision: String,
    #[field(default = String::new())]
    pub note: String,
    #[field(default = String::new())]
    #[serde(skip)]
    pub csrf_token: String,
}

impl CsrfProtected for DecideForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// The form that moves a case to another list.
#[derive(FromForm, Default, Serialize)]
pub struct ForwardForm {
    #[field(default = String::new())]
    pub to: String,
    #[field(default = String::new())]
    pub note: String,
    #[field(default = String::new())]
    #[serde(skip)]
    pub csrf_token: String,
}

impl CsrfProtected for ForwardForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}
