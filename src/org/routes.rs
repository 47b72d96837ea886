//! Admin pages for institutions and their work-unit trees.

use std::collections::BTreeMap;

use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::{InstitutionForm, NewInstitution, NewWorkUnit, WorkUnitForm};
use super::rules::INSTITUTION_KINDS;
use super::service::{self, InstitutionView, WorkUnitView};
use crate::accounts::forms::parse_optional_id;
use crate::auth::guards::Admin;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::http::csrf::CsrfForm;
use crate::state::Shared;
use crate::web::layout::Layout;

#[derive(Serialize)]
pub struct InstitutionsPage {
    layout: Layout,
    institutions: Vec<InstitutionView>,
    kinds: Vec<&'static str>,
    regions: &'static [(&'static str, &'static str)],
    form: InstitutionForm,
    errors: BTreeMap<String, Vec<String>>,
}

async fn index_page(
    db: &DatabaseConnection,
    admin: &Admin<'_>,
    layout: Layout,
    form: InstitutionForm,
    errors: BTreeMap<String, Vec<String>>,
) -> AppResult<Template> {
    let institutions = service::list_institutions_for(db, admin).await?;
    Ok(Template::render(
        "admin/institutions/index",
        InstitutionsPage {
            layout,
            institutions: institutions.iter().map(InstitutionView::from).collect(),
            kinds: INSTITUTION_KINDS.to_vec(),
            regions: &super::rules::REGIONS,
            form,
            errors,
        },
    ))
}

#[rocket::get("/admin/institutions")]
pub async fn index(
    admin: Admin<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    index_page(
        db,
        &admin,
        layout,
        InstitutionForm::default(),
        BTreeMap::new(),
    )
    .await
}

#[rocket::post("/admin/institutions", data = "<form>")]
pub async fn create(
    form: CsrfForm<InstitutionForm>,
    admin: Admin<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let form = form.0;
    let input = NewInstitution {
        name: form.name.clone(),
        short_name: Some(form.short_name.clone()),
        kind: form.kind.clone(),
        region: Some(form.region.clone()),
    };
    match service::create_institution(db, Some(&admin), &input, Some(&ip)).await {
        Ok(i) => Ok(Ok(Flash::success(
            Redirect::to(format!("/admin/institutions/{}", i.id)),
            "org.institution_created",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            Ok(Err((
                status,
                index_page(db, &admin, layout, form, errors).await?,
            )))
        }
    }
}

#[derive(Serialize)]
pub struct InstitutionPage {
    layout: Layout,
    institution: InstitutionView,
    units: Vec<WorkUnitView>,
    form: WorkUnitForm,
    errors: BTreeMap<String, Vec<String>>,
    kinds: Vec<&'static str>,
    regions: &'static [(&'static str, &'static str)],
    /// What was typed into the change, merge and rename forms (keys prefixed like their
    /// errors: `edit_`, `merge_`, `inst_`).
    values: BTreeMap<String, String>,
}

async fn show_page(
    db: &DatabaseConnection,
    admin: &Admin<'_>,
    id: i64,
    layout: Layout,
    form: WorkUnitForm,
    errors: BTreeMap<String, Vec<String>>,
) -> AppResult<Template> {
    show_page_with(db, admin, id, layout, form, errors, BTreeMap::new()).await
}

async fn show_page_with(
    db: &DatabaseConnection,
    admin: &Admin<'_>,
    id: i64,
    layout: Layout,
    form: WorkUnitForm,
    errors: BTreeMap<String, Vec<String>>,
    values: BTreeMap<String, String>,
) -> AppResult<Template> {
    let institution = service::get_institution_for(db, admin, id).await?;
    Ok(Template::render(
        "admin/institutions/show",
        InstitutionPage {
            layout,
            institution: InstitutionView::from(&institution),
            units: service::list_work_units_for(db, admin, id).await?,
            form,
            errors,
            kinds: INSTITUTION_KINDS.to_vec(),
            regions: &super::rules::REGIONS,
            values,
        },
    ))
}

/// A refusal of one of the institution page's forms: its messages under the form's prefix,
/// with what was typed.
async fn refused(
    db: &DatabaseConnection,
    admin: &Admin<'_>,
    id: i64,
    layout: Layout,
    err: AppError,
    prefix: &str,
    typed: &[(&str, &str)],
) -> AppResult<(Status, Template)> {
    let status = err.status();
    let (_, errors) = err.form_errors(layout.lang)?;
    let errors = errors
        .into_iter()
        .map(|(k, v)| (format!("{prefix}{k}"), v))
        .collect();
    let values = typed
        .iter()
        .map(|(k, v)| (format!("{prefix}{k}"), v.to_string()))
        .collect();
    let page = show_page_with(
        db,
        admin,
        id,
        layout,
        WorkUnitForm::default(),
        errors,
        values,
    )
    .await?;
    Ok((status, page))
}

#[derive(rocket::FromForm, Default)]
pub struct OrgChangeForm {
    #[field(default = String::new())]
    pub name: String,
    #[field(default = String::new())]
    pub short_name: String,
    #[field(default = String::new())]
    pub kind: String,
    #[field(default = String::new())]
    pub region: String,
    #[field(default = String::new())]
    pub unit_id: String,
    /// `keep`, `top`, or a unit id.
    #[field(default = String::new())]
    pub parent: String,
    #[field(default = String::new())]
    pub into: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl crate::http::csrf::CsrfProtected for OrgChangeForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

type OrgResult = AppResult<Result<Flash<Redirect>, (Status, Template)>>;

/// Renames the institution (or changes its short name or kind).
#[rocket::post("/admin/institutions/<id>", data = "<form>")]
pub async fn change(
    id: i64,
    form: CsrfForm<OrgChangeForm>,
    admin: Admin<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> OrgResult {
    let f = form.0;
    let input = super::forms::InstitutionChange {
        name: Some(f.name.clone()),
        short_name: Some(f.short_name.clone()),
        kind: Some(f.kind.clone()),
        region: Some(f.region.clone()),
    };
    match service::change_institution(db, &admin, id, &input, &ip).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/admin/institutions/{id}")),
            "org.institution_changed",
        ))),
        Err(AppError::NotFound) => Err(AppError::NotFound),
        Err(e) => {
            let typed = [
                ("name", f.name.as_str()),
                ("short_name", f.short_name.as_str()),
                ("kind", f.kind.as_str()),
                ("region", f.region.as_str()),
            ];
            Ok(Err(
                refused(db, &admin, id, layout, e, "inst_", &typed).await?
            ))
        }
    }
}

/// The unit a form names, of this institution (otherwise a refusal at `unit_id`).
async fn unit_of(db: &DatabaseConnection, institution: i64, text: &str) -> AppResult<i64> {
    let unknown = || {
        AppError::Validation(FieldErrors::single(
            "unit_id",
            Msg::conflict("org.unit_unknown"),
        ))
    };
    let id = text.trim().parse::<i64>().map_err(|_| unknown())?;
    <entity::work_units::Entity as sea_orm::EntityTrait>::find_by_id(id)
        .one(db)
        .await?
        .filter(|u| u.institution_id == institution)
        .map(|u| u.id)
        .ok_or_else(unknown)
}

/// Renames a unit or moves it (with its sub-units).
#[rocket::post("/admin/institutions/<id>/work-units/change", data = "<form>")]
pub async fn change_work_unit(
    id: i64,
    form: CsrfForm<OrgChangeForm>,
    admin: Admin<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> OrgResult {
    let f = form.0;
    service::get_institution_for(db, &admin, id).await?;
    let result = async {
        let unit = unit_of(db, id, &f.unit_id).await?;
        let parent = f.parent.trim();
        let input = super::forms::UnitChange {
            name: Some(f.name.clone()).filter(|n| !n.trim().is_empty()),
            parent_id: match parent {
                "" | "keep" | "top" => None,
                p => Some(p.parse::<i64>().map_err(|_| {
                    AppError::Validation(FieldErrors::single(
                        "parent_id",
                        Msg::conflict("org.parent_unknown"),
                    ))
                })?),
            },
            top_level: parent == "top",
        };
        service::change_work_unit(db, &admin, unit, &input, &ip).await
    }
    .await;
    match result {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/admin/institutions/{id}")),
            "org.unit_changed",
        ))),
        Err(e) => {
            let typed = [
                ("unit_id", f.unit_id.as_str()),
                ("name", f.name.as_str()),
                ("parent", f.parent.as_str()),
            ];
            Ok(Err(
                refused(db, &admin, id, layout, e, "edit_", &typed).await?
            ))
        }
    }
}

/// Merges a unit into another.
#[rocket::post("/admin/institutions/<id>/work-units/merge", data = "<form>")]
pub async fn merge_work_unit(
    id: i64,
    form: CsrfForm<OrgChangeForm>,
    admin: Admin<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> OrgResult {
    let f = form.0;
    service::get_institution_for(db, &admin, id).await?;
    let result = async {
        let unit = unit_of(db, id, &f.unit_id).await?;
        let into = f.into.trim().parse::<i64>().unwrap_or(0);
        service::merge_work_unit(db, &admin, unit, into, &ip).await
    }
    .await;
    match result {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/admin/institutions/{id}")),
            "org.unit_merged",
        ))),
        Err(e) => {
            let typed = [("unit_id", f.unit_id.as_str()), ("into", f.into.as_str())];
            Ok(Err(
                refused(db, &admin, id, layout, e, "merge_", &typed).await?
            ))
        }
    }
}

#[rocket::get("/admin/institutions/<id>")]
pub async fn show(
    id: i64,
    admin: Admin<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    show_page(
        db,
        &admin,
        id,
        layout,
        WorkUnitForm::default(),
        BTreeMap::new(),
    )
    .await
}

#[rocket::post("/admin/institutions/<id>/work-units", data = "<form>")]
pub async fn create_work_unit(
    id: i64,
    form: CsrfForm<WorkUnitForm>,
    admin: Admin<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let form = form.0;
    let result = match parse_optional_id(&form.parent_id) {
        Ok(parent_id) => {
            let input = NewWorkUnit {
                name: form.name.clone(),
                parent_id,
            };
            service::create_work_unit(db, Some(&admin), id, &input, Some(&ip)).await
        }
        Err(_) => Err(AppError::Validation(FieldErrors::single(
            "parent_id",
            Msg::conflict("org.parent_unknown"),
        ))),
    };
    match result {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/admin/institutions/{id}")),
            "org.unit_created",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            Ok(Err((
                status,
                show_page(db, &admin, id, layout, form, errors).await?,
            )))
        }
    }
}
