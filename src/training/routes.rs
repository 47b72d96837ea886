//! The training path's pages: the path with the caller's progress, a lesson with its
//! questions, and the result of an attempt.

use std::collections::BTreeMap;

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::forms::{LessonForm, QuestionForm, RequiredForm};
use super::service::{self, AttemptView, LessonView, Progress, TrainingPath};
use crate::auth::guards::{Ambassador, Coordinator, CurrentUser, Mentoring, Staff};
use crate::error::AppResult;
use crate::http::client_ip::ClientIp;
use crate::http::csrf::{CsrfForm, CsrfProtected};
use crate::recruitment::service::{institution_choices, institution_for};
use crate::state::Shared;
use crate::web::layout::Layout;
use crate::web::query::Opt;

#[derive(Serialize)]
pub struct PathPage {
    layout: Layout,
    path: TrainingPath,
    /// The caller writes lessons (admins, coordinators of a whole institution).
    can_write: bool,
    /// The caller reads completion per unit (staff).
    can_track: bool,
}

/// Admins and coordinators of a whole institution write lessons and requirements.
fn writes_lessons(user: &CurrentUser) -> bool {
    use crate::auth::roles::Role;
    match user.role {
        Role::Admin => true,
        Role::Coordinator => user.user.work_unit_id.is_none(),
        _ => false,
    }
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
            can_write: writes_lessons(&user),
            can_track: user.role != crate::auth::roles::Role::Ambassador,
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
    categories: Vec<&'static str>,
    /// The caller sets which briefs need this lesson first (coordinators of a whole
    /// institution, for it).
    can_require: bool,
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
#[rocket::get("/learn/<id>", rank = 2)]
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
            categories: categories(),
            can_require: can_require(&user),
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
                categories: categories(),
                can_require: can_require(&user),
                layout,
                lesson,
                result,
                errors,
            },
        ),
    )))
}

#[derive(Serialize)]
pub struct LessonFormPage {
    layout: Layout,
    /// None: a new lesson.
    id: Option<i64>,
    institution_id: i64,
    institutions: Vec<(i64, String)>,
    form: LessonForm,
    /// The question blocks, each with the messages at its fields.
    blocks: Vec<QuestionBlock>,
    /// The lesson's images (an edit), with the most it may hold.
    images: Vec<service::LessonImageView>,
    max_images: usize,
    topics: Vec<&'static str>,
    errors: BTreeMap<String, Vec<String>>,
}

#[derive(Serialize)]
pub struct QuestionBlock {
    index: usize,
    /// `index + 1`, as the legend shows it.
    number: usize,
    question: QuestionForm,
    /// The option numbers the right answer may be (1 to 5), and which is chosen.
    answers: Vec<(usize, bool)>,
    /// `question`, `options`, `answer`, `explanation` → messages.
    errors: BTreeMap<String, Vec<String>>,
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    db: &DatabaseConnection,
    user: &CurrentUser,
    layout: Layout,
    id: Option<i64>,
    institution_id: i64,
    mut form: LessonForm,
    errors: BTreeMap<String, Vec<String>>,
    status: Status,
) -> AppResult<(Status, Template)> {
    // Errors name questions by their place among those filled in: so do the blocks.
    let filled: Vec<QuestionForm> = form
        .questions
        .values()
        .filter(|q| !q.question.trim().is_empty() || !q.options.trim().is_empty())
        .cloned()
        .collect();
    form.questions = filled.into_iter().enumerate().collect();
    LessonForm::pad(&mut form.questions);
    let blocks = form
        .questions
        .iter()
        .map(|(i, q)| {
            let prefix = format!("questions.{i}.");
            QuestionBlock {
                index: *i,
                number: i + 1,
                answers: (1..=super::rules::OPTIONS.1)
                    .map(|n| (n, q.answer.trim() == n.to_string()))
                    .collect(),
                question: q.clone(),
                errors: errors
                    .iter()
                    .filter_map(|(k, v)| Some((k.strip_prefix(&prefix)?.to_string(), v.clone())))
                    .collect(),
            }
        })
        .collect();
    Ok((
        status,
        Template::render(
            "training/form",
            LessonFormPage {
                institutions: if id.is_none() {
                    institution_choices(db, user).await?
                } else {
                    Vec::new()
                },
                layout,
                id,
                institution_id,
                form,
                blocks,
                images: match id {
                    Some(i) => service::lesson(db, user, i).await?.images,
                    None => Vec::new(),
                },
                max_images: service::MAX_IMAGES,
                topics: super::rules::TOPICS.to_vec(),
                errors,
            },
        ),
    ))
}

/// The form for a new lesson of the caller's institution (admins choose one).
#[rocket::get("/learn/new?<institution>")]
pub async fn new(
    institution: Opt<i64>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<(Status, Template)> {
    let id = institution_for(db, &user, institution.0).await?;
    crate::recruitment::service::writable_institution(db, &user, id).await?;
    let mut form = LessonForm {
        topic: "storytelling".into(),
        ..Default::default()
    };
    LessonForm::pad(&mut form.questions);
    form_page(
        db,
        &user,
        layout,
        None,
        id,
        form,
        BTreeMap::new(),
        Status::Ok,
    )
    .await
}

/// Publishes a lesson; 422 with what was typed kept and each message at its field.
#[rocket::post("/learn?<institution>", data = "<form>")]
pub async fn create(
    institution: Opt<i64>,
    form: CsrfForm<LessonForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let form = form.0;
    let institution_id = institution_for(db, &user, institution.0).await?;
    match service::create(db, &user, institution_id, &form.input(), &ip).await {
        Ok(id) => Ok(Ok(Flash::success(
            Redirect::to(format!("/learn/{id}")),
            "training.published",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            Ok(Err(form_page(
                db,
                &user,
                layout,
                None,
                institution_id,
                form,
                errors,
                status,
            )
            .await?))
        }
    }
}

/// The form to change one of the institution's lessons.
#[rocket::get("/learn/<id>/edit")]
pub async fn edit(
    id: i64,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<(Status, Template)> {
    let draft = service::draft(db, &user, id).await?;
    form_page(
        db,
        &user,
        layout,
        Some(id),
        draft.institution_id,
        LessonForm::of(&draft.input, draft.version),
        BTreeMap::new(),
        Status::Ok,
    )
    .await
}

/// Saves a change to a lesson (its version grows); 409 when someone changed it since the
/// form was opened.
#[rocket::post("/learn/<id>", data = "<form>")]
pub async fn update(
    id: i64,
    form: CsrfForm<LessonForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let form = form.0;
    let draft = service::draft(db, &user, id).await?;
    let version = form.version.trim().parse().ok();
    match service::update(db, &user, id, version, &form.input(), &ip).await {
        Ok(id) => Ok(Ok(Flash::success(
            Redirect::to(format!("/learn/{id}")),
            "training.saved",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            Ok(Err(form_page(
                db,
                &user,
                layout,
                Some(id),
                draft.institution_id,
                form,
                errors,
                status,
            )
            .await?))
        }
    }
}

#[derive(FromForm, Default)]
pub struct PlainForm {
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for PlainForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// Takes one of the institution's lessons off the path.
#[rocket::post("/learn/<id>/archive", data = "<_form>")]
pub async fn archive(
    id: i64,
    _form: CsrfForm<PlainForm>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Flash<Redirect>> {
    service::archive(db, &user, id, &ip).await?;
    Ok(Flash::success(Redirect::to("/learn"), "training.archived"))
}

/// Sets the brief categories the lesson is required before, for the caller's
/// institution (admins name one).
#[rocket::post("/learn/<id>/required?<institution>", data = "<form>")]
pub async fn required(
    id: i64,
    institution: Opt<i64>,
    form: CsrfForm<RequiredForm>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    ip: ClientIp,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let institution_id = institution_for(db, &user, institution.0).await?;
    match service::set_required(db, &user, id, institution_id, &form.0.categories, &ip).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/learn/{id}")),
            "training.required_saved",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            let lesson = service::lesson(db, &user, id).await?;
            Ok(Err((
                status,
                Template::render(
                    "training/show",
                    LessonPage {
                        quiz: quiz(&lesson, &[], None),
                        categories: categories(),
                        can_require: can_require(&user),
                        layout,
                        lesson,
                        result: None,
                        errors,
                    },
                ),
            )))
        }
    }
}

#[derive(Serialize)]
pub struct ProgressPage {
    layout: Layout,
    progress: Progress,
    institutions: Vec<(i64, String)>,
}

/// How far each unit's ambassadors are on the path (a unit's coordinator: their units).
#[rocket::get("/learn/progress?<institution>")]
pub async fn progress(
    institution: Opt<i64>,
    user: Staff<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
) -> AppResult<Template> {
    let id = institution_for(db, &user, institution.0).await?;
    Ok(Template::render(
        "training/progress",
        ProgressPage {
            progress: service::progress(db, &user, id).await?,
            institutions: institution_choices(db, &user).await?,
            layout,
        },
    ))
}

/// The brief categories, for the form that makes a lesson required.
fn categories() -> Vec<&'static str> {
    crate::briefs::rules::CATEGORIES.to_vec()
}

/// The lesson page's requirement form is for coordinators of a whole institution (admins
/// name the institution through the API).
fn can_require(user: &CurrentUser) -> bool {
    user.role == crate::auth::roles::Role::Coordinator && writes_lessons(user)
}

/// An image upload on the lesson's edit page: the file and its description.
#[derive(rocket::form::FromForm)]
pub struct LessonImageForm<'r> {
    pub file: Option<rocket::fs::TempFile<'r>>,
    #[field(default = String::new())]
    pub alt: String,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for LessonImageForm<'_> {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

/// Adds an image to one of the institution's lessons; refused, the edit page again with
/// the message at the file or the description.
#[rocket::post("/learn/<id>/images", data = "<form>")]
#[allow(clippy::too_many_arguments)]
pub async fn add_image(
    id: i64,
    form: crate::http::csrf::CsrfMultipart<LessonImageForm<'_>>,
    user: Coordinator<'_>,
    layout: Layout,
    db: &Shared<DatabaseConnection>,
    store: &Shared<crate::media::service::MediaStore>,
    ip: ClientIp,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let form = form.0;
    // The lesson first: one out of reach is 404 before anything is read.
    let draft = service::draft(db, &user, id).await?;
    let result = match crate::briefs::routes::read_image(form.file.as_ref()).await {
        Ok(bytes) => service::add_image(db, store, &user, id, bytes, &form.alt, &ip)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Ok(Flash::success(
            Redirect::to(format!("/learn/{id}/edit")),
            "training.image_added",
        ))),
        Err(e) => {
            let (status, errors) = e.form_errors(layout.lang)?;
            Ok(Err(form_page(
                db,
                &user,
                layout,
                Some(id),
                draft.institution_id,
                LessonForm::of(&draft.input, draft.version),
                errors,
                status,
            )
            .await?))
        }
    }
}

/// Removes an image of one of the institution's lessons.
#[rocket::post("/learn/<id>/images/<image_id>/delete", data = "<_form>")]
pub async fn delete_image(
    id: i64,
    image_id: i64,
    _form: CsrfForm<PlainForm>,
    user: Coordinator<'_>,
    db: &Shared<DatabaseConnection>,
    store: &Shared<crate::media::service::MediaStore>,
    ip: ClientIp,
) -> AppResult<Flash<Redirect>> {
    service::delete_image(db, store, &user, id, image_id, &ip).await?;
    Ok(Flash::success(
        Redirect::to(format!("/learn/{id}/edit")),
        "training.image_deleted",
    ))
}

/// An image of a lesson on the caller's path.
#[rocket::get("/learn/<id>/images/<image_id>")]
pub async fn image(
    id: i64,
    image_id: i64,
    user: Mentoring<'_>,
    db: &Shared<DatabaseConnection>,
    store: &Shared<crate::media::service::MediaStore>,
) -> AppResult<crate::media::routes::MediaFile> {
    let (content_type, bytes) = service::image_file(db, store, &user, id, image_id).await?;
    Ok(crate::media::routes::MediaFile {
        content_type,
        bytes,
    })
}
