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

/// The templates the caller may use: those Duta ships and their institution's own.
#[utoipa::path(get, path = "/api/v1/story-templates", tag = "story-templates", security(("bearer" = [])),
    responses((status = 200, body = [TemplateView]), (status = 401, body = ApiErrorBody)))]
#[rocket::get("/story-templates")]
pub async fn index(
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<Vec<TemplateView>>> {
    Ok(Json(service::list_templates(db, user).await?))
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
