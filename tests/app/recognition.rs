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
