//! Request bodies of the training path: a lesson as staff write it (API and page), and
//! the categories a lesson is required before.

use std::collections::BTreeMap;

use rocket::form::FromForm;
use serde::{Deserialize, Serialize};

use super::rules::{
    LessonInput, Question, BODY, EXPLANATION, OPTION, OPTIONS, QUESTION, QUESTIONS, SUMMARY, TITLE,
    VIDEO_MAX, VIDEO_PATTERN,
};
use crate::http::csrf::CsrfProtected;

crate::text_schema!(title_schema, TITLE);
crate::text_schema!(summary_schema, SUMMARY);
crate::text_schema!(body_schema, BODY);
crate::text_schema!(question_schema, QUESTION);
crate::text_schema!(explanation_schema, EXPLANATION);

fn topic_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::as_schema(crate::text::pattern_schema(format!(
        "^({})$",
        super::rules::TOPICS.join("|")
    )))
}

fn video_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::as_schema(
        crate::text::pattern_schema(VIDEO_PATTERN.to_string()).max_length(Some(VIDEO_MAX)),
    )
}

/// 2 to 5 options of 1 to 300 characters on one line.
fn options_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::schema::ArrayBuilder;
    ArrayBuilder::new()
        .items(OPTION.schema())
        .min_items(Some(OPTIONS.0))
        .max_items(Some(OPTIONS.1))
        .build()
        .into()
}

/// A multiple-choice question: the right answer is an index into `options` (0 is the
/// first; one beyond the options is 409).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionRequest {
    #[schema(schema_with = question_schema)]
    pub question: String,
    #[schema(schema_with = options_schema)]
    pub options: Vec<String>,
    #[schema(minimum = 0, maximum = 4)]
    pub answer: u8,
    /// Why the answer is right, shown after an attempt.
    #[serde(default)]
    #[schema(schema_with = explanation_schema)]
    pub explanation: String,
}

/// 1 to 10 questions.
fn questions_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::schema::ArrayBuilder;
    use utoipa::PartialSchema;
    ArrayBuilder::new()
        .items(QuestionRequest::schema())
        .min_items(Some(QUESTIONS.0))
        .max_items(Some(QUESTIONS.1))
        .build()
        .into()
}

/// A lesson: topic, title, summary, text (paragraphs separated by an empty line), an
/// optional `https://` video link and its questions.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LessonRequest {
    #[serde(default)]
    #[schema(required = true, schema_with = topic_schema)]
    pub topic: String,
    #[serde(default)]
    #[schema(required = true, schema_with = title_schema)]
    pub title: String,
    #[serde(default)]
    #[schema(schema_with = summary_schema)]
    pub summary: String,
    #[serde(default)]
    #[schema(required = true, schema_with = body_schema)]
    pub body: String,
    #[serde(default)]
    #[schema(schema_with = video_schema)]
    pub video_url: String,
    #[serde(default)]
    #[schema(required = true, schema_with = questions_schema)]
    pub questions: Vec<QuestionRequest>,
    /// The lesson's version as the writer read it: needed to change a lesson (`PUT`; 409
    /// when it changed since), not read when publishing one.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub version: Option<i64>,
}

impl LessonRequest {
    pub fn input(&self) -> LessonInput {
        LessonInput {
            topic: self.topic.clone(),
            title: self.title.clone(),
            summary: self.summary.clone(),
            body: self.body.clone(),
            video_url: self.video_url.clone(),
            questions: self
                .questions
                .iter()
                .map(|q| Question {
                    question: q.question.clone(),
                    options: q.options.clone(),
                    answer: usize::from(q.answer),
                    explanation: q.explanation.clone(),
                })
                .collect(),
        }
    }
}

/// The brief categories a lesson is required before, for the ambassadors of an
/// institution (none: not required).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequiredRequest {
    /// The institution (admins); others: their own.
    #[serde(default)]
    #[schema(minimum = 1)]
    pub institution_id: Option<i64>,
    /// Absent or empty: the lesson is not required before any kind of brief.
    #[serde(default)]
    #[schema(schema_with = categories_schema)]
    pub categories: Vec<String>,
}

fn categories_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::schema::ArrayBuilder;
    ArrayBuilder::new()
        .items(crate::text::pattern_schema(format!(
            "^({})$",
            crate::briefs::rules::CATEGORIES.join("|")
        )))
        .max_items(Some(crate::briefs::rules::CATEGORIES.len()))
        .build()
        .into()
}

/// A question as the lesson form sends it: options one per line, the right one counted
/// from 1.
#[derive(Debug, Clone, Default, FromForm, Serialize)]
pub struct QuestionForm {
    #[field(default = String::new())]
    pub question: String,
    #[field(default = String::new())]
    pub options: String,
    #[field(default = String::new())]
    pub answer: String,
    #[field(default = String::new())]
    pub explanation: String,
}

impl QuestionForm {
    fn is_blank(&self) -> bool {
        self.question.trim().is_empty()
            && self.options.trim().is_empty()
            && self.explanation.trim().is_empty()
    }
}

/// The lesson form: `questions[0].question`, … (blank question blocks are left out).
#[derive(Debug, Clone, Default, FromForm, Serialize)]
pub struct LessonForm {
    #[field(default = String::new())]
    pub topic: String,
    #[field(default = String::new())]
    pub title: String,
    #[field(default = String::new())]
    pub summary: String,
    #[field(default = String::new())]
    pub body: String,
    #[field(default = String::new())]
    pub video_url: String,
    /// The page shows them as blocks (see the routes).
    #[serde(skip)]
    #[field(default = BTreeMap::new())]
    pub questions: BTreeMap<usize, QuestionForm>,
    #[field(default = String::new())]
    pub version: String,
    #[serde(skip)]
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for LessonForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

impl LessonForm {
    /// The lesson typed; a question's number is its place among the blocks filled in.
    pub fn input(&self) -> LessonInput {
        LessonInput {
            topic: self.topic.clone(),
            title: self.title.clone(),
            summary: self.summary.clone(),
            body: self.body.clone(),
            video_url: self.video_url.clone(),
            questions: self
                .questions
                .values()
                .filter(|q| !q.is_blank())
                .map(|q| Question {
                    question: q.question.clone(),
                    options: q
                        .options
                        .lines()
                        .map(str::trim)
                        .filter(|o| !o.is_empty())
                        .map(str::to_string)
                        .collect(),
                    answer: q
                        .answer
                        .trim()
                        .parse::<usize>()
                        .ok()
                        .and_then(|n| n.checked_sub(1))
                        .unwrap_or(usize::MAX),
                    explanation: q.explanation.clone(),
                })
                .collect(),
        }
    }

    /// The form filled with a lesson, and blank blocks up to three questions and one more.
    pub fn of(input: &LessonInput, version: i32) -> LessonForm {
        let mut questions: BTreeMap<usize, QuestionForm> = input
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| {
                (
                    i,
                    QuestionForm {
                        question: q.question.clone(),
                        options: q.options.join("\n"),
                        answer: (q.answer + 1).to_string(),
                        explanation: q.explanation.clone(),
                    },
                )
            })
            .collect();
        LessonForm::pad(&mut questions);
        LessonForm {
            topic: input.topic.clone(),
            title: input.title.clone(),
            summary: input.summary.clone(),
            body: input.body.clone(),
            video_url: input.video_url.clone(),
            questions,
            version: version.to_string(),
            csrf_token: String::new(),
        }
    }

    /// Adds blank question blocks: at least three blocks and one blank, at most ten.
    pub fn pad(questions: &mut BTreeMap<usize, QuestionForm>) {
        let filled = questions.values().filter(|q| !q.is_blank()).count();
        let want = (filled + 1).clamp(3, QUESTIONS.1);
        let mut next = questions.keys().last().map_or(0, |k| k + 1);
        while questions.len() < want {
            questions.insert(next, <QuestionForm as Default>::default());
            next += 1;
        }
    }
}

/// The categories form on a lesson's page.
#[derive(Debug, Clone, Default, FromForm)]
pub struct RequiredForm {
    #[field(default = Vec::new())]
    pub categories: Vec<String>,
    #[field(default = String::new())]
    pub csrf_token: String,
}

impl CsrfProtected for RequiredForm {
    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}
