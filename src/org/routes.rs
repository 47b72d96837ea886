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
}

async fn show_page(
    db: &DatabaseConnection,
    admin: &Admin<'_>,
    id: i64,
    layout: Layout,
    form: WorkUnitForm,
    errors: BTreeMap<String, Vec<String>>,
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
        },
    ))
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
