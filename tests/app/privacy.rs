//! Personal data (UU PDP): the export holds all of a person's data and nothing of anyone
//! else's; corrections; withdrawal and the retention job; erasure leaves no personal data
//! anywhere in the database or the upload folder while the statistics keep their totals;
//! the NIP is sealed at rest.

use chrono::{Duration, Utc};
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, EntityTrait, FromQueryResult, JsonValue, Set, Statement};
use serde_json::{json, Value};

use crate::ambassadors::png;
use crate::submissions::{decide, posted_in, rebuild_corrections, submit};
use crate::support::{approve, json, text, TestApp, PASSWORD};

/// What identifies Kandidat `n` of `TestApp::signup_body`.
fn identity(n: u32) -> Vec<String> {
    vec![
        format!("Kandidat {n}"),
        format!("kandidat{n}@instansi.go.id"),
        format!("19860926201505200{}", n + 1),
        format!("+628123456000{n}"),
        format!("kandidat.fb.{n}"),
        format!("kandidat_x{n}"),
        format!("kandidat.ig{n}"),
    ]
}

struct People {
    inst: i64,
    coordinator: String,
    admin: String,
    /// (ambassador id, user id, token) of Kandidat 1 and Kandidat 2.
    a: (i64, i64, String),
    b: (i64, i64, String),
    brief: i64,
}

/// Two ambassadors with a screenshot, a verified X post, an Instagram post, a draft and a
/// leave each; every piece carries the person's own words so the tests can look for them.
async fn people(app: &TestApp) -> People {
    let inst = app.institution("Kementerian Privasi").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@privasi.test", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let admin = app.user("admin", "admin@privasi.test", None, None).await;
    let admin = app.token(admin).await;
    let brief = crate::briefs::published(app, &coordinator, &[], &[]).await;
    let mut out = Vec::new();
    for n in [1u32, 2] {
        let (amb, user) = app.candidate(inst, unit, n).await;
        let token = app.token(user).await;
        let resp = app
            .upload(
                "/api/v1/me/platforms/instagram/screenshot",
                &token,
                "profil.png",
                &png(64, 48),
                Some("640"),
            )
            .await;
        assert_eq!(resp.status(), Status::Ok);
        approve(app, amb).await;
        let posted = posted_in(0);
        let (s, x) = submit(
            app,
            &token,
            json!({"brief_id": brief, "platform": "x", "posted_at": posted.to_rfc3339(),
                   "url": format!("https://x.com/kandidat_x{n}/status/{}", 1_800_000_000_000_000_000u64 + u64::from(n)),
                   "likes": 10 * n, "comments": n}),
        )
        .await;
        assert_eq!(s, Status::Created, "{x}");
        let (s, ig) = submit(
            app,
            &token,
            json!({"brief_id": brief, "platform": "instagram", "posted_at": posted.to_rfc3339(),
                   "url": format!("https://www.instagram.com/p/PostOf{n}Kandidat/"), "likes": 5}),
        )
        .await;
        assert_eq!(s, Status::Created, "{ig}");
        let x_id = x["id"].as_i64().unwrap();
        if x["status"] != "verified" {
            let (s, body) = decide(app, &coordinator, x_id, "verify", "").await;
            assert_eq!(s, Status::Ok, "{body}");
        }
        let ig_id = ig["id"].as_i64().unwrap();
        let (s, body) = decide(app, &coordinator, ig_id, "verify", "").await;
        assert_eq!(s, Status::Ok, "{body}");
        // A hoax they reported, in their own words.
        let (s, body) = crate::hoaxes::report(
            app,
            &token,
            &[
                ("links", &format!("https://hoaks-privasi.id/{n}")),
                ("platform", "whatsapp"),
                ("seen_where", &format!("Grup keluarga kandidat {n}")),
                ("note", &format!("Laporan pribadi kandidat {n} soal hoaks")),
            ],
            None,
        )
        .await;
        assert_eq!(s, Status::Created, "{body}");
        entity::drafts::ActiveModel {
            user_id: Set(user),
            brief_id: Set(Some(brief)),
            template_id: Set(None),
            platform: Set("x".into()),
            fields: Set(json!({"cerita": format!("Cerita pribadi nomor {n}")}).to_string()),
            text: Set(format!("Draf pribadi Kandidat {n} tentang paspor")),
            created_at: Set(Utc::now()),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        entity::leaves::ActiveModel {
            ambassador_id: Set(amb),
            from_week: Set(crate::submissions::jakarta_monday(8)),
            to_week: Set(crate::submissions::jakarta_monday(7)),
            note: Set(format!("Cuti melahirkan Kandidat {n}")),
            recorded_by: Set(None),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        out.push((amb, user, token));
    }
    let b = out.pop().unwrap();
    let a = out.pop().unwrap();
    People {
        inst,
        coordinator,
        admin,
        a,
        b,
        brief,
    }
}

/// Every row of every table, as JSON text, one string per row.
async fn every_row(app: &TestApp) -> Vec<String> {
    let backend = app.db.get_database_backend();
    let tables = duta::backup::table_counts(&app.db).await.unwrap();
    let mut rows = Vec::new();
    for table in tables.keys() {
        let sql = format!("SELECT * FROM \"{table}\"");
        for row in JsonValue::find_by_statement(Statement::from_string(backend, sql))
            .all(&app.db)
            .await
            .unwrap_or_else(|e| panic!("read {table}: {e}"))
        {
            rows.push(format!("{table}: {row}"));
        }
    }
    rows
}

fn contains_bytes(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[rocket::async_test]
async fn the_export_holds_all_of_the_person_and_nothing_of_anyone_else() {
    let app = TestApp::spawn().await;
    let p = people(&app).await;
    let (status, export) = json(app.get_api("/api/v1/me/export", Some(&p.a.2)).await).await;
    assert_eq!(status, Status::Ok, "{export}");
    let text_of = export.to_string().to_lowercase();
    for mine in identity(1) {
        assert!(text_of.contains(&mine.to_lowercase()), "{mine} in {export}");
    }
    for other in identity(2) {
        assert!(
            !text_of.contains(&other.to_lowercase()),
            "{other} leaked: {export}"
        );
    }
    for words in [
        "postof1kandidat",
        "draf pribadi kandidat 1",
        "cerita pribadi nomor 1",
        "cuti melahirkan kandidat 1",
        "laporan pribadi kandidat 1 soal hoaks",
        "grup keluarga kandidat 1",
    ] {
        assert!(text_of.contains(words), "{words}");
    }
    assert_eq!(
        export["hoax_reports"][0]["links"],
        json!(["https://hoaks-privasi.id/1"])
    );
    for words in [
        "postof2kandidat",
        "kandidat 2",
        "nomor 2",
        "koordinator@privasi.test",
    ] {
        assert!(!text_of.contains(words), "{words} leaked");
    }
    let amb = &export["ambassador"];
    assert_eq!(amb["nip"], "198609262015052002");
    assert_eq!(amb["nip_masked"], "1986********2***");
    assert_eq!(
        amb["consent"]["version"],
        duta::ambassadors::forms::CONSENT_VERSION
    );
    assert!(amb["consent"]["text_id"]
        .as_str()
        .unwrap()
        .contains("UU 27/2022"));
    assert_eq!(export["submissions"].as_array().unwrap().len(), 2);
    assert_eq!(export["submissions"][0]["brief_id"], p.brief);
    assert_eq!(export["platforms"].as_array().unwrap().len(), 3);
    assert_eq!(export["media"].as_array().unwrap().len(), 1);
    assert!(export["weeks"].as_array().unwrap().len() == 1);
    // Who decided is not the person's data: the activity says only "not by me".
    let activity = export["activity"].as_array().unwrap();
    assert!(activity.iter().any(|a| a["by_me"] == true));
    assert!(activity
        .iter()
        .filter(|a| a["by_me"] == false)
        .all(|a| a["client_ip"].is_null()));

    // The page shows the same person, NIP masked, in Indonesian by default.
    let (status, page) = text(app.page("/me/data", Some(&p.a.2)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Data pribadi saya") && page.contains("Kandidat 1"));
    assert!(page.contains("1986********2***") && !page.contains("198609262015052002"));
    assert!(!page.contains("Kandidat 2"));
    // The download is the same data, as a file.
    let resp = app.page("/me/data/download", Some(&p.a.2)).await;
    assert_eq!(resp.status(), Status::Ok);
    let disposition = resp
        .headers()
        .get_one("Content-Disposition")
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment;") && disposition.contains(".json"));
    let file: Value = serde_json::from_str(&resp.into_string().await.unwrap()).unwrap();
    assert_eq!(file["ambassador"]["nip"], "198609262015052002");
    assert_eq!(file["submissions"], export["submissions"]);

    // Staff get their account and what they did, nothing of the ambassadors they acted on.
    let (status, staff) = json(app.get_api("/api/v1/me/export", Some(&p.coordinator)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(staff["ambassador"].is_null());
    let staff_text = staff.to_string();
    assert!(!staff_text.contains("Kandidat") && !staff_text.contains("kandidat"));
    assert!(!staff["activity"].as_array().unwrap().is_empty());
}

#[rocket::async_test]
async fn corrections_are_checked_kept_on_error_and_audited_without_values() {
    let app = TestApp::spawn().await;
    let p = people(&app).await;
    // Hostile input through the API: a foreign number, control characters, a 10 KB name.
    let long = "N".repeat(10_000);
    for (body, field) in [
        (
            json!({"name": "Kandidat Satu", "display_name": "Satu", "phone": "+1 202 555 0100"}),
            "phone",
        ),
        (
            json!({"name": "Kandidat\u{0}Satu", "display_name": "Satu", "phone": "0812 3456 7890"}),
            "name",
        ),
        (
            json!({"name": long, "display_name": "Satu", "phone": "0812 3456 7890"}),
            "name",
        ),
        (
            json!({"name": "Kandidat Satu", "display_name": "", "phone": "0812 3456 7890"}),
            "display_name",
        ),
    ] {
        let (status, err) = json(
            app.send_api("PUT", "/api/v1/me/profile", Some(&p.a.2), &body)
                .await,
        )
        .await;
        assert_eq!(status, Status::UnprocessableEntity, "{body}: {err}");
        assert!(err["fields"][field].is_array(), "{field}: {err}");
    }
    let (status, _) = json(
        app.send_api(
            "PUT",
            "/api/v1/me/profile",
            Some(&p.a.2),
            &json!({"phone": 1}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);

    // The page keeps what was typed and puts the message next to the field, in Indonesian.
    let resp = app
        .form(
            "/me/data",
            Some(&p.a.2),
            &[
                ("name", "Kandidat Satu Baru"),
                ("display_name", "Satu"),
                ("phone", "12ab"),
            ],
        )
        .await;
    let (status, page) = text(resp).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        page.contains("value=\"Kandidat Satu Baru\""),
        "typed name kept"
    );
    assert!(
        page.contains("id=\"f-phone-error\""),
        "message at the phone field"
    );
    let me = entity::users::Entity::find_by_id(p.a.1)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(me.name, "Kandidat 1", "nothing stored from a refused form");

    let (status, _) = json(
        app.send_api(
            "PUT",
            "/api/v1/me/profile",
            Some(&p.a.2),
            &json!({"name": "Kandidat Satu", "display_name": "Satu R.", "phone": "0813-1111-2222"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    let (_, export) = json(app.get_api("/api/v1/me/export", Some(&p.a.2)).await).await;
    assert_eq!(export["account"]["name"], "Kandidat Satu");
    assert_eq!(export["ambassador"]["display_name"], "Satu R.");
    assert_eq!(export["ambassador"]["phone"], "+6281311112222");
    let audit = entity::audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.action == "person.corrected")
        .expect("an audit row");
    assert!(audit.detail.contains("phone") && !audit.detail.contains("1111"));
    assert!(!audit.detail.contains("Satu"));
}

#[rocket::async_test]
async fn erasure_leaves_no_personal_data_and_the_statistics_keep_their_totals() {
    let app = TestApp::spawn().await;
    let p = people(&app).await;
    let stats = || async {
        json(
            app.get_api("/api/v1/stats/participation?weeks=4", Some(&p.admin))
                .await,
        )
        .await
        .1
    };
    let joined = stats().await;
    // Withdrawing takes the person off the weekly figures, as it takes them off the board
    // (they count for current members); the brief figures keep every post.
    let (status, _) = json(
        app.send_api(
            "POST",
            "/api/v1/me/withdrawal",
            Some(&p.a.2),
            &json!({ "password": PASSWORD }),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    let before = stats().await;
    assert_eq!(before["briefs"], joined["briefs"]);
    let files_before = app.stored_files().await.len();
    assert!(files_before >= 4, "two screenshots with thumbnails");

    // A wrong, an empty and a 10 KB password are refused, and nothing changes.
    for wrong in ["not my password", "", &"x".repeat(10_000)] {
        let (status, err) = json(
            app.send_api(
                "POST",
                "/api/v1/me/erasure",
                Some(&p.a.2),
                &json!({ "password": wrong }),
            )
            .await,
        )
        .await;
        assert_eq!(status, Status::UnprocessableEntity, "{err}");
        assert!(err["fields"]["password"].is_array(), "{err}");
    }
    let resp = app
        .form("/me/data/erase", Some(&p.a.2), &[("password", "salah")])
        .await;
    let (status, page) = text(resp).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("id=\"f-erase-password-error\""));
    assert_eq!(app.stored_files().await.len(), files_before);
    assert!(every_row(&app)
        .await
        .join("\n")
        .contains("kandidat1@instansi.go.id"));

    // From a real address, which the audit log would otherwise keep.
    let (status, erased) = json(
        app.client
            .post("/api/v1/me/erasure")
            .header(rocket::http::ContentType::JSON)
            .header(rocket::http::Header::new(
                "Authorization",
                format!("Bearer {}", p.a.2),
            ))
            .remote("10.20.30.40:5555".parse().unwrap())
            .body(json!({ "password": PASSWORD }).to_string())
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{erased}");
    assert_eq!(erased["submissions_anonymised"], 2);
    assert_eq!(erased["images_removed"], 1);

    // Nothing of Kandidat 1 anywhere in the database.
    let rows = every_row(&app).await;
    let all = rows.join("\n").to_lowercase();
    for term in identity(1).into_iter().chain(
        [
            "postof1kandidat",
            "pribadi kandidat 1",
            "cerita pribadi nomor 1",
            "melahirkan kandidat 1",
            "laporan pribadi kandidat 1",
            "grup keluarga kandidat 1",
        ]
        .map(String::from),
    ) {
        let hits: Vec<&String> = rows
            .iter()
            .filter(|r| r.to_lowercase().contains(&term.to_lowercase()))
            .collect();
        assert!(hits.is_empty(), "{term} is still stored: {hits:?}");
    }
    // Kandidat 2 is untouched (their NIP is sealed, so it is not there as digits).
    for term in identity(2).into_iter().filter(|t| !t.starts_with("1986")) {
        assert!(
            all.contains(&term.to_lowercase()),
            "{term} of the other person is kept"
        );
    }
    // Nor in the upload folder: the screenshot and its thumbnail are gone.
    let files = app.stored_files().await;
    assert_eq!(files.len(), files_before - 2);
    for (path, bytes) in &files {
        for term in identity(1) {
            assert!(!contains_bytes(bytes, &term), "{term} in {}", path);
        }
    }

    // The account no longer works, by token or by password.
    assert_eq!(
        app.get_api("/api/v1/me/export", Some(&p.a.2))
            .await
            .status(),
        Status::Unauthorized
    );
    assert_eq!(
        app.login_api("kandidat1@instansi.go.id", PASSWORD)
            .await
            .status(),
        Status::Unauthorized
    );

    // The statistics keep their totals, the aggregates equal the rebuild, and the board
    // no longer shows the person.
    let after = stats().await;
    assert_eq!(after, before, "erasure changes no figure");
    assert_eq!(
        after["briefs"][0]["verified"], 4,
        "every verified post still counts"
    );
    assert_eq!(rebuild_corrections(&app).await, 0);
    let (_, board) = json(app.get_api("/api/v1/leaderboard", Some(&p.b.2)).await).await;
    let shown: Vec<i64> = board["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["ambassador_id"].as_i64().unwrap())
        .collect();
    assert_eq!(shown, vec![p.b.0]);
    // One audit row says it happened, with no personal data in it.
    let audit = entity::audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "person.erased")
        .collect::<Vec<_>>();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].target_id, Some(p.a.1));
    assert_eq!(
        audit[0].client_ip, None,
        "not even the address the erasure came from"
    );
}

#[rocket::async_test]
async fn the_last_admin_cannot_erase_themselves() {
    let app = TestApp::spawn().await;
    let admin = app.user("admin", "satu@admin.test", None, None).await;
    let token = app.token(admin).await;
    let (status, err) = json(
        app.send_api(
            "POST",
            "/api/v1/me/erasure",
            Some(&token),
            &json!({ "password": PASSWORD }),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity, "{err}");
    assert!(err["fields"]["password"][0]
        .as_str()
        .unwrap()
        .contains("admin"));
    let second = app.user("admin", "dua@admin.test", None, None).await;
    let (status, _) = json(
        app.send_api(
            "POST",
            "/api/v1/me/erasure",
            Some(&token),
            &json!({ "password": PASSWORD }),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    let left = entity::users::Entity::find_by_id(admin)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(!left.is_active && left.name.is_empty() && left.email.ends_with(".invalid"));
    assert!(
        entity::users::Entity::find_by_id(second)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .is_active
    );
}

#[rocket::async_test]
async fn withdrawal_and_the_retention_job() {
    let app = TestApp::spawn().await;
    let p = people(&app).await;
    // Staff have no participation to end.
    let (status, err) = json(
        app.send_api(
            "POST",
            "/api/v1/me/withdrawal",
            Some(&p.coordinator),
            &json!({ "password": PASSWORD }),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity, "{err}");
    // A wrong password on the page: the message at the field, nothing changed.
    let (status, page) = text(
        app.form(
            "/me/data/withdraw",
            Some(&p.a.2),
            &[("password", "keliru sekali")],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("id=\"f-withdraw-password-error\""));
    let resp = app
        .form("/me/data/withdraw", Some(&p.a.2), &[("password", PASSWORD)])
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (_, export) = json(app.get_api("/api/v1/me/export", Some(&p.a.2)).await).await;
    assert_eq!(export["ambassador"]["status"], "withdrawn");
    let (status, b) = json(
        app.send_api(
            "POST",
            "/api/v1/me/withdrawal",
            Some(&p.b.2),
            &json!({ "password": PASSWORD }),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{b}");
    assert_eq!(b["status"], "withdrawn");
    assert!(b["erase_after"].as_str().is_some());
    let (_, page) = text(app.page("/me/data", Some(&p.a.2)).await).await;
    assert!(page.contains("id=\"withdrawn-note\""));

    // The retention setting: hostile values refused, 7 days accepted.
    for bad in [json!(0), json!(3651), json!(-5)] {
        let mut settings = json(app.get_api("/api/v1/settings", Some(&p.admin)).await)
            .await
            .1;
        settings["retention_days"] = bad.clone();
        let (status, err) = json(
            app.send_api("PUT", "/api/v1/settings", Some(&p.admin), &settings)
                .await,
        )
        .await;
        assert_eq!(status, Status::UnprocessableEntity, "{bad}: {err}");
        assert!(err["fields"]["retention_days"].is_array(), "{err}");
    }
    let mut settings = json(app.get_api("/api/v1/settings", Some(&p.admin)).await)
        .await
        .1;
    assert_eq!(settings["retention_days"], 30);
    settings["retention_days"] = json!(7);
    let (status, saved) = json(
        app.send_api("PUT", "/api/v1/settings", Some(&p.admin), &settings)
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{saved}");

    // A withdrew 8 days ago, B 6 days ago: the job erases A only.
    for (amb, days) in [(p.a.0, 8), (p.b.0, 6)] {
        let row = entity::ambassadors::Entity::find_by_id(amb)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let mut m: entity::ambassadors::ActiveModel = row.into();
        m.withdrawn_at = Set(Some(Utc::now() - Duration::days(days)));
        m.update(&app.db).await.unwrap();
    }
    let store = duta::state::part::<duta::media::service::MediaStore>(app.client.rocket()).unwrap();
    let erased = duta::privacy::service::erase_expired(&app.db, store, Utc::now())
        .await
        .unwrap();
    assert_eq!(erased, 1);
    let rows = every_row(&app).await.join("\n");
    assert!(!rows.contains("kandidat1@instansi.go.id"));
    assert!(rows.contains("kandidat2@instansi.go.id"));
    let again = duta::privacy::service::erase_expired(&app.db, store, Utc::now())
        .await
        .unwrap();
    assert_eq!(again, 0, "nobody is erased twice");
    let audit = entity::audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.action == "person.erased")
        .unwrap();
    assert!(audit.actor_id.is_none() && audit.detail.contains("retention"));
}

#[rocket::async_test]
async fn the_nip_is_sealed_at_rest_and_old_rows_are_sealed_at_start() {
    let app = TestApp::spawn().await;
    let p = people(&app).await;
    let rows = every_row(&app).await.join("\n");
    for digits in ["198609262015052002", "198609262015052003"] {
        assert!(!rows.contains(digits), "{digits} stored as digits");
    }
    // Coordinators see the whole NIP; the candidate too.
    let (_, detail) = json(
        app.get_api(
            &format!("/api/v1/vetting/candidates/{}", p.a.0),
            Some(&p.coordinator),
        )
        .await,
    )
    .await;
    assert_eq!(detail["candidate"]["nip"], "198609262015052002");
    assert_eq!(detail["nip"]["gender"], "female");
    // The same NIP again is still "taken", although the column holds no digits.
    let mut again = app.signup_body(p.inst, 0, 7);
    again["nip"] = json!("1986.0926.2015.05.2.002");
    let unit = entity::ambassadors::Entity::find_by_id(p.a.0)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .work_unit_id;
    again["work_unit_id"] = json!(unit);
    let (status, err) = json(app.send_api("POST", "/api/v1/signup", None, &again).await).await;
    assert_eq!(status, Status::Conflict, "{err}");
    assert!(err["fields"]["nip"].is_array());

    // A row written as digits (before sealing existed) is sealed by the start-up step.
    let row = entity::ambassadors::Entity::find_by_id(p.b.0)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut m: entity::ambassadors::ActiveModel = row.into();
    m.nip = Set("198609262015052003".into());
    m.nip_sealed = Set(None);
    m.update(&app.db).await.unwrap();
    let n = duta::privacy::service::seal_plain_nips(&app.db, app.nip_key())
        .await
        .unwrap();
    assert_eq!(n, 1);
    let row = entity::ambassadors::Entity::find_by_id(p.b.0)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.nip, app.nip_key().index("198609262015052003"));
    assert_eq!(
        app.nip_key()
            .open(row.nip_sealed.as_deref().unwrap())
            .as_deref(),
        Some("198609262015052003")
    );
    assert_eq!(
        duta::privacy::service::seal_plain_nips(&app.db, app.nip_key())
            .await
            .unwrap(),
        0
    );
}
