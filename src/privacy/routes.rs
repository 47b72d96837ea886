//! The "my data" page: what Duta holds about the signed-in person, a download of it as
//! JSON, and the forms to correct it, withdraw from the programme and erase it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rocket::http::{ContentType, Cookie, CookieJar, Status};
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::{CorrectionForm, PasswordForm};
use super::service::{self, Correction, PersonalExport};
use crate::auth::guards::{CurrentUser, SESSION_COOKIE};
use crate::auth::passwords::Hasher;
use crate::config::AppConfig;
use crate::error::{AppError, AppResult};
use crate::http::client_ip::ClientIp;
use crate::http::csrf::CsrfForm;
use crate::media::service::MediaStore;
use crate::state::Shared;
use crate::stats::routes::Download;
use crate::web::layout::Layout;

#[derive(Serialize, Default)]
pub struct CorrectionValues {
    name: String,
    display_name: String,
    phone: String,
}

#[derive(Serialize)]
pub struct DataPage {
    layout: Layout,
    data: PersonalExport,
    /// When the retention job erases a withdrawn person.
    erase_after: Option<DateTime<Utc>>,
    retention_days: i32,
    values: CorrectionValues,
    /// Field errors of the correction form.
    errors: BTreeMap<String, Vec<String>>,
    /// The messages for the withdrawal or erasure form, shown at its password field.
    password_errors: Vec<String>,
    /// The form that failed: correct, withdraw or erase.
    failed: &'static str,
}

type PageResult = AppResult<Result<Flash<Redirect>, (Status, Template)>>;

async fn render(
    db: &DatabaseConnection,
    cfg: &AppConfig,
    user: &CurrentUser,
    layout: Layout,
    values: Option<CorrectionValues>,
    errors: BTreeMap<String, Vec<String>>,
    failed: &'static str,
) -> AppResult<Template> {
    let data = service::export(db, cfg.nip()?, user).await?;
    let retention_days = service::retention_days(db).await?;
    // A signed-in person is never erased yet: withdrawn is enough to have a date.
    let erase_after = data
        .ambassador
        .as_ref()
        .and_then(|a| a.withdrawn_at)
        .map(|at| at + chrono::Duration::days(i64::from(retention_days)));
    let values = values.unwrap_or_else(|| CorrectionValues {
        name: data.account.name.clone(),
        display_name: data
            .ambassador
            .as_ref()
            .map(|a| a.display_name.clone())
            .unwrap_or_default(),
        phone: data
            .ambassador
            .as_ref()
            .map(|a| a.phone.clone())
            .unwrap_or_default(),
    });
    let (errors, password_errors) = if failed == "correct" {
        (errors, Vec::new())
    } else {
        (BTreeMap::new(), errors.into_values().flatten().collect())
    };
    Ok(Template::render(
        "privacy/data",
        DataPage {
            layout,
            data,
            erase_after,
            retention_days,
            values,
            errors,
            password_errors,
            failed,
        },
    ))
}

#[rocket::get("/me/data")]
pub async fn page(
    user: &CurrentUser,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
) -> AppResult<Template> {
    render(db, cfg, user, layout, None, BTreeMap::new(), "").await
}

/// The same data as `GET /api/v1/me/export`, as a file to keep.
#[rocket::get("/me/data/download")]
pub async fn download(
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
) -> AppResult<Download> {
    let data = service::export(db, cfg.nip()?, user).await?;
    let bytes = serde_json::to_vec_pretty(&data).map_err(AppError::internal)?;
    Ok(Download::new(
        bytes,
        ContentType::JSON,
        format!("duta-data-{}.json", user.id()),
    ))
}

#[rocket::post("/me/data", data = "<form>")]
pub async fn correct(
    form: CsrfForm<CorrectionForm>,
    user: &CurrentUser,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    ip: ClientIp,
) -> PageResult {
    let f = form.0;
    let input = Correction {
        name: f.name.clone(),
        display_name: Some(f.display_name.clone()),
        phone: Some(f.phone.clone()),
    };
    match service::correct(db, user, &input, &ip).await {
        Ok(()) => Ok(Ok(Flash::success(
            Redirect::to("/me/data"),
            "privacy.corrected",
        ))),
        Err(AppError::Validation(fields)) => {
            let errors = fields.translated(layout.lang);
            let values = CorrectionValues {
                name: f.name,
                display_name: f.display_name,
                phone: f.phone,
            };
            let page = render(db, cfg, user, layout, Some(values), errors, "correct").await?;
            Ok(Err((Status::UnprocessableEntity, page)))
        }
        Err(e) => Err(e),
    }
}

#[rocket::post("/me/data/withdraw", data = "<form>")]
pub async fn withdraw(
    form: CsrfForm<PasswordForm>,
    user: &CurrentUser,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    hasher: &Shared<Hasher>,
    ip: ClientIp,
) -> PageResult {
    match service::withdraw(db, hasher, user, &form.0.password, &ip).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to("/me/data"),
            "privacy.withdrawn",
        ))),
        Err(AppError::Validation(fields)) => {
            let errors = fields.translated(layout.lang);
            let page = render(db, cfg, user, layout, None, errors, "withdraw").await?;
            Ok(Err((Status::UnprocessableEntity, page)))
        }
        Err(e) => Err(e),
    }
}

#[rocket::post("/me/data/erase", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn erase(
    form: CsrfForm<PasswordForm>,
    user: &CurrentUser,
    layout: Layout,
    cookies: &CookieJar<'_>,
    db: &Shared<DatabaseConnection>,
    cfg: &Shared<AppConfig>,
    store: &Shared<MediaStore>,
    hasher: &Shared<Hasher>,
    ip: ClientIp,
) -> PageResult {
    match service::erase_own(db, store, hasher, user, &form.0.password, &ip).await {
        Ok(_) => {
            cookies.remove(Cookie::build(SESSION_COOKIE).path("/"));
            Ok(Ok(Flash::success(Redirect::to("/login"), "privacy.erased")))
        }
        Err(AppError::Validation(fields)) => {
            let errors = fields.translated(layout.lang);
            let page = render(db, cfg, user, layout, None, errors, "erase").await?;
            Ok(Err((Status::UnprocessableEntity, page)))
        }
        Err(e) => Err(e),
    }
}
