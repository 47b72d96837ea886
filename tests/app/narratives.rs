//! The national narrative that cascades: a national brief reaches the institutions of its
//! kinds and regions (and no other), each institution adopts it once as its own brief
//! with local facts and wording or declines it with a reason, and the national page shows
//! the uptake per institution; hostile requests; a case of the national hoax list
//! answered by a national brief.

use chrono::{Duration, Utc};
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{json, Value};

use crate::submissions::submit;
use crate::support::{approve, json, text, TestApp};

fn national_body(title: &str) -> Value {
    json!({
        "title": title,
        "category": "kontra_narasi",
        "key_messages": "Bansos tidak dipungut biaya apa pun.",
        "facts": [{"text": "Penyaluran lewat bank Himbara", "source": "Kemensos 2026"}],
        "platforms": ["instagram", "x"],
        "deadline": (Utc::now() + Duration::hours(12)).to_rfc3339(),
        "priority": "urgent",
    })
}

struct World {
    national: String,
    jabar: i64,
    jabar_coordinator: String,
    jabar_unit_coordinator: String,
    bandung: i64,
    bandung_coordinator: String,
    bali_coordinator: String,
    jabar_people: Vec<String>,
}

async fn world(app: &TestApp) -> World {
    let jabar = app
        .institution_of("Pemprov Jawa Barat", "province", Some("jawa-barat"))
        .await;
    let bandung = app
        .institution_of("Pemkot Bandung", "city", Some("jawa-barat"))
        .await;
    let bali = app
        .institution_of("Pemprov Bali", "province", Some("bali"))
        .await;
    let pusat = app.institution("Kementerian Pusat").await;
    let jabar_unit = app.work_unit(jabar, None, "Diskominfo").await;
    let bandung_unit = app.work_unit(bandung, None, "Bagian Humas").await;
    let _ = app.work_unit(pusat, None, "Biro Humas").await;
    let token = |id| app.token(id);
    let national = token(app.user("national", "nasional@duta.test", None, None).await).await;
    let jabar_coordinator = token(
        app.user("coordinator", "humas@jabarprov.go.id", Some(jabar), None)
            .await,
    )
    .await;
    let jabar_unit_coordinator = token(
        app.user(
            "coordinator",
            "diskominfo@jabarprov.go.id",
            Some(jabar),
            Some(jabar_unit),
        )
        .await,
    )
    .await;
    let bandung_coordinator = token(
        app.user("coordinator", "humas@bandung.go.id", Some(bandung), None)
            .await,
    )
    .await;
    let bali_coordinator = token(
        app.user("coordinator", "humas@baliprov.go.id", Some(bali), None)
            .await,
    )
    .await;
    let mut jabar_people = Vec::new();
    for n in 1..=2 {
        let (amb, user) = app.candidate(jabar, jabar_unit, n).await;
        approve(app, amb).await;
        jabar_people.push(app.token(user).await);
    }
    let (amb, _) = app.candidate(bandung, bandung_unit, 9).await;
    approve(app, amb).await;
    World {
        national,
        jabar,
        jabar_coordinator,
        jabar_unit_coordinator,
        bandung,
        bandung_coordinator,
        bali_coordinator,
        jabar_people,
    }
}

async fn publish(app: &TestApp, token: &str, body: &Value) -> (Status, Value) {
    json(
        app.send_api("POST", "/api/v1/national-briefs", Some(token), body)
            .await,
    )
    .await
}

fn row(view: &Value, institution: i64) -> Value {
    view["uptake"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["institution_id"] == institution)
        .cloned()
        .unwrap_or(Value::Null)
}

#[rocket::async_test]
async fn a_national_brief_cascades_to_the_institutions_it_chose_which_adopt_or_decline_it() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let mut body = national_body("Bansos tanpa pungutan");
    body["kinds"] = json!(["province", "city"]);
    body["regions"] = json!(["jawa-barat"]);
    let (status, brief) = publish(&app, &w.national, &body).await;
    assert_eq!(status, Status::Created, "{brief}");
    let id = brief["id"].as_i64().unwrap();
    // Jawa Barat's province and city; not Bali's province nor the ministry.
    assert_eq!(
        brief["summary"],
        json!({"institutions": 2, "adopted": 0, "declined": 0, "waiting": 2, "declined_by_all": false})
    );
    assert_eq!(row(&brief, w.jabar)["state"], "waiting");
    assert_eq!(row(&brief, w.bandung)["state"], "waiting");
    // Each reached institution's coordinators are told, once; no one else.
    let told = |email: &'static str| {
        let db = app.db.clone();
        async move {
            let user = entity::users::Entity::find()
                .filter(entity::users::Column::Email.eq(email))
                .one(&db)
                .await
                .unwrap()
                .unwrap();
            entity::notifications::Entity::find()
                .filter(entity::notifications::Column::UserId.eq(user.id))
                .filter(entity::notifications::Column::Kind.eq("national_brief"))
                .count(&db)
                .await
                .unwrap()
        }
    };
    assert_eq!(told("humas@jabarprov.go.id").await, 1);
    assert_eq!(told("humas@bandung.go.id").await, 1);
    assert_eq!(told("humas@baliprov.go.id").await, 0);

    // Bali's coordinator does not see it: 404, and an empty list.
    let path = format!("/api/v1/national-briefs/{id}");
    let resp = app.get_api(&path, Some(&w.bali_coordinator)).await;
    assert_eq!(resp.status(), Status::NotFound);
    let (_, list) = json(
        app.get_api("/api/v1/national-briefs", Some(&w.bali_coordinator))
            .await,
    )
    .await;
    assert_eq!(list["total"], 0);
    let resp = app
        .send_api(
            "POST",
            &format!("{path}/adoption"),
            Some(&w.bali_coordinator),
            &json!({}),
        )
        .await;
    assert_eq!(resp.status(), Status::NotFound);
    // Jawa Barat's inbox has it, waiting; a unit's coordinator reads it but does not answer.
    let (_, list) = json(
        app.get_api("/api/v1/national-briefs", Some(&w.jabar_coordinator))
            .await,
    )
    .await;
    assert_eq!(list["items"][0]["id"], id, "{list}");
    assert_eq!(list["items"][0]["my_state"], "waiting");
    let resp = app
        .send_api(
            "POST",
            &format!("{path}/adoption"),
            Some(&w.jabar_unit_coordinator),
            &json!({}),
        )
        .await;
    assert_eq!(resp.status(), Status::Forbidden);

    // Jawa Barat adopts with its own facts and words: its brief is out to its ambassadors.
    let (status, adopted) = json(
        app.send_api(
            "POST",
            &format!("{path}/adoption"),
            Some(&w.jabar_coordinator),
            &json!({
                "local_key_messages": "Di Jawa Barat, aduan lewat Jabar Saber Hoaks.",
                "local_facts": [{"text": "1,2 juta penerima di Jawa Barat", "source": "Dinsos Jabar"}],
                "sample": "Warga Jabar, bansos itu gratis!",
            }),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{adopted}");
    assert_eq!(adopted["state"], "adopted");
    let local = adopted["brief_id"].as_i64().unwrap();
    let (status, seen) = json(
        app.get_api(&format!("/api/v1/briefs/{local}"), Some(&w.jabar_people[0]))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{seen}");
    assert_eq!(seen["priority"], "urgent");
    assert!(seen["key_messages"]
        .as_str()
        .unwrap()
        .ends_with("Di Jawa Barat, aduan lewat Jabar Saber Hoaks."));
    assert_eq!(seen["facts"].as_array().unwrap().len(), 2, "{seen}");
    assert_eq!(seen["sample"], "Warga Jabar, bansos itu gratis!");
    // Adopting twice, or declining what was adopted: 409, nothing changed.
    for (what, body) in [
        ("adoption", json!({})),
        ("decline", json!({"reason": "Berubah pikiran"})),
    ] {
        let resp = app
            .send_api(
                "POST",
                &format!("{path}/{what}"),
                Some(&w.jabar_coordinator),
                &body,
            )
            .await;
        assert_eq!(resp.status(), Status::Conflict, "{what}");
    }
    let local_briefs = entity::briefs::Entity::find()
        .filter(entity::briefs::Column::InstitutionId.eq(w.jabar))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(local_briefs, 1, "one brief however often it is adopted");

    // Bandung declines: a reason is required.
    let resp = app
        .send_api(
            "POST",
            &format!("{path}/decline"),
            Some(&w.bandung_coordinator),
            &json!({"reason": "   "}),
        )
        .await;
    assert_eq!(resp.status(), Status::UnprocessableEntity);
    let (status, declined) = json(
        app.send_api(
            "POST",
            &format!("{path}/decline"),
            Some(&w.bandung_coordinator),
            &json!({"reason": "Sudah ada klarifikasi wali kota"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{declined}");
    assert_eq!(declined["state"], "declined");

    // An ambassador of Jawa Barat posts; the national page shows the uptake.
    let (s, post) = submit(
        &app,
        &w.jabar_people[0],
        json!({"brief_id": local, "platform": "instagram",
               "url": "https://www.instagram.com/p/JabarBansos1/",
               "posted_at": Utc::now().to_rfc3339()}),
    )
    .await;
    assert_eq!(s, Status::Created, "{post}");
    let (status, view) = json(app.get_api(&path, Some(&w.national)).await).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(
        view["summary"],
        json!({"institutions": 2, "adopted": 1, "declined": 1, "waiting": 0, "declined_by_all": false})
    );
    let jabar = row(&view, w.jabar);
    assert_eq!(jabar["reached"], 2, "{jabar}");
    assert_eq!(jabar["posts"], 1);
    assert!(jabar["time_to_amplify_minutes"].as_f64().unwrap() < 5.0);
    assert_eq!(
        row(&view, w.bandung)["reason"],
        "Sudah ada klarifikasi wali kota"
    );
    assert_eq!(view["reached"], 2);
    assert_eq!(view["posts"], 1);
    // A coordinator sees their own institution's row only.
    let (_, mine) = json(app.get_api(&path, Some(&w.bandung_coordinator)).await).await;
    assert_eq!(mine["uptake"].as_array().unwrap().len(), 1);
    assert_eq!(mine["uptake"][0]["institution_id"], w.bandung);

    // The pages say the same.
    let (status, page) = text(
        app.page(&format!("/national-briefs/{id}"), Some(&w.national))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("1 mengadopsi · 1 menolak · 0 belum menjawab (dari 2 instansi)"));
    assert!(
        page.contains("Pemprov Jawa Barat") && page.contains("Sudah ada klarifikasi wali kota")
    );
    assert!(!page.contains("Pemprov Bali"));
    let (status, page) = text(
        app.page("/national-briefs", Some(&w.bandung_coordinator))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Bansos tanpa pungutan") && page.contains("Ditolak"));
}

#[rocket::async_test]
async fn the_pages_write_adopt_and_decline_with_messages_beside_the_fields() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    // The form keeps what was typed and says what is wrong, beside the field.
    let (status, page) = text(app.page("/national-briefs/new", Some(&w.national)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Jawa Barat") && page.contains("name=\"kinds\""));
    // The form as the national desk fills it, with a deadline and an addressee.
    let post = |deadline: String, field: &'static str, value: &'static str| {
        let token = w.national.clone();
        let app = &app;
        async move {
            let fields = [
                ("title", "Vaksin aman"),
                ("category", "kontra_narasi"),
                ("key_messages", "Vaksin sudah diuji."),
                ("platforms", "instagram"),
                ("deadline", deadline.as_str()),
                (field, value),
            ];
            app.form("/national-briefs", Some(&token), &fields).await
        }
    };
    let later = (Utc::now() + Duration::days(2))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let (status, page) = text(post("2020-01-01T10:00".into(), "kinds", "agency").await).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        page.contains("value=\"Vaksin aman\""),
        "what was typed stays"
    );
    assert!(page.contains("f-deadline-error"), "{page}");
    let (status, page) = text(post(later.clone(), "kinds", "agency").await).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        page.contains("Tidak ada instansi dengan jenis dan wilayah ini."),
        "{page}"
    );
    let resp = post(later, "regions", "jawa-barat").await;
    assert_eq!(resp.status(), Status::SeeOther);
    let location = resp.headers().get_one("Location").unwrap().to_string();
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();

    // Jawa Barat's coordinator: the page offers adopt and decline; a decline without a
    // reason is refused beside the field; too many local facts beside theirs.
    let (_, page) = text(
        app.page(
            &format!("/national-briefs/{id}"),
            Some(&w.jabar_coordinator),
        )
        .await,
    )
    .await;
    assert!(page.contains("Adopsi dan terbitkan") && page.contains("Tolak brief ini"));
    let (_, page) = text(
        app.page(
            &format!("/national-briefs/{id}"),
            Some(&w.jabar_unit_coordinator),
        )
        .await,
    )
    .await;
    assert!(
        !page.contains("Adopsi dan terbitkan"),
        "a unit's coordinator does not answer"
    );
    let resp = app
        .form(
            &format!("/national-briefs/{id}/decline"),
            Some(&w.jabar_coordinator),
            &[("reason", "")],
        )
        .await;
    let (status, page) = text(resp).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("f-reason-error"));
    let facts: String = (1..=21)
        .map(|n| format!("Fakta lokal {n} | Sumber {n}\n"))
        .collect();
    let resp = app
        .form(
            &format!("/national-briefs/{id}/adopt"),
            Some(&w.jabar_coordinator),
            &[("local_facts", &facts), ("sample", "Kata-kata kami")],
        )
        .await;
    let (status, page) = text(resp).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("f-local_facts-error") && page.contains("Kata-kata kami"));
    let resp = app
        .form(
            &format!("/national-briefs/{id}/adopt"),
            Some(&w.jabar_coordinator),
            &[("local_facts", "Posko vaksin di 27 kabupaten | Dinkes Jabar")],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let location = resp.headers().get_one("Location").unwrap().to_string();
    assert!(location.starts_with("/briefs/"), "{location}");
    // Bandung declines from its page; declined by every institution but Jawa Barat.
    let resp = app
        .form(
            &format!("/national-briefs/{id}/decline"),
            Some(&w.bandung_coordinator),
            &[("reason", "Tidak relevan untuk kota")],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    // In English too.
    let resp = app
        .client
        .get(format!("/national-briefs/{id}"))
        .cookie(rocket::http::Cookie::new(
            "duta_session",
            w.national.clone(),
        ))
        .cookie(rocket::http::Cookie::new("duta_lang", "en"))
        .dispatch()
        .await;
    let (_, page) = text(resp).await;
    assert!(
        page.contains("1 adopted · 1 declined · 0 not answered (of 2 institutions)"),
        "{page}"
    );
}

#[rocket::async_test]
async fn hostile_national_briefs_are_refused_and_a_brief_declined_by_all_says_so() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    for (field, patch) in [
        ("kinds", json!({"kinds": ["kerajaan"]})),
        ("regions", json!({"regions": ["atlantis"]})),
        ("kinds", json!({"kinds": ["agency"]})),
        (
            "deadline",
            json!({"deadline": (Utc::now() - Duration::hours(1)).to_rfc3339()}),
        ),
        (
            "title",
            json!({"title": "<script>alert(1)</script>".repeat(40)}),
        ),
    ] {
        let mut body = national_body("Hoaks gempa");
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, err) = publish(&app, &w.national, &body).await;
        assert_eq!(status, Status::UnprocessableEntity, "{patch}: {err}");
        assert!(err["fields"][field].is_array(), "{patch}: {err}");
    }
    // Unknown fields, and work units (a national brief has none): refused.
    let mut body = national_body("Hoaks gempa");
    body["work_unit_ids"] = json!([1]);
    let (status, _) = publish(&app, &w.national, &body).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(
        entity::national_briefs::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        0,
        "nothing stored"
    );
    // Only the national role writes; ambassadors do not read.
    let (status, _) = publish(&app, &w.jabar_coordinator, &national_body("x")).await;
    assert_eq!(status, Status::Forbidden);
    let resp = app
        .get_api("/api/v1/national-briefs", Some(&w.jabar_people[0]))
        .await;
    assert_eq!(resp.status(), Status::Forbidden);

    // Everyone in Jawa Barat declines: the national page says so.
    let mut body = national_body("Hoaks banjir");
    body["regions"] = json!(["jawa-barat"]);
    let (status, brief) = publish(&app, &w.national, &body).await;
    assert_eq!(status, Status::Created, "{brief}");
    let id = brief["id"].as_i64().unwrap();
    for token in [&w.jabar_coordinator, &w.bandung_coordinator] {
        let resp = app
            .send_api(
                "POST",
                &format!("/api/v1/national-briefs/{id}/decline"),
                Some(token),
                &json!({"reason": "Tidak terjadi di wilayah kami"}),
            )
            .await;
        assert_eq!(resp.status(), Status::Ok);
    }
    let (_, view) = json(
        app.get_api(&format!("/api/v1/national-briefs/{id}"), Some(&w.national))
            .await,
    )
    .await;
    assert_eq!(view["summary"]["declined_by_all"], true, "{view}");
    let (_, page) = text(
        app.page(&format!("/national-briefs/{id}"), Some(&w.national))
            .await,
    )
    .await;
    assert!(page.contains("Semua instansi yang dituju menolak brief ini."));

    // A national brief past its deadline is not adopted (409); too many local facts: 422.
    let (_, brief) = publish(&app, &w.national, &national_body("Hoaks listrik")).await;
    let id = brief["id"].as_i64().unwrap();
    let facts: Vec<Value> = (1..=20)
        .map(|n| json!({"text": format!("Fakta {n}"), "source": ""}))
        .collect();
    let resp = app
        .send_api(
            "POST",
            &format!("/api/v1/national-briefs/{id}/adoption"),
            Some(&w.jabar_coordinator),
            &json!({"local_facts": facts}),
        )
        .await;
    assert_eq!(resp.status(), Status::UnprocessableEntity);
    let mut m: entity::national_briefs::ActiveModel =
        entity::national_briefs::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .into();
    m.deadline = Set(Utc::now() - Duration::minutes(1));
    m.update(&app.db).await.unwrap();
    let resp = app
        .send_api(
            "POST",
            &format!("/api/v1/national-briefs/{id}/adoption"),
            Some(&w.jabar_coordinator),
            &json!({}),
        )
        .await;
    assert_eq!(resp.status(), Status::Conflict);
    let (_, view) = json(
        app.get_api(
            &format!("/api/v1/national-briefs/{id}"),
            Some(&w.jabar_coordinator),
        )
        .await,
    )
    .await;
    assert_eq!(view["uptake"][0]["state"], "waiting", "still to answer");
    let resp = app
        .get_api("/api/v1/national-briefs/999999", Some(&w.national))
        .await;
    assert_eq!(resp.status(), Status::NotFound);
}

#[rocket::async_test]
async fn a_case_of_the_national_list_is_answered_by_a_national_brief() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let (status, report) = crate::hoaxes::report(
        &app,
        &w.jabar_people[0],
        &[
            ("links", "https://x.com/hoaks/status/1234567890"),
            ("platform", "x"),
            ("note", "Bansos dipungut biaya"),
        ],
        None,
    )
    .await;
    assert_eq!(status, Status::Created, "{report}");
    let case = report["case_id"].as_i64().unwrap();
    // Jawa Barat passes it to the national list; the national desk confirms it.
    let resp = app
        .send_api(
            "POST",
            &format!("/api/v1/hoax-cases/{case}/forward"),
            Some(&w.jabar_coordinator),
            &json!({"to": "national", "note": "Isu nasional"}),
        )
        .await;
    assert_eq!(resp.status(), Status::NoContent);
    // Not confirmed yet: the form is refused.
    let resp = app
        .page(
            &format!("/national-briefs/new?case={case}"),
            Some(&w.national),
        )
        .await;
    assert_eq!(resp.status(), Status::Conflict);
    let resp = app
        .send_api(
            "POST",
            &format!("/api/v1/hoax-cases/{case}/decide"),
            Some(&w.national),
            &json!({"decision": "confirmed", "note": "Hoaks"}),
        )
        .await;
    assert_eq!(resp.status(), Status::Ok);
    // The case page offers the national answer; the form is filled in from the case.
    let (_, page) = text(
        app.page(&format!("/hoaxes/{case}"), Some(&w.national))
            .await,
    )
    .await;
    assert!(page.contains(&format!("/national-briefs/new?case={case}")));
    let (status, page) = text(
        app.page(
            &format!("/national-briefs/new?case={case}"),
            Some(&w.national),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains("x.com&#x2F;hoaks&#x2F;status&#x2F;1234567890"),
        "the hoax's link is a fact: {page}"
    );
    assert!(page.contains(&format!("name=\"hoax_case_id\" value=\"{case}\"")));
    // An institution's clarification is not for the national role.
    let resp = app
        .send_api(
            "POST",
            &format!("/api/v1/hoax-cases/{case}/clarification"),
            Some(&w.national),
            &json!({}),
        )
        .await;
    assert_eq!(resp.status(), Status::Forbidden);

    let mut body = national_body("Klarifikasi: bansos tidak dipungut biaya");
    body["hoax_case_id"] = json!(case);
    let (status, brief) = publish(&app, &w.national, &body).await;
    assert_eq!(status, Status::Created, "{brief}");
    assert_eq!(brief["hoax_case_id"], case);
    let (_, c) = json(
        app.get_api(&format!("/api/v1/hoax-cases/{case}"), Some(&w.national))
            .await,
    )
    .await;
    assert_eq!(c["state"], "answered", "{c}");
    // The reporter is told.
    let (_, mine) = json(
        app.get_api("/api/v1/hoax-reports/mine", Some(&w.jabar_people[0]))
            .await,
    )
    .await;
    assert_eq!(mine["items"][0]["state"], "answered", "{mine}");
    // Once: a second national brief for the case is 409, and nothing is stored.
    let (status, _) = publish(&app, &w.national, &body).await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(
        entity::national_briefs::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        1
    );
    // A case out of the national list's reach is 404 to the national role.
    let (_, other) = crate::hoaxes::report(
        &app,
        &w.jabar_people[1],
        &[("links", "https://x.com/lain/status/99"), ("platform", "x")],
        None,
    )
    .await;
    body["hoax_case_id"] = other["case_id"].clone();
    let (status, _) = publish(&app, &w.national, &body).await;
    assert_eq!(status, Status::NotFound);
}

#[rocket::async_test]
async fn an_institution_has_a_province_from_the_list_or_none() {
    let app = TestApp::spawn().await;
    let admin = app.user("admin", "admin@duta.test", None, None).await;
    let admin = app.token(admin).await;
    let (status, err) = json(
        app.send_api(
            "POST",
            "/api/v1/institutions",
            Some(&admin),
            &json!({"name": "Pemprov Atlantis", "kind": "province", "region": "atlantis"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(err["fields"]["region"].is_array(), "{err}");
    let (status, made) = json(
        app.send_api(
            "POST",
            "/api/v1/institutions",
            Some(&admin),
            &json!({"name": "Pemprov Bali", "kind": "province", "region": "bali"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{made}");
    assert_eq!(made["region"], "bali");
    let path = format!("/api/v1/institutions/{}", made["id"]);
    // Absent keeps it, a bad one is refused, empty clears it.
    let (_, kept) = json(
        app.send_api("PUT", &path, Some(&admin), &json!({"short_name": "Bali"}))
            .await,
    )
    .await;
    assert_eq!(kept["region"], "bali", "{kept}");
    let resp = app
        .send_api("PUT", &path, Some(&admin), &json!({"region": "<script>"}))
        .await;
    assert_eq!(resp.status(), Status::UnprocessableEntity);
    let (_, cleared) = json(
        app.send_api("PUT", &path, Some(&admin), &json!({"region": ""}))
            .await,
    )
    .await;
    assert_eq!(cleared["region"], Value::Null, "{cleared}");
    // The admin's page: the province beside the field, what was typed kept.
    let resp = app
        .form(
            "/admin/institutions",
            Some(&admin),
            &[
                ("name", "Pemkab Gianyar"),
                ("kind", "regency"),
                ("region", "mars"),
            ],
        )
        .await;
    let (status, page) = text(resp).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("f-region-error") && page.contains("value=\"Pemkab Gianyar\""));
    let resp = app
        .form(
            "/admin/institutions",
            Some(&admin),
            &[
                ("name", "Pemkab Gianyar"),
                ("kind", "regency"),
                ("region", "bali"),
            ],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (_, page) = text(app.follow(resp, Some(&admin)).await).await;
    assert!(page.contains("Kabupaten · Bali"), "{page}");
}
