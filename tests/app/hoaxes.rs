//! The counter-hoax desk: a report reaches its institution's triage list (and nobody
//! else's), reports of one hoax are one case and one notice however many arrive at once,
//! a coordinator decides, passes a case on, or turns it into an urgent clarification
//! brief that answers it when it comes out, and the reporter follows each step. Hostile
//! reports are refused beside their fields with nothing stored.

use rocket::http::{ContentType, Header, Status};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::support::{approve, json, text, TestApp};

struct World {
    inst: i64,
    other: i64,
    coordinator_id: i64,
    coordinator: String,
    /// A coordinator of unit B only.
    coordinator_b: String,
    outsider: String,
    national: String,
    admin: String,
    leadership: String,
    /// Approved ambassadors of unit A: (user id, token).
    people: Vec<(i64, String)>,
    /// A candidate not approved yet.
    pending: String,
}

async fn world(app: &TestApp, people: u32) -> World {
    let inst = app.institution("Kementerian Klarifikasi").await;
    let other = app.institution("Kementerian Tetangga").await;
    let unit_a = app.work_unit(inst, None, "Ditjen A").await;
    let unit_b = app.work_unit(inst, None, "Ditjen B").await;
    let coordinator_id = app
        .user(
            "coordinator",
            "koordinator@klarifikasi.test",
            Some(inst),
            None,
        )
        .await;
    let coordinator_b = app
        .user(
            "coordinator",
            "koordinator-b@klarifikasi.test",
            Some(inst),
            Some(unit_b),
        )
        .await;
    let outsider = app
        .user(
            "coordinator",
            "koordinator@tetangga.test",
            Some(other),
            None,
        )
        .await;
    let national = app
        .user("national", "nasional@bakohumas.test", None, None)
        .await;
    let admin = app
        .user("admin", "admin@klarifikasi.test", None, None)
        .await;
    let leadership = app
        .user("leadership", "pimpinan@klarifikasi.test", Some(inst), None)
        .await;
    let mut list = Vec::new();
    for n in 1..=people {
        let (amb, user) = app.candidate(inst, unit_a, n).await;
        approve(app, amb).await;
        list.push((user, app.token(user).await));
    }
    let (_, pending) = app.candidate(inst, unit_a, 90).await;
    World {
        inst,
        other,
        coordinator_id,
        coordinator: app.token(coordinator_id).await,
        coordinator_b: app.token(coordinator_b).await,
        outsider: app.token(outsider).await,
        national: app.token(national).await,
        admin: app.token(admin).await,
        leadership: app.token(leadership).await,
        people: list,
        pending: app.token(pending).await,
    }
}

/// A report through the API: text fields (a name may repeat) and an optional screenshot.
pub async fn report(
    app: &TestApp,
    token: &str,
    fields: &[(&str, &str)],
    screenshot: Option<&[u8]>,
) -> (Status, Value) {
    let boundary = "duta-hoax-boundary-51e2";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    if let Some(bytes) = screenshot {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"screenshot\"; filename=\"layar.png\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let ct = ContentType::new("multipart", "form-data").with_params(("boundary", boundary));
    json(
        app.client
            .post("/api/v1/hoax-reports")
            .header(ct)
            .header(Header::new("Authorization", format!("Bearer {token}")))
            .body(body)
            .dispatch()
            .await,
    )
    .await
}

const HOAX_LINKS: &str =
    "https://www.Hoaks-Contoh.id/berita/chip?utm_source=wa#atas\nhttps://twitter.com/penyebar/status/1861234567890123456?s=20";

async fn notices(app: &TestApp, user_id: i64, kind: &str) -> u64 {
    entity::notifications::Entity::find()
        .filter(entity::notifications::Column::UserId.eq(user_id))
        .filter(entity::notifications::Column::Kind.eq(kind))
        .count(&app.db)
        .await
        .unwrap()
}

#[rocket::async_test]
async fn a_report_reaches_its_coordinators_who_decide_clarify_and_answer_it() {
    let app = TestApp::spawn().await;
    let w = world(&app, 1).await;
    let (reporter_id, reporter) = (w.people[0].0, w.people[0].1.clone());
    let (status, mine) = report(
        &app,
        &reporter,
        &[
            ("links", HOAX_LINKS),
            ("platform", "whatsapp"),
            ("seen_where", "Grup WA alumni"),
            ("note", "Vaksin berisi chip pelacak\nberedar sejak pagi"),
        ],
        None,
    )
    .await;
    assert_eq!(status, Status::Created, "{mine}");
    assert_eq!(mine["state"], "new");
    assert_eq!(
        mine["links"],
        json!([
            "https://hoaks-contoh.id/berita/chip",
            "https://x.com/penyebar/status/1861234567890123456"
        ])
    );
    let case_id = mine["case_id"].as_i64().unwrap();

    // The institution's coordinator has it, and one notice; nobody else's list does.
    let (_, list) = json(
        app.get_api("/api/v1/hoax-cases", Some(&w.coordinator))
            .await,
    )
    .await;
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["items"][0]["summary"], "Vaksin berisi chip pelacak");
    assert_eq!(list["items"][0]["report_count"], 1);
    assert_eq!(notices(&app, w.coordinator_id, "hoax_reported").await, 1);
    for token in [&w.outsider, &w.national, &w.coordinator_b] {
        let (_, list) = json(app.get_api("/api/v1/hoax-cases", Some(token)).await).await;
        assert_eq!(list["total"], 0, "{list}");
        let resp = app
            .get_api(&format!("/api/v1/hoax-cases/{case_id}"), Some(token))
            .await;
        assert_eq!(resp.status(), Status::NotFound);
    }
    let (_, case) = json(
        app.get_api(
            &format!("/api/v1/hoax-cases/{case_id}"),
            Some(&w.coordinator),
        )
        .await,
    )
    .await;
    assert_eq!(case["reports"][0]["reporter_name"], "Kandidat 1", "{case}");
    assert_eq!(case["reports"][0]["seen_where"], "Grup WA alumni");

    // A clarification before the case is confirmed: 409.
    let resp = app
        .send_api(
            "POST",
            &format!("/api/v1/hoax-cases/{case_id}/clarification"),
            Some(&w.coordinator),
            &json!({}),
        )
        .await;
    assert_eq!(resp.status(), Status::Conflict);

    let (status, decided) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/hoax-cases/{case_id}/decide"),
            Some(&w.coordinator),
            &json!({"decision": "confirmed", "note": "Sudah dibantah Kemenkes."}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{decided}");
    assert_eq!(decided["state"], "confirmed");
    let (_, mine) = json(
        app.get_api("/api/v1/hoax-reports/mine", Some(&reporter))
            .await,
    )
    .await;
    assert_eq!(mine["items"][0]["state"], "confirmed", "{mine}");
    assert_eq!(
        mine["items"][0]["decision_note"],
        "Sudah dibantah Kemenkes."
    );
    assert_eq!(notices(&app, reporter_id, "hoax_update").await, 1);

    // The clarification: an urgent counter-narrative draft carrying the hoax's links.
    let (status, brief) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/hoax-cases/{case_id}/clarification"),
            Some(&w.coordinator),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{brief}");
    assert_eq!(brief["priority"], "urgent");
    assert_eq!(brief["category"], "kontra_narasi");
    assert_eq!(brief["status"], "draft");
    assert!(brief["title"]
        .as_str()
        .unwrap()
        .starts_with("Klarifikasi: Vaksin berisi chip"));
    let sources: Vec<&str> = brief["facts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["source"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            "https://hoaks-contoh.id/berita/chip",
            "https://x.com/penyebar/status/1861234567890123456"
        ]
    );
    assert_eq!(brief["template_ids"].as_array().unwrap().len(), 1);
    let deadline: chrono::DateTime<chrono::Utc> =
        brief["deadline"].as_str().unwrap().parse().unwrap();
    let hours = (deadline - chrono::Utc::now()).num_minutes();
    assert!(
        (350..=361).contains(&hours),
        "due in six hours: {hours} min"
    );
    let again = app
        .send_api(
            "POST",
            &format!("/api/v1/hoax-cases/{case_id}/clarification"),
            Some(&w.coordinator),
            &json!({}),
        )
        .await;
    assert_eq!(again.status(), Status::Conflict);

    // Published: the case is answered, the reporter is pointed to the brief, and the
    // decision cannot change any more.
    let brief_id = brief["id"].as_i64().unwrap();
    let mut body = brief.clone();
    let obj = body.as_object_mut().unwrap();
    for k in [
        "id",
        "institution_id",
        "audience",
        "state",
        "publish_at",
        "closed_at",
        "paused",
        "images",
        "created_at",
        "updated_at",
    ] {
        obj.remove(k);
    }
    obj.insert("status".into(), json!("published"));
    let (status, out) = json(
        app.send_api(
            "PUT",
            &format!("/api/v1/briefs/{brief_id}"),
            Some(&w.coordinator),
            &body,
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{out}");
    let (_, case) = json(
        app.get_api(
            &format!("/api/v1/hoax-cases/{case_id}"),
            Some(&w.coordinator),
        )
        .await,
    )
    .await;
    assert_eq!(case["state"], "answered", "{case}");
    assert_eq!(case["brief_id"], brief_id);
    let (_, mine) = json(
        app.get_api("/api/v1/hoax-reports/mine", Some(&reporter))
            .await,
    )
    .await;
    assert_eq!(mine["items"][0]["state"], "answered");
    assert_eq!(mine["items"][0]["brief_id"], brief_id);
    let told: Vec<entity::notifications::Model> = entity::notifications::Entity::find()
        .filter(entity::notifications::Column::UserId.eq(reporter_id))
        .filter(entity::notifications::Column::Kind.eq("hoax_update"))
        .all(&app.db)
        .await
        .unwrap();
    assert!(
        told.iter().any(|n| n.brief_id == Some(brief_id)),
        "{told:?}"
    );
    let resp = app
        .send_api(
            "POST",
            &format!("/api/v1/hoax-cases/{case_id}/decide"),
            Some(&w.coordinator),
            &json!({"decision": "not_hoax"}),
        )
        .await;
    assert_eq!(resp.status(), Status::Conflict);
    // The reporter's page says so, in Indonesian.
    let (status, page) = text(app.page("/hoaxes/mine", Some(&reporter)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Sudah diklarifikasi"), "{page}");
    assert!(page.contains(&format!("/briefs/{brief_id}")));
}

#[rocket::async_test]
async fn two_hundred_reports_of_one_hoax_at_once_are_one_case_and_one_notice() {
    let app = TestApp::spawn_with(&[("signup_max_per_ip", json!(1_000))]).await;
    let w = world(&app, 4).await;
    // The same story, spelled as people paste it.
    let spellings = [
        "https://hoaks-contoh.id/berita/chip",
        "hoaks-contoh.id/berita/chip?utm_source=whatsapp",
        "https://www.hoaks-contoh.id/berita/chip?fbclid=IwAR0",
        "http://HOAKS-CONTOH.ID/berita/chip#komentar",
    ];
    let calls = (0..200).map(|i| {
        let token = w.people[i % 4].1.clone();
        let link = spellings[i % spellings.len()];
        let app = &app;
        async move {
            report(
                app,
                &token,
                &[
                    ("links", link),
                    ("platform", "x"),
                    ("note", "Chip di vaksin"),
                ],
                None,
            )
            .await
        }
    });
    let answers = futures::future::join_all(calls).await;
    for (status, body) in &answers {
        assert_eq!(*status, Status::Created, "{body}");
    }
    assert_eq!(app.count("hoax_cases").await, 1);
    assert_eq!(app.count("hoax_reports").await, 200);
    let (_, list) = json(
        app.get_api("/api/v1/hoax-cases", Some(&w.coordinator))
            .await,
    )
    .await;
    assert_eq!(list["items"][0]["report_count"], 200, "{list}");
    // One notice for the coordinator, not two hundred.
    assert_eq!(notices(&app, w.coordinator_id, "hoax_reported").await, 1);

    // The same picture again (smaller, as a JPEG), with no link: the same case. Another
    // picture: a case of its own.
    let first = crate::integrity::picture(0, 640, 480, image::ImageFormat::Png);
    let same = crate::integrity::picture(0, 320, 240, image::ImageFormat::Jpeg);
    let other = crate::integrity::picture(1, 640, 480, image::ImageFormat::Png);
    let token = &w.people[0].1;
    let (s, a) = report(&app, token, &[("platform", "whatsapp")], Some(&first)).await;
    assert_eq!(s, Status::Created, "{a}");
    let (_, b) = report(&app, token, &[("platform", "whatsapp")], Some(&same)).await;
    let (_, c) = report(&app, token, &[("platform", "whatsapp")], Some(&other)).await;
    assert_eq!(a["case_id"], b["case_id"]);
    assert_ne!(a["case_id"], c["case_id"]);
    assert_eq!(b["report_count"], 2);
    assert!(b["has_screenshot"].as_bool().unwrap());
    assert_eq!(app.count("hoax_cases").await, 3);
    // Still one unread notice: a new case brings the unread one to the top.
    assert_eq!(notices(&app, w.coordinator_id, "hoax_reported").await, 1);
}

#[rocket::async_test]
async fn hostile_reports_are_refused_beside_their_fields_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let w = world(&app, 1).await;
    let token = &w.people[0].1;
    let media_before = app.count("media").await;
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![
                ("links", "javascript:alert(document.cookie)"),
                ("platform", "x"),
            ],
            "links",
        ),
        (
            vec![
                ("links", "data:text/html,<script>alert(1)</script>"),
                ("platform", "x"),
            ],
            "links",
        ),
        (
            vec![
                ("links", "a.id/1 b.id/2 c.id/3 d.id/4 e.id/5 f.id/6"),
                ("platform", "x"),
            ],
            "links",
        ),
        (vec![("platform", "x"), ("note", "tanpa bukti")], "links"),
        (
            vec![("links", "a.id/1"), ("platform", "myspace")],
            "platform",
        ),
        (vec![("links", "a.id/1")], "platform"),
        (
            vec![
                ("links", "a.id/1"),
                ("platform", "x"),
                ("seen_where", "baris\nkedua"),
            ],
            "seen_where",
        ),
        (
            vec![
                ("links", "a.id/1"),
                ("platform", "x"),
                ("platform", "facebook"),
            ],
            "platform",
        ),
        (
            vec![("links", "a.id/1"), ("platform", "x"), ("extra", "1")],
            "extra",
        ),
    ];
    for (fields, field) in cases {
        let (status, body) = report(&app, token, &fields, None).await;
        assert_eq!(status, Status::UnprocessableEntity, "{fields:?}: {body}");
        assert!(body["fields"][field].is_array(), "{fields:?}: {body}");
    }
    // Not an image, and 30 MB.
    let (status, body) = report(&app, token, &[("platform", "x")], Some(b"not an image")).await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert!(body["fields"]["screenshot"].is_array(), "{body}");
    let huge = vec![0u8; 30 * 1024 * 1024];
    let (status, body) = report(
        &app,
        token,
        &[("links", "a.id/1"), ("platform", "x")],
        Some(&huge),
    )
    .await;
    assert_eq!(status, Status::PayloadTooLarge, "{body}");
    assert_eq!(app.count("hoax_reports").await, 0);
    assert_eq!(app.count("hoax_cases").await, 0);
    assert_eq!(app.count("media").await, media_before);
    // Who may not report: a candidate not approved, leadership, national; anonymous.
    for t in [&w.pending, &w.leadership, &w.national] {
        let (status, _) = report(&app, t, &[("links", "a.id/1"), ("platform", "x")], None).await;
        assert_eq!(status, Status::Forbidden);
    }
    let resp = app.client.post("/api/v1/hoax-reports").dispatch().await;
    assert_eq!(resp.status(), Status::Unauthorized);
    assert_eq!(app.count("hoax_reports").await, 0);

    // The page: the message beside the field, in Indonesian, with what was typed kept.
    let resp = app
        .page_multipart(
            "/hoaxes",
            Some(token),
            &[
                ("links", "javascript:alert(1)"),
                ("platform", "whatsapp"),
                ("seen_where", "Grup RT 05"),
                ("note", "Catatan saya tetap ada"),
            ],
            &[],
        )
        .await;
    let (status, page) = text(resp).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("Tautan harus berupa alamat web"), "{page}");
    assert!(page.contains("Catatan saya tetap ada"));
    assert!(page.contains("value=\"Grup RT 05\""));
    assert!(page.contains("<option value=\"whatsapp\" selected>"));
    assert!(!page.contains("<script>alert"));
    assert_eq!(app.count("hoax_reports").await, 0);
    // And a report through the page lands in "my reports".
    let resp = app
        .page_multipart(
            "/hoaxes",
            Some(token),
            &[
                ("links", "https://hoaks.id/x"),
                ("platform", "tiktok"),
                ("note", ""),
            ],
            &[("screenshot", "layar.png", &crate::ambassadors::png(80, 60))],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    assert_eq!(resp.headers().get_one("Location"), Some("/hoaxes/mine"));
    let (_, page) = text(app.page("/hoaxes/mine", Some(token)).await).await;
    // Tera escapes the slashes of what a person typed.
    assert!(
        page.contains("https:&#x2F;&#x2F;hoaks.id&#x2F;x") && page.contains("TikTok"),
        "{page}"
    );
}

#[rocket::async_test]
async fn a_case_that_is_not_ours_goes_to_the_national_list_and_on_to_another_institution() {
    let app = TestApp::spawn().await;
    let w = world(&app, 1).await;
    let reporter = &w.people[0].1;
    let (_, mine) = report(
        &app,
        reporter,
        &[
            ("links", "https://tetangga-hoaks.id/a"),
            ("platform", "facebook"),
        ],
        None,
    )
    .await;
    let case_id = mine["case_id"].as_i64().unwrap();
    let forward = |to: Value, note: &str| json!({"to": to, "note": note});
    let path = format!("/api/v1/hoax-cases/{case_id}/forward");
    // Refusals beside their fields.
    for (body, field, status) in [
        (
            forward(json!("national"), "x"),
            "note",
            Status::UnprocessableEntity,
        ),
        // An institution that does not exist, and the list it lies in already: what
        // the programme holds, 409.
        (
            forward(json!("999999"), "Bukan urusan kami"),
            "to",
            Status::Conflict,
        ),
        (
            forward(json!(w.inst.to_string()), "Bukan urusan kami"),
            "to",
            Status::Conflict,
        ),
        (
            forward(json!("semua"), "Bukan urusan kami"),
            "to",
            Status::UnprocessableEntity,
        ),
    ] {
        let (s, out) = json(
            app.send_api("POST", &path, Some(&w.coordinator), &body)
                .await,
        )
        .await;
        assert_eq!(s, status, "{body}: {out}");
        assert!(out["fields"][field].is_array(), "{out}");
    }
    let resp = app
        .send_api(
            "POST",
            &path,
            Some(&w.coordinator),
            &forward(json!("national"), "Isu lintas kementerian"),
        )
        .await;
    assert_eq!(resp.status(), Status::NoContent);
    // It left the coordinator's list and reached the national one.
    let resp = app
        .get_api(
            &format!("/api/v1/hoax-cases/{case_id}"),
            Some(&w.coordinator),
        )
        .await;
    assert_eq!(resp.status(), Status::NotFound);
    let (_, case) = json(
        app.get_api(&format!("/api/v1/hoax-cases/{case_id}"), Some(&w.national))
            .await,
    )
    .await;
    assert_eq!(case["state"], "new");
    assert_eq!(case["forwarded"], true);
    assert_eq!(case["owner_institution"], Value::Null);
    assert_eq!(case["forward_note"], "Isu lintas kementerian");
    // National users see reporters' names; the reporter sees where it went.
    assert_eq!(case["reports"][0]["reporter_name"], "Kandidat 1");
    let (_, mine) = json(
        app.get_api("/api/v1/hoax-reports/mine", Some(reporter))
            .await,
    )
    .await;
    assert_eq!(mine["items"][0]["forwarded_to_national"], true, "{mine}");
    // National passes it on to the neighbouring institution, whose coordinators see it
    // (without the names of another institution's people).
    let resp = app
        .send_api(
            "POST",
            &path,
            Some(&w.national),
            &forward(
                json!(w.other.to_string()),
                "Ini wewenang Kementerian Tetangga",
            ),
        )
        .await;
    assert_eq!(resp.status(), Status::NoContent);
    let (_, case) = json(
        app.get_api(&format!("/api/v1/hoax-cases/{case_id}"), Some(&w.outsider))
            .await,
    )
    .await;
    assert_eq!(case["owner_institution"], "Kementerian Tetangga", "{case}");
    assert_eq!(case["reports"][0]["reporter_name"], Value::Null);
    assert_eq!(case["reports"][0]["institution"], "Kementerian Klarifikasi");
    let (_, mine) = json(
        app.get_api("/api/v1/hoax-reports/mine", Some(reporter))
            .await,
    )
    .await;
    assert_eq!(mine["items"][0]["forwarded_to"], "Kementerian Tetangga");
    // Every step is audited.
    let forwards = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq("hoax.forward"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(forwards, 2);
}

#[rocket::async_test]
async fn a_unit_coordinator_triages_the_reports_of_their_subtree_only() {
    let app = TestApp::spawn().await;
    let w = world(&app, 1).await;
    let (_, from_a) = report(
        &app,
        &w.people[0].1,
        &[("links", "https://hoaks.id/unit-a"), ("platform", "x")],
        None,
    )
    .await;
    // A coordinator of unit B reports one of their own.
    let (status, from_b) = report(
        &app,
        &w.coordinator_b,
        &[("links", "https://hoaks.id/unit-b"), ("platform", "x")],
        None,
    )
    .await;
    assert_eq!(status, Status::Created, "{from_b}");
    let (_, list) = json(
        app.get_api("/api/v1/hoax-cases", Some(&w.coordinator_b))
            .await,
    )
    .await;
    let ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [from_b["case_id"].as_i64().unwrap()]);
    let resp = app
        .get_api(
            &format!("/api/v1/hoax-cases/{}", from_a["case_id"]),
            Some(&w.coordinator_b),
        )
        .await;
    assert_eq!(resp.status(), Status::NotFound);
    // The institution's coordinator and the admin see both.
    for token in [&w.coordinator, &w.admin] {
        let (_, list) = json(app.get_api("/api/v1/hoax-cases", Some(token)).await).await;
        assert_eq!(list["total"], 2);
    }
}

#[rocket::async_test]
async fn the_triage_pages_decide_and_filter_in_the_readers_language() {
    let app = TestApp::spawn().await;
    let w = world(&app, 1).await;
    let (_, mine) = report(
        &app,
        &w.people[0].1,
        &[
            ("links", "https://hoaks.id/banjir"),
            ("platform", "whatsapp"),
            ("note", "Tanggul jebol"),
        ],
        None,
    )
    .await;
    let case_id = mine["case_id"].as_i64().unwrap();
    let (status, page) = text(app.page("/hoaxes", Some(&w.coordinator)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains("Tanggul jebol") && page.contains("Laporan hoaks"),
        "{page}"
    );
    // An ambassador does not triage.
    assert_eq!(
        app.page("/hoaxes", Some(&w.people[0].1)).await.status(),
        Status::Forbidden
    );
    // A decision without a choice: the case page again, the message beside the field.
    let (status, page) = text(
        app.form(
            &format!("/hoaxes/{case_id}/decide"),
            Some(&w.coordinator),
            &[("note", "catatan yang diketik")],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        page.contains("Pilih: hoaks atau bukan hoaks.") && page.contains("catatan yang diketik")
    );
    let resp = app
        .form(
            &format!("/hoaxes/{case_id}/decide"),
            Some(&w.coordinator),
            &[("decision", "not_hoax"), ("note", "Foto lama 2019")],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (_, page) = text(
        app.page("/hoaxes?state=not_hoax", Some(&w.coordinator))
            .await,
    )
    .await;
    assert!(page.contains("Tanggul jebol") && page.contains("Bukan hoaks"));
    let (_, page) = text(app.page("/hoaxes", Some(&w.coordinator)).await).await;
    assert!(!page.contains("Tanggul jebol"), "not open any more");
    let (status, _) = text(app.page("/hoaxes?state=bogus", Some(&w.coordinator)).await).await;
    assert_eq!(status, Status::UnprocessableEntity);
    let (status, _) = text(app.page("/hoaxes?page=0", Some(&w.coordinator)).await).await;
    assert_eq!(status, Status::UnprocessableEntity);
    // The clarification of a case that is not a hoax: back to the case with the reason.
    let resp = app
        .form(
            &format!("/hoaxes/{case_id}/clarify"),
            Some(&w.coordinator),
            &[],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    assert_eq!(
        resp.headers().get_one("Location").map(str::to_string),
        Some(format!("/hoaxes/{case_id}"))
    );
}
