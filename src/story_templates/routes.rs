//! The storytelling template library for coordinators: every template they can offer
//! with a brief, and a form for their institution's own.

use std::collections::BTreeMap;

use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::TemplateForm;
use super::service::{self, TemplateView};
use crate::auth::guards::Coordinator;
use crate::auth::roles::Role;
use crate::error::AppResult;
use crate::http::client_ip::ClientIp;
use crate::http::csrf::CsrfForm;
use crate::org::service::list_institutions_for;
use crate::state::Shared;
use crate::web::layout::Layout;

#[derive(Serialize)]
pub struct TemplatesIndexPage {
    layout: Layout,
    templates: Vec<TemplateView>,
}

#[rocket::get("/templates")]
pub async fn index(
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    Ok(Template::render(
        "story_templates/index",
        TemplatesIndexPage {
            layout,
            templates: service::list_templates(db, &user).await?,
        },
    ))
}

#[derive(Serialize)]
pub struct InstitutionChoice {
    id: i64,
    name: String,
}

#[derive(Serialize)]
pub struct TemplateFormPage {
    layout: Layout,
    form: TemplateForm,
    errors: BTreeMap<String, Vec<String>>,
    institutions: Vec<InstitutionChoice>,
    needs_institution: bool,
}

async fn form_page(
    db: &DatabaseConnection,
    user: &Coordinator<'_>,
    layout: Layout,
    form: TemplateForm,
    errors: BTreeMap<String, Vec<String>>,
) -> AppResult<Template> {
    Ok(Template::render(
        "story_templates/new",
        TemplateFormPage {
            layout,
            form,
            errors,
            institutions: list_institutions_for(db, user)
                .await?
                .into_iter()
                .map(|i| InstitutionChoice {
                    id: i.id,
                    name: i.name,
                })
                .collect(),
            needs_institution: user.role == Role::Admin,
        },
    ))
}

#[rocket::get("/templates/new")]
pub async fn new(
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    form_page(db, &user, layout, TemplateForm::default(), BTreeMap::new()).await
}

#[rocket::post("/templates", data = "<form>")]
pub async fn create(
    form: CsrfForm<TemplateForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    match service::create_template(db, &user, &form.0.to_request(), &ip).await {
        Ok(saved) => Ok(Ok(Flash::success(
            Redirect::to(format!("/templates/{}", saved.id)),
            "templates.saved",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            Ok(Err((
                status,
                form_page(db, &user, layout, form.0, errors).await?,
            )))
        }
    }
}

#[derive(Serialize)]
pub struct TemplateShowPage {
    layout: Layout,
    template: TemplateView,
}

#[rocket::get("/templates/<id>")]
pub async fn show(
    id: i64,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    let t = service::get_template_for(db, &user, id).await?;
    Ok(Template::render(
        "story_templates/show",
        TemplateShowPage {
            layout,
            template: service::view(&t),
        },
    ))
}

pub fn all() -> Vec<rocket::Route> {
    rocket::routes![index, new, create, show]
}
