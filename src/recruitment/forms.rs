//! Request bodies of recruitment: a programme page's text, from the API and the page.

use rocket::form::FromForm;
use serde::{Deserialize, Serialize};

use super::rules::{BODY, HEADLINE, REFERRAL_MAX, REFERRAL_PATTERN};
use super::service::PageInput;
use crate::http::csrf::CsrfProtected;

crate::text_schema!(headline_schema, HEADLINE);
crate::text_schema!(body_schema, BODY);

/// A referral code (`GET /api/v1/me/referral` gives an ambassador theirs).
pub fn referral_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::as_schema(
        crate::text::pattern_schema(REFERRAL_PATTERN.to_string())
            .max_length(Some(REFERRAL_MAX))
            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                utoipa::openapi::Type::String,
                utoipa::openapi::Type::Null,
            ])),
    )
}

/// An institution's programme page: a headline (3–200 characters) and its text
/// (paragraphs separated by an empty line, at most 5,000 characters).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammePageRequest {
    #[serde(default)]
    #[schema(required = true, schema_with = headline_schema)]
    pub headline: String,
    #[serde(default)]
    #[schema(required = true, schema_with = body_schema)]
    pub body: String,
}

impl ProgrammePageRequest {
    pub fn input(&self) -> PageInput {
        PageInput {
            headline: self.headline.clone(),
            body: self.body.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, FromForm, Serialize)]
pub struct ProgrammePageForm {
    #[field(default = String::new())]
    pub headline: String,
    #[field(default = String::new())]
    pub body: String,
    #[serde(skip)]
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl ProgrammePageForm {
    pub fn input(&self) -> PageInput {
        PageInput {
            headline: self.headline.clone(),
            body: self.body.clone(),
        }
    }
}

impl CsrfProtected for ProgrammePageForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}
