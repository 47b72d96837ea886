//! Recognition: badges earned by published rules, kept once earned, on the ambassador's
//! page, the candidate page and — when the ambassador wishes — the board.

use chrono::{Duration, Utc};
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};

use crate::support::{approve, json, text, TestApp};

fn keys(v: &Value) -> Vec<String> {
    v["badges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["key"].as_str().unwrap().to_string())
        .collect()
}

#[rocket::async_test]
async fn badges_are_earned_by_their_rules_kept_and_shown_where_chosen() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Teladan").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "humas@teladan.go.id", Some(inst), None)
        .await;
    let (amb, user) = app.candidate(inst, unit, 1).await;
    approve(&app, amb).await;
    let (other, other_user) = app.candidate(inst, unit, 2).await;
    approve(&app, other).await;
    let t_coord = app.token(coordinator).await;
    let token = app.token(user).await;
    let t_other = app.token(other_user).await;

    // The rules are public, page and API.
    let (status, rules) = json(app.get_api("/api/v1/badges", None).await).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(rules.as_array().unwrap().len(), 10, "{rules}");
    let (status, page) = text(app.page("/badges", None).await).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Konsisten 26 Pekan") && page.contains("26 pekan berturut-turut"));

    // Nothing done, nothing earned.
    let (status, mine) = json(app.get_api("/api/v1/me/badges", Some(&token)).await).await;
    assert_eq!(status, Status::Ok, "{mine}");
    assert!(keys(&mine).is_empty(), "{mine}");

    // A member for ten weeks with a verified post in each of the last four finished
    // weeks and this one: a five-week streak, not twelve.
    let mut m: entity::ambassadors::ActiveModel = entity::ambassadors::Entity::find_by_id(amb)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into();
    let monday = crate::submissions::jakarta_monday(0);
    m.member_since = Set(Some(monday - Duration::weeks(10)));
    m.update(&app.db).await.unwrap();
    for w in 1..=4 {
        entity::week_activity::ActiveModel {
            ambassador_id: Set(amb),
            week_start: Set(monday - Duration::weeks(w)),
            verified_posts: Set(1),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
    // A verified post (X proves it at once) and a completed lesson.
    let brief = crate::briefs::published(&app, &t_coord, &[], &[]).await;
    let now = Utc::now() - Duration::minutes(5);
    let (status, post) = crate::submissions::submit(
        &app,
        &token,
        json!({"brief_id": brief, "platform": "x", "posted_at": now.to_rfc3339(),
               "url": format!("https://x.com/kandidat_x1/status/{}", crate::submissions::snowflake(now))}),
    )
    .await;
    assert_eq!(status, Status::Created, "{post}");
    assert_eq!(post["status"], "verified", "{post}");
    let lesson = entity::lessons::Entity::find()
        .filter(entity::lessons::Column::Slug.eq("menangkal-hoaks"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let questions: Vec<Value> = serde_json::from_str(&lesson.questions).unwrap();
    let answers: Vec<u64> = questions
        .iter()
        .map(|q| q["answer"].as_u64().unwrap())
        .collect();
    let (status, _) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/lessons/{}/attempts", lesson.id),
            Some(&token),
            &json!({"version": lesson.version, "answers": answers}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);

    let (_, mine) = json(app.get_api("/api/v1/me/badges", Some(&token)).await).await;
    assert_eq!(
        keys(&mine),
        ["first_post", "streak_4", "first_lesson"],
        "{mine}"
    );
    assert_eq!(mine["deeds"]["best_streak"], 5, "{mine}");
    assert_eq!(mine["deeds"]["lessons_on_path"], 5);
    assert_eq!(app.count("earned_badges").await, 3);

    // The streak leaves the record: the badge stays, with its date.
    entity::week_activity::Entity::delete_many()
        .filter(entity::week_activity::Column::AmbassadorId.eq(amb))
        .exec(&app.db)
        .await
        .unwrap();
    let (_, again) = json(app.get_api("/api/v1/me/badges", Some(&token)).await).await;
    assert_eq!(again["deeds"]["best_streak"], 0, "{again}");
    assert_eq!(keys(&again), ["first_post", "streak_4", "first_lesson"]);
    assert_eq!(
        again["badges"][1]["earned_at"],
        mine["badges"][1]["earned_at"]
    );

    // The page, and the candidate page for the coordinator.
    let (status, page) = text(app.page("/me/badges", Some(&token)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("3 dari 10 lencana diraih"), "{page}");
    let (_, page) = text(
        app.page(&format!("/vetting/candidates/{amb}"), Some(&t_coord))
            .await,
    )
    .await;
    let at = page
        .find("id=\"candidate-badges\"")
        .expect("badges on the candidate page");
    assert!(page[at..].contains("Unggahan Pertama"), "{page}");

    // The board shows them only once the ambassador chooses so.
    let board = |t: String| {
        let app = &app;
        async move {
            let (_, b) = json(app.get_api("/api/v1/leaderboard", Some(&t)).await).await;
            b["entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e["ambassador_id"].as_i64().unwrap(),
                        e["badges"].as_array().unwrap().len(),
                    )
                })
                .collect::<Vec<(i64, usize)>>()
        }
    };
    assert!(board(t_other.clone()).await.iter().all(|(_, n)| *n == 0));
    let (status, bad) = json(
        app.send_api(
            "PUT",
            "/api/v1/me/badges",
            Some(&token),
            &json!({"show_on_board": "ya"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity, "{bad}");
    let status = app
        .send_api(
            "PUT",
            "/api/v1/me/badges",
            Some(&t_coord),
            &json!({"show_on_board": true}),
        )
        .await
        .status();
    assert_eq!(status, Status::Forbidden);
    let resp = app
        .form("/me/badges", Some(&token), &[("show_on_board", "true")])
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let rows = board(t_other.clone()).await;
    assert!(rows.contains(&(amb, 3)), "{rows:?}");
    assert!(rows.contains(&(other, 0)), "{rows:?}");
    let (_, page) = text(app.page("/leaderboard", Some(&t_other)).await).await;
    assert!(page.contains("class=\"badge earned\""), "{page}");
    // Unticked: off the board again.
    let resp = app.form("/me/badges", Some(&token), &[]).await;
    assert_eq!(resp.status(), Status::SeeOther);
    assert!(board(t_other).await.iter().all(|(_, n)| *n == 0));
}

#[rocket::async_test]
async fn certificates_are_issued_downloaded_and_checked_by_anyone() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Teladan").await;
    let other = app.institution("Kementerian Lain").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "humas@teladan.go.id", Some(inst), None)
        .await;
    let outsider = app
        .user("coordinator", "humas@lain.go.id", Some(other), None)
        .await;
    let (amb, user) = app.candidate(inst, unit, 1).await;
    approve(&app, amb).await;
    let (quiet, quiet_user) = app.candidate(inst, unit, 2).await;
    approve(&app, quiet).await;
    let t_coord = app.token(coordinator).await;
    let t_out = app.token(outsider).await;
    let token = app.token(user).await;
    let t_quiet = app.token(quiet_user).await;
    let monday = crate::submissions::jakarta_monday(0);
    for w in [2, 3, 5] {
        entity::week_activity::ActiveModel {
            ambassador_id: Set(amb),
            week_start: Set(monday - Duration::weeks(w)),
            verified_posts: Set(2),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
    let from = (monday - Duration::weeks(6)).to_string();
    let to = (monday - Duration::days(1)).to_string();

    // Hostile periods: not dates (422, kept), the end after today, backwards, too long (409).
    let (status, page) = text(
        app.form(
            "/certificates",
            Some(&t_coord),
            &[("from", "kemarin"), ("to", &to)],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        page.contains("id=\"f-from-error\"") && page.contains("value=\"kemarin\""),
        "{page}"
    );
    let tomorrow = (Utc::now() + Duration::days(2)).date_naive().to_string();
    for (a, b) in [
        (from.as_str(), tomorrow.as_str()),
        (to.as_str(), from.as_str()),
        ("2024-01-01", to.as_str()),
    ] {
        let (status, body) = json(
            app.send_api(
                "POST",
                "/api/v1/certificates",
                Some(&t_coord),
                &json!({"from": a, "to": b}),
            )
            .await,
        )
        .await;
        assert_eq!(status, Status::Conflict, "{a} {b}: {body}");
    }
    assert_eq!(app.count("certificates").await, 0);

    // Issued to the one who posted; the quiet one is counted, not given one. Again: none new.
    let body = json!({"from": from, "to": to});
    let (status, outcome) = json(
        app.send_api("POST", "/api/v1/certificates", Some(&t_coord), &body)
            .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{outcome}");
    assert_eq!(
        (
            outcome["issued"].as_u64(),
            outcome["without_posts"].as_u64()
        ),
        (Some(1), Some(1)),
        "{outcome}"
    );
    let (_, again) = json(
        app.send_api("POST", "/api/v1/certificates", Some(&t_coord), &body)
            .await,
    )
    .await;
    assert_eq!(
        (again["issued"].as_u64(), again["already"].as_u64()),
        (Some(0), Some(1))
    );
    let (_, mine) = json(app.get_api("/api/v1/me/certificates", Some(&token)).await).await;
    let cert = mine[0].clone();
    assert_eq!(
        (
            cert["active_weeks"].as_i64(),
            cert["verified_posts"].as_i64()
        ),
        (Some(3), Some(6)),
        "{mine}"
    );
    let (_, none) = json(app.get_api("/api/v1/me/certificates", Some(&t_quiet)).await).await;
    assert_eq!(none, json!([]));

    // The PDF: for the holder and their coordinator; 404 for another ambassador and for
    // another institution's coordinator.
    let pdf_path = cert["pdf_path"].as_str().unwrap().to_string();
    let resp = app.page(&pdf_path, Some(&token)).await;
    assert_eq!(resp.status(), Status::Ok);
    assert_eq!(resp.content_type(), Some(rocket::http::ContentType::PDF));
    let bytes = resp.into_bytes().await.unwrap();
    let pdf = String::from_utf8_lossy(&bytes);
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(
        pdf.contains("(Kementerian Teladan)") && pdf.contains("Kandidat"),
        "holder and institution"
    );
    let code = cert["code"].as_str().unwrap().to_string();
    assert!(pdf.contains(&format!("Kode verifikasi: {code}")));
    assert_eq!(
        app.page(&pdf_path, Some(&t_coord)).await.status(),
        Status::Ok
    );
    assert_eq!(
        app.page(&pdf_path, Some(&t_quiet)).await.status(),
        Status::NotFound
    );
    assert_eq!(
        app.page(&pdf_path, Some(&t_out)).await.status(),
        Status::NotFound
    );
    // All of the period in one zip for printing; the page lists it.
    let resp = app
        .page(
            &format!("/certificates/zip?from={from}&to={to}"),
            Some(&t_coord),
        )
        .await;
    assert_eq!(resp.status(), Status::Ok);
    let zipped = resp.into_bytes().await.unwrap();
    assert!(zipped.starts_with(b"PK"));
    let (_, page) = text(app.page("/certificates", Some(&t_coord)).await).await;
    assert!(page.contains(&code), "{page}");

    // Anyone checks the code; a changed, guessed or garbled one is not found.
    let (status, page) = text(app.page(&format!("/verify/{code}"), None).await).await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains("id=\"verify-ok\"") && page.contains("Kandidat"),
        "{page}"
    );
    let mut tampered = code.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == '0' { '1' } else { '0' });
    let (id, _) = code.split_once('-').unwrap();
    let other_id = format!(
        "{}-{}",
        id.parse::<i64>().unwrap() + 1,
        &code[id.len() + 1..]
    );
    for bad in [
        tampered.as_str(),
        other_id.as_str(),
        "1-000000000000",
        "abc",
        "-1-",
        "99999999999999999999-aa",
    ] {
        let (status, page) = text(app.page(&format!("/verify/{bad}"), None).await).await;
        assert_eq!(status, Status::NotFound, "{bad}");
        assert!(page.contains("id=\"verify-missing\""), "{bad}");
        assert!(!page.contains("Kandidat"), "{bad}");
        let status = app
            .get_api(&format!("/api/v1/certificates/verify/{bad}"), None)
            .await
            .status();
        assert_eq!(status, Status::NotFound, "{bad}");
    }

    // The holder erases their data: the certificate still checks out, nothing personal shows.
    let (status, _) = json(
        app.send_api(
            "POST",
            "/api/v1/me/erasure",
            Some(&token),
            &json!({"password": crate::support::PASSWORD}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    let (status, v) = json(
        app.get_api(&format!("/api/v1/certificates/verify/{code}"), None)
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(
        v["holder"].is_null() && v["verified_posts"].is_null(),
        "{v}"
    );
    assert_eq!(v["institution_name"], "Kementerian Teladan");
    let (_, page) = text(app.page(&format!("/verify/{code}"), None).await).await;
    assert!(
        page.contains("id=\"verify-erased\"") && !page.contains("id=\"verify-holder\""),
        "{page}"
    );
    assert_eq!(
        app.page(&pdf_path, Some(&t_coord)).await.status(),
        Status::NotFound
    );
}
