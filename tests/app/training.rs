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

/// The form fields of a lesson with `questions` (question, options one per line, the right
/// option counted from 1).
fn lesson_form<'a>(
    title: &'a str,
    body: &'a str,
    questions: &[(&'a str, &'a str, &'a str)],
) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = vec![
        ("topic".into(), "hoaxes".into()),
        ("title".into(), title.into()),
        ("summary".into(), "Ringkas.".into()),
        ("body".into(), body.into()),
        ("video_url".into(), String::new()),
    ];
    for (i, (q, options, answer)) in questions.iter().enumerate() {
        f.push((format!("questions[{i}].question"), q.to_string()));
        f.push((format!("questions[{i}].options"), options.to_string()));
        f.push((format!("questions[{i}].answer"), answer.to_string()));
        f.push((
            format!("questions[{i}].explanation"),
            "Karena begitu.".into(),
        ));
    }
    f
}

fn pairs(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[rocket::async_test]
async fn coordinators_write_lessons_and_see_completion_per_unit() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Belajar").await;
    let other = app.institution("Kementerian Lain").await;
    let unit_a = app.work_unit(inst, None, "Biro Humas").await;
    let unit_b = app.work_unit(inst, None, "Biro Umum").await;
    let coordinator = app
        .user("coordinator", "humas@belajar.go.id", Some(inst), None)
        .await;
    let unit_coordinator = app
        .user(
            "coordinator",
            "unit@belajar.go.id",
            Some(inst),
            Some(unit_b),
        )
        .await;
    let outsider = app
        .user("coordinator", "humas@lain.go.id", Some(other), None)
        .await;
    let (amb_a, user_a) = app.candidate(inst, unit_a, 1).await;
    approve(&app, amb_a).await;
    let (amb_b, user_b) = app.candidate(inst, unit_b, 2).await;
    approve(&app, amb_b).await;
    let t_coord = app.token(coordinator).await;
    let t_unit = app.token(unit_coordinator).await;
    let t_out = app.token(outsider).await;
    let t_a = app.token(user_a).await;
    let t_b = app.token(user_b).await;

    // Hostile: a script in the title, a question whose right answer is not an option,
    // one option only, a javascript: video. 422, nothing stored, what was typed kept.
    let before = app.count("lessons").await;
    let mut f = lesson_form(
        "<script>alert(1)</script> Cek fakta",
        "Paragraf satu.\n\nParagraf dua.",
        &[
            (
                "Apa langkah pertama?",
                "Periksa sumber\nLangsung bagikan",
                "3",
            ),
            ("Satu pilihan saja?", "Ya", "1"),
        ],
    );
    f[4].1 = "javascript:alert(1)".into();
    let resp = app.form("/learn", Some(&t_coord), &pairs(&f)).await;
    let (status, page) = text(resp).await;
    assert_eq!(status, Status::UnprocessableEntity, "{page}");
    assert!(page.contains("id=\"f-q0-answer-error\""), "{page}");
    assert!(page.contains("id=\"f-q1-options-error\""), "{page}");
    assert!(page.contains("id=\"f-video_url-error\""), "{page}");
    assert!(
        page.contains("Periksa sumber\nLangsung bagikan"),
        "kept: {page}"
    );
    assert!(!page.contains("<script>alert(1)</script>"), "escaped");
    assert_eq!(app.count("lessons").await, before);

    // Published: on the path of the institution's ambassadors, not another's.
    f[4].1 = "https://video.belajar.go.id/cek-fakta".into();
    f[10].1 = "Ya\nTidak".into();
    f[7].1 = "2".into();
    let resp = app.form("/learn", Some(&t_coord), &pairs(&f)).await;
    assert_eq!(resp.status(), Status::SeeOther);
    let location = resp.headers().get_one("Location").unwrap().to_string();
    let id: i64 = location.trim_start_matches("/learn/").parse().unwrap();
    let (_, page) = text(app.page(&location, Some(&t_a)).await).await;
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt; Cek fakta"),
        "{page}"
    );
    let (_, path) = json(app.get_api("/api/v1/lessons", Some(&t_a)).await).await;
    assert_eq!(path["total"], 6, "{path}");
    let (_, other_amb) = app
        .candidate(other, app.work_unit(other, None, "Humas").await, 3)
        .await;
    let t_other = app.token(other_amb).await;
    let resp = app
        .get_api(&format!("/api/v1/lessons/{id}"), Some(&t_other))
        .await;
    assert_eq!(resp.status(), Status::NotFound);

    // Who may change it: not a unit's coordinator (403), not another institution (404),
    // and nobody Duta's own lessons (404).
    let edit = format!("/learn/{id}/edit");
    assert_eq!(
        app.page(&edit, Some(&t_unit)).await.status(),
        Status::Forbidden
    );
    assert_eq!(
        app.page(&edit, Some(&t_out)).await.status(),
        Status::NotFound
    );
    let shipped = lesson(&app, "menangkal-hoaks").await;
    let resp = app
        .page(&format!("/learn/{}/edit", shipped.id), Some(&t_coord))
        .await;
    assert_eq!(resp.status(), Status::NotFound);
    let (status, page) = text(app.page(&edit, Some(&t_coord)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("name=\"version\" value=\"1\""), "{page}");

    // An ambassador reads version 1; the coordinator changes the lesson (version 2); the
    // answers to version 1 are refused, and an edit from a stale form is 409.
    let api_lesson = format!("/api/v1/lessons/{id}");
    let mut g = f.clone();
    g.push(("version".into(), "1".into()));
    g[1].1 = "Cek fakta sebelum berbagi".into();
    let resp = app
        .form(&format!("/learn/{id}"), Some(&t_coord), &pairs(&g))
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (status, page) = text(
        app.form(&format!("/learn/{id}"), Some(&t_coord), &pairs(&g))
            .await,
    )
    .await;
    assert_eq!(status, Status::Conflict);
    assert!(page.contains("baru saja diubah orang lain"), "{page}");
    let (_, view) = json(app.get_api(&api_lesson, Some(&t_a)).await).await;
    assert_eq!(
        (view["version"].as_i64(), view["title"].as_str()),
        (Some(2), Some("Cek fakta sebelum berbagi"))
    );
    let attempts = format!("/api/v1/lessons/{id}/attempts");
    let (status, _) = json(
        app.send_api(
            "POST",
            &attempts,
            Some(&t_a),
            &json!({"version": 1, "answers": [0, 0]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Conflict);
    let (status, done) = json(
        app.send_api(
            "POST",
            &attempts,
            Some(&t_a),
            &json!({"version": 2, "answers": [1, 0]}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, done["completed"].as_bool()),
        (Status::Ok, Some(true)),
        "{done}"
    );

    // Completion per unit: A completed it, B did not; the unit coordinator sees unit B only.
    let (status, progress) = json(
        app.get_api("/api/v1/lessons/progress", Some(&t_coord))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{progress}");
    let col = progress["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .position(|l| l["id"] == id)
        .unwrap();
    let units = progress["units"].as_array().unwrap();
    assert_eq!(units.len(), 2, "{progress}");
    let row = |name: &str| {
        units
            .iter()
            .find(|u| u["work_unit_name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(row("Biro Humas")["completed"][col], 1);
    assert_eq!(row("Biro Umum")["completed"][col], 0);
    assert_eq!(progress["total"]["ambassadors"], 2);
    let (_, mine) = json(app.get_api("/api/v1/lessons/progress", Some(&t_unit)).await).await;
    assert_eq!(mine["units"].as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(mine["units"][0]["work_unit_name"], "Biro Umum");
    let resp = app
        .get_api(
            &format!("/api/v1/lessons/progress?institution={inst}"),
            Some(&t_out),
        )
        .await;
    assert_eq!(resp.status(), Status::NotFound);
    let (status, page) = text(app.page("/learn/progress", Some(&t_coord)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains("Biro Humas") && page.contains("id=\"t-progress\""),
        "{page}"
    );

    // The API: 201; a right answer beyond the options is 409; unknown fields 422.
    let body = json!({
        "topic": "neutrality", "title": "Netral di masa pemilu", "body": "Isi.",
        "questions": [{"question": "Boleh memuji calon?", "options": ["Ya", "Tidak"], "answer": 1}]
    });
    let (status, made) = json(
        app.send_api("POST", "/api/v1/lessons", Some(&t_coord), &body)
            .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{made}");
    let mut bad = body.clone();
    bad["questions"][0]["answer"] = json!(4);
    let (status, answer) = json(
        app.send_api("POST", "/api/v1/lessons", Some(&t_coord), &bad)
            .await,
    )
    .await;
    assert_eq!(status, Status::Conflict, "{answer}");
    assert!(
        answer["fields"]["questions.0.answer"].is_array(),
        "{answer}"
    );
    let mut bad = body.clone();
    bad["passing_score"] = json!(50);
    let status = app
        .send_api("POST", "/api/v1/lessons", Some(&t_coord), &bad)
        .await
        .status();
    assert_eq!(status, Status::UnprocessableEntity);
    let status = app
        .send_api("POST", "/api/v1/lessons", Some(&t_unit), &body)
        .await
        .status();
    assert_eq!(status, Status::Forbidden);
    let mut big = body.clone();
    big["body"] = json!("a".repeat(1024 * 1024));
    let status = app
        .send_api("POST", "/api/v1/lessons", Some(&t_coord), &big)
        .await
        .status();
    assert!(
        matches!(
            status,
            Status::UnprocessableEntity | Status::PayloadTooLarge
        ),
        "{status}"
    );

    // Images: a file that is not an image is refused at the field; an image shows on the
    // lesson for its ambassadors, 404 for another institution's; at most six; removed.
    let images = format!("/learn/{id}/images");
    let resp = app
        .page_multipart(
            &images,
            Some(&t_coord),
            &[("alt", "Poster")],
            &[("file", "x.png", b"not an image")],
        )
        .await;
    let (status, page) = text(resp).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("id=\"f-file-error\""), "{page}");
    for n in 0..6 {
        let resp = app
            .page_multipart(
                &images,
                Some(&t_coord),
                &[("alt", &format!("Poster cek fakta {n}"))],
                &[("file", "poster.png", &crate::ambassadors::png(320, 200))],
            )
            .await;
        assert_eq!(resp.status(), Status::SeeOther, "image {n}");
    }
    let resp = app
        .page_multipart(
            &images,
            Some(&t_coord),
            &[],
            &[("file", "poster.png", &crate::ambassadors::png(320, 200))],
        )
        .await;
    let (status, page) = text(resp).await;
    assert_eq!(status, Status::UnprocessableEntity, "a seventh image");
    assert!(page.contains("paling banyak 6 gambar"), "{page}");
    let (_, view) = json(app.get_api(&api_lesson, Some(&t_b)).await).await;
    let shown = view["images"].as_array().unwrap().clone();
    assert_eq!(shown.len(), 6, "{view}");
    assert_eq!(shown[0]["alt"], "Poster cek fakta 0");
    let first = shown[0]["url"].as_str().unwrap().to_string();
    let resp = app.page(&first, Some(&t_b)).await;
    assert_eq!(resp.status(), Status::Ok);
    assert!(
        resp.content_type().is_some_and(|c| c.top() == "image"),
        "re-encoded, an image"
    );
    assert_eq!(
        app.page(&first, Some(&t_other)).await.status(),
        Status::NotFound
    );
    let (_, page) = text(app.page(&format!("/learn/{id}"), Some(&t_b)).await).await;
    // (Tera writes `/` in a value as `&#x2F;`; the browser reads it back.)
    let src = first.replace('/', "&#x2F;");
    assert!(page.contains(&format!("src=\"{src}\"")), "{page}");
    let resp = app
        .form(&format!("{first}/delete"), Some(&t_coord), &[])
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    assert_eq!(
        app.page(&first, Some(&t_b)).await.status(),
        Status::NotFound
    );
    assert_eq!(app.count("lesson_images").await, 5);

    // Archived: off the path (completions kept), and archiving again changes nothing.
    let resp = app
        .form(&format!("/learn/{id}/archive"), Some(&t_coord), &[])
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (_, path) = json(app.get_api("/api/v1/lessons", Some(&t_b)).await).await;
    assert_eq!(
        path["total"], 6,
        "the API lesson stays, the archived one left: {path}"
    );
    assert_eq!(
        app.get_api(&api_lesson, Some(&t_b)).await.status(),
        Status::NotFound
    );
    let status = app
        .send_api("DELETE", &api_lesson, Some(&t_coord), &json!({}))
        .await
        .status();
    assert_eq!(status, Status::NoContent);
    assert_eq!(app.count("lesson_completions").await, 1);
}

#[rocket::async_test]
async fn a_required_lesson_comes_before_posts_for_its_kind_of_brief() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Belajar").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "humas@belajar.go.id", Some(inst), None)
        .await;
    let (amb, user) = app.candidate(inst, unit, 1).await;
    approve(&app, amb).await;
    let t_coord = app.token(coordinator).await;
    let token = app.token(user).await;
    let hoaxes = lesson(&app, "menangkal-hoaks").await;

    // Required before counter-hoax briefs; an unknown category is 422, nothing changed.
    let required = format!("/api/v1/lessons/{}/required", hoaxes.id);
    let (status, _) = json(
        app.send_api(
            "PUT",
            &required,
            Some(&t_coord),
            &json!({"categories": ["kontra_narasi", "gosip"]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(app.count("lesson_requirements").await, 0);
    let resp = app
        .form(
            &format!("/learn/{}/required", hoaxes.id),
            Some(&t_coord),
            &[("categories", "kontra_narasi")],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (_, view) = json(
        app.get_api(&format!("/api/v1/lessons/{}", hoaxes.id), Some(&token))
            .await,
    )
    .await;
    assert_eq!(view["required_for"], json!(["kontra_narasi"]));

    let mut counter = crate::briefs::brief_body("Klarifikasi hoaks bansos", &[], &[]);
    counter["category"] = json!("kontra_narasi");
    let (status, brief) = json(
        app.send_api("POST", "/api/v1/briefs", Some(&t_coord), &counter)
            .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{brief}");
    let counter_id = brief["id"].as_i64().unwrap();
    let plain = crate::briefs::published(&app, &t_coord, &[], &[]).await;

    // The counter-hoax brief: the page says which lesson first and has no form; a post is
    // 409 naming the lesson. Another kind of brief takes posts as before.
    let (_, page) = text(
        app.page(&format!("/briefs/{counter_id}"), Some(&token))
            .await,
    )
    .await;
    assert!(page.contains("id=\"required-lesson\""), "{page}");
    assert!(page.contains(&hoaxes.title), "{page}");
    assert!(!page.contains("class=\"submission\""), "{page}");
    let now = chrono::Utc::now() - chrono::Duration::minutes(5);
    let post = |brief: i64, n: i64| {
        json!({"brief_id": brief, "platform": "x", "posted_at": now.to_rfc3339(),
               "url": format!("https://x.com/kandidat_x1/status/{}", crate::submissions::snowflake(now) + n as u64)})
    };
    let (status, answer) = crate::submissions::submit(&app, &token, post(counter_id, 0)).await;
    assert_eq!(status, Status::Conflict, "{answer}");
    let msg = answer["fields"]["brief_id"][0].as_str().unwrap_or_default();
    assert!(msg.contains(&hoaxes.title), "{answer}");
    assert_eq!(app.count("submissions").await, 0);
    let (status, answer) = crate::submissions::submit(&app, &token, post(plain, 1)).await;
    assert_eq!(status, Status::Created, "{answer}");

    // Completed: the counter-hoax brief takes the post.
    let answers = right_answers(&hoaxes);
    let (status, _) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/lessons/{}/attempts", hoaxes.id),
            Some(&token),
            &json!({"version": hoaxes.version, "answers": answers}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    let (_, page) = text(
        app.page(&format!("/briefs/{counter_id}"), Some(&token))
            .await,
    )
    .await;
    assert!(!page.contains("id=\"required-lesson\""));
    let (status, answer) = crate::submissions::submit(&app, &token, post(counter_id, 2)).await;
    assert_eq!(status, Status::Created, "{answer}");

    // No longer required: an empty list clears it.
    let (status, cleared) = json(
        app.send_api("PUT", &required, Some(&t_coord), &json!({"categories": []}))
            .await,
    )
    .await;
    assert_eq!(
        (status, cleared["categories"].clone()),
        (Status::Ok, json!([]))
    );
    assert_eq!(app.count("lesson_requirements").await, 0);
}
