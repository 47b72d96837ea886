//! The storytelling templates API: the library, new templates, and drafting from one.

use rocket::http::Status;
use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;

use super::forms::{RenderRequest, TemplateRequest};
use super::service::{self, Rendered, TemplateView};
use crate::auth::guards::{Coordinator, CurrentUser};
use crate::error::{ApiErrorBody, AppResult};
use crate::http::client_ip::ClientIp;
use crate::state::Shared;
use crate::web::json::ApiJson;
use crate::web::query::Opt;

/// The templates the caller may use: those Duta ships and their institution's own;
/// with `archived=true`, the ones taken out of the library instead.
#[utoipa::path(get, path = "/api/v1/story-templates", tag = "story-templates", security(("bearer" = [])),
    params(("archived" = Option<bool>, Query, description = "the archived templates instead")),
    responses((status = 200, body = [TemplateView]), (status = 401, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::get("/story-templates?<archived>")]
pub async fn index(
    archived: Opt<String>,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<Vec<TemplateView>>> {
    // `true` or `false` as written: an empty or other value is refused, not read as yes.
    let archived = match archived.0.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(crate::error::AppError::Validation(
                crate::error::FieldErrors::single(
                    "archived",
                    crate::error::Msg::new("templates.archived_invalid"),
                ),
            ))
        }
    };
    Ok(Json(if archived {
        service::list_archived(db, user).await?
    } else {
        service::list_templates(db, user).await?
    }))
}

/// Changes one of the institution's templates (coordinators of that institution and
/// admins): briefs that chose it show the new text. 409 for a template Duta ships.
#[utoipa::path(put, path = "/api/v1/story-templates/{id}", tag = "story-templates", security(("bearer" = [])),
    params(("id" = i64, Path, description = "template id")), request_body = TemplateRequest,
    responses((status = 200, body = TemplateView), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 413, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::put("/story-templates/<id>", data = "<body>")]
pub async fn update(
    id: i64,
    body: ApiJson<TemplateRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<TemplateView>> {
    Ok(Json(
        service::update_template(db, &user, id, &body.0, &ip).await?,
    ))
}

/// Takes a template out of the library: not offered for new briefs, still shown with the
/// briefs that chose it (nothing is deleted). 409 when already archived or shipped.
#[utoipa::path(post, path = "/api/v1/story-templates/{id}/archive", tag = "story-templates", security(("bearer" = [])),
    params(("id" = i64, Path, description = "template id")),
    responses((status = 200, body = TemplateView), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody)))]
#[rocket::post("/story-templates/<id>/archive")]
pub async fn archive(
    id: i64,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<TemplateView>> {
    Ok(Json(service::set_archived(db, &user, id, true, &ip).await?))
}

/// Puts an archived template back in the library. 409 when it is not archived.
#[utoipa::path(post, path = "/api/v1/story-templates/{id}/restore", tag = "story-templates", security(("bearer" = [])),
    params(("id" = i64, Path, description = "template id")),
    responses((status = 200, body = TemplateView), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody)))]
#[rocket::post("/story-templates/<id>/restore")]
pub async fn restore(
    id: i64,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<TemplateView>> {
    Ok(Json(
        service::set_archived(db, &user, id, false, &ip).await?,
    ))
}

/// Adds a template to the coordinator's institution. Every blank of the body needs
/// guidance, and guidance may name only blanks of the body.
#[utoipa::path(post, path = "/api/v1/story-templates", tag = "story-templates", security(("bearer" = [])),
    request_body = TemplateRequest,
    responses((status = 201, body = TemplateView), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 413, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/story-templates", data = "<body>")]
pub async fn create(
    body: ApiJson<TemplateRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<(Status, Json<TemplateView>)> {
    let saved = service::create_template(db, &user, &body.0, &ip).await?;
    Ok((Status::Created, Json(saved)))
}

/// Renders a draft for one platform: the filled template, with the brief's hashtags and
/// mentions when a brief is given, its length as the platform counts it and its limit.
#[utoipa::path(post, path = "/api/v1/story-templates/{id}/render", tag = "story-templates", security(("bearer" = [])),
    params(("id" = i64, Path, description = "template id")), request_body = RenderRequest,
    responses((status = 200, body = Rendered), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/story-templates/<id>/render", data = "<body>")]
pub async fn render(
    id: i64,
    body: ApiJson<RenderRequest>,
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<Rendered>> {
    Ok(Json(
        crate::briefs::service::render_draft(db, user, id, &body.0).await?,
    ))
}
