//! The stored standings: every write that changes a figure of the board shows in the very
//! next request ("my rank", the board, the ambassador's own page), with the node's
//! production settings, and the stored rows always equal their recomputation.

use chrono::Duration;
use rocket::http::Status;
use serde_json::{json, Value};

use crate::submissions::{
    decide, jakarta_monday, past_brief, posted_in, rebuild_corrections, submit,
};
use crate::support::{approve, json, text, TestApp, PASSWORD};

/// A node as it runs in production.
async fn live() -> TestApp {
    TestApp::spawn().await
}

pub(crate) async fn get(app: &TestApp, path: &str, token: &str) -> Value {
    let (status, body) = json(app.get_api(path, Some(token)).await).await;
    assert_eq!(status, Status::Ok, "{path}: {body}");
    body
}

/// The row of `name` on the board the token sees (12 weeks unless `query` says).
pub(crate) async fn row_of(app: &TestApp, token: &str, query: &str, name: &str) -> Option<Value> {
    let b = get(app, &format!("/api/v1/leaderboard{query}"), token).await;
    b["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["display_name"] == name)
        .cloned()
}

pub(crate) fn figures(e: &Value) -> (i64, i64, i64, i64) {
    (
        e["eligible_weeks"].as_i64().unwrap(),
        e["active_weeks"].as_i64().unwrap(),
        e["current_streak"].as_i64().unwrap(),
        e["verified_posts"].as_i64().unwrap(),
    )
}

/// (active, expected, posting) ambassadors in the week `weeks_ago` on the 12-week
/// statistics the token sees.
pub(crate) async fn stats_week(app: &TestApp, token: &str, weeks_ago: usize) -> (i64, i64, i64) {
    let s = get(app, "/api/v1/stats/participation?weeks=12", token).await;
    let weeks = s["weeks"].as_array().unwrap();
    let w = &weeks[weeks.len() - 1 - weeks_ago];
    (
        w["active_ambassadors"].as_i64().unwrap(),
        w["expected_ambassadors"].as_i64().unwrap(),
        w["posting_ambassadors"].as_i64().unwrap(),
    )
}

pub(crate) async fn approve_through_vetting(
    app: &TestApp,
    coordinator: &str,
    id: i64,
    since: &str,
) {
    let base = format!("/api/v1/vetting/candidates/{id}");
    for (platform, count) in [("facebook", 812), ("x", 1250), ("instagram", 640)] {
        let (s, body) = json(
            app.send_api(
                "POST",
                &format!("{base}/followers"),
                Some(coordinator),
                &json!({"platform": platform, "count": count}),
            )
            .await,
        )
        .await;
        assert_eq!(s, Status::Ok, "{body}");
    }
    let (s, body) = json(
        app.send_api(
            "POST",
            &format!("{base}/approve"),
            Some(coordinator),
            &json!({ "member_since": since }),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::Ok, "{body}");
}

#[rocket::async_test]
async fn every_write_shows_on_the_board_in_the_very_next_request() {
    let app = live().await;
    let inst = app.institution("Kementerian Satu").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@duta.test", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let admin = app.user("admin", "admin@duta.test", None, None).await;
    let admin = app.token(admin).await;
    // Kandidat 2 is on the board first, so the board has been read before anything else.
    let (amb_b, user_b) = app.candidate(inst, unit, 2).await;
    approve(&app, amb_b).await;
    let token_b = app.token(user_b).await;
    let board = get(&app, "/api/v1/leaderboard", &coordinator).await;
    assert_eq!(board["total"], 1);
    // The statistics have been read too (and kept) before anything else.
    let (b_active, _, _) = stats_week(&app, &coordinator, 1).await;
    let (b_active_5, _, _) = stats_week(&app, &coordinator, 5).await;

    // Approval: Kandidat 1, a member for ten weeks back, is on the board at once.
    let (amb_a, user_a) = app.candidate(inst, unit, 1).await;
    let token_a = app.token(user_a).await;
    let since = jakarta_monday(10).to_string();
    approve_through_vetting(&app, &coordinator, amb_a, &since).await;
    assert_eq!(
        stats_week(&app, &coordinator, 1).await,
        (b_active + 1, b_active + 1, 0),
        "the approved ambassador counts in the statistics at once"
    );
    let a = row_of(&app, &coordinator, "", "Kandidat 1").await;
    let a = a.expect("approved ambassador on the next board");
    assert_eq!(figures(&a), (11, 0, 0, 0), "{a}");
    assert_eq!(
        get(&app, "/api/v1/leaderboard", &coordinator).await["total"],
        2
    );

    // Verification: the post counts on the board, in "my rank" and on the own page.
    let brief = past_brief(&app, &coordinator, 1).await;
    let (status, s) = submit(
        &app,
        &token_a,
        json!({"brief_id": brief, "platform": "instagram",
               "url": "https://www.instagram.com/p/Cstand001/",
               "posted_at": posted_in(1).to_rfc3339()}),
    )
    .await;
    assert_eq!(status, Status::Created, "{s}");
    let post = s["id"].as_i64().unwrap();
    let (status, _) = decide(&app, &coordinator, post, "verify", "").await;
    assert_eq!(status, Status::Ok);
    let a = row_of(&app, &coordinator, "", "Kandidat 1").await.unwrap();
    assert_eq!(figures(&a), (11, 1, 1, 1), "{a}");
    assert_eq!(a["rank"], 1, "the only active ambassador leads: {a}");
    let me = get(&app, "/api/v1/leaderboard/me", &token_a).await;
    assert_eq!(figures(&me["entry"]), (11, 1, 1, 1), "{me}");
    assert_eq!(me["entry"]["rank"], 1);
    let weeks = me["weeks"].as_array().unwrap();
    assert_eq!(weeks[weeks.len() - 2]["state"], "active", "{me}");
    let b_me = get(&app, "/api/v1/leaderboard/me", &token_b).await;
    assert_eq!(b_me["entry"]["rank"], 2, "{b_me}");
    let (status, page) = text(app.page("/progress", Some(&token_a)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains("<dd>9 %</dd>"),
        "1 of 11 weeks on the own page"
    );
    // The same post on a window the pages do not offer (computed, not stored).
    let six = row_of(&app, &coordinator, "?weeks=6", "Kandidat 1")
        .await
        .unwrap();
    assert_eq!(figures(&six), (6, 1, 1, 1), "{six}");
    assert_eq!(
        stats_week(&app, &coordinator, 1).await.2,
        1,
        "the verified post counts in the statistics at once"
    );

    // Reversal: the figures go back at once (the bug this replaces kept them).
    let (status, _) = decide(&app, &coordinator, post, "revert", "").await;
    assert_eq!(status, Status::Ok);
    let a = row_of(&app, &coordinator, "", "Kandidat 1").await.unwrap();
    assert_eq!(figures(&a), (11, 0, 0, 0), "{a}");
    let me = get(&app, "/api/v1/leaderboard/me", &token_a).await;
    assert_eq!(figures(&me["entry"]), (11, 0, 0, 0), "{me}");
    assert_eq!(stats_week(&app, &coordinator, 1).await.2, 0);
    // The own page (kept rendered) follows in the next request too.
    let (_, page) = text(app.page("/progress", Some(&token_a)).await).await;
    assert!(page.contains("<dd>0 %</dd>") && !page.contains("<dd>9 %</dd>"));
    // Rejecting the reopened post changes nothing on the board.
    let (status, _) = decide(&app, &coordinator, post, "reject", "Tautan salah").await;
    assert_eq!(status, Status::Ok);
    let a = row_of(&app, &coordinator, "", "Kandidat 1").await.unwrap();
    assert_eq!(figures(&a), (11, 0, 0, 0), "{a}");

    // Leave: two weeks of Kandidat 1 become grace weeks.
    let (status, l) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/ambassadors/{amb_a}/leaves"),
            Some(&coordinator),
            &json!({
                "from_week": duta::briefs::rules::IsoWeek::of(jakarta_monday(3)).to_string(),
                "to_week": duta::briefs::rules::IsoWeek::of(jakarta_monday(2)).to_string(),
            }),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{l}");
    let a = row_of(&app, &coordinator, "", "Kandidat 1").await.unwrap();
    assert_eq!(figures(&a).0, 9, "{a}");
    let (_, page) = text(app.page("/progress", Some(&token_a)).await).await;
    assert_eq!(
        page.matches("<li class=\"cell grace\"").count(),
        2,
        "two weeks of leave on the own page"
    );
    let (active, expected, _) = stats_week(&app, &coordinator, 2).await;
    assert_eq!(expected, active - 1, "a week of leave is not expected");

    // A holiday is a grace week for everyone; removing it gives the week back.
    let (status, h) = json(
        app.send_api(
            "POST",
            "/api/v1/holidays",
            Some(&admin),
            &json!({"week": duta::briefs::rules::IsoWeek::of(jakarta_monday(5)).to_string(),
                    "label": "Cuti bersama"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{h}");
    let a = row_of(&app, &coordinator, "", "Kandidat 1").await.unwrap();
    assert_eq!(figures(&a).0, 8, "{a}");
    let (_, page) = text(app.page("/progress", Some(&token_a)).await).await;
    assert_eq!(page.matches("<li class=\"cell grace\"").count(), 3);
    assert_eq!(
        stats_week(&app, &coordinator, 5).await,
        (b_active_5 + 1, 0, 0),
        "nobody is expected in a holiday week"
    );
    let status = app
        .send_api(
            "DELETE",
            &format!("/api/v1/holidays/{}", h["id"]),
            Some(&admin),
            &json!({}),
        )
        .await
        .status();
    assert_eq!(status, Status::NoContent);
    let a = row_of(&app, &coordinator, "", "Kandidat 1").await.unwrap();
    assert_eq!(figures(&a).0, 9, "{a}");
    assert_eq!(
        stats_week(&app, &coordinator, 5).await,
        (b_active_5 + 1, b_active_5 + 1, 0)
    );

    // A corrected display name is what the board shows and sorts by.
    let (status, body) = json(
        app.send_api(
            "PUT",
            "/api/v1/me/profile",
            Some(&token_a),
            &json!({"name": "Kandidat Satu", "display_name": "Andi Satu",
                    "phone": "0812 3456 7890"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    assert!(row_of(&app, &coordinator, "", "Andi Satu").await.is_some());
    assert_eq!(rebuild_corrections(&app).await, 0);

    // Withdrawal takes the ambassador off the board in the next request.
    let (status, body) = json(
        app.send_api(
            "POST",
            "/api/v1/me/withdrawal",
            Some(&token_a),
            &json!({ "password": PASSWORD }),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    let board = get(&app, "/api/v1/leaderboard", &coordinator).await;
    assert_eq!(board["total"], 1, "{board}");
    assert_eq!(board["entries"][0]["display_name"], "Kandidat 2");
    assert_eq!(board["entries"][0]["rank"], 1);
    assert_eq!(stats_week(&app, &coordinator, 1).await.0, b_active);
    assert_eq!(rebuild_corrections(&app).await, 0);
}

/// A stored row changed behind the application's back is found and mended by the
/// rebuild, and the board shows the mended figures.
#[rocket::async_test]
async fn the_rebuild_finds_and_mends_a_stored_standing() {
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
    let app = live().await;
    let inst = app.institution("Kementerian Satu").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@duta.test", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let (amb, _) = app.candidate(inst, unit, 1).await;
    approve(&app, amb).await;
    assert_eq!(
        get(&app, "/api/v1/leaderboard", &coordinator).await["total"],
        1
    );
    assert_eq!(rebuild_corrections(&app).await, 0);
    let row = entity::standings::Entity::find()
        .filter(entity::standings::Column::AmbassadorId.eq(amb))
        .filter(entity::standings::Column::Weeks.eq(12))
        .filter(entity::standings::Column::WeekOf.eq(jakarta_monday(0)))
        .one(&app.db)
        .await
        .unwrap()
        .expect("a stored row for the 12-week board");
    let mut m: entity::standings::ActiveModel = row.into();
    m.active_weeks = Set(7);
    m.update(&app.db).await.unwrap();
    let shown = row_of(&app, &coordinator, "", "Kandidat 1").await.unwrap();
    assert_eq!(shown["active_weeks"], 7, "the board reads the stored row");
    assert_eq!(rebuild_corrections(&app).await, 1);
    let shown = row_of(&app, &coordinator, "", "Kandidat 1").await.unwrap();
    assert_eq!(shown["active_weeks"], 0);
    assert_eq!(rebuild_corrections(&app).await, 0);
}

/// When the week turns, the board is already complete: next week's rows were stored
/// with this week's, and writes keep both.
#[rocket::async_test]
async fn next_weeks_standings_are_stored_with_this_weeks() {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let app = live().await;
    let inst = app.institution("Kementerian Satu").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@duta.test", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let (amb, user) = app.candidate(inst, unit, 1).await;
    approve(&app, amb).await;
    crate::submissions::member_since(&app, amb, jakarta_monday(0)).await;
    get(&app, "/api/v1/leaderboard", &coordinator).await;
    let next = jakarta_monday(0) + Duration::weeks(1);
    let rows = |week| {
        entity::standings::Entity::find()
            .filter(entity::standings::Column::AmbassadorId.eq(amb))
            .filter(entity::standings::Column::WeekOf.eq(week))
            .count(&app.db)
    };
    assert_eq!(
        rows(jakarta_monday(0)).await.unwrap(),
        4,
        "4, 12, 26, 52 weeks"
    );
    assert_eq!(rows(next).await.unwrap(), 4);
    let complete = entity::standing_weeks::Entity::find_by_id(next)
        .one(&app.db)
        .await
        .unwrap();
    assert!(complete.is_some(), "next week is marked complete");
    // A post this week: next week's board counts this week as active and past.
    let token = app.token(user).await;
    let brief = past_brief(&app, &coordinator, 0).await;
    let (status, s) = submit(
        &app,
        &token,
        json!({"brief_id": brief, "platform": "instagram",
               "url": "https://www.instagram.com/p/Cstand002/",
               "posted_at": posted_in(0).to_rfc3339()}),
    )
    .await;
    assert_eq!(status, Status::Created, "{s}");
    decide(&app, &coordinator, s["id"].as_i64().unwrap(), "verify", "").await;
    let stored = entity::standings::Entity::find()
        .filter(entity::standings::Column::AmbassadorId.eq(amb))
        .filter(entity::standings::Column::WeekOf.eq(next))
        .filter(entity::standings::Column::Weeks.eq(4))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            stored.eligible_weeks,
            stored.active_weeks,
            stored.current_streak
        ),
        (2, 1, 1),
        "next week: this week active, next week current"
    );
}

/// Two nodes on one database: a verification answered by the first is on the second's
/// board, "my rank" and own page in the next request.
#[rocket::async_test]
async fn a_verification_on_one_node_shows_on_another_at_once() {
    let first = live().await;
    let second = first.another_node().await;
    let inst = first.institution("Kementerian Satu").await;
    let unit = first.work_unit(inst, None, "Biro Humas").await;
    let coordinator = first
        .user("coordinator", "koordinator@duta.test", Some(inst), None)
        .await;
    let coordinator = first.token(coordinator).await;
    let (amb, user) = first.candidate(inst, unit, 1).await;
    approve(&first, amb).await;
    crate::submissions::member_since(&first, amb, jakarta_monday(0)).await;
    let token = first.token(user).await;
    // The second node has read the board (and kept whatever it keeps) before the write.
    let before = row_of(&second, &coordinator, "", "Kandidat 1")
        .await
        .unwrap();
    assert_eq!(before["verified_posts"], 0);
    assert_eq!(stats_week(&second, &coordinator, 0).await, (1, 1, 0));
    let brief = past_brief(&first, &coordinator, 0).await;
    let (status, s) = submit(
        &first,
        &token,
        json!({"brief_id": brief, "platform": "instagram",
               "url": "https://www.instagram.com/p/Cstand003/",
               "posted_at": posted_in(0).to_rfc3339()}),
    )
    .await;
    assert_eq!(status, Status::Created, "{s}");
    let (status, _) = decide(
        &first,
        &coordinator,
        s["id"].as_i64().unwrap(),
        "verify",
        "",
    )
    .await;
    assert_eq!(status, Status::Ok);
    let after = row_of(&second, &coordinator, "", "Kandidat 1")
        .await
        .unwrap();
    assert_eq!(after["verified_posts"], 1, "{after}");
    assert_eq!(after["active_weeks"], 1, "{after}");
    let me = get(&second, "/api/v1/leaderboard/me", &token).await;
    assert_eq!(me["entry"]["verified_posts"], 1, "{me}");
    assert_eq!(stats_week(&second, &coordinator, 0).await, (1, 1, 1));
    let (status, page) = text(second.page("/progress", Some(&token)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains("<dd>100 %</dd>"),
        "one active week of one on the own page"
    );
    // Signing out on the first node ends the session the second node keeps.
    let status = first
        .send_api("POST", "/api/v1/auth/logout", Some(&token), &json!({}))
        .await
        .status();
    assert!(status.code < 300, "{status}");
    assert_eq!(
        second.get_api("/api/v1/me", Some(&token)).await.status(),
        Status::Unauthorized
    );
}

/// Whatever a node keeps ends with any write to a table it was read from, however it is
/// written: raw SQL here, as a bulk job or another program would. Every topic, every table.
#[rocket::async_test]
async fn any_write_to_a_table_a_kept_answer_reads_moves_its_stamp() {
    use duta::kept::{stamp, topics, Topic};
    use sea_orm::ConnectionTrait;
    let app = live().await;
    let inst = app.institution("Kementerian Satu").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@duta.test", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let admin = app.user("admin", "admin@duta.test", None, None).await;
    let admin = app.token(admin).await;
    let (amb, user) = app.candidate(inst, unit, 1).await;
    approve(&app, amb).await;
    let token = app.token(user).await;
    let brief = past_brief(&app, &coordinator, 0).await;
    let (_, s) = submit(
        &app,
        &token,
        json!({"brief_id": brief, "platform": "instagram",
               "url": "https://www.instagram.com/p/Cstand004/",
               "posted_at": posted_in(0).to_rfc3339()}),
    )
    .await;
    decide(&app, &coordinator, s["id"].as_i64().unwrap(), "verify", "").await;
    app.send_api(
        "POST",
        &format!("/api/v1/ambassadors/{amb}/leaves"),
        Some(&coordinator),
        &json!({"from_week": duta::briefs::rules::IsoWeek::of(jakarta_monday(3)).to_string()}),
    )
    .await;
    app.send_api(
        "POST",
        "/api/v1/holidays",
        Some(&admin),
        &json!({"week": duta::briefs::rules::IsoWeek::of(jakarta_monday(6)).to_string(),
                "label": "Libur"}),
    )
    .await;
    get(&app, "/api/v1/leaderboard", &coordinator).await;
    get(&app, "/api/v1/stats/participation", &coordinator).await;
    // A brief addressed to a unit, written as another program would.
    let before = stamp(&app.db, Topic::Briefs).await.unwrap();
    app.db
        .execute_unprepared(&format!(
            "INSERT INTO brief_work_units (brief_id, work_unit_id) VALUES ({brief}, {unit})"
        ))
        .await
        .unwrap();
    assert!(stamp(&app.db, Topic::Briefs).await.unwrap() > before);
    // What a brief shows and a crisis pause, so every table of every topic has rows.
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let now = chrono::Utc::now();
    let media = entity::media::ActiveModel {
        owner_id: Set(user),
        institution_id: Set(Some(inst)),
        kind: Set("brief_image".into()),
        stored_name: Set("a.jpg".into()),
        thumb_name: Set("a_t.jpg".into()),
        content_type: Set("image/jpeg".into()),
        width: Set(10),
        height: Set(10),
        bytes: Set(100),
        sha256: Set("0".repeat(64)),
        created_at: Set(now),
        phash: Set(None),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    entity::brief_images::ActiveModel {
        brief_id: Set(brief),
        media_id: Set(media.id),
        focal_x: Set(50),
        focal_y: Set(50),
        alt: Set("Gambar".into()),
        variants: Set("[]".into()),
        position: Set(0),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let template: i64 = entity::story_templates::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .expect("the shipped templates")
        .id;
    app.db
        .execute_unprepared(&format!(
            "INSERT INTO brief_templates (brief_id, template_id) VALUES ({brief}, {template})"
        ))
        .await
        .unwrap();
    entity::crisis_pauses::ActiveModel {
        institution_id: Set(inst),
        notice: Set("Jeda".into()),
        started_at: Set(now),
        started_by: Set(user),
        ended_at: Set(Some(now)),
        ended_by: Set(Some(user)),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let column = |table: &str| match table {
        "standings" => "sort_key",
        "standing_weeks" => "completed_at",
        "ambassadors" => "updated_at",
        "ambassador_platforms" => "follower_count",
        "institutions" => "name",
        "work_units" => "name",
        "week_activity" => "verified_posts",
        "brief_activity" => "submitted",
        "briefs" => "title",
        "brief_work_units" => "work_unit_id",
        "users" => "name",
        "leaves" => "note",
        "holidays" => "label",
        "programme_settings" => "timezone",
        "platform_settings" => "threshold",
        "unit_weeks" => "joined",
        "brief_templates" => "template_id",
        "brief_images" => "alt",
        "story_templates" => "name",
        "crisis_pauses" => "notice",
        other => panic!("no column to write for {other}: add one here"),
    };
    let mut checked = 0;
    for topic in Topic::ALL {
        let tables: Vec<&str> = topics()
            .filter(|(t, _)| *t == topic.name())
            .flat_map(|(_, tables)| tables.iter().copied())
            .collect();
        assert!(!tables.is_empty(), "{} has tables", topic.name());
        for table in tables {
            let before = stamp(&app.db, topic).await.unwrap();
            assert!(before >= 0, "{} has a stamp row", topic.name());
            let col = column(table);
            let changed = app
                .db
                .execute_unprepared(&format!("UPDATE {table} SET {col} = {col}"))
                .await
                .unwrap()
                .rows_affected();
            assert!(changed > 0, "{table} has rows to write");
            let after = stamp(&app.db, topic).await.unwrap();
            assert!(
                after > before,
                "a raw write to {table} moves the stamp of {}",
                topic.name()
            );
            checked += 1;
        }
    }
    assert!(checked >= 38, "{checked} (topic, table) pairs");

    // A user's own drafts, submissions and notifications move their own stamp, and no one
    // else's.
    let own = |u: i64| {
        let db = app.db.clone();
        async move { duta::kept::own_stamp(&db, u).await.unwrap() }
    };
    let (mine, theirs) = (own(user).await, own(coordinator_id(&app).await).await);
    for sql in [
        "UPDATE submissions SET url = url".to_string(),
        format!("INSERT INTO drafts (user_id, brief_id, platform, template_id, fields, text, created_at, updated_at) VALUES ({user}, {brief}, 'x', NULL, '{{}}', 'Draf', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
        "UPDATE drafts SET text = 'Draf 2'".to_string(),
        "DELETE FROM drafts".to_string(),
        format!("INSERT INTO notifications (user_id, kind, brief_id, created_at, read_at) VALUES ({user}, 'weekly_reminder', NULL, CURRENT_TIMESTAMP, NULL)"),
        format!("UPDATE notifications SET read_at = CURRENT_TIMESTAMP WHERE user_id = {user}"),
    ] {
        let before = own(user).await;
        app.db.execute_unprepared(&sql).await.unwrap();
        assert!(own(user).await > before, "{sql} moves the writer's own stamp");
    }
    assert!(own(user).await > mine);
    assert_eq!(own(coordinator_id(&app).await).await, theirs);
}

async fn coordinator_id(app: &TestApp) -> i64 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    entity::users::Entity::find()
        .filter(entity::users::Column::Email.eq("koordinator@duta.test"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// An institution's statistics count its ambassadors and no one else's, wherever their
/// ids lie; the national figures count everyone.
#[rocket::async_test]
async fn statistics_count_an_institution_whose_ids_lie_far_apart() {
    let app = live().await;
    let a = app.institution("Kementerian Satu").await;
    let unit_a = app.work_unit(a, None, "Biro Humas").await;
    let b = app.institution("Kementerian Dua").await;
    let unit_b = app.work_unit(b, None, "Biro Umum").await;
    let coordinator = app
        .user("coordinator", "koordinator@duta.test", Some(a), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let national = app.user("national", "nasional@duta.test", None, None).await;
    let national = app.token(national).await;
    let (first, _) = app.candidate(a, unit_a, 1).await;
    approve(&app, first).await;
    for n in 2..=34 {
        let (id, _) = app.candidate(b, unit_b, n).await;
        approve(&app, id).await;
    }
    let (last, _) = app.candidate(a, unit_a, 35).await;
    approve(&app, last).await;
    assert!(last - first >= 32, "ids far apart: {first} and {last}");
    assert_eq!(stats_week(&app, &coordinator, 0).await, (2, 2, 0));
    assert_eq!(stats_week(&app, &national, 0).await, (35, 35, 0));
}

/// The weekly roll-up check reads one snapshot instead of locking the statistics'
/// tables: on PostgreSQL it finishes while another transaction holds a write to
/// `unit_weeks` open (a verification under way elsewhere in the unit), and finds nothing
/// to correct in what that transaction has not committed. (SQLite has one writer at a
/// time: there the check waits its turn like any write.)
#[rocket::async_test]
async fn the_weekly_check_does_not_hold_verifications_back() {
    use sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};
    let app = live().await;
    if app.db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let inst = app.institution("Kementerian Satu").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let (amb, _) = app.candidate(inst, unit, 1).await;
    approve(&app, amb).await;
    assert_eq!(rebuild_corrections(&app).await, 0);

    let open = app.db.begin().await.unwrap();
    let changed = open
        .execute_unprepared(&format!(
            "UPDATE unit_weeks SET joined = joined + 5 WHERE work_unit_id = {unit}"
        ))
        .await
        .unwrap();
    assert_eq!(changed.rows_affected(), 1, "the unit's row of this week");
    let checked = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        duta::leaderboard::participation::check(&app.db),
    )
    .await
    .expect("the check ran while the write was open")
    .unwrap();
    assert_eq!(checked, Vec::new(), "nothing uncommitted was corrected");
    let rebuilt = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        duta::leaderboard::service::rebuild(&app.db),
    )
    .await
    .expect("the rebuild ran while the write was open")
    .unwrap();
    assert_eq!(rebuilt.len(), 0, "{rebuilt:?}");
    open.rollback().await.unwrap();
}
