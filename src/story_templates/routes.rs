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
    archived: Vec<TemplateView>,
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
            archived: service::list_archived(db, &user).await?,
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
    /// Changing an existing template (its id), or writing a new one.
    editing: Option<i64>,
}

async fn form_page(
    db: &DatabaseConnection,
    user: &Coordinator<'_>,
    layout: Layout,
    form: TemplateForm,
    errors: BTreeMap<String, Vec<String>>,
) -> AppResult<Template> {
    form_page_for(db, user, layout, form, errors, None).await
}

async fn form_page_for(
    db: &DatabaseConnection,
    user: &Coordinator<'_>,
    layout: Layout,
    form: TemplateForm,
    errors: BTreeMap<String, Vec<String>>,
    editing: Option<i64>,
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
            needs_institution: user.role == Role::Admin && editing.is_none(),
            editing,
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
    editable: bool,
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
            editable: service::may_change(&user, &t),
            template: service::view(&t),
        },
    ))
}

/// The form filled with a template's text, for its institution's coordinators and admins.
#[rocket::get("/templates/<id>/edit")]
pub async fn edit(
    id: i64,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    let t = service::get_template_for(db, &user, id).await?;
    if !service::may_change(&user, &t) {
        return Err(crate::error::AppError::NotFound);
    }
    let v = service::view(&t);
    let form = TemplateForm {
        institution_id: None,
        name: v.name,
        description: v.description,
        guidance: v
            .blanks
            .iter()
            .map(|b| format!("{b}: {}", v.guidance.get(b).cloned().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("\n"),
        body: v.body,
        example: v.example,
        csrf_token: String::new(),
    };
    form_page_for(db, &user, layout, form, BTreeMap::new(), Some(id)).await
}

#[rocket::post("/templates/<id>", data = "<form>")]
pub async fn update(
    id: i64,
    form: CsrfForm<TemplateForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let mut req = form.0.to_request();
    req.institution_id = None;
    match service::update_template(db, &user, id, &req, &ip).await {
        Ok(saved) => Ok(Ok(Flash::success(
            Redirect::to(format!("/templates/{}", saved.id)),
            "templates.updated",
        ))),
        Err(crate::error::AppError::NotFound) => Err(crate::error::AppError::NotFound),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            Ok(Err((
                status,
                form_page_for(db, &user, layout, form.0, errors, Some(id)).await?,
            )))
        }
    }
}

/// Archives a template or puts it back (the page's two buttons).
async fn archive_page(
    db: &DatabaseConnection,
    user: &Coordinator<'_>,
    id: i64,
    archive: bool,
    ip: &ClientIp,
) -> AppResult<Flash<Redirect>> {
    match service::set_archived(db, user, id, archive, ip).await {
        Ok(_) => Ok(Flash::success(
            Redirect::to(if archive {
                "/templates".to_string()
            } else {
                format!("/templates/{id}")
            }),
            if archive {
                "templates.archived_note"
            } else {
                "templates.restored_note"
            },
        )),
        Err(crate::error::AppError::Conflict(_)) => Ok(Flash::error(
            Redirect::to(format!("/templates/{id}")),
            "templates.archive_conflict",
        )),
        Err(e) => Err(e),
    }
}

#[rocket::post("/templates/<id>/archive", data = "<_form>")]
pub async fn archive(
    id: i64,
    _form: CsrfForm<crate::http::csrf::TokenOnlyForm>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Flash<Redirect>> {
    archive_page(db, &user, id, true, &ip).await
}

#[rocket::post("/templates/<id>/restore", data = "<_form>")]
pub async fn restore(
    id: i64,
    _form: CsrfForm<crate::http::csrf::TokenOnlyForm>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Flash<Redirect>> {
    archive_page(db, &user, id, false, &ip).await
}

pub fn all() -> Vec<rocket::Route> {
    rocket::routes![index, new, create, show, edit, update, archive, restore]
}
