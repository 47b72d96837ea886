//! The training path: the five shipped lessons on every path, an ambassador completing one
//! by answering every question right, and the attempts that are refused.

use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};

use crate::support::{approve, json, text, TestApp};

async fn lesson(app: &TestApp, slug: &str) -> entity::lessons::Model {
    entity::lessons::Entity::find()
        .filter(entity::lessons::Column::Slug.eq(slug))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

fn right_answers(l: &entity::lessons::Model) -> Vec<u64> {
    let qs: Vec<Value> = serde_json::from_str(&l.questions).unwrap();
    qs.iter().map(|q| q["answer"].as_u64().unwrap()).collect()
}

#[rocket::async_test]
async fn an_ambassador_completes_a_lesson_by_answering_every_question_right() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Belajar").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "humas@belajar.go.id", Some(inst), None)
        .await;
    let (amb, user) = app.candidate(inst, unit, 1).await;
    approve(&app, amb).await;
    let token = app.token(user).await;
    let t_coord = app.token(coordinator).await;

    // Five shipped lessons on the path, none completed; installed once however often
    // Duta starts.
    let again = app.another_node().await;
    drop(again);
    assert_eq!(app.count("lessons").await, 5);
    let (status, path) = json(app.get_api("/api/v1/lessons", Some(&token)).await).await;
    assert_eq!(status, Status::Ok, "{path}");
    assert_eq!(
        (path["total"].as_u64(), path["completed"].as_u64()),
        (Some(5), Some(0))
    );
    let hoaxes = lesson(&app, "menangkal-hoaks").await;
    let answers = right_answers(&hoaxes);

    // The ambassador does not see the answers before trying; staff do.
    let path_of = format!("/api/v1/lessons/{}", hoaxes.id);
    let (_, view) = json(app.get_api(&path_of, Some(&token)).await).await;
    assert!(view["questions"][0]["answer"].is_null(), "{view}");
    let (_, view) = json(app.get_api(&path_of, Some(&t_coord)).await).await;
    assert_eq!(view["questions"][0]["answer"], answers[0]);

    // Hostile attempts: answers missing or out of range, a stale version, unknown fields.
    let attempts = format!("/api/v1/lessons/{}/attempts", hoaxes.id);
    let mut wrong = answers.clone();
    wrong[0] = (wrong[0] + 1) % 3;
    for (body, status, field) in [
        (
            json!({"version": 1, "answers": [answers[0]]}),
            Status::Conflict,
            Some("answers"),
        ),
        (
            json!({"version": 1, "answers": [0, 0, 0, 0]}),
            Status::Conflict,
            Some("answers"),
        ),
        (
            json!({"version": 1, "answers": [9, 9, 9]}),
            Status::UnprocessableEntity,
            Some("answers"),
        ),
        (
            json!({"version": 1, "answers": [answers[0], null, answers[2]]}),
            Status::UnprocessableEntity,
            None,
        ),
        (
            json!({"version": 1, "answers": [-1, 0, 0]}),
            Status::UnprocessableEntity,
            None,
        ),
        (
            json!({"version": 2, "answers": answers}),
            Status::Conflict,
            Some("version"),
        ),
        (
            json!({"answers": answers}),
            Status::Conflict,
            Some("version"),
        ),
    ] {
        let (got, answer) = json(app.send_api("POST", &attempts, Some(&token), &body).await).await;
        assert_eq!(got, status, "{body} -> {answer}");
        if let Some(field) = field {
            assert!(answer["fields"][field].is_array(), "{answer}");
        }
    }
    let status = app
        .send_api(
            "POST",
            &attempts,
            Some(&token),
            &json!({"version": 1, "answers": answers, "score": 100}),
        )
        .await
        .status();
    assert_eq!(status, Status::UnprocessableEntity);
    // Staff do not attempt lessons.
    let status = app
        .send_api(
            "POST",
            &attempts,
            Some(&t_coord),
            &json!({"version": 1, "answers": answers}),
        )
        .await
        .status();
    assert_eq!(status, Status::Forbidden);

    // A wrong answer: the grade, the right answers and why; not completed.
    let (status, result) = json(
        app.send_api(
            "POST",
            &attempts,
            Some(&token),
            &json!({"version": 1, "answers": wrong}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{result}");
    assert_eq!(result["grade"]["passed"], false);
    assert_eq!(result["grade"]["correct"], 2);
    assert_eq!(result["answers"][0], answers[0]);
    assert!(result["explanations"][0].as_str().unwrap().len() > 20);
    assert_eq!(app.count("lesson_completions").await, 0);

    // The lesson changes while the ambassador reads it: their answers name the old version.
    let mut changed: entity::lessons::ActiveModel = hoaxes.clone().into();
    changed.version = Set(2);
    changed.update(&app.db).await.unwrap();
    let (status, _) = json(
        app.send_api(
            "POST",
            &attempts,
            Some(&token),
            &json!({"version": 1, "answers": answers}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Conflict);

    // Every answer right: completed, once; the same answers again are 409.
    let (status, result) = json(
        app.send_api(
            "POST",
            &attempts,
            Some(&token),
            &json!({"version": 2, "answers": answers}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{result}");
    assert_eq!(result["completed"], true);
    let (status, _) = json(
        app.send_api(
            "POST",
            &attempts,
            Some(&token),
            &json!({"version": 2, "answers": answers}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(app.count("lesson_completions").await, 1);
    let (_, path) = json(app.get_api("/api/v1/lessons", Some(&token)).await).await;
    assert_eq!(path["completed"], 1);

    // The pages: the path with the progress; a wrong attempt on the page keeps the answers
    // chosen and explains; a right one completes the lesson.
    let (status, page) = text(app.page("/learn", Some(&token)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("1 dari 5 pelajaran selesai"), "{page}");
    let story = lesson(&app, "bercerita-bukan-membagikan").await;
    let good = right_answers(&story);
    let mut fields: Vec<(String, String)> = good
        .iter()
        .enumerate()
        .map(|(i, a)| (format!("answers[{i}]"), a.to_string()))
        .collect();
    fields[0].1 = ((good[0] + 1) % 3).to_string();
    fields.push(("version".into(), "1".into()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let url = format!("/learn/{}/attempt", story.id);
    let (status, page) = text(app.form(&url, Some(&token), &pairs).await).await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains(&format!(
            "{} dari {} jawaban benar",
            good.len() - 1,
            good.len()
        )),
        "{page}"
    );
    assert!(page.contains("Belum tepat; jawaban yang benar:"));
    fields[0].1 = good[0].to_string();
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let resp = app.form(&url, Some(&token), &pairs).await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (_, page) = text(
        app.page(&format!("/learn/{}", story.id), Some(&token))
            .await,
    )
    .await;
    assert!(page.contains("id=\"lesson-done\""), "{page}");
    // Unanswered questions on the page: 422 at the answers.
    let hostile = lesson(&app, "keamanan-akun").await;
    let resp = app
        .form(
            &format!("/learn/{}/attempt", hostile.id),
            Some(&token),
            &[("version", "1"), ("answers[0]", "x")],
        )
        .await;
    assert_eq!(resp.status(), Status::UnprocessableEntity);
}
