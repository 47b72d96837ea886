//! Request bodies of briefs: the API's JSON and the coordinator's page form, which is
//! turned into the same request.

use rocket::form::FromForm;
use serde::{Deserialize, Serialize};

use super::rules::{parse_fact_lines, split_list};
use crate::http::csrf::CsrfProtected;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{RefOr, Schema};

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    #[serde(default)]
    #[schema(required = true, schema_with = fact_text_schema)]
    pub text: String,
    /// Where the figure comes from (a publication, an agency, a link).
    #[serde(default)]
    #[schema(schema_with = fact_source_schema)]
    pub source: String,
}

crate::text_schema!(fact_text_schema, super::service::FACT_TEXT);
crate::text_schema!(fact_source_schema, super::service::FACT_SOURCE);
crate::text_schema!(title_schema, super::service::TITLE);
crate::text_schema!(brief_text_schema, super::service::BRIEF_TEXT);

pub(crate) fn category_schema() -> RefOr<Schema> {
    crate::text::choice(&super::rules::CATEGORIES)
}

pub(crate) fn priority_schema() -> RefOr<Schema> {
    crate::text::choice(&["", "normal", "urgent"])
}

fn status_schema() -> RefOr<Schema> {
    crate::text::choice(&["", "draft", "scheduled", "published", "closed"])
}

fn items(item: Schema, max: usize, min: usize) -> RefOr<Schema> {
    RefOr::T(Schema::Array(
        ArrayBuilder::new()
            .items(RefOr::T(item))
            .max_items(Some(max))
            .min_items(Some(min))
            .build(),
    ))
}

fn pattern(p: String, max: Option<usize>) -> Schema {
    Schema::Object(crate::text::pattern_schema(p).max_length(max).build())
}

pub(crate) fn facts_schema() -> RefOr<Schema> {
    RefOr::T(Schema::Array(
        ArrayBuilder::new()
            .items(RefOr::Ref(utoipa::openapi::Ref::from_schema_name("Fact")))
            .max_items(Some(super::rules::MAX_FACTS))
            .build(),
    ))
}

pub(crate) fn hashtags_schema() -> RefOr<Schema> {
    items(
        pattern(
            super::rules::hashtag_pattern(),
            Some(super::rules::MAX_TAG_CHARS),
        ),
        super::rules::MAX_TAGS,
        0,
    )
}

pub(crate) fn mentions_schema() -> RefOr<Schema> {
    items(
        pattern(super::rules::MENTION_PATTERN.to_string(), None),
        super::rules::MAX_TAGS,
        0,
    )
}

pub(crate) fn platforms_schema() -> RefOr<Schema> {
    let choice = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(super::rules::PLATFORMS.iter().copied()))
        .build();
    items(Schema::Object(choice), 50, 1)
}

fn ids_schema(max: usize) -> RefOr<Schema> {
    let id = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Int64,
        )))
        .minimum(Some(1))
        .build();
    items(Schema::Object(id), max, 0)
}

fn unit_ids_schema() -> RefOr<Schema> {
    ids_schema(super::service::MAX_UNITS)
}

pub(crate) fn template_ids_schema() -> RefOr<Schema> {
    ids_schema(super::service::MAX_TEMPLATES)
}

/// An instant, or `null`, or nothing but spaces (none).
fn publish_at_schema() -> RefOr<Schema> {
    let space = crate::text::SPACE;
    RefOr::T(Schema::Object(
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .pattern(Some(format!(
                "^{space}*$|{}",
                super::rules::instant_pattern()
            )))
            .build(),
    ))
}

/// A brief as written by a coordinator. `PUT` replaces every field.
///
/// Rules between fields (422): `scheduled` needs a `publish_at` ahead; `published` takes
/// no `publish_at` ahead; the deadline comes after the brief is published (its
/// `publish_at`, or now). Rules against what is stored (409): a published brief cannot go
/// back to draft, a brief never published cannot be closed, units and templates must be
/// within the caller's reach, and a coordinator limited to a unit must name units.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BriefRequest {
    /// Admins only (they have no institution of their own; 409 without it).
    #[schema(minimum = 1)]
    pub institution_id: Option<i64>,
    #[serde(default)]
    #[schema(required = true, schema_with = title_schema)]
    pub title: String,
    /// ISO week like `2026-W48`; past weeks are allowed, to bring a programme's history.
    #[serde(default)]
    #[schema(required = true, schema_with = super::rules::week_schema)]
    pub week: String,
    #[serde(default)]
    #[schema(required = true, schema_with = category_schema)]
    pub category: String,
    #[serde(default)]
    #[schema(schema_with = brief_text_schema)]
    pub key_messages: String,
    #[serde(default)]
    #[schema(schema_with = facts_schema)]
    pub facts: Vec<Fact>,
    /// With or without `#`; repeats (ignoring case) are kept once.
    #[serde(default)]
    #[schema(schema_with = hashtags_schema)]
    pub hashtags: Vec<String>,
    /// With or without `@`; repeats (ignoring case) are kept once.
    #[serde(default)]
    #[schema(schema_with = mentions_schema)]
    pub mentions: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = brief_text_schema)]
    pub dos: String,
    #[serde(default)]
    #[schema(schema_with = brief_text_schema)]
    pub donts: String,
    /// Sample wording; drafts that mostly repeat it are nudged to be personal.
    #[serde(default)]
    #[schema(schema_with = brief_text_schema)]
    pub sample: String,
    /// Repeats are kept once.
    #[serde(default)]
    #[schema(required = true, schema_with = platforms_schema)]
    pub platforms: Vec<String>,
    /// With an offset, or a local time in the programme's time zone.
    #[serde(default)]
    #[schema(required = true, schema_with = super::rules::instant_schema)]
    pub deadline: String,
    /// Empty: normal.
    #[serde(default)]
    #[schema(schema_with = priority_schema)]
    pub priority: String,
    /// Empty: the whole institution. Otherwise these units with their subtrees.
    #[serde(default)]
    #[schema(schema_with = unit_ids_schema)]
    pub work_unit_ids: Vec<i64>,
    #[serde(default)]
    #[schema(schema_with = template_ids_schema)]
    pub template_ids: Vec<i64>,
    /// Empty: the brief's state stays (a new one is a draft).
    #[serde(default)]
    #[schema(schema_with = status_schema)]
    pub status: String,
    /// When ambassadors see it: required to schedule; now when publishing without one.
    #[schema(schema_with = publish_at_schema)]
    pub publish_at: Option<String>,
}

/// The crisis switch's body: the notice ambassadors see while briefs are paused.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseRequest {
    #[serde(default)]
    #[schema(required = true, schema_with = notice_schema)]
    pub notice: String,
}

crate::text_schema!(notice_schema, super::service::NOTICE);

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

/// The button that makes a hoax case's clarification brief.
#[derive(Debug, Clone, Default, FromForm)]
pub struct ClarifyForm {
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for ClarifyForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
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
