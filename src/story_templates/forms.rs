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
