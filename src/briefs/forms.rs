//! Request bodies of briefs: the API's JSON and the coordinator's page form, which is
//! turned into the same request.

use rocket::form::FromForm;
use serde::{Deserialize, Serialize};

use super::rules::{parse_fact_lines, split_list};
use crate::http::csrf::CsrfProtected;

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    #[serde(default)]
    pub text: String,
    /// Where the figure comes from (a publication, an agency, a link).
    #[serde(default)]
    pub source: String,
}

/// A brief as written by a coordinator. `PUT` replaces every field.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BriefRequest {
    /// Admins only (they have no institution of their own).
    pub institution_id: Option<i64>,
    #[serde(default)]
    pub title: String,
    /// ISO week like `2026-W48`; past weeks are allowed, to bring a programme's history.
    #[serde(default)]
    pub week: String,
    /// sosialisasi, edukasi, kampanye, kontra_narasi or nation_branding
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub key_messages: String,
    #[serde(default)]
    pub facts: Vec<Fact>,
    #[serde(default)]
    pub hashtags: Vec<String>,
    #[serde(default)]
    pub mentions: Vec<String>,
    #[serde(default)]
    pub dos: String,
    #[serde(default)]
    pub donts: String,
    /// Sample wording; drafts that mostly repeat it are nudged to be personal.
    #[serde(default)]
    pub sample: String,
    /// x, instagram, facebook, tiktok, youtube
    #[serde(default)]
    pub platforms: Vec<String>,
    /// RFC 3339, or `YYYY-MM-DDTHH:MM` in the programme's time zone.
    #[serde(default)]
    pub deadline: String,
    /// normal (default) or urgent
    #[serde(default)]
    pub priority: String,
    /// Empty: the whole institution. Otherwise these units with their subtrees.
    #[serde(default)]
    pub work_unit_ids: Vec<i64>,
    #[serde(default)]
    pub template_ids: Vec<i64>,
    /// draft (default), scheduled, published or closed.
    #[serde(default)]
    pub status: String,
    /// When ambassadors see it: required to schedule; now when publishing without one.
    pub publish_at: Option<String>,
}

/// The crisis switch's body: the notice ambassadors see while briefs are paused.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseRequest {
    #[serde(default)]
    pub notice: String,
}

/// The coordinator's brief page. Lists are typed as text: tags separated by spaces or
/// commas, facts one per line as `fact | source`.
#[derive(Debug, Clone, Default, FromForm, Serialize)]
pub struct BriefForm {
    pub institution_id: Option<i64>,
    #[field(default = String::new())]
    pub title: String,
    #[field(default = String::new())]
    pub week: String,
    #[field(default = String::new())]
    pub category: String,
    #[field(default = String::new())]
    pub key_messages: String,
    #[field(default = String::new())]
    pub facts: String,
    #[field(default = String::new())]
    pub hashtags: String,
    #[field(default = String::new())]
    pub mentions: String,
    #[field(default = String::new())]
    pub dos: String,
    #[field(default = String::new())]
    pub donts: String,
    #[field(default = String::new())]
    pub sample: String,
    pub platforms: Vec<String>,
    #[field(default = String::new())]
    pub deadline: String,
    #[field(default = String::new())]
    pub priority: String,
    pub work_unit_ids: Vec<i64>,
    pub template_ids: Vec<i64>,
    /// draft, scheduled, published or closed
    #[field(default = String::new())]
    pub status: String,
    #[field(default = String::new())]
    pub publish_at: String,
    #[serde(skip)]
    pub csrf_token: String,
}

impl CsrfProtected for BriefForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

impl BriefForm {
    pub fn to_request(&self) -> BriefRequest {
        BriefRequest {
            institution_id: self.institution_id,
            title: self.title.clone(),
            week: self.week.clone(),
            category: self.category.clone(),
            key_messages: self.key_messages.clone(),
            facts: parse_fact_lines(&self.facts)
                .into_iter()
                .map(|(text, source)| Fact { text, source })
                .collect(),
            hashtags: split_list(&self.hashtags),
            mentions: split_list(&self.mentions),
            dos: self.dos.clone(),
            donts: self.donts.clone(),
            sample: self.sample.clone(),
            platforms: self.platforms.clone(),
            deadline: self.deadline.clone(),
            priority: self.priority.clone(),
            work_unit_ids: self.work_unit_ids.clone(),
            template_ids: self.template_ids.clone(),
            status: self.status.clone(),
            publish_at: Some(self.publish_at.clone()).filter(|p| !p.trim().is_empty()),
        }
    }
}

/// The crisis switch on the page.
#[derive(Debug, Clone, Default, FromForm)]
pub struct PauseForm {
    #[field(default = String::new())]
    pub notice: String,
    pub institution_id: Option<i64>,
    pub csrf_token: String,
}

impl CsrfProtected for PauseForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// The composer: a template's blanks as filled; `save` names the platform whose draft
/// is to be kept (absent: preview only).
#[derive(Debug, Clone, Default, FromForm)]
pub struct ComposeForm {
    pub template_id: Option<i64>,
    pub fields: std::collections::BTreeMap<String, String>,
    pub save: Option<String>,
    pub csrf_token: String,
}

impl CsrfProtected for ComposeForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}
