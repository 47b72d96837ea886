//! The integrity page: open (or cleared) flags in the coordinator's scope, each with its
//! explanation and a form to clear it with a note.

use std::collections::BTreeMap;

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::service::{self, FlagView};
use crate::auth::guards::Coordinator;
use crate::error::{AppError, AppResult};
use crate::http::client_ip::ClientIp;
use crate::http::csrf::{CsrfForm, CsrfProtected};
use crate::state::Shared;
use crate::web::layout::Layout;

#[derive(Serialize)]
pub struct IntegrityPage {
    layout: Layout,
    flags: Vec<FlagView>,
    cleared: bool,
    /// The flag whose clear form failed, its typed note and messages.
    failed_id: i64,
    note: String,
    errors: BTreeMap<String, Vec<String>>,
}

async fn page(
    db: &DatabaseConnection,
    user: &Coordinator<'_>,
    layout: Layout,
    cleared: bool,
    failed: Option<(i64, String, BTreeMap<String, Vec<String>>)>,
) -> AppResult<Template> {
    let flags = service::list(db, user, cleared, None).await?;
    let (failed_id, note, errors) = failed.unwrap_or_default();
    Ok(Template::render(
        "integrity/index",
        IntegrityPage {
            layout,
            flags,
            cleared,
            failed_id,
            note,
            errors,
        },
    ))
}

#[rocket::get("/integrity?<status>")]
pub async fn index(
    status: Option<&str>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    page(db, &user, layout, status == Some("cleared"), None).await
}

#[derive(FromForm, Default)]
pub struct ClearForm {
    #[field(default = String::new())]
    pub note: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for ClearForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

#[rocket::post("/integrity/<id>/clear", data = "<form>")]
pub async fn clear(
    id: i64,
    form: CsrfForm<ClearForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    match service::clear(db, &user, id, &form.0.note, &ip).await {
        Ok(()) => Ok(Ok(Flash::success(
            Redirect::to("/integrity"),
            "integrity.cleared",
        ))),
        Err(AppError::Validation(fields)) => {
            let errors = fields.translated(layout.lang);
            let failed = Some((id, form.0.note.clone(), errors));
            let page = page(db, &user, layout, false, failed).await?;
            Ok(Err((Status::UnprocessableEntity, page)))
        }
        Err(e) => Err(e),
    }
}
