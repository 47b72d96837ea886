//! Request bodies of mentoring: a comment on a draft, a revision, a mentor named.

use rocket::form::FromForm;
use serde::{Deserialize, Serialize};

use super::rules::{BODY, PASSAGE, SUGGESTION, VERSION};
use super::service::CommentInput;
use crate::http::csrf::CsrfProtected;

crate::text_schema!(version_text_schema, VERSION);
crate::text_schema!(body_schema, BODY);
crate::text_schema!(passage_schema, PASSAGE);
crate::text_schema!(suggestion_schema, SUGGESTION);

/// A reviewer's comment on the latest version (`version` names it: 409 when the draft was
/// revised since): overall (`body`), or on a passage of it (`passage`, which must be in
/// the version's text) with suggested wording (`suggestion`, only with a passage).
/// `accept` marks the draft ready to post.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    #[schema(required = true, minimum = 1, maximum = 100_000)]
    pub version: Option<i64>,
    #[serde(default)]
    #[schema(required = true, schema_with = body_schema)]
    pub body: String,
    #[serde(default)]
    #[schema(schema_with = passage_schema)]
    pub passage: String,
    #[serde(default)]
    #[schema(schema_with = suggestion_schema)]
    pub suggestion: String,
    #[serde(default)]
    pub accept: bool,
}

impl CommentRequest {
    pub fn input(&self) -> CommentInput {
        CommentInput {
            version: self.version,
            body: self.body.clone(),
            passage: self.passage.clone(),
            suggestion: self.suggestion.clone(),
            accept: self.accept,
        }
    }
}

/// The ambassador's revised text: the next version.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevisionRequest {
    #[serde(default)]
    #[schema(required = true, schema_with = version_text_schema)]
    pub text: String,
}

#[derive(Debug, Clone, Default, FromForm, Serialize)]
pub struct CommentForm {
    #[field(default = String::new())]
    pub version: String,
    #[field(default = String::new())]
    pub body: String,
    #[field(default = String::new())]
    pub passage: String,
    #[field(default = String::new())]
    pub suggestion: String,
    #[field(default = false)]
    pub accept: bool,
    #[serde(skip)]
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CommentForm {
    pub fn input(&self) -> CommentInput {
        CommentInput {
            version: self.version.trim().parse().ok(),
            body: self.body.clone(),
            passage: self.passage.clone(),
            suggestion: self.suggestion.clone(),
            accept: self.accept,
        }
    }
}

impl CsrfProtected for CommentForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Debug, Clone, Default, FromForm, Serialize)]
pub struct RevisionForm {
    #[field(default = String::new())]
    pub text: String,
    #[serde(skip)]
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for RevisionForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(Debug, Clone, Default, FromForm)]
pub struct MentorForm {
    #[field(default = false)]
    pub on: bool,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for MentorForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}
