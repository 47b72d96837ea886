//! The training path's pages: the path with the caller's progress, a lesson with its
//! questions, and the result of an attempt.

use std::collections::BTreeMap;

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::service::{self, AttemptView, LessonView, TrainingPath};
use crate::auth::guards::{Ambassador, Mentoring};
use crate::error::AppResult;
use crate::http::csrf::{CsrfForm, CsrfProtected};
use crate::state::Shared;
use crate::web::layout::Layout;

#[derive(Serialize)]
pub struct PathPage {
    layout: Layout,
    path: TrainingPath,
}

/// The training path: every lesson, and for an ambassador which they completed.
#[rocket::get("/learn")]
pub async fn index(
    user: Mentoring<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    Ok(Template::render(
        "training/index",
        PathPage {
            layout,
            path: service::path(db, &user).await?,
        },
    ))
}

#[derive(Serialize)]
pub struct LessonPage {
    layout: Layout,
    lesson: LessonView,
    /// The questions as the form shows them: the options with the one chosen, and after
    /// an attempt whether it was right, the right answer and why.
    quiz: Vec<QuizItem>,
    result: Option<AttemptView>,
    errors: BTreeMap<String, Vec<String>>,
}

#[derive(Serialize)]
pub struct QuizOption {
    index: usize,
    label: String,
    chosen: bool,
}

#[derive(Serialize)]
pub struct QuizOutcome {
    right: bool,
    answer: String,
    explanation: String,
}

#[derive(Serialize)]
pub struct QuizItem {
    question: String,
    options: Vec<QuizOption>,
    outcome: Option<QuizOutcome>,
}

fn quiz(
    lesson: &LessonView,
    chosen: &[Option<usize>],
    result: Option<&AttemptView>,
) -> Vec<QuizItem> {
    lesson
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| QuizItem {
            question: q.question.clone(),
            options: q
                .options
                .iter()
                .enumerate()
                .map(|(j, o)| QuizOption {
                    index: j,
                    label: o.clone(),
                    chosen: chosen.get(i).copied().flatten() == Some(j),
                })
                .collect(),
            outcome: result.map(|r| QuizOutcome {
                right: r.grade.right.get(i).copied().unwrap_or(false),
                answer: r
                    .answers
                    .get(i)
                    .and_then(|a| q.options.get(*a))
                    .cloned()
                    .unwrap_or_default(),
                explanation: r.explanations.get(i).cloned().unwrap_or_default(),
            }),
        })
        .collect()
}

/// A lesson: its text, its video link and its questions.
#[rocket::get("/learn/<id>")]
pub async fn show(
    id: i64,
    user: Mentoring<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    let lesson = service::lesson(db, &user, id).await?;
    Ok(Template::render(
        "training/show",
        LessonPage {
            quiz: quiz(&lesson, &[], None),
            layout,
            lesson,
            result: None,
            errors: BTreeMap::new(),
        },
    ))
}

#[derive(FromForm, Default)]
pub struct AttemptForm {
    #[field(default = String::new())]
    pub version: String,
    /// The option chosen per question (`answers[0]=2`).
    #[field(default = BTreeMap::new())]
    pub answers: BTreeMap<usize, String>,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for AttemptForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// An attempt: passed, back to the lesson marked completed; otherwise the lesson again
/// with each right answer and why (the answers chosen kept).
#[rocket::post("/learn/<id>/attempt", data = "<form>")]
pub async fn attempt(
    id: i64,
    form: CsrfForm<AttemptForm>,
    user: Ambassador<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let form = form.0;
    let lesson = service::lesson(db, &user, id).await?;
    let answers = service::answers_from(&form.answers, lesson.questions.len());
    let version = form.version.trim().parse().ok();
    let (status, result, errors) = match service::attempt(db, &user, id, version, &answers).await {
        Ok(done) if done.completed => {
            return Ok(Ok(Flash::success(
                Redirect::to(format!("/learn/{id}")),
                "training.completed",
            )))
        }
        Ok(done) => (Status::Ok, Some(done), BTreeMap::new()),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            (status, None, errors)
        }
    };
    let lesson = service::lesson(db, &user, id).await?;
    Ok(Err((
        status,
        Template::render(
            "training/show",
            LessonPage {
                quiz: quiz(&lesson, &answers, result.as_ref()),
                layout,
                lesson,
                result,
                errors,
            },
        ),
    )))
}
