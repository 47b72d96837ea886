//! Who has seen an urgent brief and who has carried it: read receipts (only for a brief
//! addressed to the reader), and the brief's amplification — pushed, seen, drafted,
//! posted, verified, the median minutes from its coming out to each first post, and the
//! share of the audience reached by 1, 3 and 24 hours — on hand-made times.

use chrono::{DateTime, Duration, Utc};
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};

use crate::submissions::{decide, submit};
use crate::support::{approve, json, TestApp};

async fn set_posted_at(app: &TestApp, submission: i64, at: DateTime<Utc>) {
    let row = entity::submissions::Entity::find()
        .filter(entity::submissions::Column::Id.eq(submission))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut m: entity::submissions::ActiveModel = row.into();
    m.posted_at = Set(at);
    m.update(&app.db).await.unwrap();
}

#[rocket::async_test]
async fn an_urgent_briefs_amplification_counts_each_step_and_the_time_to_amplify() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Cepat").await;
    let other = app.institution("Kementerian Lambat").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let unit_b = app.work_unit(inst, None, "Biro Lain").await;
    let other_unit = app.work_unit(other, None, "Biro Jauh").await;
    let coordinator = app
        .user("coordinator", "koordinator@cepat.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let mut people = Vec::new();
    for n in 1..=4 {
        let (amb, user) = app.candidate(inst, unit, n).await;
        approve(&app, amb).await;
        people.push((amb, user, app.token(user).await));
    }
    let (far, far_user) = app.candidate(other, other_unit, 7).await;
    approve(&app, far).await;
    let far = app.token(far_user).await;

    let mut body = crate::briefs::brief_body("Klarifikasi gempa", &[], &[]);
    body["priority"] = json!("urgent");
    body["deadline"] = json!((Utc::now() + Duration::hours(6)).to_rfc3339());
    let (status, brief) = json(
        app.send_api("POST", "/api/v1/briefs", Some(&coordinator), &body)
            .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{brief}");
    let brief_id = brief["id"].as_i64().unwrap();
    // A brief of another unit, not addressed to these people.
    let elsewhere = crate::briefs::published(&app, &coordinator, &[unit_b], &[]).await;

    // Read receipts: for a brief addressed to the reader, the first time kept.
    let path = format!("/api/v1/briefs/{brief_id}/seen");
    let (status, first) = json(
        app.send_api("POST", &path, Some(&people[3].2), &json!({}))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{first}");
    let (_, again) = json(
        app.send_api("POST", &path, Some(&people[3].2), &json!({}))
            .await,
    )
    .await;
    assert_eq!(again["first_seen_at"], first["first_seen_at"]);
    for (token, path) in [
        (&far, path.clone()),
        (&people[0].2, format!("/api/v1/briefs/{elsewhere}/seen")),
        (&people[0].2, "/api/v1/briefs/999999/seen".to_string()),
    ] {
        let resp = app.send_api("POST", &path, Some(token), &json!({})).await;
        assert_eq!(resp.status(), Status::NotFound, "{path}");
    }
    let resp = app
        .send_api("POST", &path, Some(&coordinator), &json!({}))
        .await;
    assert_eq!(resp.status(), Status::Forbidden);
    // Person 4 read it; nobody else has yet.
    entity::brief_reads::Entity::delete_many()
        .filter(entity::brief_reads::Column::BriefId.eq(brief_id))
        .exec(&app.db)
        .await
        .unwrap();

    // The story, on hand-made times: out `t0`; person 1 reads after 10 minutes and posts
    // after 20 (verified); person 2 reads after 2 hours and posts then; person 3 posts
    // after 3 h 55 min without opening the page; person 4 never opens it.
    let t0 = Utc::now() - Duration::hours(4);
    let mut b: entity::briefs::ActiveModel = entity::briefs::Entity::find_by_id(brief_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into();
    b.notified_at = Set(Some(t0));
    b.update(&app.db).await.unwrap();
    for (who, after) in [(0usize, 10i64), (1, 120)] {
        entity::brief_reads::ActiveModel {
            brief_id: Set(brief_id),
            ambassador_id: Set(people[who].0),
            first_seen_at: Set(t0 + Duration::minutes(after)),
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
    let posted = Utc::now() - Duration::minutes(1);
    let mut posts = Vec::new();
    for (who, platform, url) in [
        (
            0usize,
            "instagram",
            "https://www.instagram.com/p/CepatSatu1/",
        ),
        (1, "instagram", "https://www.instagram.com/p/CepatDua22/"),
        (2, "instagram", "https://www.instagram.com/p/CepatTiga3/"),
    ] {
        let (s, post) = submit(
            &app,
            &people[who].2,
            json!({"brief_id": brief_id, "platform": platform, "url": url,
                   "posted_at": posted.to_rfc3339()}),
        )
        .await;
        assert_eq!(s, Status::Created, "{post}");
        posts.push(post["id"].as_i64().unwrap());
    }
    let (s, body) = decide(&app, &coordinator, posts[0], "verify", "").await;
    assert_eq!(s, Status::Ok, "{body}");
    for (post, after) in posts.iter().zip([20i64, 120, 235]) {
        set_posted_at(&app, *post, t0 + Duration::minutes(after)).await;
    }
    // Person 1's browser took the push.
    entity::push_subscriptions::ActiveModel {
        user_id: Set(people[0].1),
        endpoint: Set("https://fcm.googleapis.com/fcm/send/satu".into()),
        p256dh: Set("x".into()),
        auth: Set("y".into()),
        created_at: Set(Utc::now()),
        last_sent_at: Set(None),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let sub = entity::push_subscriptions::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    entity::push_deliveries::ActiveModel {
        brief_id: Set(brief_id),
        subscription_id: Set(Some(sub.id)),
        user_id: Set(people[0].1),
        state: Set("sent".into()),
        attempts: Set(1),
        not_before: Set(t0),
        claimed_until: Set(None),
        last_status: Set(Some(201)),
        queued_at: Set(t0),
        sent_at: Set(Some(t0)),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();

    let (status, a) = json(
        app.get_api(
            &format!("/api/v1/briefs/{brief_id}/amplification"),
            Some(&coordinator),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{a}");
    assert_eq!(a["audience"], 4, "{a}");
    assert_eq!(a["pushed"], 1);
    assert_eq!(a["seen"], 3);
    assert_eq!(a["drafted"], 3);
    assert_eq!(a["posted"], 3);
    assert_eq!(a["verified"], 1);
    assert_eq!(a["time_to_amplify_minutes"], 120.0);
    assert_eq!(
        a["reach"],
        json!([
            {"hours": 1, "seen_share": 0.25, "posted_share": 0.25},
            {"hours": 3, "seen_share": 0.5, "posted_share": 0.5},
            {"hours": 24, "seen_share": 0.75, "posted_share": 0.75},
        ])
    );
    // The audience page says the same, in the reader's language.
    let (status, page) = crate::support::text(
        app.page(&format!("/briefs/{brief_id}/audience"), Some(&coordinator))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains("Waktu amplifikasi: median 120 menit"),
        "{page}"
    );
    assert!(page.contains("75 %") && page.contains("Menerima notifikasi push"));
    // Only those who manage the brief.
    for token in [&people[0].2, &far] {
        let resp = app
            .get_api(
                &format!("/api/v1/briefs/{brief_id}/amplification"),
                Some(token),
            )
            .await;
        assert_eq!(resp.status(), Status::Forbidden);
    }
    let outsider = app
        .user("coordinator", "koordinator@lambat.go.id", Some(other), None)
        .await;
    let resp = app
        .get_api(
            &format!("/api/v1/briefs/{brief_id}/amplification"),
            Some(&app.token(outsider).await),
        )
        .await;
    assert_eq!(resp.status(), Status::NotFound);
}

/// An urgent brief of `token`'s institution for the whole institution, told `minutes_ago`
/// minutes ago, with posts by `people` made `after` minutes after it came out.
async fn urgent_with_posts(
    app: &TestApp,
    token: &str,
    title: &str,
    minutes_ago: i64,
    posts: &[(&str, i64, &str)],
) -> i64 {
    let mut body = crate::briefs::brief_body(title, &[], &[]);
    body["priority"] = json!("urgent");
    body["deadline"] = json!((Utc::now() + Duration::hours(6)).to_rfc3339());
    let (status, brief) = json(
        app.send_api("POST", "/api/v1/briefs", Some(token), &body)
            .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{brief}");
    let brief_id = brief["id"].as_i64().unwrap();
    let t0 = Utc::now() - Duration::minutes(minutes_ago);
    let mut b: entity::briefs::ActiveModel = entity::briefs::Entity::find_by_id(brief_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into();
    b.notified_at = Set(Some(t0));
    b.update(&app.db).await.unwrap();
    for (who, after, url) in posts {
        let (s, post) = submit(
            app,
            who,
            json!({"brief_id": brief_id, "platform": "instagram", "url": url,
                   "posted_at": (Utc::now() - Duration::minutes(1)).to_rfc3339()}),
        )
        .await;
        assert_eq!(s, Status::Created, "{post}");
        set_posted_at(
            app,
            post["id"].as_i64().unwrap(),
            t0 + Duration::minutes(*after),
        )
        .await;
    }
    brief_id
}

#[rocket::async_test]
async fn statistics_show_the_time_to_amplify_per_urgent_brief_and_per_institution() {
    let app = TestApp::spawn().await;
    let fast = app.institution("Kementerian Cepat").await;
    let slow = app.institution("Kementerian Lambat").await;
    let unit = app.work_unit(fast, None, "Biro Humas").await;
    let unit_b = app.work_unit(fast, None, "Biro Umum").await;
    let slow_unit = app.work_unit(slow, None, "Biro Jauh").await;
    let coordinator = app
        .user("coordinator", "koordinator@cepat.go.id", Some(fast), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let slow_coordinator = app
        .user("coordinator", "koordinator@lambat.go.id", Some(slow), None)
        .await;
    let slow_coordinator = app.token(slow_coordinator).await;
    let leadership = app
        .user("leadership", "pimpinan@cepat.go.id", Some(fast), None)
        .await;
    let leadership = app.token(leadership).await;
    let national = app.user("national", "nasional@duta.test", None, None).await;
    let national = app.token(national).await;
    let mut people = Vec::new();
    for (n, u) in [(1, unit), (2, unit), (3, unit_b)] {
        let (amb, user) = app.candidate(fast, u, n).await;
        approve(&app, amb).await;
        people.push(app.token(user).await);
    }
    let (far, far_user) = app.candidate(slow, slow_unit, 7).await;
    approve(&app, far).await;
    let far = app.token(far_user).await;

    // Cepat: posts 20, 120 and 235 minutes after its urgent brief (median 120), and a
    // normal brief with a post that does not count; Lambat: one post after 30 minutes.
    let urgent = urgent_with_posts(
        &app,
        &coordinator,
        "Klarifikasi gempa",
        300,
        &[
            (&people[0], 20, "https://www.instagram.com/p/CepatSatu1/"),
            (&people[1], 120, "https://www.instagram.com/p/CepatDua22/"),
            (&people[2], 235, "https://www.instagram.com/p/CepatTiga3/"),
        ],
    )
    .await;
    let normal = crate::briefs::published(&app, &coordinator, &[], &[]).await;
    let (s, post) = submit(
        &app,
        &people[0],
        json!({"brief_id": normal, "platform": "instagram",
               "url": "https://www.instagram.com/p/CepatBiasa/",
               "posted_at": (Utc::now() - Duration::minutes(1)).to_rfc3339()}),
    )
    .await;
    assert_eq!(s, Status::Created, "{post}");
    let slow_brief = urgent_with_posts(
        &app,
        &slow_coordinator,
        "Klarifikasi banjir",
        100,
        &[(&far, 30, "https://www.instagram.com/p/LambatSatu/")],
    )
    .await;

    // Leadership of Cepat: per brief and per unit.
    let (status, stats) = json(
        app.get_api("/api/v1/stats/participation?weeks=4", Some(&leadership))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{stats}");
    assert_eq!(
        stats["amplify"],
        json!({"urgent_briefs": 1, "first_posts": 3, "time_to_amplify_minutes": 120.0})
    );
    let brief = |id: i64| {
        stats["briefs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(brief(urgent)["urgent"], true);
    assert_eq!(brief(urgent)["posters"], 3);
    assert_eq!(brief(urgent)["time_to_amplify_minutes"], 120.0);
    assert_eq!(brief(normal)["urgent"], false);
    assert_eq!(brief(normal)["time_to_amplify_minutes"], Value::Null);
    let row = |stats: &Value, id: i64| {
        stats["work_units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(row(&stats, unit)["time_to_amplify_minutes"], 70.0);
    assert_eq!(row(&stats, unit)["urgent_briefs_posted"], 1);
    assert_eq!(row(&stats, unit_b)["time_to_amplify_minutes"], 235.0);
    let (status, page) =
        crate::support::text(app.page("/stats?weeks=4", Some(&leadership)).await).await;
    assert_eq!(status, Status::Ok);
    let section = &page[page.find("id=\"amplify\"").expect("the section")..];
    assert!(section.contains("Median 120 menit"), "{section}");
    assert!(section.contains("Klarifikasi gempa") && section.contains("235 menit"));
    assert!(
        !section.contains("Klarifikasi banjir"),
        "another institution's brief"
    );
    let (status, csv) = crate::support::text(
        app.page("/stats/export/briefs.csv?weeks=4", Some(&leadership))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(csv.contains("Waktu amplifikasi (menit, median)"), "{csv}");
    assert!(csv.contains("Mendesak"), "{csv}");

    // National: per institution, and over all (20, 30, 120, 235 → 75).
    let (status, stats) = json(
        app.get_api("/api/v1/stats/participation?weeks=4", Some(&national))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{stats}");
    assert_eq!(
        stats["amplify"],
        json!({"urgent_briefs": 2, "first_posts": 4, "time_to_amplify_minutes": 75.0})
    );
    assert_eq!(row(&stats, fast)["time_to_amplify_minutes"], 120.0);
    assert_eq!(row(&stats, slow)["time_to_amplify_minutes"], 30.0);
    assert_eq!(row(&stats, slow)["urgent_briefs_posted"], 1);
    let (_, page) = crate::support::text(app.page("/stats?weeks=4", Some(&national)).await).await;
    let section = &page[page.find("id=\"amplify\"").expect("the section")..];
    assert!(
        section.contains("Kementerian Lambat") && section.contains("30 menit"),
        "{section}"
    );
    assert!(section.contains("Klarifikasi banjir"));
    let _ = slow_brief;
}
