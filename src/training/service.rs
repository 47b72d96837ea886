//! The training path's reads and writes: the shipped lessons installed at start, an
//! ambassador's path and progress, a lesson, and an attempt at its questions.

use std::collections::{BTreeMap, HashSet};

use chrono::Utc;
use entity::{lesson_completions, lessons};
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
    let mut rows = Vec::with_capacity(all.len());
    for l in all {
        rows.push(LessonRow {
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
    Ok(LessonView {
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
