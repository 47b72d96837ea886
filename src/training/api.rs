//! The training path's API: the caller's path, a lesson, and an attempt at its questions.

use rocket::http::Status;
use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use super::forms::{LessonRequest, RequiredRequest};
use super::service::{self, AttemptView, LessonView, Progress, TrainingPath};
use crate::auth::guards::{Ambassador, Coordinator, Mentoring, Staff};
use crate::error::{ApiErrorBody, AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::state::Shared;
use crate::web::json::ApiJson;
use crate::web::query::Opt;

/// The caller's training path: the lessons Duta ships, then their institution's, with
/// which the caller (an ambassador) completed.
#[utoipa::path(get, path = "/api/v1/lessons", tag = "training", security(("bearer" = [])),
    responses((status = 200, body = TrainingPath), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody)))]
#[rocket::get("/lessons")]
pub async fn index(
    user: Mentoring<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<TrainingPath>> {
    Ok(Json(service::path(db, &user).await?))
}

/// A lesson of the caller's path (404 for another institution's): its text and its
/// questions; the right answers only for staff.
#[utoipa::path(get, path = "/api/v1/lessons/{id}", tag = "training", security(("bearer" = [])),
    params(("id" = i64, Path, description = "lesson id")),
    responses((status = 200, body = LessonView), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
#[rocket::get("/lessons/<id>", rank = 2)]
pub async fn show(
    id: i64,
    user: Mentoring<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<LessonView>> {
    Ok(Json(service::lesson(db, &user, id).await?))
}

/// An attempt: the lesson's `version` as read and one option index per question.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttemptRequest {
    #[schema(required = true, minimum = 1, maximum = 1_000_000)]
    pub version: Option<i64>,
    /// One option index per question, in order (0 is the first option).
    #[serde(default)]
    #[schema(required = true, schema_with = answers_schema)]
    pub answers: Vec<u8>,
}

/// Up to 10 answers, each an option index from 0 to 4.
fn answers_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    let max_option = super::rules::OPTIONS.1 - 1;
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(max_option as f64)),
        )
        .max_items(Some(super::rules::QUESTIONS.1))
        .build()
        .into()
}

/// An ambassador answers a lesson's questions: the grade, each right answer and why; with
/// every answer right the lesson is completed. 409 at `version` when the lesson changed
/// since it was read, 409 at `lesson` when it is completed already, 409 at `answers`
/// unless they answer each of the lesson's questions with one of its options.
#[utoipa::path(post, path = "/api/v1/lessons/{id}/attempts", tag = "training", security(("bearer" = [])),
    params(("id" = i64, Path, description = "lesson id")), request_body = AttemptRequest,
    responses((status = 200, body = AttemptView), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
              (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::post("/lessons/<id>/attempts", data = "<body>")]
pub async fn attempt(
    id: i64,
    body: ApiJson<AttemptRequest>,
    user: Ambassador<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<AttemptView>> {
    if body.0.answers.len() > super::rules::QUESTIONS.1
        || body
            .0
            .answers
            .iter()
            .any(|a| usize::from(*a) >= super::rules::OPTIONS.1)
    {
        return Err(AppError::Validation(FieldErrors::single(
            "answers",
            Msg::new("training.answers_invalid").arg("n", super::rules::QUESTIONS.1),
        )));
    }
    let answers: Vec<Option<usize>> = body
        .0
        .answers
        .iter()
        .map(|a| Some(usize::from(*a)))
        .collect();
    Ok(Json(
        service::attempt(db, &user, id, body.0.version, &answers).await?,
    ))
}

/// Publishes a lesson on the path of an institution's ambassadors (admins name the
/// institution; coordinators of a whole institution write for their own, those of a unit
/// get 403). 422 with every bad field; 409 at `questions.N.answer` when the right answer
/// is not one of the question's options.
#[utoipa::path(post, path = "/api/v1/lessons", tag = "training", security(("bearer" = [])),
    params(("institution" = Option<i64>, Query, minimum = 1, description = "institution id (admins)")),
    request_body = LessonRequest,
    responses((status = 201, body = LessonView), (status = 400, body = ApiErrorBody),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::post("/lessons?<institution>", data = "<body>")]
pub async fn create(
    institution: Opt<i64>,
    body: ApiJson<LessonRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<(Status, Json<LessonView>)> {
    let institution_id =
        crate::recruitment::service::institution_for(db, &user, institution.0).await?;
    let id = service::create(db, &user, institution_id, &body.0.input(), &ip).await?;
    Ok((Status::Created, Json(service::lesson(db, &user, id).await?)))
}

/// Changes one of the institution's lessons (Duta's own lessons cannot be changed: 404);
/// `version` must be the lesson's as read (409 otherwise) and grows by one.
#[utoipa::path(put, path = "/api/v1/lessons/{id}", tag = "training", security(("bearer" = [])),
    params(("id" = i64, Path, description = "lesson id")), request_body = LessonRequest,
    responses((status = 200, body = LessonView), (status = 400, body = ApiErrorBody),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::put("/lessons/<id>", data = "<body>")]
pub async fn update(
    id: i64,
    body: ApiJson<LessonRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<LessonView>> {
    let id = service::update(db, &user, id, body.0.version, &body.0.input(), &ip).await?;
    Ok(Json(service::lesson(db, &user, id).await?))
}

/// Takes one of the institution's lessons off the path (completions are kept).
#[utoipa::path(delete, path = "/api/v1/lessons/{id}", tag = "training", security(("bearer" = [])),
    params(("id" = i64, Path, description = "lesson id")),
    responses((status = 204), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
#[rocket::delete("/lessons/<id>")]
pub async fn archive(
    id: i64,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Status> {
    service::archive(db, &user, id, &ip).await?;
    Ok(Status::NoContent)
}

/// The categories a lesson is now required before.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequiredView {
    pub institution_id: i64,
    pub lesson_id: i64,
    pub categories: Vec<String>,
}

/// Makes a lesson of the institution's path required before its ambassadors submit posts
/// for briefs of `categories` (replacing what was set; none: not required).
#[utoipa::path(put, path = "/api/v1/lessons/{id}/required", tag = "training", security(("bearer" = [])),
    params(("id" = i64, Path, description = "lesson id")), request_body = RequiredRequest,
    responses((status = 200, body = RequiredView), (status = 400, body = ApiErrorBody),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
#[rocket::put("/lessons/<id>/required", data = "<body>")]
pub async fn required(
    id: i64,
    body: ApiJson<RequiredRequest>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Json<RequiredView>> {
    let b = body.0;
    let institution_id =
        crate::recruitment::service::institution_for(db, &user, b.institution_id).await?;
    let categories =
        service::set_required(db, &user, id, institution_id, &b.categories, &ip).await?;
    Ok(Json(RequiredView {
        institution_id,
        lesson_id: id,
        categories,
    }))
}

/// Completion of an institution's path per unit, for the caller's scope (coordinators and
/// leaders their institution, 404 for another; those of a unit their units).
#[utoipa::path(get, path = "/api/v1/lessons/progress", tag = "training", security(("bearer" = [])),
    params(("institution" = Option<i64>, Query, minimum = 1, description = "institution id (admins, national)")),
    responses((status = 200, body = Progress), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody)))]
#[rocket::get("/lessons/progress?<institution>")]
pub async fn progress(
    institution: Opt<i64>,
    user: Staff<'_>,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Json<Progress>> {
    let id = crate::recruitment::service::institution_for(db, &user, institution.0).await?;
    Ok(Json(service::progress(db, &user, id).await?))
}
