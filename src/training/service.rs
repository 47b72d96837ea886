//! The training path's reads and writes: the shipped lessons installed at start, an
//! ambassador's path and progress, a lesson, and an attempt at its questions.

use std::collections::{BTreeMap, HashSet};

use chrono::Utc;
use entity::{lesson_completions, lesson_requirements, lessons};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder,
};
use serde::Serialize;

use super::rules::{self, Grade, Question};
use crate::auth::guards::CurrentUser;
use crate::auth::roles::{Role, Scope};
use crate::db::{begin_write, is_unique_violation};
use crate::error::{AppError, AppResult, FieldErrors, Msg};

/// Installs the lessons Duta ships that are not in the database yet (by slug); a lesson
/// already there is left as it is.
pub async fn install_shipped(db: &DatabaseConnection) -> AppResult<()> {
    let txn = begin_write(db).await?;
    for l in rules::shipped() {
        let present = lessons::Entity::find()
            .filter(lessons::Column::Slug.eq(l.slug.as_str()))
            .one(&txn)
            .await?
            .is_some();
        if present {
            continue;
        }
        let now = Utc::now();
        // Several nodes may start at once on one database: the first to install a lesson
        // wins and the others leave it (no unique violation stops a node's start).
        let lesson = lessons::ActiveModel {
            institution_id: Set(None),
            slug: Set(Some(l.slug.clone())),
            topic: Set(l.topic.clone()),
            title: Set(l.title.clone()),
            summary: Set(l.summary.clone()),
            body: Set(l.body.clone()),
            video_url: Set(None),
            questions: Set(serde_json::to_string(&l.questions).map_err(AppError::internal)?),
            version: Set(1),
            archived_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        lessons::Entity::insert(lesson)
            .on_conflict_do_nothing_on([lessons::Column::Slug])
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The lessons a user's path holds: the shipped ones and their institution's, not
/// archived (every one for those of the whole programme).
fn visible(user: &CurrentUser) -> sea_orm::Select<lessons::Entity> {
    let q = lessons::Entity::find().filter(lessons::Column::ArchivedAt.is_null());
    match user.scope() {
        Scope::All => q,
        Scope::Institution { institution_id, .. } => q.filter(
            Condition::any()
                .add(lessons::Column::InstitutionId.is_null())
                .add(lessons::Column::InstitutionId.eq(institution_id)),
        ),
    }
}

fn questions_of(lesson: &lessons::Model) -> AppResult<Vec<Question>> {
    serde_json::from_str(&lesson.questions).map_err(AppError::internal)
}

/// The ambassador row of the caller, for their progress.
async fn own_ambassador(
    db: &DatabaseConnection,
    user: &CurrentUser,
) -> AppResult<Option<entity::ambassadors::Model>> {
    if user.role != Role::Ambassador {
        return Ok(None);
    }
    crate::ambassadors::service::find_ambassador_by_user(db, user.id()).await
}

async fn completed_by(db: &DatabaseConnection, ambassador_id: i64) -> AppResult<HashSet<i64>> {
    Ok(lesson_completions::Entity::find()
        .filter(lesson_completions::Column::AmbassadorId.eq(ambassador_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.lesson_id)
        .collect())
}

/// A lesson on the path.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LessonRow {
    pub id: i64,
    pub title: String,
    pub topic: String,
    pub summary: String,
    /// One of the lessons Duta ships.
    pub shipped: bool,
    pub questions: usize,
    /// The caller (an ambassador) passed its questions.
    pub completed: bool,
    /// The caller's institution requires it before posts for briefs of these categories.
    pub required_for: Vec<String>,
}

/// The categories, in Duta's order, that `requirements` require lesson `id` before.
fn categories_of(requirements: &[lesson_requirements::Model], id: i64) -> Vec<String> {
    crate::briefs::rules::CATEGORIES
        .iter()
        .filter(|c| {
            requirements
                .iter()
                .any(|r| r.lesson_id == id && r.category == **c)
        })
        .map(|c| c.to_string())
        .collect()
}

/// The caller's training path, in order: the shipped lessons, then their institution's.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrainingPath {
    pub lessons: Vec<LessonRow>,
    /// Lessons the caller completed, of `total`.
    pub completed: usize,
    pub total: usize,
}

pub async fn path(db: &DatabaseConnection, user: &CurrentUser) -> AppResult<TrainingPath> {
    let all = visible(user)
        .order_by_asc(lessons::Column::InstitutionId.is_not_null())
        .order_by_asc(lessons::Column::Id)
        .all(db)
        .await?;
    let done = match own_ambassador(db, user).await? {
        Some(me) => completed_by(db, me.id).await?,
        None => HashSet::new(),
    };
    let requirements = match user.scope() {
        Scope::Institution { institution_id, .. } => {
            lesson_requirements::Entity::find()
                .filter(lesson_requirements::Column::InstitutionId.eq(institution_id))
                .all(db)
                .await?
        }
        Scope::All => Vec::new(),
    };
    let mut rows = Vec::with_capacity(all.len());
    for l in all {
        rows.push(LessonRow {
            required_for: categories_of(&requirements, l.id),
            questions: questions_of(&l)?.len(),
            completed: done.contains(&l.id),
            shipped: l.slug.is_some(),
            id: l.id,
            title: l.title,
            topic: l.topic,
            summary: l.summary,
        });
    }
    Ok(TrainingPath {
        completed: rows.iter().filter(|r| r.completed).count(),
        total: rows.len(),
        lessons: rows,
    })
}

/// A question as the page shows it: the right answer and why only to staff (an
/// ambassador sees them after an attempt).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuestionView {
    pub question: String,
    pub options: Vec<String>,
    pub answer: Option<usize>,
    pub explanation: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LessonView {
    pub id: i64,
    pub title: String,
    pub topic: String,
    pub summary: String,
    /// The text split into paragraphs at empty lines.
    pub paragraphs: Vec<String>,
    pub video_url: Option<String>,
    /// The version an attempt must name.
    pub version: i32,
    pub shipped: bool,
    pub questions: Vec<QuestionView>,
    /// The caller (an ambassador) passed its questions.
    pub completed: bool,
    /// The institution whose lesson it is; none for one Duta ships.
    pub institution_id: Option<i64>,
    /// The caller may change it (staff writing for its institution).
    pub editable: bool,
    /// The caller's institution requires it before posts for briefs of these categories.
    pub required_for: Vec<String>,
    /// Its images, after the text.
    pub images: Vec<LessonImageView>,
}

/// A lesson of the caller's path; 404 for one outside it.
pub async fn lesson(db: &DatabaseConnection, user: &CurrentUser, id: i64) -> AppResult<LessonView> {
    let l = visible(user)
        .filter(lessons::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let staff = user.role != Role::Ambassador;
    let completed = match own_ambassador(db, user).await? {
        Some(me) => completed_by(db, me.id).await?.contains(&l.id),
        None => false,
    };
    let editable = match l.institution_id {
        Some(i) if staff => crate::recruitment::service::writable_institution(db, user, i)
            .await
            .is_ok(),
        _ => false,
    };
    let required_for = match user.scope() {
        Scope::Institution { institution_id, .. } => required_for(db, institution_id, l.id).await?,
        Scope::All => Vec::new(),
    };
    Ok(LessonView {
        images: images_of(db, l.id).await?,
        institution_id: l.institution_id,
        editable,
        required_for,
        questions: questions_of(&l)?
            .into_iter()
            .map(|q| QuestionView {
                answer: staff.then_some(q.answer),
                explanation: staff.then_some(q.explanation),
                question: q.question,
                options: q.options,
            })
            .collect(),
        paragraphs: crate::recruitment::rules::paragraphs(&l.body),
        shipped: l.slug.is_some(),
        id: l.id,
        title: l.title,
        topic: l.topic,
        summary: l.summary,
        video_url: l.video_url,
        version: l.version,
        completed,
    })
}

/// What an attempt tells the ambassador: the grade, and for each question the right
/// answer and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttemptView {
    pub grade: Grade,
    pub answers: Vec<usize>,
    pub explanations: Vec<String>,
    /// The lesson is completed now (every answer right).
    pub completed: bool,
}

/// The answers of a page's form (`answers[2]=1`): one per question, in order; `None` for
/// a question left unanswered or an answer that is not a number.
pub fn answers_from(form: &BTreeMap<usize, String>, questions: usize) -> Vec<Option<usize>> {
    (0..questions)
        .map(|i| form.get(&i).and_then(|a| a.trim().parse().ok()))
        .collect()
}

/// An ambassador answers a lesson's questions (`version` names the lesson as they read
/// it). 409 at `version` when the lesson changed since (read it again), 409 at `lesson`
/// when they completed it already; 422 at `answers` for a question left unanswered, 409
/// when the answers do not fit the lesson's questions. With every answer right the
/// lesson is completed, once.
pub async fn attempt(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    version: Option<i64>,
    answers: &[Option<usize>],
) -> AppResult<AttemptView> {
    let l = visible(user)
        .filter(lessons::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let me = own_ambassador(db, user).await?.ok_or(AppError::NotFound)?;
    if completed_by(db, me.id).await?.contains(&l.id) {
        return Err(AppError::Conflict(FieldErrors::single(
            "lesson",
            Msg::new("training.already_completed"),
        )));
    }
    if version != Some(i64::from(l.version)) {
        return Err(AppError::Conflict(FieldErrors::single(
            "version",
            Msg::new("training.lesson_changed"),
        )));
    }
    let questions = questions_of(&l)?;
    // A question left unanswered on the page is the form's fault (422); answers that do
    // not fit this lesson's questions clash with the lesson (409).
    let Some(given) = answers.iter().copied().collect::<Option<Vec<usize>>>() else {
        return Err(AppError::Validation(FieldErrors::single(
            "answers",
            Msg::new("training.answers_invalid").arg("n", questions.len()),
        )));
    };
    let grade = rules::grade(&questions, &given).map_err(AppError::Conflict)?;
    if grade.passed {
        let done = lesson_completions::ActiveModel {
            lesson_id: Set(l.id),
            ambassador_id: Set(me.id),
            version: Set(l.version),
            completed_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(db)
        .await;
        match done {
            Ok(_) => {}
            // The same answers sent twice at once: the other request completed it.
            Err(e) if is_unique_violation(&e) => {
                return Err(AppError::Conflict(FieldErrors::single(
                    "lesson",
                    Msg::new("training.already_completed"),
                )))
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(AttemptView {
        completed: grade.passed,
        grade,
        answers: questions.iter().map(|q| q.answer).collect(),
        explanations: questions.into_iter().map(|q| q.explanation).collect(),
    })
}

// ---------------------------------------------------------------------------------------
// Lessons written by staff, lessons required before a kind of brief, completion per unit.

/// A lesson staff may change: an institution's own (Duta's shipped lessons are not), not
/// archived, of an institution the caller writes for (404 outside their scope, 403 for a
/// coordinator of a unit).
async fn own_lesson(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
) -> AppResult<lessons::Model> {
    let l = own_lesson_archived_too(db, user, id).await?;
    if l.archived_at.is_some() {
        return Err(AppError::NotFound);
    }
    Ok(l)
}

/// `own_lesson`, archived or not.
async fn own_lesson_archived_too(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
) -> AppResult<lessons::Model> {
    let l = lessons::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(institution_id) = l.institution_id else {
        return Err(AppError::NotFound);
    };
    crate::recruitment::service::writable_institution(db, user, institution_id).await?;
    Ok(l)
}

/// Records a change to a lesson in the audit log, in the change's transaction.
async fn audit_lesson(
    txn: &impl sea_orm::ConnectionTrait,
    user: &CurrentUser,
    action: &str,
    lesson_id: i64,
    institution_id: Option<i64>,
    detail: serde_json::Value,
    ip: &crate::http::client_ip::ClientIp,
) -> AppResult<()> {
    crate::audit::record::record(
        txn,
        crate::audit::record::Entry {
            actor: Some(user),
            action,
            target_type: "lesson",
            target_id: Some(lesson_id),
            institution_id,
            detail,
            ip: Some(ip),
        },
    )
    .await
}

fn invalid(e: FieldErrors) -> AppError {
    AppError::Validation(e)
}

fn questions_json(questions: &[Question]) -> AppResult<String> {
    serde_json::to_string(questions).map_err(AppError::internal)
}

/// A lesson as its edit form shows it, with the version an edit must name.
#[derive(Debug, Clone)]
pub struct LessonDraft {
    pub institution_id: i64,
    pub version: i32,
    pub input: rules::LessonInput,
}

/// One of the caller's institution's lessons, to edit (404 for a shipped lesson or one
/// of another institution).
pub async fn draft(db: &DatabaseConnection, user: &CurrentUser, id: i64) -> AppResult<LessonDraft> {
    let l = own_lesson(db, user, id).await?;
    Ok(LessonDraft {
        institution_id: l.institution_id.unwrap_or_default(),
        version: l.version,
        input: rules::LessonInput {
            questions: questions_of(&l)?,
            topic: l.topic,
            title: l.title,
            summary: l.summary,
            body: l.body,
            video_url: l.video_url.unwrap_or_default(),
        },
    })
}

/// Publishes a lesson on the path of `institution_id`'s ambassadors (admins any
/// institution, coordinators of the whole institution their own): 422 with every bad
/// field and nothing stored; audited.
pub async fn create(
    db: &DatabaseConnection,
    user: &CurrentUser,
    institution_id: i64,
    input: &rules::LessonInput,
    ip: &crate::http::client_ip::ClientIp,
) -> AppResult<i64> {
    crate::recruitment::service::writable_institution(db, user, institution_id).await?;
    let clean = rules::check_lesson(input).map_err(invalid)?;
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let l = lessons::ActiveModel {
        institution_id: Set(Some(institution_id)),
        slug: Set(None),
        topic: Set(clean.topic.clone()),
        title: Set(clean.title.clone()),
        summary: Set(clean.summary.clone()),
        body: Set(clean.body.clone()),
        video_url: Set(Some(clean.video_url.clone()).filter(|v| !v.is_empty())),
        questions: Set(questions_json(&clean.questions)?),
        version: Set(1),
        archived_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit_lesson(
        &txn,
        user,
        "lesson.created",
        l.id,
        Some(institution_id),
        serde_json::json!({ "title": clean.title, "questions": clean.questions.len() }),
        ip,
    )
    .await?;
    txn.commit().await?;
    Ok(l.id)
}

fn edited_meanwhile() -> AppError {
    AppError::Conflict(FieldErrors::single(
        "version",
        Msg::new("training.edited_meanwhile"),
    ))
}

/// Changes one of the institution's lessons; `version` names the lesson as the editor
/// read it (409 when someone changed it since). The version grows by one, so an attempt
/// begun on the old text is refused and read again; completions stay.
pub async fn update(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    version: Option<i64>,
    input: &rules::LessonInput,
    ip: &crate::http::client_ip::ClientIp,
) -> AppResult<i64> {
    let l = own_lesson(db, user, id).await?;
    let clean = rules::check_lesson(input).map_err(invalid)?;
    if version != Some(i64::from(l.version)) {
        return Err(edited_meanwhile());
    }
    let txn = begin_write(db).await?;
    let changed = lessons::Entity::update_many()
        .col_expr(lessons::Column::Topic, clean.topic.clone().into())
        .col_expr(lessons::Column::Title, clean.title.clone().into())
        .col_expr(lessons::Column::Summary, clean.summary.clone().into())
        .col_expr(lessons::Column::Body, clean.body.clone().into())
        .col_expr(
            lessons::Column::VideoUrl,
            Some(clean.video_url.clone())
                .filter(|v| !v.is_empty())
                .into(),
        )
        .col_expr(
            lessons::Column::Questions,
            questions_json(&clean.questions)?.into(),
        )
        .col_expr(lessons::Column::Version, (l.version + 1).into())
        .col_expr(lessons::Column::UpdatedAt, Utc::now().into())
        .filter(lessons::Column::Id.eq(l.id))
        .filter(lessons::Column::Version.eq(l.version))
        .exec(&txn)
        .await?;
    // Two editors at once: the first one's change stands.
    if changed.rows_affected != 1 {
        return Err(edited_meanwhile());
    }
    audit_lesson(
        &txn,
        user,
        "lesson.updated",
        l.id,
        l.institution_id,
        serde_json::json!({ "version": l.version + 1, "title": clean.title }),
        ip,
    )
    .await?;
    txn.commit().await?;
    Ok(l.id)
}

/// Takes one of the institution's lessons off the path (its completions are kept for
/// the record; a requirement naming it no longer holds anyone back). Archiving an
/// archived lesson again changes nothing.
pub async fn archive(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    ip: &crate::http::client_ip::ClientIp,
) -> AppResult<()> {
    let l = own_lesson_archived_too(db, user, id).await?;
    if l.archived_at.is_some() {
        return Ok(());
    }
    let txn = begin_write(db).await?;
    lessons::Entity::update_many()
        .col_expr(lessons::Column::ArchivedAt, Some(Utc::now()).into())
        .filter(lessons::Column::Id.eq(l.id))
        .exec(&txn)
        .await?;
    audit_lesson(
        &txn,
        user,
        "lesson.archived",
        l.id,
        l.institution_id,
        serde_json::json!({ "title": l.title }),
        ip,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The brief categories for which `institution_id` requires a lesson, in the order of
/// the categories.
pub async fn required_for(
    db: &DatabaseConnection,
    institution_id: i64,
    lesson_id: i64,
) -> AppResult<Vec<String>> {
    let requirements = lesson_requirements::Entity::find()
        .filter(lesson_requirements::Column::InstitutionId.eq(institution_id))
        .filter(lesson_requirements::Column::LessonId.eq(lesson_id))
        .all(db)
        .await?;
    Ok(categories_of(&requirements, lesson_id))
}

/// Makes a lesson of the institution's path (a shipped one or its own) required before
/// ambassadors of `institution_id` submit posts for briefs of `categories` (replacing
/// what was required of this lesson; none: not required). 422 at `categories` for a
/// category Duta does not have; audited.
pub async fn set_required(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    institution_id: i64,
    categories: &[String],
    ip: &crate::http::client_ip::ClientIp,
) -> AppResult<Vec<String>> {
    crate::recruitment::service::writable_institution(db, user, institution_id).await?;
    let l = lessons::Entity::find_by_id(id)
        .filter(lessons::Column::ArchivedAt.is_null())
        .filter(
            Condition::any()
                .add(lessons::Column::InstitutionId.is_null())
                .add(lessons::Column::InstitutionId.eq(institution_id)),
        )
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let known = crate::briefs::rules::CATEGORIES;
    if categories.len() > known.len() || categories.iter().any(|c| !known.contains(&c.as_str())) {
        return Err(AppError::Validation(FieldErrors::single(
            "categories",
            Msg::new("training.categories_invalid"),
        )));
    }
    let wanted: HashSet<&str> = categories.iter().map(String::as_str).collect();
    let kept: Vec<String> = known
        .iter()
        .filter(|c| wanted.contains(**c))
        .map(|c| c.to_string())
        .collect();
    let txn = begin_write(db).await?;
    lesson_requirements::Entity::delete_many()
        .filter(lesson_requirements::Column::InstitutionId.eq(institution_id))
        .filter(lesson_requirements::Column::LessonId.eq(l.id))
        .exec(&txn)
        .await?;
    let now = Utc::now();
    for c in &kept {
        lesson_requirements::ActiveModel {
            institution_id: Set(institution_id),
            lesson_id: Set(l.id),
            category: Set(c.clone()),
            created_by: Set(Some(user.id())),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    audit_lesson(
        &txn,
        user,
        "lesson.required_set",
        l.id,
        Some(institution_id),
        serde_json::json!({ "categories": kept }),
        ip,
    )
    .await?;
    txn.commit().await?;
    Ok(kept)
}

/// A lesson an ambassador must complete first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequiredLesson {
    pub id: i64,
    pub title: String,
}

/// The first lesson (by id) the ambassador's institution requires before posts for briefs
/// of `category` that the ambassador has not completed; none when they may post.
pub async fn missing_before<C: sea_orm::ConnectionTrait>(
    db: &C,
    ambassador: &entity::ambassadors::Model,
    category: &str,
) -> AppResult<Option<RequiredLesson>> {
    use sea_orm::sea_query::Query;
    let required = Query::select()
        .column(lesson_requirements::Column::LessonId)
        .from(lesson_requirements::Entity)
        .and_where(lesson_requirements::Column::InstitutionId.eq(ambassador.institution_id))
        .and_where(lesson_requirements::Column::Category.eq(category))
        .to_owned();
    let done = Query::select()
        .column(lesson_completions::Column::LessonId)
        .from(lesson_completions::Entity)
        .and_where(lesson_completions::Column::AmbassadorId.eq(ambassador.id))
        .to_owned();
    Ok(lessons::Entity::find()
        .filter(lessons::Column::Id.in_subquery(required))
        .filter(lessons::Column::Id.not_in_subquery(done))
        .filter(lessons::Column::ArchivedAt.is_null())
        .order_by_asc(lessons::Column::Id)
        .one(db)
        .await?
        .map(|l| RequiredLesson {
            id: l.id,
            title: l.title,
        }))
}

/// The 409 a submission meets when a required lesson is not completed.
pub fn required_first(lesson: &RequiredLesson) -> AppError {
    AppError::Conflict(FieldErrors::single(
        "brief_id",
        Msg::new("training.required_first").arg("lesson", lesson.title.clone()),
    ))
}

/// A lesson in the progress table, with the categories it is required before.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgressLesson {
    pub id: i64,
    pub title: String,
    pub required_for: Vec<String>,
}

/// A unit's row: its active ambassadors, and per lesson (in the order of `lessons`) how
/// many of them completed it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitProgress {
    pub work_unit_id: i64,
    pub work_unit_name: String,
    pub ambassadors: u64,
    pub completed: Vec<u64>,
    /// Ambassadors who completed every lesson of the path.
    pub all_completed: u64,
}

/// Completion of an institution's training path per unit, for the caller's scope.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Progress {
    pub institution_id: i64,
    pub lessons: Vec<ProgressLesson>,
    /// Units with active ambassadors, by name.
    pub units: Vec<UnitProgress>,
    /// The sums over the units.
    pub total: UnitProgress,
}

/// How far the active ambassadors (approved, not withdrawn or erased) of the caller's
/// scope in `institution_id` are on its path: per unit, per lesson.
pub async fn progress(
    db: &DatabaseConnection,
    user: &CurrentUser,
    institution_id: i64,
) -> AppResult<Progress> {
    use entity::{ambassadors, work_units};
    use sea_orm::QuerySelect;
    if !user.scope().allows_institution(institution_id) {
        return Err(AppError::NotFound);
    }
    crate::org::service::get_institution_for(db, user, institution_id).await?;
    let path: Vec<lessons::Model> = lessons::Entity::find()
        .filter(lessons::Column::ArchivedAt.is_null())
        .filter(
            Condition::any()
                .add(lessons::Column::InstitutionId.is_null())
                .add(lessons::Column::InstitutionId.eq(institution_id)),
        )
        .order_by_asc(lessons::Column::InstitutionId.is_not_null())
        .order_by_asc(lessons::Column::Id)
        .all(db)
        .await?;
    let requirements = lesson_requirements::Entity::find()
        .filter(lesson_requirements::Column::InstitutionId.eq(institution_id))
        .all(db)
        .await?;
    let active = || {
        crate::ambassadors::service::scoped(user)
            .filter(ambassadors::Column::InstitutionId.eq(institution_id))
            .filter(ambassadors::Column::Status.eq("approved"))
            .filter(ambassadors::Column::WithdrawnAt.is_null())
            .filter(ambassadors::Column::ErasedAt.is_null())
    };
    let people: Vec<(i64, i64)> = active()
        .select_only()
        .columns([ambassadors::Column::Id, ambassadors::Column::WorkUnitId])
        .into_tuple()
        .all(db)
        .await?;
    let unit_of: std::collections::HashMap<i64, i64> = people.iter().copied().collect();
    let completions: Vec<(i64, i64)> = lesson_completions::Entity::find()
        .filter(lesson_completions::Column::AmbassadorId.in_subquery(
            sea_orm::QueryTrait::into_query(active().select_only().column(ambassadors::Column::Id)),
        ))
        .select_only()
        .columns([
            lesson_completions::Column::AmbassadorId,
            lesson_completions::Column::LessonId,
        ])
        .into_tuple()
        .all(db)
        .await?;
    let column: std::collections::HashMap<i64, usize> =
        path.iter().enumerate().map(|(i, l)| (l.id, i)).collect();
    let mut per_person: std::collections::HashMap<i64, usize> = Default::default();
    let mut rows: BTreeMap<i64, UnitProgress> = BTreeMap::new();
    let blank = |unit: i64| UnitProgress {
        work_unit_id: unit,
        work_unit_name: String::new(),
        ambassadors: 0,
        completed: vec![0; path.len()],
        all_completed: 0,
    };
    for (_, unit) in &people {
        rows.entry(*unit)
            .or_insert_with(|| blank(*unit))
            .ambassadors += 1;
    }
    for (person, lesson) in completions {
        let (Some(unit), Some(col)) = (unit_of.get(&person), column.get(&lesson)) else {
            continue;
        };
        if let Some(row) = rows.get_mut(unit) {
            row.completed[*col] += 1;
        }
        *per_person.entry(person).or_default() += 1;
    }
    for (person, n) in per_person {
        if n == path.len() {
            if let Some(row) = unit_of.get(&person).and_then(|u| rows.get_mut(u)) {
                row.all_completed += 1;
            }
        }
    }
    let names: std::collections::HashMap<i64, String> = work_units::Entity::find()
        .filter(work_units::Column::Id.is_in(rows.keys().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut units: Vec<UnitProgress> = rows
        .into_values()
        .map(|mut r| {
            r.work_unit_name = names.get(&r.work_unit_id).cloned().unwrap_or_default();
            r
        })
        .collect();
    units.sort_by(|a, b| a.work_unit_name.cmp(&b.work_unit_name));
    let mut total = blank(0);
    for u in &units {
        total.ambassadors += u.ambassadors;
        total.all_completed += u.all_completed;
        for (t, c) in total.completed.iter_mut().zip(&u.completed) {
            *t += c;
        }
    }
    let lessons = path
        .into_iter()
        .map(|l| ProgressLesson {
            required_for: categories_of(&requirements, l.id),
            id: l.id,
            title: l.title,
        })
        .collect();
    Ok(Progress {
        institution_id,
        lessons,
        units,
        total,
    })
}

// ---------------------------------------------------------------------------------------
// Images of an institution's lessons.

/// The most images a lesson holds.
pub const MAX_IMAGES: usize = 6;

/// An image of a lesson as pages and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LessonImageView {
    pub id: i64,
    /// A description for screen readers.
    pub alt: String,
    /// The image, for users whose path holds the lesson (session cookie).
    pub url: String,
}

async fn images_of(db: &DatabaseConnection, lesson_id: i64) -> AppResult<Vec<LessonImageView>> {
    Ok(entity::lesson_images::Entity::find()
        .filter(entity::lesson_images::Column::LessonId.eq(lesson_id))
        .order_by_asc(entity::lesson_images::Column::Position)
        .order_by_asc(entity::lesson_images::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|i| LessonImageView {
            url: format!("/learn/{lesson_id}/images/{}", i.id),
            id: i.id,
            alt: i.alt,
        })
        .collect())
}

/// Adds an image to one of the institution's lessons (at most [`MAX_IMAGES`], 409 beyond):
/// the upload is checked and re-encoded as every upload is (422 at `file` for one that is
/// not an image), its description checked (422 at `alt`); audited.
pub async fn add_image(
    db: &DatabaseConnection,
    store: &crate::media::service::MediaStore,
    user: &CurrentUser,
    lesson_id: i64,
    bytes: Vec<u8>,
    alt: &str,
    ip: &crate::http::client_ip::ClientIp,
) -> AppResult<LessonImageView> {
    let l = own_lesson(db, user, lesson_id).await?;
    let mut errors = FieldErrors::new();
    let alt = crate::briefs::images::ALT.clean(alt).unwrap_or_else(|| {
        errors.add(
            "alt",
            Msg::new("briefs.alt_invalid").arg("max", crate::briefs::images::MAX_ALT_CHARS),
        );
        String::new()
    });
    let existing = entity::lesson_images::Entity::find()
        .filter(entity::lesson_images::Column::LessonId.eq(l.id))
        .all(db)
        .await?;
    if existing.len() >= MAX_IMAGES {
        errors.add(
            "file",
            Msg::conflict("training.too_many_images").arg("max", MAX_IMAGES),
        );
    }
    errors.into_result()?;
    let stored = store
        .store(db, user.id(), l.institution_id, "lesson", bytes)
        .await?;
    let row = entity::lesson_images::ActiveModel {
        lesson_id: Set(l.id),
        media_id: Set(stored.id),
        alt: Set(alt),
        position: Set(existing.iter().map(|e| e.position + 1).max().unwrap_or(0)),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    let saved = match row.insert(db).await {
        Ok(r) => r,
        Err(e) => {
            if let Err(e) = store.delete(&stored).await {
                tracing::warn!(error = %e, "cannot remove a lesson image after a failed insert");
            }
            entity::media::Entity::delete_by_id(stored.id)
                .exec(db)
                .await?;
            return Err(e.into());
        }
    };
    audit_lesson(
        db,
        user,
        "lesson.image_added",
        l.id,
        l.institution_id,
        serde_json::json!({ "image_id": saved.id, "media_id": stored.id }),
        ip,
    )
    .await?;
    Ok(LessonImageView {
        url: format!("/learn/{}/images/{}", l.id, saved.id),
        id: saved.id,
        alt: saved.alt,
    })
}

/// Removes an image of one of the institution's lessons, with its stored files.
pub async fn delete_image(
    db: &DatabaseConnection,
    store: &crate::media::service::MediaStore,
    user: &CurrentUser,
    lesson_id: i64,
    image_id: i64,
    ip: &crate::http::client_ip::ClientIp,
) -> AppResult<()> {
    let l = own_lesson(db, user, lesson_id).await?;
    let image = entity::lesson_images::Entity::find_by_id(image_id)
        .filter(entity::lesson_images::Column::LessonId.eq(l.id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let media = entity::media::Entity::find_by_id(image.media_id)
        .one(db)
        .await?;
    let txn = begin_write(db).await?;
    entity::lesson_images::Entity::delete_by_id(image.id)
        .exec(&txn)
        .await?;
    entity::media::Entity::delete_by_id(image.media_id)
        .exec(&txn)
        .await?;
    audit_lesson(
        &txn,
        user,
        "lesson.image_deleted",
        l.id,
        l.institution_id,
        serde_json::json!({ "image_id": image.id }),
        ip,
    )
    .await?;
    txn.commit().await?;
    // The row is gone first: a file left by a failed delete is an orphan, never a
    // broken image.
    if let Some(m) = media {
        if let Err(e) = store.delete(&m).await {
            tracing::warn!(error = %e, "cannot remove a deleted lesson image's files");
        }
    }
    Ok(())
}

/// The file of an image of a lesson on the caller's path; 404 otherwise.
pub async fn image_file(
    db: &DatabaseConnection,
    store: &crate::media::service::MediaStore,
    user: &CurrentUser,
    lesson_id: i64,
    image_id: i64,
) -> AppResult<(rocket::http::ContentType, Vec<u8>)> {
    let l = visible(user)
        .filter(lessons::Column::Id.eq(lesson_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let image = entity::lesson_images::Entity::find_by_id(image_id)
        .filter(entity::lesson_images::Column::LessonId.eq(l.id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let media = entity::media::Entity::find_by_id(image.media_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    store.open(&media, false).await
}
