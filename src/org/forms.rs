//! Request bodies for institutions and work units.

use rocket::form::FromForm;
use serde::{Deserialize, Serialize};

use super::rules::{INSTITUTION_KINDS, ORG_NAME, SHORT_NAME};
use crate::http::csrf::CsrfProtected;

crate::text_schema!(org_name_schema, ORG_NAME);
crate::text_schema!(short_name_schema, SHORT_NAME, nullable);
fn kind_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::choice(&INSTITUTION_KINDS)
}
crate::text_schema!(nullable_org_name_schema, ORG_NAME, nullable);
fn nullable_kind_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::nullable_choice(&INSTITUTION_KINDS)
}
fn region_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    let mut slugs = super::rules::region_slugs();
    slugs.push("");
    crate::text::nullable_choice(&slugs)
}

/// A renamed institution: every field optional (absent or `null` keeps it).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstitutionChange {
    #[schema(schema_with = nullable_org_name_schema)]
    pub name: Option<String>,
    /// Empty: none.
    #[schema(schema_with = short_name_schema)]
    pub short_name: Option<String>,
    #[schema(schema_with = nullable_kind_schema)]
    pub kind: Option<String>,
    /// A province (`aceh`, …, `papua-pegunungan`); empty for none (the central
    /// government); absent or `null` keeps it.
    #[schema(schema_with = region_schema)]
    pub region: Option<String>,
}

/// A renamed or moved work unit: every field optional.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitChange {
    #[schema(schema_with = nullable_org_name_schema)]
    pub name: Option<String>,
    /// Moves the unit (with its subtree) under another unit of the institution; not
    /// itself nor one of its own sub-units (409).
    #[schema(minimum = 1)]
    pub parent_id: Option<i64>,
    /// Moves the unit to the top level.
    #[serde(default)]
    pub top_level: bool,
}

/// Merges a unit into another of the same institution.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitMerge {
    /// The unit that takes over the people, sub-units and brief audiences; not the unit
    /// itself nor one of its sub-units (409).
    #[serde(default)]
    #[schema(required = true, minimum = 1)]
    pub into: i64,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInstitution {
    #[serde(default)]
    #[schema(required = true, schema_with = org_name_schema)]
    pub name: String,
    /// Empty or absent: none.
    #[schema(schema_with = short_name_schema)]
    pub short_name: Option<String>,
    #[serde(default)]
    #[schema(required = true, schema_with = kind_schema)]
    pub kind: String,
    /// A province (`aceh`, …, `papua-pegunungan`); absent, `null` or empty for none (the
    /// central government).
    #[schema(schema_with = region_schema)]
    pub region: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkUnit {
    #[serde(default)]
    #[schema(required = true, schema_with = org_name_schema)]
    pub name: String,
    /// A unit of the same institution; absent or `null`: a top-level unit.
    #[schema(minimum = 1)]
    pub parent_id: Option<i64>,
}

#[derive(FromForm, Default, Serialize)]
pub struct InstitutionForm {
    #[field(default = String::new())]
    pub name: String,
    #[field(default = String::new())]
    pub short_name: String,
    #[field(default = String::new())]
    pub kind: String,
    #[field(default = String::new())]
    pub region: String,
    #[serde(skip)]
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for InstitutionForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[derive(FromForm, Default, Serialize)]
pub struct WorkUnitForm {
    #[field(default = String::new())]
    pub name: String,
    #[field(default = String::new())]
    pub parent_id: String,
    #[serde(skip)]
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for WorkUnitForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}
