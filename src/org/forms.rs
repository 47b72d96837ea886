//! Request bodies for institutions and work units.

use rocket::form::FromForm;
use serde::{Deserialize, Serialize};

use crate::http::csrf::CsrfProtected;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewInstitution {
    #[serde(default)]
    pub name: String,
    pub short_name: Option<String>,
    /// ministry, agency, province, regency, city or other
    #[serde(default)]
    pub kind: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewWorkUnit {
    #[serde(default)]
    pub name: String,
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
