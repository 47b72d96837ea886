//! Submissions, verification and the leaderboard through the API: X posts that prove
//! themselves, the coordinator's queue, reversals and the aggregate they keep, hostile
//! input, races, grace weeks, shared ranks and scopes.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{json, Value};

use crate::support::{approve, json, TestApp};

/// An X status id created at `t` (the snowflake layout: milliseconds since 2010-11-04
/// in the top bits).
pub(crate) fn snowflake(t: DateTime<Utc>) -> u64 {
    (((t.timestamp_millis() - 1_288_834_974_657) as u64) << 22) | 0x2a5
}

pub(crate) fn jakarta_monday(weeks_ago: i64) -> NaiveDate {
    let today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Jakarta)
        .date_naive();
    duta::leaderboard::rules::monday_of(today) - Duration::weeks(weeks_ago)
}

/// 10:00 WIB on the Monday `weeks_ago` weeks back (or an hour ago, for this week, when
/// that is earlier).
pub(crate) fn posted_in(weeks_ago: i64) -> DateTime<Utc> {
    let t = chrono_tz::Asia::Jakarta
        .from_local_datetime(&jakarta_monday(weeks_ago).and_hms_opt(10, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc);
    t.min(Utc::now() - Duration::minutes(1))
        .max(t - Duration::hours(10))
}

struct World {
    inst: i64,
    other: i64,
    unit_a: i64,
    unit_b: i64,
    coordinator: String,
    /// (ambassador id, user id, token) of Kandidat 1 (unit A) and Kandidat 2 (unit B).
    a: (i64, i64, String),
    b: (i64, i64, String),
    brief: i64,
}

async fn world(app: &TestApp) -> World {
    let inst = app.institution("Kementerian Satu").await;
    let other = app.institution("Kementerian Dua").await;
    let unit_a = app.work_unit(inst, None, "Ditjen A").await;
    let unit_b = app.work_unit(inst, None, "Ditjen B").await;
    let coordinator = app
        .user("coordinator", "koordinator@duta.test", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let (amb_a, user_a) = app.candidate(inst, unit_a, 1).await;
    approve(app, amb_a).await;
    let (amb_b, user_b) = app.candidate(inst, unit_b, 2).await;
    approve(app, amb_b).await;
    let brief = crate::briefs::published(app, &coordinator, &[], &[]).await;
    World {
        inst,
        other,
        unit_a,
        unit_b,
        coordinator,
        a: (amb_a, user_a, app.token(user_a).await),
        b: (amb_b, user_b, app.token(user_b).await),
        brief,
    }
}

pub(crate) async fn submit(app: &TestApp, token: &str, body: Value) -> (Status, Value) {
    json(
        app.send_api("POST", "/api/v1/submissions", Some(token), &body)
            .await,
    )
    .await
}

pub(crate) async fn decide(
    app: &TestApp,
    token: &str,
    id: i64,
    action: &str,
    reason: &str,
) -> (Status, Value) {
    json(
        app.send_api(
            "POST",
            &format!("/api/v1/submissions/{id}/{action}"),
            Some(token),
            &json!({ "reason": reason }),
        )
        .await,
    )
    .await
}

async fn board(app: &TestApp, token: &str, query: &str) -> Value {
    let (status, body) = json(
        app.get_api(&format!("/api/v1/leaderboard{query}"), Some(token))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    body
}

fn names(board: &Value) -> Vec<(String, i64)> {
    board["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["display_name"].as_str().unwrap().to_string(),
                e["rank"].as_i64().unwrap(),
            )
        })
        .collect()
}

pub(crate) async fn rebuild_corrections(app: &TestApp) -> usize {
    duta::leaderboard::service::rebuild(&app.db)
        .await
        .expect("rebuild")
        .len()
}

#[rocket::async_test]
async fn posts_are_verified_reverted_and_rejected_and_the_board_follows() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let posted = Utc::now() - Duration::minutes(30);
    let status_id = snowflake(posted + Duration::minutes(2));

    // An X post under the registered handle whose id carries the posting time: verified
    // at once, whatever spelling of the URL was pasted.
    let (status, x) = submit(
        &app,
        &w.a.2,
        json!({
            "brief_id": w.brief, "platform": "x",
            "url": format!("https://twitter.com/Kandidat_X1/status/{status_id}?s=20&t=abc"),
            "posted_at": posted.to_rfc3339(), "likes": 10
        }),
    )
    .await;
    assert_eq!(status, Status::Created, "{x}");
    assert_eq!(x["status"], "verified");
    assert_eq!(
        x["normalized_url"],
        format!("https://x.com/kandidat_x1/status/{status_id}")
    );

    // An Instagram post waits for the coordinator.
    let (status, ig) = submit(
        &app,
        &w.a.2,
        json!({
            "brief_id": w.brief, "platform": "instagram",
            "url": "https://instagram.com/p/CxAbC123dEf/?igsh=MWx0&utm_source=ig_web_copy_link",
            "posted_at": posted.to_rfc3339(),
            "likes": 30, "comments": 2, "shares": 1, "saves": 3
        }),
    )
    .await;
    assert_eq!(status, Status::Created, "{ig}");
    assert_eq!(ig["status"], "pending");
    assert_eq!(
        ig["normalized_url"],
        "https://www.instagram.com/p/CxAbC123dEf/"
    );
    let ig_id = ig["id"].as_i64().unwrap();

    // An X post under someone else's handle is not verified by itself.
    let (status, foreign) = submit(
        &app,
        &w.b.2,
        json!({
            "brief_id": w.brief, "platform": "x",
            "url": format!("https://x.com/kandidat_x1/status/{}", status_id + 1),
            "posted_at": posted.to_rfc3339()
        }),
    )
    .await;
    assert_eq!(status, Status::Created, "{foreign}");
    assert_eq!(foreign["status"], "pending");

    // The queue: oldest first, with the follower count and the engagement rate.
    let (status, queue) = json(
        app.get_api("/api/v1/submissions", Some(&w.coordinator))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{queue}");
    assert_eq!(queue["total"], 2);
    let first = &queue["items"][0];
    assert_eq!(first["id"], ig_id);
    assert_eq!(first["display_name"], "Kandidat 1");
    assert_eq!(first["brief_title"], "Paspor lewat aplikasi");
    assert_eq!(first["followers"], 640);
    let rate = first["engagement_rate"].as_f64().unwrap();
    assert!((rate - 5.625).abs() < 0.01, "36 of 640 followers: {rate}");

    // The board: Kandidat 1 has one verified post in an active week.
    let b = board(&app, &w.coordinator, "").await;
    assert_eq!(
        names(&b),
        vec![("Kandidat 1".into(), 1), ("Kandidat 2".into(), 2)]
    );
    assert_eq!(b["entries"][0]["verified_posts"], 1);
    assert_eq!(b["entries"][0]["active_weeks"], 1);
    assert_eq!(b["entries"][0]["consistency"], 1.0);
    assert_eq!(b["entries"][0]["new"], true);
    assert_eq!(b["window"]["weeks"], 12);
    assert!(b["entries"][0].get("nip").is_none());

    // Verify, revert, reject: each moves the count, each is audited.
    let (status, v) = decide(&app, &w.coordinator, ig_id, "verify", "").await;
    assert_eq!(
        (status, v["status"].as_str()),
        (Status::Ok, Some("verified"))
    );
    assert_eq!(
        board(&app, &w.coordinator, "").await["entries"][0]["verified_posts"],
        2
    );
    let (status, _) = decide(&app, &w.coordinator, ig_id, "verify", "").await;
    assert_eq!(status, Status::Conflict, "verifying twice");
    let (status, v) = decide(&app, &w.coordinator, ig_id, "revert", "Unggahan dihapus").await;
    assert_eq!(
        (status, v["status"].as_str()),
        (Status::Ok, Some("pending"))
    );
    assert_eq!(
        board(&app, &w.coordinator, "").await["entries"][0]["verified_posts"],
        1
    );
    let (status, body) = decide(&app, &w.coordinator, ig_id, "reject", "  ").await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(body["fields"]["reason"][0]
        .as_str()
        .unwrap()
        .contains("alasan"));
    let (status, _) = decide(
        &app,
        &w.coordinator,
        ig_id,
        "reject",
        "Akun dikunci, unggahan tidak terlihat.",
    )
    .await;
    assert_eq!(status, Status::Ok);

    // The ambassador reads the state and the reason.
    let (_, mine) = json(app.get_api("/api/v1/submissions/mine", Some(&w.a.2)).await).await;
    let rejected = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == ig_id)
        .unwrap();
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["reason"], "Akun dikunci, unggahan tidak terlihat.");
    // Their week shows what they submitted and which platforms still wait.
    let (_, week) = json(app.get_api("/api/v1/briefs/current", Some(&w.a.2)).await).await;
    assert_eq!(
        week["briefs"][0]["waiting"],
        json!(["instagram", "facebook"])
    );
    assert_eq!(week["briefs"][0]["submitted"].as_array().unwrap().len(), 2);

    let audit = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::TargetType.eq("submission"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(audit, 3, "verify, revert and reject");
    assert_eq!(rebuild_corrections(&app).await, 0);

    // The rebuild finds and corrects a tampered aggregate.
    let row = entity::week_activity::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut tampered: entity::week_activity::ActiveModel = row.into();
    tampered.verified_posts = Set(7);
    tampered.update(&app.db).await.unwrap();
    assert_eq!(rebuild_corrections(&app).await, 1);
    assert_eq!(rebuild_corrections(&app).await, 0);

    // It finds every tampered, missing and stray row of either ambassador.
    use entity::week_activity::{ActiveModel as WeekRow, Column as W, Entity as Weeks};
    let rows = Weeks::find().all(&app.db).await.unwrap();
    let counted = rows
        .iter()
        .position(|r| r.verified_posts > 0)
        .expect("a week with a verified post");
    for (i, r) in rows.iter().enumerate() {
        if i == counted {
            Weeks::delete_many()
                .filter(W::AmbassadorId.eq(r.ambassador_id))
                .filter(W::WeekStart.eq(r.week_start))
                .exec(&app.db)
                .await
                .unwrap();
        } else {
            let mut row: WeekRow = r.clone().into();
            row.x_posts = Set(r.x_posts + 3);
            row.update(&app.db).await.unwrap();
        }
    }
    let mut stray: WeekRow = rows[counted].clone().into();
    stray.ambassador_id = Set(w.b.0);
    stray.week_start = Set(jakarta_monday(40));
    stray.insert(&app.db).await.unwrap();
    let fixed = duta::leaderboard::service::rebuild(&app.db).await.unwrap();
    assert_eq!(fixed.len(), rows.len() + 1, "{fixed:?}");
    assert!(fixed
        .iter()
        .any(|c| c.row.starts_with(&format!("ambassador {} ", w.b.0))));
    assert_eq!(rebuild_corrections(&app).await, 0);

    // Another institution's coordinator sees none of it.
    let outsider = app
        .user("coordinator", "luar@duta.test", Some(w.other), None)
        .await;
    let outsider = app.token(outsider).await;
    let (_, q) = json(
        app.get_api("/api/v1/submissions?status=rejected", Some(&outsider))
            .await,
    )
    .await;
    assert_eq!(q["total"], 0);
    let (status, _) = decide(&app, &outsider, ig_id, "revert", "").await;
    assert_eq!(status, Status::NotFound);
    assert_eq!(
        app.get_api(&format!("/api/v1/submissions/{ig_id}"), Some(&outsider))
            .await
            .status(),
        Status::NotFound
    );
    // Reopening the rejected post for the other coordinator: pending again.
    let (status, v) = decide(&app, &w.coordinator, ig_id, "revert", "").await;
    assert_eq!(
        (status, v["status"].as_str()),
        (Status::Ok, Some("pending"))
    );
}

#[rocket::async_test]
async fn hostile_submissions_are_refused_with_field_messages() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let now = Utc::now() - Duration::minutes(5);
    let base = |url: &str| json!({"brief_id": w.brief, "platform": "x", "url": url, "posted_at": now.to_rfc3339()});
    let url_cases: Vec<(String, &str)> = vec![
        (
            "https://www.instagram.com/p/CxAbC123dEf/".into(),
            "Instagram",
        ),
        ("https://x.com/kandidat_x1".into(), "profil"),
        ("javascript:alert(document.cookie)".into(), "tautan web"),
        (
            "data:text/html,<script>alert(1)</script>".into(),
            "tautan web",
        ),
        (
            format!("https://x.com/a/status/1?{}", "a".repeat(10 * 1024)),
            "terlalu panjang",
        ),
        (
            "https://evil.example/kandidat_x1/status/123".into(),
            "bukan dari X",
        ),
    ];
    for (url, expect) in &url_cases {
        let (status, body) = submit(&app, &w.a.2, base(url)).await;
        assert_eq!(status, Status::UnprocessableEntity, "{url}: {body}");
        let msg = body["fields"]["url"][0].as_str().unwrap_or_default();
        assert!(msg.contains(expect), "{url}: {msg}");
    }

    // The same post with tracking parameters, or on twitter.com, is a duplicate.
    let id = snowflake(now);
    let (status, first) = submit(
        &app,
        &w.a.2,
        base(&format!("https://x.com/kandidat_x1/status/{id}")),
    )
    .await;
    assert_eq!(status, Status::Created, "{first}");
    for dup in [
        format!("https://x.com/kandidat_x1/status/{id}?utm_source=whatsapp&s=20"),
        format!("http://mobile.twitter.com/Kandidat_X1/status/{id}"),
    ] {
        let (status, body) = submit(&app, &w.b.2, base(&dup)).await;
        assert_eq!(status, Status::Conflict, "{dup}: {body}");
        assert!(body["fields"]["url"][0]
            .as_str()
            .unwrap()
            .contains("sudah pernah"));
    }
    // A second open post for the same brief and platform.
    let (status, body) = submit(
        &app,
        &w.a.2,
        base(&format!("https://x.com/kandidat_x1/status/{}", id + 99)),
    )
    .await;
    assert_eq!(status, Status::Conflict, "{body}");
    assert!(body["fields"]["platform"].is_array());

    // Times: in the future, before the brief's week, unreadable, missing.
    let ig = |posted_at: &str| {
        json!({"brief_id": w.brief, "platform": "instagram",
               "url": "https://www.instagram.com/p/Cnew000001/", "posted_at": posted_at})
    };
    // A time out of the brief's week or still to come is well formed but clashes with
    // the brief and the present (409); one that cannot be read is malformed (422).
    for (when, expect, code) in [
        (
            (Utc::now() + Duration::hours(2)).to_rfc3339(),
            "masa depan",
            Status::Conflict,
        ),
        (
            (posted_in(0) - Duration::days(8)).to_rfc3339(),
            "sebelum minggu",
            Status::Conflict,
        ),
        (
            "kemarin sore".to_string(),
            "tidak terbaca",
            Status::UnprocessableEntity,
        ),
        ("".to_string(), "kapan", Status::UnprocessableEntity),
    ] {
        let (status, body) = submit(&app, &w.b.2, ig(&when)).await;
        assert_eq!(status, code, "{when}: {body}");
        let msg = body["fields"]["posted_at"][0].as_str().unwrap_or_default();
        assert!(msg.contains(expect), "{when}: {msg}");
    }

    // Counts: negative, absurd, not a number; nothing stored.
    let mut body = ig(&now.to_rfc3339());
    body["likes"] = json!(-5);
    body["comments"] = json!(10_000_000_000i64);
    body["shares"] = json!("banyak");
    body["saves"] = json!(2.5);
    let (status, resp) = submit(&app, &w.b.2, body).await;
    assert_eq!(status, Status::UnprocessableEntity, "{resp}");
    for f in ["likes", "comments", "shares", "saves"] {
        assert!(resp["fields"][f].is_array(), "{f}: {resp}");
    }
    // A platform the brief does not target; no brief at all.
    let mut tiktok = ig(&now.to_rfc3339());
    tiktok["platform"] = json!("tiktok");
    let (status, resp) = submit(&app, &w.b.2, tiktok).await;
    assert_eq!(status, Status::Conflict, "the brief does not target TikTok");
    assert!(resp["fields"]["platform"].is_array());
    let (status, resp) = submit(&app, &w.b.2, json!({"platform": "x"})).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(resp["fields"]["brief_id"].is_array());

    // Briefs out of reach: another institution's, one for another unit, a missing one.
    let other_coord = app
        .user("coordinator", "lain@duta.test", Some(w.other), None)
        .await;
    let other_coord = app.token(other_coord).await;
    let foreign = crate::briefs::published(&app, &other_coord, &[], &[]).await;
    let only_a = crate::briefs::published(&app, &w.coordinator, &[w.unit_a], &[]).await;
    for brief in [foreign, only_a, 999_999] {
        let mut b = ig(&now.to_rfc3339());
        b["brief_id"] = json!(brief);
        // The same answer for each, so briefs cannot be probed: a conflict at the field.
        let (status, resp) = submit(&app, &w.b.2, b).await;
        assert_eq!(status, Status::Conflict, "brief {brief}");
        assert_eq!(
            resp["fields"]["brief_id"][0],
            "Brief ini tidak ditemukan atau tidak dapat Anda akses."
        );
    }
    // Staff cannot submit; a bad body shape is 422, not 500.
    let (status, _) = submit(&app, &w.coordinator, ig(&now.to_rfc3339())).await;
    assert_eq!(status, Status::Forbidden);
    let (status, _) = submit(&app, &w.b.2, json!({"brief_id": "satu"})).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(app.count("submissions").await, 1, "only the first X post");
}

#[rocket::async_test]
async fn a_hundred_identical_submissions_store_one_row() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let posted = Utc::now() - Duration::minutes(10);
    let body = json!({
        "brief_id": w.brief, "platform": "instagram",
        "url": "https://www.instagram.com/p/CsameP0st1/", "posted_at": posted.to_rfc3339()
    });
    let calls = (0..100).map(|_| {
        let body = body.clone();
        let token = w.a.2.clone();
        let app = &app;
        async move {
            app.send_api("POST", "/api/v1/submissions", Some(&token), &body)
                .await
                .status()
        }
    });
    let statuses = rocket::futures::future::join_all(calls).await;
    let created = statuses.iter().filter(|s| **s == Status::Created).count();
    let conflicts = statuses.iter().filter(|s| **s == Status::Conflict).count();
    assert_eq!((created, conflicts), (1, 99), "{statuses:?}");
    assert_eq!(app.count("submissions").await, 1);
}

/// The node keeps a signed-in session and the programme's time zone; a withdrawal or a
/// change of the zone counts from the next submission all the same.
#[rocket::async_test]
async fn a_withdrawal_or_a_new_time_zone_counts_from_the_next_submission() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let post = |n: u32, at: DateTime<Utc>| {
        json!({
            "brief_id": w.brief, "platform": "instagram",
            "url": format!("https://www.instagram.com/p/Cz0ne{n}/"), "posted_at": at.to_rfc3339()
        })
    };
    // Sunday 23:00 in Jakarta, just before this week: in Jayapura (two hours ahead) it is
    // already Monday 01:00, inside the brief's week.
    let sunday = chrono_tz::Asia::Jakarta
        .from_local_datetime(
            &(jakarta_monday(0) - Duration::days(1))
                .and_hms_opt(23, 0, 0)
                .unwrap(),
        )
        .unwrap()
        .with_timezone(&Utc);
    let (status, err) = submit(&app, &w.b.2, post(1, sunday)).await;
    assert_eq!(status, Status::Conflict, "{err}");
    assert!(err["fields"]["posted_at"].is_array(), "{err}");
    let admin = app.user("admin", "admin@duta.test", None, None).await;
    let admin = app.token(admin).await;
    let (_, mut settings) = json(app.get_api("/api/v1/settings", Some(&admin)).await).await;
    settings["timezone"] = json!("Asia/Jayapura");
    let (status, body) = json(
        app.send_api("PUT", "/api/v1/settings", Some(&admin), &settings)
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    let (status, saved) = submit(&app, &w.b.2, post(1, sunday)).await;
    assert_eq!(status, Status::Created, "{saved}");

    // Kandidat 1 posts, withdraws, and is refused the very next post.
    let posted = Utc::now() - Duration::minutes(5);
    let (status, saved) = submit(&app, &w.a.2, post(2, posted)).await;
    assert_eq!(status, Status::Created, "{saved}");
    let (status, body) = json(
        app.send_api(
            "POST",
            "/api/v1/me/withdrawal",
            Some(&w.a.2),
            &json!({ "password": crate::support::PASSWORD }),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    let (status, body) = submit(&app, &w.a.2, post(3, posted)).await;
    assert_eq!(status, Status::NotFound, "{body}");
}

/// A follower count the coordinator records goes with the very next submission.
#[rocket::async_test]
async fn a_new_follower_count_counts_from_the_next_submission() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let second = crate::briefs::published(&app, &w.coordinator, &[], &[]).await;
    let posted = (Utc::now() - Duration::minutes(5)).to_rfc3339();
    let post = |brief: i64, code: &str| {
        json!({
            "brief_id": brief, "platform": "instagram", "likes": 20,
            "url": format!("https://www.instagram.com/p/{code}/"), "posted_at": posted
        })
    };
    let (status, first) = submit(&app, &w.b.2, post(w.brief, "CfollowOne")).await;
    assert_eq!(status, Status::Created, "{first}");
    let (status, body) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/vetting/candidates/{}/followers", w.b.0),
            Some(&w.coordinator),
            &json!({ "platform": "instagram", "count": "2000" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    let (status, later) = submit(&app, &w.b.2, post(second, "CfollowTwo")).await;
    assert_eq!(status, Status::Created, "{later}");

    // What each post is weighed against in the engagement statistics.
    let followers_of = |id: &Value| {
        let id = id.as_i64().unwrap();
        let db = app.db.clone();
        async move {
            entity::submissions::Entity::find_by_id(id)
                .one(&db)
                .await
                .unwrap()
                .unwrap()
                .followers
        }
    };
    let before = followers_of(&first["id"]).await;
    assert!(before.is_some_and(|f| f != 2000), "{before:?}");
    assert_eq!(followers_of(&later["id"]).await, Some(2000));
}

/// A brief found addressed to an ambassador is kept for the next post, but not past a
/// change of its audience: once it is for another unit only, the next post is refused.
#[rocket::async_test]
async fn a_brief_readdressed_to_another_unit_refuses_the_next_post() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let posted = (Utc::now() - Duration::minutes(5)).to_rfc3339();
    let post = |platform: &str, url: &str| json!({ "brief_id": w.brief, "platform": platform, "url": url, "posted_at": posted });
    let (status, body) = submit(
        &app,
        &w.b.2,
        post("instagram", "https://www.instagram.com/p/CreAddr1/"),
    )
    .await;
    assert_eq!(status, Status::Created, "{body}");
    let (status, body) = json(
        app.send_api(
            "PUT",
            &format!("/api/v1/briefs/{}", w.brief),
            Some(&w.coordinator),
            &crate::briefs::brief_body("Paspor lewat aplikasi", &[w.unit_a], &[]),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    let (status, body) = submit(
        &app,
        &w.b.2,
        post("facebook", "https://www.facebook.com/kandidat2/posts/71"),
    )
    .await;
    // The brief is no longer addressed to them: as one that does not exist, at its field.
    assert_eq!(status, Status::Conflict, "{body}");
    assert!(body["fields"]["brief_id"].is_array(), "{body}");
    let (status, body) = submit(
        &app,
        &w.a.2,
        post("facebook", "https://www.facebook.com/kandidat1/posts/72"),
    )
    .await;
    assert_eq!(status, Status::Created, "{body}");
}

/// Posts arriving together are written together; each still gets its own answer: one
/// per open slot is stored, the rest are told the slot or the post is taken, and the
/// aggregates equal the rebuild.
#[rocket::async_test]
async fn posts_written_in_one_batch_each_get_their_own_answer() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let posted = (Utc::now() - Duration::minutes(10)).to_rfc3339();
    let mut calls = Vec::new();
    for (who, token) in [("a", &w.a.2), ("b", &w.b.2)] {
        for (platform, url) in [
            ("instagram", "https://www.instagram.com/p/Cbatch{who}{n}/"),
            ("facebook", "https://www.facebook.com/batch.{who}/posts/{n}"),
        ] {
            for n in 0..5 {
                let url = url.replace("{who}", who).replace("{n}", &n.to_string());
                calls.push((token.clone(), platform, url));
            }
        }
    }
    // And one post both send: only one of them can have it.
    let shared = "https://www.instagram.com/p/CbatchShared/".to_string();
    calls.push((w.a.2.clone(), "instagram", shared.clone()));
    calls.push((w.b.2.clone(), "instagram", shared));
    let answers = rocket::futures::future::join_all(calls.iter().map(|(token, platform, url)| {
        let app = &app;
        let body =
            json!({"brief_id": w.brief, "platform": platform, "url": url, "posted_at": posted});
        async move { submit(app, token, body).await }
    }))
    .await;
    let created: Vec<&Value> = answers
        .iter()
        .filter(|(s, _)| *s == Status::Created)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(
        created.len(),
        4,
        "one per ambassador and platform: {answers:?}"
    );
    for (status, body) in answers.iter().filter(|(s, _)| *s != Status::Created) {
        assert_eq!(*status, Status::Conflict, "{body}");
        assert!(
            body["fields"]["platform"].is_array() || body["fields"]["url"].is_array(),
            "{body}"
        );
    }
    let mut slots: Vec<(i64, String)> = created
        .iter()
        .map(|b| {
            (
                b["ambassador_id"].as_i64().unwrap(),
                b["platform"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    slots.sort();
    slots.dedup();
    assert_eq!(slots.len(), 4, "{slots:?}");
    assert_eq!(app.count("submissions").await, 4);
    let stats = entity::brief_activity::Entity::find()
        .filter(entity::brief_activity::Column::BriefId.eq(w.brief))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(stats.iter().map(|r| r.submitted).sum::<i64>(), 4);
    assert_eq!(rebuild_corrections(&app).await, 0);
}

#[rocket::async_test]
async fn racing_verify_and_revert_leave_the_aggregate_equal_to_the_rebuild() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let posted = Utc::now() - Duration::minutes(10);
    let (_, s) = submit(
        &app,
        &w.a.2,
        json!({"brief_id": w.brief, "platform": "facebook",
               "url": "https://www.facebook.com/permalink.php?story_fbid=12345&id=678",
               "posted_at": posted.to_rfc3339()}),
    )
    .await;
    let id = s["id"].as_i64().unwrap();
    let admin = app.user("admin", "admin@duta.test", None, None).await;
    let admin = app.token(admin).await;
    let calls = (0..50).map(|i| {
        let token = if i % 2 == 0 {
            w.coordinator.clone()
        } else {
            admin.clone()
        };
        let action = if i % 3 == 0 { "revert" } else { "verify" };
        let app = &app;
        async move {
            app.send_api(
                "POST",
                &format!("/api/v1/submissions/{id}/{action}"),
                Some(&token),
                &json!({}),
            )
            .await
            .status()
        }
    });
    let statuses = rocket::futures::future::join_all(calls).await;
    assert!(
        statuses
            .iter()
            .all(|s| *s == Status::Ok || *s == Status::Conflict),
        "{statuses:?}"
    );
    assert!(statuses.contains(&Status::Ok));
    assert_eq!(rebuild_corrections(&app).await, 0);
    let row = entity::submissions::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let posts: i64 = entity::week_activity::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .iter()
        .map(|r| i64::from(r.verified_posts))
        .sum();
    assert_eq!(posts, i64::from(row.status == "verified"));
}

/// Sets an ambassador's membership back to a date (as an import with history would).
pub(crate) async fn member_since(app: &TestApp, ambassador_id: i64, date: NaiveDate) {
    let amb = entity::ambassadors::Entity::find_by_id(ambassador_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut m: entity::ambassadors::ActiveModel = amb.into();
    m.member_since = Set(Some(date));
    m.updated_at = Set(Utc::now());
    m.update(&app.db).await.unwrap();
    duta::leaderboard::standings::refresh(&app.db, &[ambassador_id])
        .await
        .unwrap();
}

/// A brief published for the week `weeks_ago` weeks back (the whole institution).
pub(crate) async fn past_brief(app: &TestApp, token: &str, weeks_ago: i64) -> i64 {
    let monday = jakarta_monday(weeks_ago);
    let week = duta::briefs::rules::IsoWeek::of(monday).to_string();
    let start = posted_in(weeks_ago) - Duration::hours(9);
    let mut body = crate::briefs::brief_body(&format!("Brief {week}"), &[], &[]);
    body["week"] = json!(week);
    body["publish_at"] = json!(start.to_rfc3339());
    body["deadline"] = json!((start + Duration::days(6))
        .max(Utc::now() + Duration::hours(1))
        .to_rfc3339());
    let (status, b) = json(
        app.send_api("POST", "/api/v1/briefs", Some(token), &body)
            .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{b}");
    b["id"].as_i64().unwrap()
}

#[rocket::async_test]
async fn grace_weeks_shared_ranks_windows_and_scopes() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let (amb_c, user_c) = app.candidate(w.inst, w.unit_a, 3).await;
    approve(&app, amb_c).await;
    let (amb_d, user_d) = app.candidate(w.inst, w.unit_a, 4).await;
    approve(&app, amb_d).await;
    let start = jakarta_monday(5);
    for amb in [w.a.0, w.b.0, amb_c] {
        member_since(&app, amb, start + Duration::days(2)).await;
    }
    let c_token = app.token(user_c).await;
    let briefs: Vec<i64> = {
        let mut v = Vec::new();
        for weeks_ago in (1..=5).rev() {
            v.push(past_brief(&app, &w.coordinator, weeks_ago).await);
        }
        v
    };
    // Week 3 back is a programme holiday; Kandidat 2 is on leave last week.
    let admin = app.user("admin", "admin@duta.test", None, None).await;
    let admin = app.token(admin).await;
    let holiday_week = duta::briefs::rules::IsoWeek::of(jakarta_monday(3)).to_string();
    let (status, h) = json(
        app.send_api(
            "POST",
            "/api/v1/holidays",
            Some(&admin),
            &json!({"week": holiday_week, "label": "Cuti bersama"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{h}");
    let (status, _) = json(
        app.send_api(
            "POST",
            "/api/v1/holidays",
            Some(&admin),
            &json!({"week": holiday_week, "label": "Lagi"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Conflict);
    let leave_week = duta::briefs::rules::IsoWeek::of(jakarta_monday(1)).to_string();
    let (status, l) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/ambassadors/{}/leaves", w.b.0),
            Some(&w.coordinator),
            &json!({"from_week": leave_week, "note": "Cuti melahirkan"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{l}");
    let (status, l) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/ambassadors/{}/leaves", w.b.0),
            Some(&w.coordinator),
            &json!({"from_week": leave_week, "to_week": "2020-W01"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity, "{l}");

    // Kandidat 1 and 3 post in weeks 5, 4, 2 and 1 back; Kandidat 2 in 5, 4, 3 and 2.
    let mut n = 0;
    for (token, weeks) in [
        (&w.a.2, vec![5, 4, 2, 1]),
        (&c_token, vec![5, 4, 2, 1]),
        (&w.b.2, vec![5, 4, 3, 2]),
    ] {
        for weeks_ago in weeks {
            n += 1;
            let (status, s) = submit(
                &app,
                token,
                json!({"brief_id": briefs[(5 - weeks_ago) as usize], "platform": "instagram",
                       "url": format!("https://www.instagram.com/p/Cpost{n:05}/"),
                       "posted_at": posted_in(weeks_ago).to_rfc3339()}),
            )
            .await;
            assert_eq!(status, Status::Created, "{s}");
            let (status, _) = decide(
                &app,
                &w.coordinator,
                s["id"].as_i64().unwrap(),
                "verify",
                "",
            )
            .await;
            assert_eq!(status, Status::Ok);
        }
    }
    assert_eq!(rebuild_corrections(&app).await, 0);

    let b = board(&app, &w.b.2, "?weeks=6").await;
    assert_eq!(
        names(&b),
        vec![
            ("Kandidat 1".into(), 1),
            ("Kandidat 3".into(), 1),
            ("Kandidat 2".into(), 3),
            ("Kandidat 4".into(), 4),
        ],
        "ties share a rank and are listed by name; the new ambassador comes last"
    );
    let first = &b["entries"][0];
    assert_eq!(
        (
            first["eligible_weeks"].as_i64(),
            first["active_weeks"].as_i64(),
            first["current_streak"].as_i64()
        ),
        (Some(5), Some(4), Some(4)),
        "the holiday is neither counted nor breaks the streak: {first}"
    );
    assert_eq!(first["consistency"], 0.8);
    assert_eq!(first["badge"], 4);
    let second = &b["entries"][2];
    assert_eq!(
        (
            second["eligible_weeks"].as_i64(),
            second["active_weeks"].as_i64(),
            second["current_streak"].as_i64(),
            second["verified_posts"].as_i64()
        ),
        (Some(4), Some(3), Some(3), Some(4)),
        "leave and the holiday are grace weeks; the holiday post still counts as a post: {second}"
    );
    assert_eq!(b["entries"][3]["new"], true);
    assert_eq!(b["mine"]["display_name"], "Kandidat 2");
    assert_eq!(b["mine"]["me"], true);
    assert_eq!(b["total"], 4);

    // Pages keep shared ranks; the own row comes along when it is not on the page.
    let page = board(&app, &w.b.2, "?weeks=6&limit=1&offset=1").await;
    assert_eq!(names(&page), vec![("Kandidat 3".into(), 1)]);
    assert_eq!(page["mine"]["rank"], 3);
    // A work unit filter ranks within the unit.
    let unit = board(
        &app,
        &w.coordinator,
        &format!("?weeks=6&work_unit_id={}", w.unit_b),
    )
    .await;
    assert_eq!(names(&unit), vec![("Kandidat 2".into(), 1)]);
    assert_eq!(unit["mine"], Value::Null);

    // The ambassador's own standing, week by week.
    let (status, me) = json(
        app.get_api("/api/v1/leaderboard/me?weeks=6", Some(&w.b.2))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{me}");
    let states: Vec<&str> = me["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        vec!["active", "active", "grace", "active", "grace", "current"]
    );
    assert_eq!(me["entry"]["rank"], 3);
    let (_, d_me) = json(
        app.get_api(
            "/api/v1/leaderboard/me?weeks=6",
            Some(&app.token(user_d).await),
        )
        .await,
    )
    .await;
    assert_eq!(d_me["weeks"][0]["state"], "not_member");

    // Bad filters are field errors; other scopes are not found.
    for q in [
        "?weeks=53",
        "?weeks=0",
        "?weeks=abc",
        "?limit=0",
        "?limit=100000",
        "?offset=-1",
    ] {
        let (status, body) = json(
            app.get_api(&format!("/api/v1/leaderboard{q}"), Some(&w.a.2))
                .await,
        )
        .await;
        assert_eq!(status, Status::UnprocessableEntity, "{q}: {body}");
    }
    let outsider = app
        .user("coordinator", "luar@duta.test", Some(w.other), None)
        .await;
    let outsider = app.token(outsider).await;
    for (token, q) in [
        (&w.a.2, format!("?institution_id={}", w.other)),
        (&outsider, format!("?work_unit_id={}", w.unit_a)),
        (&outsider, format!("?institution_id={}", w.inst)),
        (&w.a.2, "?work_unit_id=999999".to_string()),
    ] {
        let status = app
            .get_api(&format!("/api/v1/leaderboard{q}"), Some(token))
            .await
            .status();
        assert_eq!(status, Status::NotFound, "{q}");
    }
    let (status, _) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/ambassadors/{}/leaves", w.b.0),
            Some(&outsider),
            &json!({"from_week": leave_week}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::NotFound);
    // The national view across institutions holds everyone.
    let national = app.user("national", "nasional@duta.test", None, None).await;
    let national = app.token(national).await;
    assert_eq!(board(&app, &national, "?weeks=6").await["total"], 4);
    assert_eq!(
        board(&app, &national, &format!("?institution_id={}", w.other)).await["total"],
        0
    );
}

/// A second rejection for the same brief (the post sent again and rejected again, or a
/// rejection after a revert) answers 200 and leaves one notice for that brief, unread,
/// with the latest reason; before, the second notice broke the unique index: a 500.
#[rocket::async_test]
async fn a_second_rejection_for_the_same_brief_renews_the_notice() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let body = |n: u32| {
        json!({"brief_id": w.brief, "platform": "instagram",
               "url": format!("https://www.instagram.com/p/Again{n:03}/"),
               "posted_at": (Utc::now() - Duration::minutes(5)).to_rfc3339()})
    };
    let (status, first) = submit(&app, &w.a.2, body(1)).await;
    assert_eq!(status, Status::Created, "{first}");
    let first = first["id"].as_i64().unwrap();
    let (status, _) = decide(&app, &w.coordinator, first, "reject", "Tautan rusak.").await;
    assert_eq!(status, Status::Ok);
    // The ambassador has read it.
    use sea_orm::ConnectionTrait;
    app.db
        .execute_unprepared("UPDATE notifications SET read_at = created_at")
        .await
        .unwrap();
    // Sent again to the same brief and rejected again.
    let (status, again) = submit(&app, &w.a.2, body(2)).await;
    assert_eq!(status, Status::Created, "{again}");
    let again = again["id"].as_i64().unwrap();
    let (status, v) = decide(&app, &w.coordinator, again, "reject", "Bukan akun Anda.").await;
    assert_eq!(status, Status::Ok, "{v}");
    // Reverted and rejected once more.
    let (status, v) = decide(&app, &w.coordinator, again, "revert", "Keliru").await;
    assert_eq!(status, Status::Ok, "{v}");
    let (status, v) = decide(
        &app,
        &w.coordinator,
        again,
        "reject",
        "Tangkapan layar kurang.",
    )
    .await;
    assert_eq!(status, Status::Ok, "{v}");
    let (_, notes) = json(app.get_api("/api/v1/notifications", Some(&w.a.2)).await).await;
    let rejected: Vec<&Value> = notes
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "post_rejected")
        .collect();
    assert_eq!(rejected.len(), 1, "{notes}");
    assert_eq!(rejected[0]["detail"], "Tangkapan layar kurang.");
    assert_eq!(rejected[0]["read"], false, "new again: {notes}");
}
