//! Briefs and storytelling templates through the API and the pages: audiences, states,
//! the ambassador's week, the crisis switch, templates and the composer, hostile input.

use chrono::{Duration, Utc};
use rocket::http::Status;
use serde_json::{json, Value};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::support::{approve, json, text, TestApp};

/// A template of the coordinator's institution; returns its id.
/// The notifications that say a brief is out (`TestApp::count` reads it as a table).
const BRIEF_NOTICES: &str = "notifications WHERE kind = 'brief_published'";

pub async fn template(app: &TestApp, token: &str) -> i64 {
    let (status, body) = json(
        app.send_api(
            "POST",
            "/api/v1/story-templates",
            Some(token),
            &json!({
                "name": "Pengalaman layanan",
                "description": "Cerita singkat dari pengalaman memakai layanan.",
                "body": "{{hook}}\n\n{{cerita}}\n\nInfo: {{tautan}}",
                "guidance": {"hook": "Kalimat pembuka.", "cerita": "Apa yang Anda alami.", "tautan": "Tautan resmi."},
                "example": "Antre paspor kini cukup 15 menit. Saya datang sesuai jadwal dan langsung dilayani."
            }),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{body}");
    body["id"].as_i64().expect("id")
}

pub fn brief_body(title: &str, units: &[i64], templates: &[i64]) -> Value {
    json!({
        "title": title,
        "week": week_now(),
        "category": "sosialisasi",
        "key_messages": "Paspor kini bisa diurus lewat aplikasi.\nAntrean lebih singkat.",
        "facts": [{"text": "Waktu layanan rata-rata 15 menit", "source": "Ditjen Imigrasi 2026"}],
        "hashtags": ["PasporMudah", "#LayananPrima"],
        "mentions": ["@imigrasi"],
        "dos": "Ceritakan pengalaman sendiri.",
        "donts": "Jangan menyebut partai.",
        "sample": "Sekarang urus paspor makin mudah dan cepat lewat aplikasi resmi.",
        "platforms": ["x", "instagram", "facebook"],
        "deadline": (Utc::now() + Duration::days(2)).to_rfc3339(),
        "priority": "normal",
        "work_unit_ids": units,
        "template_ids": templates,
        "status": "published"
    })
}

/// This week in Jakarta, like `2026-W48`.
pub fn week_now() -> String {
    let today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Jakarta)
        .date_naive();
    duta::briefs::rules::IsoWeek::of(today).to_string()
}

/// A brief published now to the given units (none: the whole institution).
pub async fn published(app: &TestApp, token: &str, units: &[i64], templates: &[i64]) -> i64 {
    let (status, body) = json(
        app.send_api(
            "POST",
            "/api/v1/briefs",
            Some(token),
            &brief_body("Paspor lewat aplikasi", units, templates),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{body}");
    body["id"].as_i64().expect("id")
}

struct World {
    inst: i64,
    other: i64,
    unit_a: i64,
    unit_a1: i64,
    unit_b: i64,
    coordinator: String,
    a1: (i64, String),
    b: (i64, String),
    pending: String,
}

async fn world(app: &TestApp) -> World {
    let inst = app.institution("Kementerian Satu").await;
    let other = app.institution("Kementerian Dua").await;
    let unit_a = app.work_unit(inst, None, "Ditjen A").await;
    let unit_a1 = app.work_unit(inst, Some(unit_a), "Direktorat A1").await;
    let unit_b = app.work_unit(inst, None, "Ditjen B").await;
    let coordinator = app
        .user("coordinator", "koordinator@duta.test", Some(inst), None)
        .await;
    let (amb_a1, user_a1) = app.candidate(inst, unit_a1, 1).await;
    approve(app, amb_a1).await;
    let (amb_b, user_b) = app.candidate(inst, unit_b, 2).await;
    approve(app, amb_b).await;
    let (_, pending) = app.candidate(inst, unit_a, 3).await;
    World {
        inst,
        other,
        unit_a,
        unit_a1,
        unit_b,
        coordinator: app.token(coordinator).await,
        a1: (user_a1, app.token(user_a1).await),
        b: (user_b, app.token(user_b).await),
        pending: app.token(pending).await,
    }
}

async fn current(app: &TestApp, token: &str) -> Value {
    let (status, body) = json(app.get_api("/api/v1/briefs/current", Some(token)).await).await;
    assert_eq!(status, Status::Ok, "{body}");
    body
}

fn titles(week: &Value) -> Vec<String> {
    week["briefs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["title"].as_str().unwrap().to_string())
        .collect()
}

#[rocket::async_test]
async fn a_published_brief_reaches_its_audience_and_no_one_else() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let id = published(&app, &w.coordinator, &[w.unit_a], &[]).await;

    // A1 lies under A: the brief reaches it; B and the pending candidate see nothing.
    let week = current(&app, &w.a1.1).await;
    assert_eq!(titles(&week), vec!["Paspor lewat aplikasi"]);
    assert_eq!(
        week["briefs"][0]["hashtags"],
        json!(["#PasporMudah", "#LayananPrima"])
    );
    assert_eq!(week["briefs"][0]["state"], "published");
    assert!(titles(&current(&app, &w.b.1).await).is_empty());
    let pending = current(&app, &w.pending).await;
    assert_eq!(pending["approved"], false);
    assert!(titles(&pending).is_empty());
    let path = format!("/api/v1/briefs/{id}");
    assert_eq!(
        app.get_api(&path, Some(&w.b.1)).await.status(),
        Status::NotFound
    );
    assert_eq!(
        app.get_api(&path, Some(&w.pending)).await.status(),
        Status::NotFound
    );
    assert_eq!(app.get_api(&path, Some(&w.a1.1)).await.status(), Status::Ok);
    assert_eq!(
        app.page(&format!("/briefs/{id}"), Some(&w.b.1))
            .await
            .status(),
        Status::NotFound
    );

    // Told in Duta: exactly one notification of the brief, to A1's ambassador (the
    // coordinators were told of their new candidates before).
    assert_eq!(app.count(BRIEF_NOTICES).await, 1);
    let n = entity::notifications::Entity::find()
        .filter(entity::notifications::Column::Kind.eq("brief_published"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((n.user_id, n.brief_id), (w.a1.0, Some(id)));
    let (_, list) = json(app.get_api("/api/v1/notifications", Some(&w.a1.1)).await).await;
    assert_eq!(list[0]["brief_title"], "Paspor lewat aplikasi");
    assert_eq!(list[0]["read"], false);
    let (_, home) = text(app.page("/", Some(&w.a1.1)).await).await;
    assert!(
        home.contains("<span class=\"count\">1</span>"),
        "the menu shows one unread"
    );
    let (status, page) = text(app.page("/notifications", Some(&w.a1.1)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Brief baru untuk Anda") && page.contains(&format!("/briefs/{id}")));
    let (_, list) = json(app.get_api("/api/v1/notifications", Some(&w.a1.1)).await).await;
    assert_eq!(list[0]["read"], true, "opening the page marks it read");
    let (_, home) = text(app.page("/", Some(&w.a1.1)).await).await;
    assert!(
        !home.contains("<span class=\"count\">"),
        "the menu's count follows in the next page"
    );
    let (_, none) = json(app.get_api("/api/v1/notifications", Some(&w.b.1)).await).await;
    assert_eq!(none, json!([]));

    // A coordinator of another institution cannot see or change it.
    let outsider = app
        .user("coordinator", "luar@duta.test", Some(w.other), None)
        .await;
    let outsider = app.token(outsider).await;
    assert_eq!(
        app.get_api(&path, Some(&outsider)).await.status(),
        Status::NotFound
    );
    let put = app
        .send_api(
            "PUT",
            &path,
            Some(&outsider),
            &brief_body("Diubah", &[], &[]),
        )
        .await;
    assert_eq!(put.status(), Status::NotFound);
    let _ = w.inst;
}

#[rocket::async_test]
async fn urgent_briefs_come_first_and_scheduled_ones_at_their_time() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let mut normal = brief_body("Biasa", &[], &[]);
    normal["deadline"] = json!((Utc::now() + Duration::hours(5)).to_rfc3339());
    let mut urgent = brief_body("Klarifikasi hoaks", &[], &[]);
    urgent["priority"] = json!("urgent");
    urgent["category"] = json!("kontra_narasi");
    urgent["deadline"] =
        json!((Utc::now() + Duration::hours(6) - Duration::minutes(1)).to_rfc3339());
    let mut later = brief_body("Terjadwal", &[], &[]);
    later["status"] = json!("scheduled");
    later["publish_at"] = json!((Utc::now() + Duration::hours(1)).to_rfc3339());
    for b in [&normal, &urgent, &later] {
        let r = app
            .send_api("POST", "/api/v1/briefs", Some(&w.coordinator), b)
            .await;
        assert_eq!(r.status(), Status::Created);
    }
    let week = current(&app, &w.b.1).await;
    assert_eq!(titles(&week), vec!["Klarifikasi hoaks", "Biasa"]);
    assert_eq!(week["briefs"][0]["hours_left"], 6);

    // The scheduled brief's time comes: it appears, and its audience is told once.
    let scheduled = entity::briefs::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.title == "Terjadwal")
        .unwrap();
    assert_eq!(scheduled.notified_at, None);
    let mut m: entity::briefs::ActiveModel = scheduled.clone().into();
    m.publish_at = sea_orm::Set(Some(Utc::now() - Duration::minutes(1)));
    sea_orm::ActiveModelTrait::update(m, &app.db).await.unwrap();
    assert_eq!(titles(&current(&app, &w.b.1).await).len(), 3);
    let before = app.count("notifications").await;
    let mailer = duta::notify::Mailer::disabled();
    for id in duta::briefs::service::due_briefs(&app.db).await.unwrap() {
        duta::briefs::service::tell_if_due(&app.db, &mailer, id).await;
    }
    // Two approved ambassadors in the institution, told once each.
    assert_eq!(app.count("notifications").await, before + 2);
    assert!(duta::briefs::service::due_briefs(&app.db)
        .await
        .unwrap()
        .is_empty());
}

#[rocket::async_test]
async fn hostile_briefs_are_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let other_unit = app.work_unit(w.other, None, "Unit lain").await;
    let coordinator_other = app
        .user("coordinator", "lain@duta.test", Some(w.other), None)
        .await;
    let other_template = template(&app, &app.token(coordinator_other).await).await;
    let before = app.count("briefs").await;
    let many: Vec<String> = (0..10_000).map(|i| format!("#tag{i}")).collect();
    let cases: Vec<(&str, Value, Status, &str)> = vec![
        (
            "week",
            json!("2026-W54"),
            Status::UnprocessableEntity,
            "week",
        ),
        (
            "week",
            json!("2027-W53"),
            Status::UnprocessableEntity,
            "week",
        ),
        (
            "week",
            json!("2026-53"),
            Status::UnprocessableEntity,
            "week",
        ),
        ("title", json!("   "), Status::UnprocessableEntity, "title"),
        (
            "hashtags",
            json!(many),
            Status::UnprocessableEntity,
            "hashtags",
        ),
        (
            "hashtags",
            json!(["<script>"]),
            Status::UnprocessableEntity,
            "hashtags",
        ),
        (
            "platforms",
            json!([]),
            Status::UnprocessableEntity,
            "platforms",
        ),
        (
            "platforms",
            json!(["myspace"]),
            Status::UnprocessableEntity,
            "platforms",
        ),
        (
            "category",
            json!("propaganda"),
            Status::UnprocessableEntity,
            "category",
        ),
        (
            "deadline",
            json!("besok"),
            Status::UnprocessableEntity,
            "deadline",
        ),
        (
            "deadline",
            json!((Utc::now() - Duration::hours(1)).to_rfc3339()),
            Status::UnprocessableEntity,
            "deadline",
        ),
        (
            "status",
            json!("scheduled"),
            Status::UnprocessableEntity,
            "publish_at",
        ),
        // Units and templates out of reach answer as ones that do not exist: a conflict
        // at the field, so ids cannot be probed.
        (
            "work_unit_ids",
            json!([other_unit]),
            Status::Conflict,
            "work_unit_ids",
        ),
        (
            "work_unit_ids",
            json!([999_999]),
            Status::Conflict,
            "work_unit_ids",
        ),
        (
            "template_ids",
            json!([other_template]),
            Status::Conflict,
            "template_ids",
        ),
    ];
    for (field, value, status, error_field) in cases {
        let mut body = brief_body("Uji", &[], &[]);
        body[field] = value.clone();
        let (got, answer) = json(
            app.send_api("POST", "/api/v1/briefs", Some(&w.coordinator), &body)
                .await,
        )
        .await;
        assert_eq!(
            got,
            status,
            "{field} = {}: {answer}",
            value.to_string().chars().take(60).collect::<String>()
        );
        if !error_field.is_empty() {
            assert!(
                answer["fields"][error_field].is_array(),
                "{field}: the error names {error_field}: {answer}"
            );
        }
    }
    // A deadline before a scheduled publish time.
    let mut body = brief_body("Uji", &[], &[]);
    body["status"] = json!("scheduled");
    body["publish_at"] = json!((Utc::now() + Duration::days(3)).to_rfc3339());
    let (got, answer) = json(
        app.send_api("POST", "/api/v1/briefs", Some(&w.coordinator), &body)
            .await,
    )
    .await;
    assert_eq!(got, Status::UnprocessableEntity);
    assert!(
        answer["fields"]["deadline"][0]
            .as_str()
            .unwrap()
            .contains("waktu terbit"),
        "{answer}"
    );
    assert_eq!(app.count("briefs").await, before, "nothing stored");

    // A published brief cannot go back to draft; the stored one is unchanged.
    let id = published(&app, &w.coordinator, &[], &[]).await;
    let mut back = brief_body("Kembali ke draf", &[], &[]);
    back["status"] = json!("draft");
    let path = format!("/api/v1/briefs/{id}");
    let (got, answer) = json(
        app.send_api("PUT", &path, Some(&w.coordinator), &back)
            .await,
    )
    .await;
    // Well formed, but the stored brief is out already: a conflict.
    assert_eq!(got, Status::Conflict, "{answer}");
    assert!(answer["fields"]["status"].is_array(), "{answer}");
    let (_, stored) = json(app.get_api(&path, Some(&w.coordinator)).await).await;
    assert_eq!(stored["title"], "Paspor lewat aplikasi");
    assert_eq!(stored["status"], "published");
}

#[rocket::async_test]
async fn a_past_week_can_be_recorded_without_telling_anyone() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let mut body = brief_body("Riwayat", &[], &[]);
    body["week"] = json!("2026-W10");
    body["publish_at"] = json!("2026-03-02T08:00");
    body["deadline"] = json!("2026-03-06T17:00");
    let (status, saved) = json(
        app.send_api("POST", "/api/v1/briefs", Some(&w.coordinator), &body)
            .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{saved}");
    assert_eq!(saved["publish_at"], "2026-03-02T01:00:00Z", "read in WIB");
    assert_eq!(app.count(BRIEF_NOTICES).await, 0);
    let (_, list) = json(
        app.get_api("/api/v1/briefs?week=2026-W10", Some(&w.b.1))
            .await,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(
        titles(&current(&app, &w.b.1).await).is_empty(),
        "not this week's"
    );
    let bad = app
        .get_api("/api/v1/briefs?week=2026-W99", Some(&w.b.1))
        .await;
    assert_eq!(bad.status(), Status::UnprocessableEntity);
}

#[rocket::async_test]
async fn html_in_every_field_is_shown_as_text() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let evil = "<script>alert(1)</script><b>tebal</b>";
    let mut body = brief_body(evil, &[], &[]);
    for f in ["key_messages", "dos", "donts", "sample"] {
        body[f] = json!(evil);
    }
    body["facts"] = json!([{"text": evil, "source": evil}]);
    let (status, saved) = json(
        app.send_api("POST", "/api/v1/briefs", Some(&w.coordinator), &body)
            .await,
    )
    .await;
    assert_eq!(status, Status::Created);
    assert_eq!(saved["title"], evil, "stored as typed");
    let id = saved["id"].as_i64().unwrap();
    for (path, token) in [
        (format!("/briefs/{id}"), &w.b.1),
        ("/".to_string(), &w.b.1),
        ("/briefs".to_string(), &w.coordinator),
        (format!("/briefs/{id}/edit"), &w.coordinator),
    ] {
        let (status, html) = text(app.page(&path, Some(token)).await).await;
        assert_eq!(status, Status::Ok, "{path}");
        assert!(!html.contains("<script>alert"), "{path} runs no script");
        assert!(!html.contains("<b>tebal"), "{path}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"),
            "{path} shows it as text"
        );
    }
}

#[rocket::async_test]
async fn the_crisis_switch_pauses_every_brief_and_resumes() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let id = published(&app, &w.coordinator, &[], &[]).await;
    let audit_before = app.count("audit_log").await;
    let empty = app
        .send_api(
            "POST",
            "/api/v1/briefs/pause-all",
            Some(&w.coordinator),
            &json!({"notice": " "}),
        )
        .await;
    assert_eq!(empty.status(), Status::UnprocessableEntity);
    let notice = "Tunda semua unggahan: ada bencana di Cianjur.";
    let (status, body) = json(
        app.send_api(
            "POST",
            "/api/v1/briefs/pause-all",
            Some(&w.coordinator),
            &json!({"notice": notice}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["paused"], true);
    let week = current(&app, &w.b.1).await;
    assert_eq!(week["paused_notice"], notice);
    assert!(titles(&week).is_empty());
    let (_, home) = text(app.page("/", Some(&w.b.1)).await).await;
    assert!(home.contains(notice) && !home.contains("Paspor lewat aplikasi"));
    let (_, page) = text(app.page(&format!("/briefs/{id}"), Some(&w.b.1)).await).await;
    assert!(page.contains(notice), "the brief page holds too");
    let (_, brief) = json(
        app.get_api(&format!("/api/v1/briefs/{id}"), Some(&w.coordinator))
            .await,
    )
    .await;
    assert_eq!(brief["paused"], true);
    let again = app
        .send_api(
            "POST",
            "/api/v1/briefs/pause-all",
            Some(&w.coordinator),
            &json!({"notice": notice}),
        )
        .await;
    assert_eq!(again.status(), Status::Conflict);

    // A brief published during the pause is not announced until the pause ends.
    let told = app.count("notifications").await;
    let during = published(&app, &w.coordinator, &[], &[]).await;
    assert_eq!(
        app.count("notifications").await,
        told,
        "nothing announced while paused"
    );
    let due = duta::briefs::service::due_briefs(&app.db).await.unwrap();
    assert_eq!(due, vec![during]);

    // A subtree coordinator cannot pull the institution's switch.
    let sub = app
        .user("coordinator", "sub@duta.test", Some(w.inst), Some(w.unit_a))
        .await;
    let sub = app.token(sub).await;
    let r = app
        .send_api("POST", "/api/v1/briefs/resume-all", Some(&sub), &json!({}))
        .await;
    assert_eq!(r.status(), Status::Forbidden);

    let (status, body) = json(
        app.send_api(
            "POST",
            "/api/v1/briefs/resume-all",
            Some(&w.coordinator),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(body["paused"], false);
    assert_eq!(titles(&current(&app, &w.b.1).await).len(), 2);
    let mailer = duta::notify::Mailer::disabled();
    duta::briefs::service::tell_if_due(&app.db, &mailer, during).await;
    assert_eq!(
        app.count("notifications").await,
        told + 2,
        "told after resuming"
    );
    let r = app
        .send_api(
            "POST",
            "/api/v1/briefs/resume-all",
            Some(&w.coordinator),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), Status::Conflict);
    assert_eq!(
        app.count("audit_log").await,
        audit_before + 3,
        "the pause, the brief written meanwhile and the resume are audited"
    );
    let _ = (w.unit_a1, w.unit_b);
}

#[rocket::async_test]
async fn templates_are_checked_and_scoped() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let post = |body: Value| {
        let app = &app;
        let token = w.coordinator.clone();
        async move {
            json(
                app.send_api("POST", "/api/v1/story-templates", Some(&token), &body)
                    .await,
            )
            .await
        }
    };
    let good = json!({"name": "Baru", "description": "", "body": "{{a}} {{b}}", "guidance": {"a": "x", "b": "y"}, "example": ""});
    let cases = [
        ("body", json!("Halo {{hook")),
        ("body", json!("{{../../etc}} {{a}}")),
        ("body", json!("tanpa bagian kosong")),
        ("name", json!("")),
    ];
    for (field, value) in cases {
        let mut body = good.clone();
        body[field] = value;
        let (status, answer) = post(body).await;
        assert_eq!(status, Status::UnprocessableEntity, "{answer}");
        assert!(answer["fields"][field].is_array(), "{answer}");
    }
    let mut missing = good.clone();
    missing["guidance"] = json!({"a": "x"});
    let (status, answer) = post(missing).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        answer["fields"]["guidance"][0]
            .as_str()
            .unwrap()
            .contains(": b"),
        "{answer}"
    );
    let mut extra = good.clone();
    extra["guidance"] = json!({"a": "x", "b": "y", "c": "z"});
    let (status, answer) = post(extra).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        answer["fields"]["guidance"][0]
            .as_str()
            .unwrap()
            .contains(": c"),
        "{answer}"
    );
    // A megabyte of text: refused (too large for the body limit, or too long), never a 500.
    let mut huge = good.clone();
    huge["body"] = json!(format!("{{{{a}}}} {{{{b}}}} {}", "x".repeat(1_000_000)));
    let (status, _) = text(
        app.send_api(
            "POST",
            "/api/v1/story-templates",
            Some(&w.coordinator),
            &huge,
        )
        .await,
    )
    .await;
    assert!(
        matches!(
            status,
            Status::PayloadTooLarge | Status::UnprocessableEntity
        ),
        "{status}"
    );
    assert_eq!(
        app.count("story_templates").await,
        5,
        "only the shipped five"
    );

    let (status, saved) = post(good).await;
    assert_eq!(status, Status::Created, "{saved}");
    assert_eq!(saved["blanks"], json!(["a", "b"]));
    let (_, list) = json(app.get_api("/api/v1/story-templates", Some(&w.b.1)).await).await;
    assert_eq!(list.as_array().unwrap().len(), 6);
    let shipped = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["shipped"] == true)
        .count();
    assert_eq!(shipped, 5);
    let outsider = app
        .user("ambassador", "luar@duta.test", Some(w.other), None)
        .await;
    let (_, list) = json(
        app.get_api("/api/v1/story-templates", Some(&app.token(outsider).await))
            .await,
    )
    .await;
    assert_eq!(
        list.as_array().unwrap().len(),
        5,
        "another institution's template is not shown"
    );
}

#[rocket::async_test]
async fn drafts_render_per_platform_with_tags_and_lengths() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let tpl = template(&app, &w.coordinator).await;
    let mut body = brief_body("Paspor", &[], &[tpl]);
    body["platforms"] = json!(["x", "instagram"]);
    let (_, brief) = json(
        app.send_api("POST", "/api/v1/briefs", Some(&w.coordinator), &body)
            .await,
    )
    .await;
    let brief_id = brief["id"].as_i64().unwrap();
    let render = |platform: &str, fields: Value, brief: Option<i64>| {
        let app = &app;
        let token = w.b.1.clone();
        let body = json!({"platform": platform, "fields": fields, "brief_id": brief});
        async move {
            json(
                app.send_api(
                    "POST",
                    &format!("/api/v1/story-templates/{tpl}/render"),
                    Some(&token),
                    &body,
                )
                .await,
            )
            .await
        }
    };
    let fields = json!({
        "hook": "Urus paspor sekarang cuma 15 menit 🙌",
        "cerita": "Kemarin saya coba sendiri di kantor imigrasi Jakarta Selatan.",
        "tautan": "https://www.imigrasi.go.id/layanan/paspor-elektronik-dan-polikarbonat"
    });
    let (status, x) = render("x", fields.clone(), Some(brief_id)).await;
    assert_eq!(status, Status::Ok, "{x}");
    let text_x = x["text"].as_str().unwrap();
    assert!(
        text_x.ends_with("#PasporMudah #LayananPrima @imigrasi"),
        "{text_x}"
    );
    assert_eq!(x["limit"], 280);
    assert_eq!(x["fits"], true);
    // The link counts 23 on X whatever its length; the emoji counts 2.
    let plain = text_x.replace(
        "https://www.imigrasi.go.id/layanan/paspor-elektronik-dan-polikarbonat",
        "",
    );
    assert_eq!(
        x["length"].as_u64().unwrap() as usize,
        plain.chars().count() + 23 + 1
    );
    let (_, ig) = render("instagram", fields.clone(), Some(brief_id)).await;
    assert_eq!(ig["limit"], 2200);
    assert_eq!(
        ig["length"].as_u64().unwrap() as usize,
        ig["text"].as_str().unwrap().chars().count()
    );

    // A platform the brief does not target, a blank the template does not have and a
    // brief out of reach are well formed but clash with what is stored (409, named); a
    // blank name that cannot be one and an unknown platform are malformed (422).
    let (status, answer) = render("facebook", fields.clone(), Some(brief_id)).await;
    assert_eq!(status, Status::Conflict);
    assert!(answer["fields"]["platform"].is_array());
    let (status, answer) = render("x", json!({"tidak_ada": "x"}), Some(brief_id)).await;
    assert_eq!(status, Status::Conflict);
    assert!(answer["fields"]["fields"].is_array());
    let (status, _) = render("x", json!({"../../etc": "x"}), Some(brief_id)).await;
    assert_eq!(status, Status::UnprocessableEntity);
    let (status, _) = render("myspace", fields.clone(), None).await;
    assert_eq!(status, Status::UnprocessableEntity);
    let hidden = published(&app, &w.coordinator, &[w.unit_a], &[]).await;
    let (status, answer) = render("x", fields.clone(), Some(hidden)).await;
    assert_eq!(status, Status::Conflict, "a brief for another unit");
    assert!(answer["fields"]["brief_id"].is_array());
    // Repeating the brief's sample wording earns the nudge.
    let copied =
        json!({"hook": "Sekarang urus paspor makin mudah dan cepat lewat aplikasi resmi."});
    let (_, nudged) = render("x", copied, Some(brief_id)).await;
    assert_eq!(nudged["nudge"], true);
    assert_eq!(x["nudge"], false);
    // 300 characters do not fit on X.
    let (_, long) = render("x", json!({"cerita": "a".repeat(300)}), None).await;
    assert_eq!(long["fits"], false);
}

#[rocket::async_test]
async fn a_coordinator_writes_a_brief_and_an_ambassador_composes_on_the_pages() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let deadline = (Utc::now() + Duration::days(2))
        .with_timezone(&chrono_tz::Asia::Jakarta)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let week = week_now();
    let mut fields = vec![
        ("title", "Layanan paspor"),
        ("week", "2026-W54"),
        ("category", "edukasi"),
        ("key_messages", "Paspor lewat aplikasi."),
        ("facts", "Rata-rata 15 menit | Ditjen Imigrasi"),
        ("hashtags", "PasporMudah, LayananPrima"),
        ("mentions", "imigrasi"),
        ("platforms", "x"),
        ("platforms", "instagram"),
        ("deadline", deadline.as_str()),
        ("priority", "normal"),
        ("status", "published"),
    ];
    let (status, html) = text(app.form("/briefs", Some(&w.coordinator), &fields).await).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        html.contains("tidak ada dalam kalender ISO"),
        "the message is by the field"
    );
    assert!(
        html.contains("value=\"Layanan paspor\""),
        "what was typed stays"
    );
    assert!(html.contains("PasporMudah, LayananPrima"));
    fields[1] = ("week", week.as_str());
    let res = app.form("/briefs", Some(&w.coordinator), &fields).await;
    assert_eq!(res.status(), Status::SeeOther);
    let location = res.headers().get_one("Location").unwrap().to_string();
    let id: i64 = location.trim_start_matches("/briefs/").parse().unwrap();

    let (status, home) = text(app.page("/", Some(&w.b.1)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(home.contains("Layanan paspor") && home.contains(&format!("/briefs/{id}")));
    assert!(home.contains("Belum ada draf"));

    let shipped = entity::story_templates::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.slug.as_deref() == Some("masalah-solusi-manfaat"))
        .unwrap();
    let compose = format!("/briefs/{id}/compose");
    let (status, page) = text(
        app.page(&format!("{compose}?template={}", shipped.id), Some(&w.b.1))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("name=\"fields[masalah]\""));
    let tid = shipped.id.to_string();
    let filled = [
        ("template_id", tid.as_str()),
        ("fields[masalah]", "Dulu antre paspor setengah hari."),
        ("fields[solusi]", "Sekarang daftar lewat aplikasi M-Paspor."),
        ("fields[manfaat]", "Saya selesai dalam 15 menit."),
        ("fields[ajakan]", "Coba juga, ya!"),
    ];
    let (status, page) = text(app.form(&compose, Some(&w.b.1), &filled).await).await;
    assert_eq!(status, Status::Ok);
    // Tera writes `/` as `&#x2F;`; the browser reads it back.
    let page = page.replace("&#x2F;", "/");
    assert!(page.contains("id=\"d-x\"") && page.contains("id=\"d-instagram\""));
    assert!(
        !page.contains("id=\"d-facebook\""),
        "only the brief's platforms"
    );
    assert!(page.contains("/ 280 karakter") && page.contains("/ 2200 karakter"));
    assert!(page.contains("https://wa.me/?text=Dulu%20antre"));
    let mut save = filled.to_vec();
    save.push(("save", "x"));
    let res = app.form(&compose, Some(&w.b.1), &save).await;
    assert_eq!(res.status(), Status::SeeOther);
    assert_eq!(app.count("drafts").await, 1);
    // Back on the composer with the saved draft filled in again; someone else's is 404.
    let location = res.headers().get_one("Location").unwrap().to_string();
    assert!(location.contains("&draft="), "{location}");
    // The browser keeps the fragment (#drafts) to itself.
    let location = location.split('#').next().unwrap().to_string();
    let (status, again) = text(app.page(&location, Some(&w.b.1)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(again.contains(">Dulu antre paspor setengah hari.</textarea>"));
    assert!(again.contains("id=\"d-x\""), "the drafts are shown again");
    assert_eq!(
        app.page(&location, Some(&w.a1.1)).await.status(),
        Status::NotFound
    );
    let (_, home) = text(app.page("/", Some(&w.b.1)).await).await;
    assert!(
        home.contains("1 draf tersimpan"),
        "the week shows the saved draft"
    );

    // Saving for a platform the brief does not target is refused, nothing stored.
    let mut wrong = filled.to_vec();
    wrong.push(("save", "facebook"));
    let res = app.form(&compose, Some(&w.b.1), &wrong).await;
    assert_eq!(res.status(), Status::UnprocessableEntity);
    assert_eq!(app.count("drafts").await, 1);
}

#[rocket::async_test]
async fn images_are_cropped_per_platform_and_served_to_the_audience() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let id = published(&app, &w.coordinator, &[w.unit_b], &[]).await;
    let images = format!("/api/v1/briefs/{id}/images");

    // Not an image, and a focal point off the picture: refused, nothing stored.
    let bad = app
        .upload(&images, &w.coordinator, "poster.png", b"<script>", None)
        .await;
    let (status, body) = json(bad).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(body["fields"]["file"].is_array(), "{body}");
    let off = app
        .page_multipart(
            &format!("/briefs/{id}/images"),
            Some(&w.coordinator),
            &[("focal_x", "150"), ("focal_y", "50")],
            &[("file", "poster.png", &crate::ambassadors::png(600, 400))],
        )
        .await;
    let (status, page) = text(off).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        page.contains("Isi angka 0 sampai 100"),
        "the message is by the field"
    );
    assert_eq!(
        (app.count("media").await, app.stored_files().await.len()),
        (0, 0)
    );
    // The API's form is read as sent: a focal point that is not a number, a field given
    // twice, a field the form does not have, or no file at all is refused at that field,
    // and nothing is stored.
    let poster = crate::ambassadors::png(600, 400);
    for (fields, file, field) in [
        (vec![("focal_x", "kiri")], true, "focal_x"),
        (vec![("focal_y", "")], true, "focal_y"),
        (vec![("focal_x", "10"), ("focal_x", "90")], true, "focal_x"),
        (vec![("alt", "Poster"), ("alt", "Poster lain")], true, "alt"),
        (vec![("alt", "baris satu\nbaris dua")], true, "alt"),
        (vec![("caption", "Poster")], true, "caption"),
        (vec![("alt", "Poster")], false, "file"),
    ] {
        let file = file.then_some(("poster.png", poster.as_slice()));
        let (status, body) = json(
            app.upload_form(&images, &w.coordinator, &fields, file)
                .await,
        )
        .await;
        assert_eq!(status, Status::UnprocessableEntity, "{fields:?}: {body}");
        assert!(body["fields"][field].is_array(), "{fields:?}: {body}");
    }
    let (_, body) = json(
        app.upload_form(
            &images,
            &w.coordinator,
            &[("caption", "Poster")],
            Some(("poster.png", &poster)),
        )
        .await,
    )
    .await;
    assert!(
        body["fields"]["caption"][0]
            .as_str()
            .is_some_and(|m| m.contains("`caption` tidak dikenal")),
        "{body}"
    );
    assert_eq!(
        (app.count("media").await, app.stored_files().await.len()),
        (0, 0)
    );

    // A wide poster with its subject on the left: focal point at 10 % across.
    let page = app
        .page_multipart(
            &format!("/briefs/{id}/images"),
            Some(&w.coordinator),
            &[
                ("focal_x", "10"),
                ("focal_y", "50"),
                ("alt", "Poster layanan paspor"),
            ],
            &[("file", "poster.png", &crate::ambassadors::png(1600, 600))],
        )
        .await;
    assert_eq!(page.status(), Status::SeeOther);
    let (_, brief) = json(
        app.get_api(&format!("/api/v1/briefs/{id}"), Some(&w.b.1))
            .await,
    )
    .await;
    let image = &brief["images"][0];
    assert_eq!(image["focal_x"], 100);
    assert_eq!(
        image["variants"],
        json!(["facebook", "instagram_portrait", "instagram_square", "x"])
    );
    let image_id = image["id"].as_i64().unwrap();
    // Original, thumbnail and four variants.
    assert_eq!(app.stored_files().await.len(), 6);

    for (variant, size) in [
        ("instagram_square", (1080, 1080)),
        ("instagram_portrait", (1080, 1350)),
        ("x", (1600, 900)),
        ("facebook", (1200, 630)),
    ] {
        let res = app
            .page(
                &format!("/briefs/{id}/images/{image_id}/{variant}"),
                Some(&w.b.1),
            )
            .await;
        assert_eq!(res.status(), Status::Ok, "{variant}");
        assert_eq!(res.content_type(), Some(rocket::http::ContentType::JPEG));
        let disposition = res
            .headers()
            .get_one("Content-Disposition")
            .unwrap()
            .to_string();
        assert!(
            disposition.starts_with("attachment;") && disposition.contains(variant),
            "{disposition}"
        );
        let bytes = res.into_bytes().await.unwrap();
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!((img.width(), img.height()), size, "{variant}");
        assert!(
            !bytes.windows(4).any(|w| w == b"Exif"),
            "no EXIF in {variant}"
        );
    }

    // The zip holds every variant.
    let zip = app
        .page(&format!("/briefs/{id}/images.zip"), Some(&w.b.1))
        .await;
    assert_eq!(zip.status(), Status::Ok);
    let bytes = zip.into_bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut names: Vec<String> = (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(names
        .iter()
        .any(|n| n.contains("instagram_square-1080x1080")));

    // Someone outside the audience gets 404 for each.
    for path in [
        format!("/briefs/{id}/images/{image_id}/x"),
        format!("/briefs/{id}/images.zip"),
        format!("/briefs/{id}/images/{image_id}/thumb"),
    ] {
        assert_eq!(
            app.page(&path, Some(&w.a1.1)).await.status(),
            Status::NotFound,
            "{path}"
        );
    }
    assert_eq!(
        app.page(
            &format!("/briefs/{id}/images/{image_id}/nope"),
            Some(&w.b.1)
        )
        .await
        .status(),
        Status::NotFound
    );

    // Moving the focal point renders new variants and removes the old files.
    let before = app
        .page(
            &format!("/briefs/{id}/images/{image_id}/instagram_square"),
            Some(&w.b.1),
        )
        .await
        .into_bytes()
        .await
        .unwrap();
    let res = app
        .form(
            &format!("/briefs/{id}/images/{image_id}/focal"),
            Some(&w.coordinator),
            &[("focal_x", "90"), ("focal_y", "50")],
        )
        .await;
    assert_eq!(res.status(), Status::SeeOther);
    let after = app
        .page(
            &format!("/briefs/{id}/images/{image_id}/instagram_square"),
            Some(&w.b.1),
        )
        .await
        .into_bytes()
        .await
        .unwrap();
    assert_ne!(before, after, "the square crop moved");
    assert_eq!(app.stored_files().await.len(), 6, "old variants removed");
}

/// The ambassador's week is kept between requests, but a scheduled brief appears in it
/// when its time comes, with no write in between, and the ambassador's own draft shows in
/// the very next request.
#[rocket::async_test]
async fn a_kept_week_shows_a_scheduled_brief_when_its_time_comes() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    published(&app, &w.coordinator, &[], &[]).await;
    let publish_at = Utc::now() + Duration::seconds(2);
    let mut later = brief_body("Terjadwal sebentar lagi", &[], &[]);
    later["status"] = json!("scheduled");
    later["publish_at"] = json!(publish_at.to_rfc3339());
    let r = app
        .send_api("POST", "/api/v1/briefs", Some(&w.coordinator), &later)
        .await;
    assert_eq!(r.status(), Status::Created);
    // Read twice: the second answer is the kept one; the home page (kept rendered) too.
    assert_eq!(titles(&current(&app, &w.b.1).await).len(), 1);
    assert_eq!(titles(&current(&app, &w.b.1).await).len(), 1);
    for _ in 0..2 {
        let (status, home) = text(app.page("/", Some(&w.b.1)).await).await;
        assert_eq!(status, Status::Ok);
        assert!(home.contains("Paspor lewat aplikasi"));
        assert!(!home.contains("Terjadwal sebentar lagi"));
        assert!(home.contains("Kandidat 2") && !home.contains("Kandidat 1"));
    }
    // Another ambassador's home is their own, with their own name and form token.
    let (_, other_home) = text(app.page("/", Some(&w.a1.1)).await).await;
    assert!(other_home.contains("Kandidat 1") && !other_home.contains("Kandidat 2"));
    let wait = publish_at - Utc::now() + Duration::milliseconds(200);
    tokio::time::sleep(wait.to_std().unwrap_or_default()).await;
    let (_, home) = text(app.page("/", Some(&w.b.1)).await).await;
    assert!(
        home.contains("Terjadwal sebentar lagi"),
        "the kept home page shows the brief when its time comes"
    );
    assert_eq!(
        titles(&current(&app, &w.b.1).await),
        vec!["Paspor lewat aplikasi", "Terjadwal sebentar lagi"]
    );

    // The ambassador's own post is in the next answer, and that platform no longer waits.
    let week = current(&app, &w.b.1).await;
    let brief = week["briefs"][0]["id"].as_i64().unwrap();
    assert_eq!(
        week["briefs"][0]["waiting"],
        json!(["x", "instagram", "facebook"])
    );
    let (status, body) = json(
        app.send_api(
            "POST",
            "/api/v1/submissions",
            Some(&w.b.1),
            &json!({"brief_id": brief, "platform": "instagram",
                    "url": "https://www.instagram.com/p/Ckept01/",
                    "posted_at": (Utc::now() - Duration::minutes(1)).to_rfc3339()}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{body}");
    let week = current(&app, &w.b.1).await;
    assert_eq!(
        week["briefs"][0]["waiting"],
        json!(["x", "facebook"]),
        "{week}"
    );
    assert_eq!(week["briefs"][0]["submitted"].as_array().unwrap().len(), 1);
    // The own page lists the brief as still waiting for X and Facebook only.
    let (status, page) = text(app.page("/progress", Some(&w.b.1)).await).await;
    assert_eq!(status, Status::Ok);
    let waiting = page
        .split("Paspor lewat aplikasi</a> — ")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_default()
        .to_string();
    assert_eq!(waiting, "X (Twitter), Facebook", "{page}");
}
