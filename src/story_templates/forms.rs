//! Request bodies of storytelling templates and of drafting from one.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A new template, from the API or the page.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TemplateRequest {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Text with named blanks written `{{name}}` (lower-case letters, digits, `_`).
    #[serde(default)]
    pub body: String,
    /// Guidance for every blank of the body, and for nothing else.
    #[serde(default)]
    pub guidance: BTreeMap<String, String>,
    #[serde(default)]
    pub example: String,
    /// For admins, who have no institution of their own; others' templates are their
    /// institution's.
    pub institution_id: Option<i64>,
}

/// Drafts a post from a template for one platform.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RenderRequest {
    #[serde(default)]
    pub platform: String,
    /// The filled blanks by name.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// With a brief, its hashtags and mentions are appended and the platform must be one
    /// the brief targets.
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
