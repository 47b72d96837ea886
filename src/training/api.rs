//! The training path's API: the caller's path, a lesson, and an attempt at its questions.

use rocket::serde::json::Json;
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use super::service::{self, AttemptView, LessonView, TrainingPath};
use crate::auth::guards::{Ambassador, Mentoring};
use crate::error::{ApiErrorBody, AppError, AppResult, FieldErrors, Msg};
use crate::state::Shared;
use crate::web::json::ApiJson;

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
#[rocket::get("/lessons/<id>")]
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
