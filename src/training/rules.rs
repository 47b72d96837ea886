//! The training path's plain rules: the lessons Duta ships, what a lesson and its
//! questions may be, a video link, and grading an attempt.

use serde::{Deserialize, Serialize};

use crate::error::{FieldErrors, Msg};
use crate::text::Text;

/// A lesson's topics: storytelling, handling hoaxes, election-period neutrality, platform
/// safety, writing for each platform, and anything else.
pub const TOPICS: [&str; 6] = [
    "storytelling",
    "hoaxes",
    "neutrality",
    "safety",
    "platforms",
    "other",
];

pub const TITLE: Text = Text::line(3, 200);
pub const SUMMARY: Text = Text::line(0, 300);
pub const BODY: Text = Text::lines(1, 20_000);
pub const QUESTION: Text = Text::lines(1, 500);
pub const OPTION: Text = Text::line(1, 300);
pub const EXPLANATION: Text = Text::lines(0, 1_000);
/// Questions a lesson has, and options a question has.
pub const QUESTIONS: (usize, usize) = (1, 10);
pub const OPTIONS: (usize, usize) = (2, 5);
/// The longest video link.
pub const VIDEO_MAX: usize = 500;
/// What a video link looks like: `https://`, a host name (labels starting with a letter,
/// so never a bare number), then any printable path; spaces around are dropped. Empty:
/// no video.
pub const VIDEO_PATTERN: &str =
    r"^ *(https://[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z][A-Za-z0-9-]*)*(/[!-~]*)?)? *$";

/// A multiple-choice question with its right answer (an index into `options`) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Question {
    pub question: String,
    pub options: Vec<String>,
    pub answer: usize,
    #[serde(default)]
    pub explanation: String,
}

/// A lesson Duta ships.
#[derive(Debug, Clone, Deserialize)]
pub struct ShippedLesson {
    pub slug: String,
    pub topic: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub questions: Vec<Question>,
}

#[derive(Deserialize)]
struct Shipped {
    lessons: Vec<ShippedLesson>,
}

/// The lessons Duta ships (`shipped.toml`), in the order of the path.
pub fn shipped() -> Vec<ShippedLesson> {
    toml::from_str::<Shipped>(include_str!("shipped.toml"))
        .map(|s| s.lessons)
        .unwrap_or_default()
}

/// Checks a lesson's questions: every problem at its field (`questions.2.options`).
pub fn check_questions(questions: &[Question]) -> Result<Vec<Question>, FieldErrors> {
    let mut errors = FieldErrors::new();
    if !(QUESTIONS.0..=QUESTIONS.1).contains(&questions.len()) {
        errors.add(
            "questions",
            Msg::new("training.questions_count")
                .arg("min", QUESTIONS.0)
                .arg("max", QUESTIONS.1),
        );
    }
    let mut clean = Vec::with_capacity(questions.len());
    for (i, q) in questions.iter().enumerate() {
        let at = |f: &str| format!("questions.{i}.{f}");
        let question = QUESTION.clean(&q.question);
        if question.is_none() {
            errors.add(
                &at("question"),
                Msg::new("training.question_invalid").arg("max", QUESTION.max),
            );
        }
        let options: Vec<Option<String>> = q.options.iter().map(|o| OPTION.clean(o)).collect();
        if !(OPTIONS.0..=OPTIONS.1).contains(&options.len()) {
            errors.add(
                &at("options"),
                Msg::new("training.options_count")
                    .arg("min", OPTIONS.0)
                    .arg("max", OPTIONS.1),
            );
        } else if options.iter().any(Option::is_none) {
            errors.add(
                &at("options"),
                Msg::new("training.option_invalid").arg("max", OPTION.max),
            );
        }
        // The right answer must be one of the question's options: a clash between two
        // fields each valid on its own (the API answers 409).
        if q.answer >= q.options.len() {
            errors.add(&at("answer"), Msg::conflict("training.answer_invalid"));
        }
        let explanation = EXPLANATION.clean(&q.explanation);
        if explanation.is_none() {
            errors.add(
                &at("explanation"),
                Msg::new("training.explanation_invalid").arg("max", EXPLANATION.max),
            );
        }
        clean.push(Question {
            question: question.unwrap_or_default(),
            options: options.into_iter().map(Option::unwrap_or_default).collect(),
            answer: q.answer,
            explanation: explanation.unwrap_or_default(),
        });
    }
    if errors.is_empty() {
        Ok(clean)
    } else {
        Err(errors)
    }
}

/// A lesson's video link: none, or an `https://` address of at most 500 characters.
pub fn video_url(raw: &str) -> Result<Option<String>, Msg> {
    let bad = || Msg::new("training.video_invalid").arg("max", VIDEO_MAX);
    // (The tests show the pattern compiles: no link would pass otherwise.)
    static SHAPE: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(VIDEO_PATTERN).ok());
    let shaped = SHAPE.as_ref().is_some_and(|r| r.is_match(raw));
    if raw.chars().count() > VIDEO_MAX || !shaped {
        return Err(bad());
    }
    let raw = raw.trim_matches(' ');
    if raw.is_empty() {
        return Ok(None);
    }
    let url = url::Url::parse(raw).map_err(|_| bad())?;
    if url.scheme() != "https" || url.host_str().is_none_or(str::is_empty) {
        return Err(bad());
    }
    Ok(Some(url.to_string()))
}

/// A lesson as a member of staff writes it (see `forms` for the API's exact rules).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LessonInput {
    /// One of `TOPICS`.
    pub topic: String,
    pub title: String,
    pub summary: String,
    /// Paragraphs separated by an empty line.
    pub body: String,
    /// An `https://` link to a video, or empty.
    pub video_url: String,
    pub questions: Vec<Question>,
}

/// Checks a lesson: every problem at its field, the clean lesson otherwise.
pub fn check_lesson(input: &LessonInput) -> Result<LessonInput, FieldErrors> {
    let mut errors = FieldErrors::new();
    if !TOPICS.contains(&input.topic.as_str()) {
        errors.add("topic", Msg::new("training.topic_invalid"));
    }
    let title = TITLE.clean(&input.title);
    if title.is_none() {
        errors.add(
            "title",
            Msg::new("training.title_invalid")
                .arg("min", TITLE.min)
                .arg("max", TITLE.max),
        );
    }
    let summary = SUMMARY.clean(&input.summary);
    if summary.is_none() {
        errors.add(
            "summary",
            Msg::new("training.summary_invalid").arg("max", SUMMARY.max),
        );
    }
    let body = BODY.clean(&input.body);
    if body.is_none() {
        errors.add(
            "body",
            Msg::new("training.body_invalid").arg("max", BODY.max),
        );
    }
    let video = match video_url(&input.video_url) {
        Ok(v) => v,
        Err(m) => {
            errors.add("video_url", m);
            None
        }
    };
    let questions = match check_questions(&input.questions) {
        Ok(q) => q,
        Err(e) => {
            errors = errors.merged(e);
            Vec::new()
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(LessonInput {
        topic: input.topic.clone(),
        title: title.unwrap_or_default(),
        summary: summary.unwrap_or_default(),
        body: body.unwrap_or_default(),
        video_url: video.unwrap_or_default(),
        questions,
    })
}

/// An attempt's outcome: which questions were answered right, and whether the lesson is
/// passed (every question right).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Grade {
    pub correct: usize,
    pub total: usize,
    pub passed: bool,
    /// Per question, whether the answer was right.
    pub right: Vec<bool>,
}

/// Grades answers (an option index per question, in order); `Err` at `answers` when they
/// do not answer every question with an option it has.
pub fn grade(questions: &[Question], answers: &[usize]) -> Result<Grade, FieldErrors> {
    if answers.len() != questions.len()
        || answers
            .iter()
            .zip(questions)
            .any(|(a, q)| *a >= q.options.len())
    {
        return Err(FieldErrors::single(
            "answers",
            Msg::new("training.answers_invalid").arg("n", questions.len()),
        ));
    }
    let right: Vec<bool> = answers
        .iter()
        .zip(questions)
        .map(|(a, q)| *a == q.answer)
        .collect();
    let correct = right.iter().filter(|r| **r).count();
    Ok(Grade {
        correct,
        total: questions.len(),
        passed: correct == questions.len(),
        right,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(options: &[&str], answer: usize) -> Question {
        Question {
            question: "Pertanyaan?".into(),
            options: options.iter().map(|o| o.to_string()).collect(),
            answer,
            explanation: String::new(),
        }
    }

    #[test]
    fn five_lessons_ship_each_with_sound_questions() {
        let all = shipped();
        assert_eq!(all.len(), 5);
        let mut topics: Vec<&str> = all.iter().map(|l| l.topic.as_str()).collect();
        topics.sort_unstable();
        assert_eq!(
            topics,
            [
                "hoaxes",
                "neutrality",
                "platforms",
                "safety",
                "storytelling"
            ]
        );
        for l in &all {
            assert!(TITLE.clean(&l.title).is_some(), "{}", l.slug);
            assert!(BODY.clean(&l.body).is_some(), "{}", l.slug);
            assert!(SUMMARY.clean(&l.summary).is_some(), "{}", l.slug);
            let checked =
                check_questions(&l.questions).unwrap_or_else(|e| panic!("{}: {e:?}", l.slug));
            assert!(checked.len() >= 3, "{}", l.slug);
            assert!(
                checked.iter().all(|q| !q.explanation.is_empty()),
                "{}",
                l.slug
            );
        }
    }

    #[test]
    fn questions_are_checked_field_by_field() {
        assert!(check_questions(&[])
            .unwrap_err()
            .0
            .contains_key("questions"));
        let e = check_questions(&[q(&["a"], 0), q(&["a", "b"], 2), q(&["a", ""], 0)]).unwrap_err();
        for f in [
            "questions.0.options",
            "questions.1.answer",
            "questions.2.options",
        ] {
            assert!(e.0.contains_key(f), "{f}: {e:?}");
        }
        assert!(check_questions(&vec![q(&["a", "b"], 0); 11]).is_err());
        assert_eq!(
            check_questions(&[q(&[" a ", "b"], 1)]).unwrap()[0].options[0],
            "a"
        );
    }

    #[test]
    fn attempts_pass_only_with_every_answer_right() {
        let qs = [q(&["a", "b"], 1), q(&["a", "b", "c"], 2)];
        let g = grade(&qs, &[1, 2]).unwrap();
        assert!(g.passed && g.correct == 2);
        let g = grade(&qs, &[0, 2]).unwrap();
        assert_eq!(
            (g.passed, g.correct, g.right.clone()),
            (false, 1, vec![false, true])
        );
        assert!(grade(&qs, &[1]).is_err());
        assert!(grade(&qs, &[1, 3]).is_err());
        assert!(grade(&qs, &[1, 2, 0]).is_err());
    }

    #[test]
    fn video_links_are_https_addresses() {
        assert_eq!(
            video_url(" https://video.example.go.id/v/1 ")
                .unwrap()
                .as_deref(),
            Some("https://video.example.go.id/v/1")
        );
        assert_eq!(video_url("").unwrap(), None);
        for bad in [
            "http://x.go.id/v",
            "javascript:alert(1)",
            "https://",
            "bukan tautan",
        ] {
            assert!(video_url(bad).is_err(), "{bad}");
        }
        assert!(video_url(&format!("https://x.go.id/{}", "a".repeat(500))).is_err());
        // The document's pattern and the rule agree: what the pattern refuses is refused.
        for refused in [
            "https://1.2.3.4.5/v",
            "https://x.go.id:8443/v",
            "\thttps://x.go.id",
        ] {
            assert!(video_url(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn a_lesson_is_checked_field_by_field() {
        let good = LessonInput {
            topic: "hoaxes".into(),
            title: "Cek fakta".into(),
            summary: String::new(),
            body: "Isi.".into(),
            video_url: String::new(),
            questions: vec![q(&["a", "b"], 1)],
        };
        assert_eq!(check_lesson(&good).unwrap().title, "Cek fakta");
        let bad = LessonInput {
            topic: "gosip".into(),
            title: "x".into(),
            body: " ".into(),
            video_url: "ftp://x".into(),
            questions: vec![q(&["a", "b"], 2)],
            ..good
        };
        let e = check_lesson(&bad).unwrap_err();
        for f in ["topic", "title", "body", "video_url", "questions.0.answer"] {
            assert!(e.0.contains_key(f), "{f}: {e:?}");
        }
        assert!(e.0["questions.0.answer"][0].conflict);
    }
}
