//! Request bodies of national briefs: the API's JSON and the page forms, turned into the
//! same inputs.

use rocket::form::FromForm;
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Schema};

use super::service::{AdoptInput, NationalInput, LOCAL_TEXT, REASON};
use crate::briefs::forms::{
    brief_text_schema, category_schema, facts_schema, hashtags_schema, mentions_schema,
    platforms_schema, priority_schema, template_ids_schema, title_schema, BriefRequest, Fact,
};
use crate::briefs::rules::{parse_fact_lines, split_list};
use crate::http::csrf::CsrfProtected;

fn choices(values: Vec<&'static str>) -> RefOr<Schema> {
    let max = values.len();
    RefOr::T(Schema::Array(
        ArrayBuilder::new()
            .items(RefOr::T(Schema::Object(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(values))
                    .build(),
            )))
            .max_items(Some(max))
            .build(),
    ))
}

fn kinds_schema() -> RefOr<Schema> {
    choices(crate::org::rules::INSTITUTION_KINDS.to_vec())
}

fn regions_schema() -> RefOr<Schema> {
    choices(crate::org::rules::region_slugs())
}

crate::text_schema!(reason_schema, REASON);

/// Facts typed one per line as `fact | source`.
fn facts_of(text: &str) -> Vec<Fact> {
    parse_fact_lines(text)
        .into_iter()
        .map(|(text, source)| Fact { text, source })
        .collect()
}
crate::text_schema!(local_text_schema, LOCAL_TEXT);

/// A national brief as the national role writes it: the content of a brief (checked by
/// the same rules; it is published at once, in the current week) and the institutions it
/// goes to: those of `kinds` and `regions` (each empty for every one; 422 at `kinds` when
/// no institution matches).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NationalBriefRequest {
    #[serde(default)]
    #[schema(required = true, schema_with = title_schema)]
    pub title: String,
    #[serde(default)]
    #[schema(required = true, schema_with = category_schema)]
    pub category: String,
    #[serde(default)]
    #[schema(schema_with = brief_text_schema)]
    pub key_messages: String,
    #[serde(default)]
    #[schema(schema_with = facts_schema)]
    pub facts: Vec<Fact>,
    #[serde(default)]
    #[schema(schema_with = hashtags_schema)]
    pub hashtags: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = mentions_schema)]
    pub mentions: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = brief_text_schema)]
    pub dos: String,
    #[serde(default)]
    #[schema(schema_with = brief_text_schema)]
    pub donts: String,
    #[serde(default)]
    #[schema(schema_with = brief_text_schema)]
    pub sample: String,
    #[serde(default)]
    #[schema(required = true, schema_with = platforms_schema)]
    pub platforms: Vec<String>,
    /// With an offset, or a local time in the programme's time zone; after now.
    #[serde(default)]
    #[schema(required = true, schema_with = crate::briefs::rules::instant_schema)]
    pub deadline: String,
    /// Empty: normal.
    #[serde(default)]
    #[schema(schema_with = priority_schema)]
    pub priority: String,
    /// Shared templates only.
    #[serde(default)]
    #[schema(schema_with = template_ids_schema)]
    pub template_ids: Vec<i64>,
    #[serde(default)]
    #[schema(schema_with = kinds_schema)]
    pub kinds: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = regions_schema)]
    pub regions: Vec<String>,
    /// A confirmed case of the national hoax list that this brief answers (409 for
    /// another case).
    #[schema(minimum = 1)]
    pub hoax_case_id: Option<i64>,
}

impl NationalBriefRequest {
    pub fn input(&self) -> NationalInput {
        NationalInput {
            content: BriefRequest {
                title: self.title.clone(),
                category: self.category.clone(),
                key_messages: self.key_messages.clone(),
                facts: self.facts.clone(),
                hashtags: self.hashtags.clone(),
                mentions: self.mentions.clone(),
                dos: self.dos.clone(),
                donts: self.donts.clone(),
                sample: self.sample.clone(),
                platforms: self.platforms.clone(),
                deadline: self.deadline.clone(),
                priority: self.priority.clone(),
                template_ids: self.template_ids.clone(),
                ..Default::default()
            },
            kinds: self.kinds.clone(),
            regions: self.regions.clone(),
            hoax_case_id: self.hoax_case_id,
        }
    }
}

/// What an institution adds when it adopts a national brief.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdoptRequest {
    /// Key messages of the institution's own, after the national ones.
    #[serde(default)]
    #[schema(schema_with = local_text_schema)]
    pub local_key_messages: String,
    /// Facts of the institution's own, after the national ones (together at most the
    /// most facts a brief has: 422).
    #[serde(default)]
    #[schema(schema_with = facts_schema)]
    pub local_facts: Vec<Fact>,
    /// The institution's sample wording instead of the national one; empty keeps it.
    #[serde(default)]
    #[schema(schema_with = brief_text_schema)]
    pub sample: String,
}

impl AdoptRequest {
    pub fn input(&self) -> AdoptInput {
        AdoptInput {
            local_key_messages: self.local_key_messages.clone(),
            local_facts: self.local_facts.clone(),
            sample: self.sample.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineRequest {
    #[serde(default)]
    #[schema(required = true, schema_with = reason_schema)]
    pub reason: String,
}

/// The national brief's page form: lists typed as text (facts one per line as
/// `fact | source`, tags separated by spaces or commas).
#[derive(Debug, Clone, Default, FromForm, Serialize)]
pub struct NationalForm {
    #[field(default = String::new())]
    pub title: String,
    #[field(default = String::new())]
    pub category: String,
    #[field(default = String::new())]
    pub key_messages: String,
    #[field(default = String::new())]
    pub facts: String,
    #[field(default = String::new())]
    pub hashtags: String,
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
    pub template_ids: Vec<i64>,
    pub kinds: Vec<String>,
    pub regions: Vec<String>,
    pub hoax_case_id: Option<i64>,
    #[serde(skip)]
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for NationalForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

impl NationalForm {
    pub fn input(&self) -> NationalInput {
        NationalInput {
            content: BriefRequest {
                title: self.title.clone(),
                category: self.category.clone(),
                key_messages: self.key_messages.clone(),
                facts: facts_of(&self.facts),
                hashtags: split_list(&self.hashtags),
                dos: self.dos.clone(),
                donts: self.donts.clone(),
                sample: self.sample.clone(),
                platforms: self.platforms.clone(),
                deadline: self.deadline.clone(),
                priority: self.priority.clone(),
                template_ids: self.template_ids.clone(),
                ..Default::default()
            },
            kinds: self.kinds.clone(),
            regions: self.regions.clone(),
            hoax_case_id: self.hoax_case_id,
        }
    }
}

/// The adoption form on a national brief's page.
#[derive(Debug, Clone, Default, FromForm, Serialize)]
pub struct AdoptForm {
    #[field(default = String::new())]
    pub local_key_messages: String,
    #[field(default = String::new())]
    pub local_facts: String,
    #[field(default = String::new())]
    pub sample: String,
    #[serde(skip)]
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for AdoptForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

impl AdoptForm {
    pub fn input(&self) -> AdoptInput {
        AdoptInput {
            local_key_messages: self.local_key_messages.clone(),
            local_facts: facts_of(&self.local_facts),
            sample: self.sample.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, FromForm, Serialize)]
pub struct DeclineForm {
    #[field(default = String::new())]
    pub reason: String,
    #[serde(skip)]
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for DeclineForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}
