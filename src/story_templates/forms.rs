//! Request bodies of storytelling templates and of drafting from one.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A new template, from the API or the page.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Pengalaman layanan",
    "description": "Cerita singkat dari pengalaman memakai layanan.",
    "body": "{{hook}}\n\n{{cerita}}\n\nInfo: {{tautan}}",
    "guidance": {"hook": "Kalimat pembuka.", "cerita": "Apa yang Anda alami.", "tautan": "Tautan resmi."},
    "example": "Antre paspor kini cukup 15 menit."
}))]
pub struct TemplateRequest {
    #[serde(default)]
    #[schema(required = true, schema_with = name_schema)]
    pub name: String,
    #[serde(default)]
    #[schema(schema_with = text_schema)]
    pub description: String,
    /// Text with named blanks written `{{name}}` (lower-case letters, digits, `_`).
    #[serde(default)]
    #[schema(required = true, schema_with = body_schema)]
    pub body: String,
    /// Guidance for every blank of the body (not only spaces), and for nothing else.
    #[serde(default)]
    #[schema(required = true, schema_with = guidance_schema)]
    pub guidance: BTreeMap<String, String>,
    #[serde(default)]
    #[schema(schema_with = text_schema)]
    pub example: String,
    /// For admins, who have no institution of their own (409 without it); others'
    /// templates are their institution's and this is not read.
    #[schema(minimum = 1)]
    pub institution_id: Option<i64>,
}

crate::text_schema!(name_schema, super::service::TEMPLATE_NAME);
crate::text_schema!(text_schema, super::service::TEMPLATE_TEXT);

fn body_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::as_schema(
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .max_length(Some(super::rules::MAX_BODY_CHARS))
            .pattern(Some(super::rules::body_pattern())),
    )
}

/// Texts by blank name.
fn blank_map_schema(text: crate::text::Text) -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Type};
    crate::text::as_schema(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property_names(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some("^[a-z0-9_]{1,40}$"))
                    .build(),
            ))
            .additional_properties(Some(AdditionalProperties::RefOr(
                utoipa::openapi::RefOr::T(utoipa::openapi::Schema::Object(text.schema().build())),
            ))),
    )
}

fn guidance_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    blank_map_schema(crate::text::Text::lines(1, super::service::MAX_TEXT_CHARS))
}

fn fields_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    blank_map_schema(super::service::BLANK_TEXT)
}

fn platform_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::choice(&crate::settings::rules::PLATFORMS)
}

/// Drafts a post from a template for one platform.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenderRequest {
    #[serde(default)]
    #[schema(required = true, schema_with = platform_schema)]
    pub platform: String,
    /// The filled blanks by name (409 for a name the template does not have).
    #[serde(default)]
    #[schema(schema_with = fields_schema)]
    pub fields: BTreeMap<String, String>,
    /// With a brief, its hashtags and mentions are appended and the platform must be one
    /// the brief targets (409 otherwise).
    #[schema(minimum = 1)]
    pub brief_id: Option<i64>,
}

/// The coordinator's template page: guidance is typed one blank per line as
/// `blank: guidance`.
#[derive(Debug, Clone, Default, rocket::form::FromForm, serde::Serialize)]
pub struct TemplateForm {
    pub institution_id: Option<i64>,
    #[field(default = String::new())]
    pub name: String,
    #[field(default = String::new())]
    pub description: String,
    #[field(default = String::new())]
    pub body: String,
    #[field(default = String::new())]
    pub guidance: String,
    #[field(default = String::new())]
    pub example: String,
    #[serde(skip)]
    pub csrf_token: String,
}

impl crate::http::csrf::CsrfProtected for TemplateForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

impl TemplateForm {
    pub fn to_request(&self) -> TemplateRequest {
        let guidance = self
            .guidance
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| match l.split_once(':') {
                Some((name, text)) => (
                    name.trim()
                        .trim_start_matches("{{")
                        .trim_end_matches("}}")
                        .trim()
                        .to_string(),
                    text.trim().to_string(),
                ),
                None => (l.to_string(), String::new()),
            })
            .collect();
        TemplateRequest {
            name: self.name.clone(),
            description: self.description.clone(),
            body: self.body.clone(),
            guidance,
            example: self.example.clone(),
            institution_id: self.institution_id,
        }
    }
}
