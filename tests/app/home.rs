//! The coordinator's day: a home whose counts are the sizes of the queues they link to, a
//! brief's audience person by person (seen, draft, submitted, verified) with reminder
//! links and a CSV, and reminders that skip people on leave, holiday weeks and weeks
//! without a brief for them.

use chrono::{Duration, Utc};
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{json, Value};

use crate::briefs::brief_body;
use crate::submissions::{decide, submit};
use crate::support::{approve, json, text, TestApp};

/// An urgent brief due in `hours`, to the given units (none: the whole institution).
async fn urgent(app: &TestApp, token: &str, title: &str, units: &[i64], hours: i64) -> i64 {
    let mut body = brief_body(title, units, &[]);
    body["priority"] = json!("urgent");
    body["deadline"] = json!((Utc::now() + Duration::hours(hours)).to_rfc3339());
    let (status, b) = json(
        app.send_api("POST", "/api/v1/briefs", Some(token), &body)
            .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{b}");
    b["id"].as_i64().unwrap()
}

fn post(brief: i64, platform: &str, code: &str) -> Value {
    let url = match platform {
        "instagram" => format!("https://www.instagram.com/p/{code}/"),
        _ => format!("https://www.facebook.com/duta.test/posts/{code}"),
    };
    json!({"brief_id": brief, "platform": platform, "url": url,
           "posted_at": (Utc::now() - Duration::minutes(5)).to_rfc3339()})
}

async fn home(app: &TestApp, token: &str) -> Value {
    let (status, body) = json(app.get_api("/api/v1/home", Some(token)).await).await;
    assert_eq!(status, Status::Ok, "{body}");
    body
}

#[rocket::async_test]
async fn a_coordinators_home_counts_each_queue_it_links_to() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Rumah").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let other = app.institution("Kementerian Lain").await;
    let far = app.work_unit(other, None, "Biro Jauh").await;
    let coordinator = app
        .user("coordinator", "koordinator@rumah.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let elsewhere = app
        .user("coordinator", "koordinator@lain.go.id", Some(other), None)
        .await;
    let elsewhere = app.token(elsewhere).await;
    let (a, ua) = app.candidate(inst, unit, 1).await;
    approve(&app, a).await;
    let (b, ub) = app.candidate(inst, unit, 2).await;
    approve(&app, b).await;
    // Two candidates wait; one of them for two weeks (overdue).
    let (late, _) = app.candidate(inst, unit, 3).await;
    let mut m: entity::ambassadors::ActiveModel = entity::ambassadors::Entity::find_by_id(late)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into();
    m.submitted_at = Set(Utc::now() - Duration::days(14));
    m.update(&app.db).await.unwrap();
    app.candidate(inst, unit, 4).await;
    // Elsewhere: a candidate that is not ours.
    app.candidate(other, far, 5).await;
    // Kandidat 2 has not accepted an invitation.
    let mut u: entity::users::ActiveModel = entity::users::Entity::find_by_id(ub)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into();
    u.invitation_pending_since = Set(Some(Utc::now()));
    u.update(&app.db).await.unwrap();
    // An open integrity flag on Kandidat 1.
    entity::integrity_flags::ActiveModel {
        ambassador_id: Set(Some(a)),
        brief_id: Set(None),
        institution_id: Set(inst),
        kind: Set("follower_jump".into()),
        detail: Set("{}".into()),
        dedup_key: Set("test:home".into()),
        raised_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();

    let before = home(&app, &coordinator).await;
    let w = &before["work"];
    assert_eq!(w["candidates_waiting"], 2, "{before}");
    assert_eq!(w["candidates_overdue"], 1, "{before}");
    assert_eq!(w["posts_waiting"], 0);
    assert_eq!(w["urgent_briefs"], json!([]));
    // No brief this week yet: nobody is expected to post.
    assert_eq!(w["not_posted_this_week"], 0, "{before}");
    assert_eq!(w["open_flags"], 1);
    assert_eq!(w["invitations_pending"], 1);
    assert_eq!(before["overview"], Value::Null);

    // An urgent brief; Kandidat 1 posts for it.
    let brief = urgent(&app, &coordinator, "Klarifikasi banjir", &[], 5).await;
    let token_a = app.token(ua).await;
    let (status, s) = submit(&app, &token_a, post(brief, "instagram", "Chome01")).await;
    assert_eq!(status, Status::Created, "{s}");

    let after = home(&app, &coordinator).await;
    let w = &after["work"];
    assert_eq!(w["posts_waiting"], 1, "{after}");
    assert!(w["oldest_post_hours"].as_i64().is_some());
    assert_eq!(w["not_posted_this_week"], 1, "Kandidat 2 only: {after}");
    let u = &w["urgent_briefs"][0];
    assert_eq!(u["id"], brief);
    assert_eq!(
        (u["posted"].as_i64(), u["audience"].as_i64()),
        (Some(1), Some(2))
    );
    assert_eq!(u["hours_left"], 5);
    assert!(
        u["deadline_local"].as_str().unwrap().ends_with(" WIB"),
        "{u}"
    );
    // Each count is the size of the queue it links to.
    let (_, queue) = json(app.get_api("/api/v1/submissions", Some(&coordinator)).await).await;
    assert_eq!(queue["total"], w["posts_waiting"]);
    let (_, pending) = json(
        app.get_api("/api/v1/roster?invitation=pending", Some(&coordinator))
            .await,
    )
    .await;
    assert_eq!(pending["total"], w["invitations_pending"]);

    // The page says the same, with the links.
    let (status, page) = text(app.page("/", Some(&coordinator)).await).await;
    assert_eq!(status, Status::Ok);
    let page = page.replace("&#x2F;", "/");
    for needle in [
        "Pekerjaan hari ini",
        "href=\"/vetting\"",
        "1 lewat 3 hari kerja",
        "href=\"/submissions/reminders\"",
        "href=\"/integrity\"",
        "href=\"/roster?invitation=pending\"",
        &format!("href=\"/briefs/{brief}/audience\""),
        "1 dari 2 duta sudah mengunggah.",
        "Klarifikasi banjir",
    ] {
        assert!(page.contains(needle), "{needle} in {page}");
    }

    // The other institution's coordinator counts their own only.
    let theirs = home(&app, &elsewhere).await;
    assert_eq!(theirs["work"]["candidates_waiting"], 1, "{theirs}");
    assert_eq!(theirs["work"]["posts_waiting"], 0);
    assert_eq!(theirs["work"]["urgent_briefs"], json!([]));
    assert_eq!(theirs["work"]["open_flags"], 0);

    // Leadership gets the overview; ambassadors and strangers get nothing.
    let leader = app
        .user("leadership", "pimpinan@rumah.go.id", Some(inst), None)
        .await;
    let leader = app.token(leader).await;
    let o = home(&app, &leader).await;
    assert_eq!(o["work"], Value::Null);
    let ov = &o["overview"];
    assert_eq!(ov["expected_ambassadors"], 2, "{o}");
    assert!(!ov["trend"].as_array().unwrap().is_empty());
    assert_eq!(
        ov["trend"].as_array().unwrap().last().unwrap()["week"],
        ov["week"]
    );
    let (status, page) = text(app.page("/", Some(&leader)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains("Tren per pekan") && page.contains("Biro Humas"),
        "{page}"
    );
    let (status, _) = json(app.get_api("/api/v1/home", Some(&token_a)).await).await;
    assert_eq!(status, Status::Forbidden);
    let (status, _) = json(app.get_api("/api/v1/home", None).await).await;
    assert_eq!(status, Status::Unauthorized);
}

#[rocket::async_test]
async fn a_briefs_audience_shows_how_far_each_person_got() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Audiens").await;
    let humas = app.work_unit(inst, None, "Biro Humas").await;
    let media = app.work_unit(inst, Some(humas), "Bagian Media").await;
    let hukum = app.work_unit(inst, None, "Biro Hukum").await;
    let coordinator = app
        .user("coordinator", "koordinator@audiens.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let mut people = Vec::new();
    for (n, unit) in [
        (1, humas),
        (2, media),
        (3, humas),
        (4, media),
        (5, humas),
        (6, humas),
    ] {
        let (amb, user) = app.candidate(inst, unit, n).await;
        approve(&app, amb).await;
        people.push((amb, user, app.token(user).await));
    }
    // Outside the brief's audience: Biro Hukum.
    let (outside, _) = app.candidate(inst, hukum, 7).await;
    approve(&app, outside).await;
    let brief = urgent(&app, &coordinator, "Klarifikasi tarif", &[humas], 20).await;

    // 1 verified, 2 submitted, 3 rejected, 4 saved a draft, 5 opened it, 6 nothing.
    let (_, s1) = submit(&app, &people[0].2, post(brief, "instagram", "Caud01")).await;
    let (status, _) = decide(&app, &coordinator, s1["id"].as_i64().unwrap(), "verify", "").await;
    assert_eq!(status, Status::Ok);
    let (status, _) = submit(&app, &people[1].2, post(brief, "instagram", "Caud02")).await;
    assert_eq!(status, Status::Created);
    // Their week says the post waits, not that nothing was done (no draft was saved).
    let (_, week) = text(app.page("/", Some(&people[1].2)).await).await;
    assert!(week.contains("Instagram: Menunggu verifikasi"), "{week}");
    assert!(!week.contains("Belum ada draf atau unggahan"), "{week}");
    let (_, s3) = submit(&app, &people[2].2, post(brief, "instagram", "Caud03")).await;
    let (status, _) = decide(
        &app,
        &coordinator,
        s3["id"].as_i64().unwrap(),
        "reject",
        "Tautan bukan unggahan Anda.",
    )
    .await;
    assert_eq!(status, Status::Ok);
    // The ambassador is told, with the reason, linked to the brief.
    let (status, notes) = json(
        app.get_api("/api/v1/notifications", Some(&people[2].2))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{notes}");
    assert_eq!(notes[0]["kind"], "post_rejected", "{notes}");
    assert_eq!(notes[0]["detail"], "Tautan bukan unggahan Anda.");
    assert_eq!(notes[0]["brief_id"], brief);
    let (_, page) = text(app.page("/notifications", Some(&people[2].2)).await).await;
    assert!(
        page.contains("Unggahan Anda ditolak")
            && page.contains("Alasan: Tautan bukan unggahan Anda."),
        "{page}"
    );
    entity::drafts::ActiveModel {
        user_id: Set(people[3].1),
        brief_id: Set(Some(brief)),
        template_id: Set(None),
        platform: Set("instagram".into()),
        fields: Set("{}".into()),
        text: Set("Draf saya".into()),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    // Opening it twice keeps the first time.
    let (status, _) = json(
        app.get_api(&format!("/api/v1/briefs/{brief}"), Some(&people[4].2))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    let first = entity::brief_reads::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    let (status, _) = text(
        app.page(&format!("/briefs/{brief}"), Some(&people[4].2))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    let again = entity::brief_reads::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(again, first);

    let path = format!("/api/v1/briefs/{brief}/audience");
    let (status, page) = json(app.get_api(&path, Some(&coordinator)).await).await;
    assert_eq!(status, Status::Ok, "{page}");
    let c = &page["counts"];
    assert_eq!(
        [
            &c["audience"],
            &c["verified"],
            &c["submitted"],
            &c["rejected"],
            &c["draft"],
            &c["seen"],
            &c["not_seen"],
            &c["posted"]
        ],
        [6, 1, 1, 1, 1, 1, 1, 2].map(|n| json!(n)).each_ref(),
        "{page}"
    );
    let states: Vec<(String, String)> = page["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["display_name"].as_str().unwrap().to_string(),
                p["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("Kandidat 6", "not_seen"),
            ("Kandidat 5", "seen"),
            ("Kandidat 4", "draft"),
            ("Kandidat 3", "rejected"),
            ("Kandidat 2", "submitted"),
            ("Kandidat 1", "verified"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert!(page["people"][0]["wa_link"]
        .as_str()
        .unwrap()
        .starts_with("https://wa.me/62"));
    assert!(page["people"][1]["first_seen_at"].is_string());
    // One state, and pages.
    let (_, only) = json(
        app.get_api(
            &format!("{path}?state=not_seen&limit=1"),
            Some(&coordinator),
        )
        .await,
    )
    .await;
    assert_eq!(only["total"], 1);
    assert_eq!(only["people"][0]["display_name"], "Kandidat 6");
    let (_, second) = json(
        app.get_api(&format!("{path}?limit=2&offset=2"), Some(&coordinator))
            .await,
    )
    .await;
    assert_eq!(second["people"][0]["display_name"], "Kandidat 4");
    // Hostile input.
    for q in [
        "?state=semua",
        "?limit=0",
        "?limit=501",
        "?offset=-1",
        "?state=%00",
    ] {
        let (status, body) =
            json(app.get_api(&format!("{path}{q}"), Some(&coordinator)).await).await;
        assert_eq!(status, Status::UnprocessableEntity, "{q}: {body}");
    }

    // The page and the CSV.
    let (status, html) = text(
        app.page(
            &format!("/briefs/{brief}/audience?state=draft"),
            Some(&coordinator),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(
        html.contains("Kandidat 4") && !html.contains("Kandidat 5"),
        "{html}"
    );
    assert!(html.contains("2 dari 6 duta sudah mengunggah."), "{html}");
    let (status, brief_page) = text(
        app.page(&format!("/briefs/{brief}"), Some(&coordinator))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(brief_page.contains("Siapa yang sudah mengunggah"));
    let resp = app
        .page(&format!("/briefs/{brief}/audience.csv"), Some(&coordinator))
        .await;
    assert_eq!(resp.status(), Status::Ok);
    let (_, csv) = text(resp).await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 7, "{csv}");
    assert!(
        lines[1].starts_with("Kandidat 6,") && lines[1].contains("Belum membuka"),
        "{csv}"
    );
    assert!(lines[6].contains("Terverifikasi"), "{csv}");

    // Out of scope: another institution's coordinator and an ambassador get nothing.
    let other = app.institution("Kementerian Lain").await;
    let stranger = app
        .user("coordinator", "koordinator@lain.go.id", Some(other), None)
        .await;
    let stranger = app.token(stranger).await;
    let (status, _) = json(app.get_api(&path, Some(&stranger)).await).await;
    assert_eq!(status, Status::NotFound);
    let (status, _) = text(
        app.page(&format!("/briefs/{brief}/audience.csv"), Some(&stranger))
            .await,
    )
    .await;
    assert_eq!(status, Status::NotFound);
    let (status, _) = json(app.get_api(&path, Some(&people[0].2)).await).await;
    assert_eq!(status, Status::Forbidden);
    // A coordinator of Bagian Media sees their subtree of the audience only.
    let sub = app
        .user(
            "coordinator",
            "media@audiens.go.id",
            Some(inst),
            Some(media),
        )
        .await;
    let sub = app.token(sub).await;
    let brief_media = urgent(&app, &coordinator, "Untuk media", &[media], 20).await;
    let (status, theirs) = json(
        app.get_api(
            &format!("/api/v1/briefs/{brief_media}/audience"),
            Some(&sub),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{theirs}");
    assert_eq!(theirs["counts"]["audience"], 2);
    let (status, _) = json(app.get_api(&path, Some(&sub)).await).await;
    assert_eq!(status, Status::NotFound, "a brief to Biro Humas as a whole");
}

#[rocket::async_test]
async fn reminders_skip_leave_holiday_weeks_and_weeks_without_a_brief() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Ingat").await;
    let humas = app.work_unit(inst, None, "Biro Humas").await;
    let hukum = app.work_unit(inst, None, "Biro Hukum").await;
    let coordinator = app
        .user("coordinator", "koordinator@ingat.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let mut ids = Vec::new();
    for (n, unit) in [(1, humas), (2, humas), (3, hukum)] {
        let (amb, _) = app.candidate(inst, unit, n).await;
        approve(&app, amb).await;
        ids.push(amb);
    }
    let names = |body: &str| -> Vec<&'static str> {
        ["Kandidat 1", "Kandidat 2", "Kandidat 3"]
            .into_iter()
            .filter(|n| body.contains(n))
            .collect()
    };
    let (app_ref, token) = (&app, &coordinator);
    let list = |q: String| async move {
        text(
            app_ref
                .page(&format!("/submissions/reminders{q}"), Some(token))
                .await,
        )
        .await
    };
    // No brief this week: nobody.
    let (status, body) = list(String::new()).await;
    assert_eq!(status, Status::Ok);
    assert!(names(&body).is_empty(), "{body}");
    // A brief to Biro Humas: its two people only.
    crate::briefs::published(&app, &coordinator, &[humas], &[]).await;
    let (_, body) = list(String::new()).await;
    assert_eq!(names(&body), ["Kandidat 1", "Kandidat 2"]);
    assert!(body.contains("Belum pernah ada unggahan terverifikasi"));
    // Kandidat 2 on leave this week.
    let monday = crate::submissions::jakarta_monday(0);
    entity::leaves::ActiveModel {
        ambassador_id: Set(ids[1]),
        from_week: Set(monday),
        to_week: Set(monday + Duration::weeks(1)),
        note: Set("Cuti".into()),
        recorded_by: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let (_, body) = list(String::new()).await;
    assert_eq!(names(&body), ["Kandidat 1"]);
    // Filtered by unit.
    let (status, body) = list(format!("?work_unit_id={hukum}")).await;
    assert_eq!(status, Status::Ok);
    assert!(names(&body).is_empty(), "{body}");
    let (status, body) = list("?work_unit_id=abc".into()).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(body.contains("Pilih unit kerja dari daftar."));
    let (status, _) = list("?work_unit_id=999999".into()).await;
    assert_eq!(status, Status::Conflict);
    // The home counts the same people.
    assert_eq!(
        home(&app, &coordinator).await["work"]["not_posted_this_week"],
        1
    );
    // A holiday week: nobody.
    entity::holidays::ActiveModel {
        week_start: Set(monday),
        label: Set("Libur nasional".into()),
        created_by: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let (_, body) = list(String::new()).await;
    assert!(names(&body).is_empty(), "{body}");
    assert_eq!(
        home(&app, &coordinator).await["work"]["not_posted_this_week"],
        0
    );
    let mailer = duta::notify::Mailer::disabled();
    let sunday = chrono::TimeZone::from_local_datetime(
        &chrono_tz::Asia::Jakarta,
        &(monday + Duration::days(6)).and_hms_opt(12, 0, 0).unwrap(),
    )
    .unwrap()
    .with_timezone(&Utc);
    let told = duta::jobs::remind_if_due(&app.db, &mailer, "node-a", sunday)
        .await
        .unwrap();
    assert_eq!(told, 0, "nobody is reminded in a holiday week");
}

#[rocket::async_test]
async fn the_weekly_reminders_day_and_hour_are_a_setting() {
    use chrono::TimeZone;
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Jam").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@jam.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let admin = app.user("admin", "admin@jam.go.id", None, None).await;
    let admin = app.token(admin).await;
    let (amb, _) = app.candidate(inst, unit, 1).await;
    approve(&app, amb).await;
    crate::briefs::published(&app, &coordinator, &[], &[]).await;

    let (status, mut settings) = json(app.get_api("/api/v1/settings", Some(&admin)).await).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(
        (&settings["reminder_weekday"], &settings["reminder_hour"]),
        (&json!(4), &json!(9))
    );
    // Hostile values are named and change nothing.
    for (field, value) in [
        ("reminder_weekday", json!(0)),
        ("reminder_weekday", json!(8)),
        ("reminder_hour", json!(24)),
        ("reminder_hour", json!(-1)),
        ("reminder_hour", json!("9")),
    ] {
        let mut bad = settings.clone();
        bad[field] = value.clone();
        let (status, body) = json(
            app.send_api("PUT", "/api/v1/settings", Some(&admin), &bad)
                .await,
        )
        .await;
        assert_eq!(
            status,
            Status::UnprocessableEntity,
            "{field}={value}: {body}"
        );
    }
    settings["reminder_weekday"] = json!(2);
    settings["reminder_hour"] = json!(14);
    let (status, saved) = json(
        app.send_api("PUT", "/api/v1/settings", Some(&admin), &settings)
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{saved}");
    assert_eq!(saved["reminder_weekday"], 2);
    // The page shows it, and refuses what is not a day or an hour.
    let (_, page) = text(app.page("/admin/settings", Some(&admin)).await).await;
    assert!(
        page.contains("<option value=\"2\" selected>Selasa</option>"),
        "{page}"
    );

    let tz = chrono_tz::Asia::Jakarta;
    let monday = crate::submissions::jakarta_monday(0);
    let at = |days: i64, hour: u32| {
        tz.from_local_datetime(
            &(monday + Duration::days(days))
                .and_hms_opt(hour, 0, 0)
                .unwrap(),
        )
        .unwrap()
        .with_timezone(&Utc)
    };
    let mailer = duta::notify::Mailer::disabled();
    let run = |now| {
        let db = app.db.clone();
        let mailer = mailer.clone();
        async move {
            duta::jobs::remind_if_due(&db, &mailer, "node-a", now)
                .await
                .unwrap()
        }
    };
    assert_eq!(run(at(0, 20)).await, 0, "Monday");
    assert_eq!(run(at(1, 13)).await, 0, "Tuesday before two");
    assert_eq!(run(at(1, 14)).await, 1, "Tuesday at two");
    assert_eq!(run(at(3, 9)).await, 0, "once a week");
}

async fn bulk(app: &TestApp, token: &str, action: &str, body: Value) -> (Status, Value) {
    json(
        app.send_api(
            "POST",
            &format!("/api/v1/submissions/bulk/{action}"),
            Some(token),
            &body,
        )
        .await,
    )
    .await
}

#[rocket::async_test]
async fn posts_are_verified_in_bulk_as_single_decisions_would_be() {
    // One office signs its 250 people up from one address.
    let app = TestApp::spawn_with(&[("signup_max_per_ip", json!(1_000))]).await;
    let inst = app.institution("Kementerian Massal").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@massal.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let colleague = app
        .user("coordinator", "rekan@massal.go.id", Some(inst), None)
        .await;
    let colleague = app.token(colleague).await;
    let brief = crate::briefs::published(&app, &coordinator, &[], &[]).await;
    let mut ids = Vec::new();
    // 500 posts, the most one request takes: 250 people, two platforms each.
    for n in 1..=250u32 {
        let (amb, user) = app.candidate(inst, unit, n).await;
        approve(&app, amb).await;
        let token = app.token(user).await;
        for (platform, code) in [
            ("instagram", format!("Cbulk{n:03}")),
            ("facebook", format!("{n}")),
        ] {
            let mut body = post(brief, platform, &code);
            if platform == "facebook" {
                body["url"] = json!(format!("https://www.facebook.com/massal{n}/posts/{code}"));
            }
            let (status, s) = submit(&app, &token, body).await;
            assert_eq!(status, Status::Created, "{s}");
            ids.push(s["id"].as_i64().unwrap());
        }
    }
    assert_eq!(ids.len(), 500);

    // Hostile input first: nothing is decided.
    let too_many: Vec<i64> = (1..=501).collect();
    for (action, body) in [
        ("verify", json!({"ids": []})),
        ("verify", json!({"ids": too_many})),
        ("verify", json!({"ids": [ids[0], ids[0]]})),
        ("verify", json!({"ids": [0]})),
        ("verify", json!({"ids": [ids[0]], "status": "verified"})),
        ("reject", json!({"ids": [ids[0]]})),
        ("reject", json!({"ids": [ids[0]], "reason": "   "})),
        (
            "reject",
            json!({"ids": [ids[0]], "reason": "x".repeat(501)}),
        ),
    ] {
        let (status, body) = bulk(&app, &coordinator, action, body).await;
        assert_eq!(status, Status::UnprocessableEntity, "{action}: {body}");
    }
    // A post of another institution among them: 404, nothing done.
    let other = app.institution("Kementerian Lain").await;
    let far = app.work_unit(other, None, "Biro Jauh").await;
    let stranger = app
        .user("coordinator", "koordinator@lain.go.id", Some(other), None)
        .await;
    let stranger = app.token(stranger).await;
    let (far_amb, far_user) = app.candidate(other, far, 900).await;
    approve(&app, far_amb).await;
    let far_brief = crate::briefs::published(&app, &stranger, &[], &[]).await;
    let (_, far_post) = submit(
        &app,
        &app.token(far_user).await,
        post(far_brief, "instagram", "Cfar001"),
    )
    .await;
    let mut with_far = ids[..499].to_vec();
    with_far.push(far_post["id"].as_i64().unwrap());
    let (status, _) = bulk(&app, &coordinator, "verify", json!({ "ids": with_far })).await;
    assert_eq!(status, Status::NotFound);
    let (_, queue) = json(app.get_api("/api/v1/submissions", Some(&coordinator)).await).await;
    assert_eq!(queue["total"], 500, "nothing was decided");

    // Meanwhile a colleague decides three of them (two verified, one rejected).
    for (i, action) in [(5, "verify"), (6, "verify"), (7, "reject")] {
        let (status, body) = decide(&app, &colleague, ids[i], action, "Bukan unggahan Anda.").await;
        assert_eq!(status, Status::Ok, "{body}");
    }
    let audit_before = app.count("audit_log").await;
    let (status, done) = bulk(
        &app,
        &coordinator,
        "verify",
        json!({ "ids": ids, "reason": "Sesuai brief." }),
    )
    .await;
    assert_eq!(status, Status::Ok, "{done}");
    assert_eq!(done["done"].as_array().unwrap().len(), 497);
    assert_eq!(done["skipped"], json!([ids[5], ids[6], ids[7]]));
    // Each decision audited as a single one, the rejected one left as the colleague left it.
    assert_eq!(app.count("audit_log").await - audit_before, 497);
    let rejected = entity::submissions::Entity::find_by_id(ids[7])
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rejected.status, "rejected");
    // The board and the statistics equal a recomputation from the submissions.
    assert_eq!(crate::submissions::rebuild_corrections(&app).await, 0);
    let (_, board) = json(app.get_api("/api/v1/leaderboard", Some(&coordinator)).await).await;
    assert_eq!(board["total"], 250, "{board}");

    // The page: tick two, reject without a reason (refused next to the field, the ticks
    // kept), then with one.
    let token_page = &coordinator;
    let mut more = Vec::new();
    for n in 251..=252u32 {
        let (amb, user) = app.candidate(inst, unit, n).await;
        approve(&app, amb).await;
        let (_, s) = submit(
            &app,
            &app.token(user).await,
            post(brief, "instagram", &format!("Cbulk{n:03}")),
        )
        .await;
        more.push(s["id"].as_i64().unwrap().to_string());
    }
    let (status, page) = text(app.page("/submissions", Some(token_page)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Putuskan sekaligus") && page.contains("form=\"bulk-form\""));
    let fields = [
        ("ids", more[0].as_str()),
        ("ids", more[1].as_str()),
        ("action", "reject"),
        ("reason", ""),
    ];
    let (status, page) = text(
        app.form("/submissions/bulk", Some(token_page), &fields)
            .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("id=\"bulk-reason-error\""), "{page}");
    for id in &more {
        assert!(
            page.contains(&format!(
                "value=\"{id}\" form=\"bulk-form\" id=\"pick-{id}\" checked"
            )),
            "{id} stays ticked"
        );
    }
    let fields = [
        ("ids", more[0].as_str()),
        ("ids", more[1].as_str()),
        ("action", "reject"),
        ("reason", "Tautan tidak dapat dibuka."),
    ];
    let (status, page) = text(
        app.form("/submissions/bulk", Some(token_page), &fields)
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{page}");
    assert!(page.contains("2 unggahan ditolak."), "{page}");
    let (_, queue) = json(app.get_api("/api/v1/submissions", Some(&coordinator)).await).await;
    assert_eq!(queue["total"], 0);
    // Another institution's coordinator cannot decide ours from the page either.
    let fields = [
        ("ids", more[0].as_str()),
        ("action", "verify"),
        ("reason", ""),
    ];
    let (status, _) = text(
        app.form("/submissions/bulk", Some(&stranger), &fields)
            .await,
    )
    .await;
    assert_eq!(status, Status::NotFound);
}
