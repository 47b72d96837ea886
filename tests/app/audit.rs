//! The audit-log viewer: scope (admins everything, coordinators their institution or work
//! unit), filters, hostile filter values, the CSV export for a breach report, and no
//! password, token or whole NIP in any row.

use chrono::{Duration, Utc};
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{json, Value};

use crate::support::{json, text, TestApp, PASSWORD};

struct Scene {
    admin: String,
    coord_a: String,
    coord_b: String,
    /// A coordinator of institution A limited to unit A1.
    coord_a1: String,
    /// Candidates: (A, unit A1), (A, unit A2), (B).
    cand_a1: i64,
    cand_a2: i64,
    cand_b: i64,
    inst_a: i64,
}

async fn reject(app: &TestApp, token: &str, id: i64, reason: &str) {
    let (status, body) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/vetting/candidates/{id}/reject"),
            Some(token),
            &json!({ "reason": reason }),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
}

async fn scene(app: &TestApp) -> Scene {
    let inst_a = app.institution("Kementerian A").await;
    let inst_b = app.institution("Kementerian B").await;
    let a1 = app.work_unit(inst_a, None, "Unit A1").await;
    let a2 = app.work_unit(inst_a, None, "Unit A2").await;
    let b1 = app.work_unit(inst_b, None, "Unit B1").await;
    let admin = app.user("admin", "admin@audit.test", None, None).await;
    let coord_a = app
        .user(
            "coordinator",
            "koordinator-a@audit.test",
            Some(inst_a),
            None,
        )
        .await;
    let coord_b = app
        .user(
            "coordinator",
            "koordinator-b@audit.test",
            Some(inst_b),
            None,
        )
        .await;
    let coord_a1 = app
        .user(
            "coordinator",
            "koordinator-a1@audit.test",
            Some(inst_a),
            Some(a1),
        )
        .await;
    let (cand_a1, _) = app.candidate(inst_a, a1, 1).await;
    let (cand_a2, _) = app.candidate(inst_a, a2, 2).await;
    let (cand_b, _) = app.candidate(inst_b, b1, 3).await;
    let s = Scene {
        admin: app.token(admin).await,
        coord_a: app.token(coord_a).await,
        coord_b: app.token(coord_b).await,
        coord_a1: app.token(coord_a1).await,
        cand_a1,
        cand_a2,
        cand_b,
        inst_a,
    };
    reject(app, &s.coord_a, cand_a1, "Tangkapan layar buram").await;
    reject(app, &s.coord_a, cand_a2, "Akun X tidak ditemukan").await;
    reject(app, &s.coord_b, cand_b, "Jumlah pengikut kurang").await;
    s
}

async fn audit(app: &TestApp, token: &str, query: &str) -> (Status, Value) {
    json(
        app.get_api(&format!("/api/v1/audit{query}"), Some(token))
            .await,
    )
    .await
}

fn targets(body: &Value, action: &str) -> Vec<i64> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == action)
        .map(|r| r["target_id"].as_i64().unwrap())
        .collect()
}

#[rocket::async_test]
async fn each_reader_sees_their_scope_and_the_filters_narrow_it() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;

    let (status, all) = audit(&app, &s.admin, "?limit=500").await;
    assert_eq!(status, Status::Ok, "{all}");
    let mut rejected = targets(&all, "ambassador.rejected");
    rejected.sort();
    assert_eq!(rejected, vec![s.cand_a1, s.cand_a2, s.cand_b]);
    assert_eq!(
        all["total"].as_u64().unwrap() as usize,
        all["items"].as_array().unwrap().len()
    );

    let (_, a) = audit(&app, &s.coord_a, "?limit=500").await;
    assert!(a["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["institution_id"] == s.inst_a));
    let mut mine = targets(&a, "ambassador.rejected");
    mine.sort();
    assert_eq!(mine, vec![s.cand_a1, s.cand_a2]);
    let first = &a["items"][0];
    assert!(
        first["id"].as_i64() > a["items"][1]["id"].as_i64(),
        "newest first"
    );
    let rejection = a["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["action"] == "ambassador.rejected")
        .unwrap();
    assert_eq!(rejection["actor_email"], "koordinator-a@audit.test");

    // Limited to unit A1: only the rows about A1's candidate (and their own actions).
    let (_, a1) = audit(&app, &s.coord_a1, "?limit=500").await;
    assert_eq!(targets(&a1, "ambassador.rejected"), vec![s.cand_a1]);
    assert!(a1["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["target_id"] == s.cand_a1));

    let (_, b) = audit(&app, &s.coord_b, "?limit=500").await;
    assert_eq!(targets(&b, "ambassador.rejected"), vec![s.cand_b]);

    // Filters.
    let (_, f) = audit(&app, &s.admin, "?action=ambassador.rejected").await;
    assert_eq!(f["total"], 3);
    let (_, f) = audit(&app, &s.admin, "?actor=KOORDINATOR-B").await;
    assert_eq!(targets(&f, "ambassador.rejected"), vec![s.cand_b]);
    assert!(f["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["actor_email"] == "koordinator-b@audit.test"));
    let (_, f) = audit(
        &app,
        &s.admin,
        &format!("?target_type=ambassador&target_id={}", s.cand_a2),
    )
    .await;
    assert!(f["total"].as_u64().unwrap() >= 1);
    assert!(f["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["target_id"] == s.cand_a2));
    let jakarta = |d: i64| {
        (Utc::now().with_timezone(&chrono_tz::Asia::Jakarta) + Duration::days(d))
            .format("%Y-%m-%d")
            .to_string()
    };
    let (_, today) = audit(
        &app,
        &s.admin,
        &format!("?from={}&to={}", jakarta(0), jakarta(0)),
    )
    .await;
    assert_eq!(today["total"], all["total"]);
    let (_, tomorrow) = audit(&app, &s.admin, &format!("?from={}", jakarta(1))).await;
    assert_eq!(tomorrow["total"], 0);
    let (_, yesterday) = audit(&app, &s.admin, &format!("?to={}", jakarta(-1))).await;
    assert_eq!(yesterday["total"], 0);
    let (_, page2) = audit(&app, &s.admin, "?limit=2&offset=2").await;
    assert_eq!(page2["items"][0]["id"], all["items"][2]["id"]);
}

#[rocket::async_test]
async fn hostile_filters_get_a_field_message_and_never_a_500() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let long = "a".repeat(500);
    for (query, field) in [
        ("?from=2026-13-45".to_string(), "from"),
        ("?to=kemarin".to_string(), "to"),
        ("?target_id=abc".to_string(), "target_id"),
        ("?target_id=-3".to_string(), "target_id"),
        (format!("?actor={long}"), "actor"),
        ("?action=%00".to_string(), "action"),
    ] {
        let (status, err) = audit(&app, &s.admin, &query).await;
        assert_eq!(status, Status::UnprocessableEntity, "{query}: {err}");
        assert!(err["fields"][field].is_array(), "{query}: {err}");
    }
    // A range that ends before it starts holds no rows (the page says why, below).
    let (status, none) = audit(&app, &s.admin, "?from=2026-11-24&to=2026-11-01").await;
    assert_eq!((status, &none["total"]), (Status::Ok, &json!(0)), "{none}");
    for query in ["?target_id=", "?target_id=%205", "?limit=0", "?offset=-1"] {
        let (status, err) = audit(&app, &s.admin, query).await;
        assert_eq!(status, Status::UnprocessableEntity, "{query}: {err}");
    }
    let (status, none) = audit(&app, &s.admin, "?actor=%27%20OR%201%3D1%20--").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(none["total"], 0);
    // The page keeps what was typed and shows the message at the field, in Indonesian.
    let (status, page) = text(
        app.page("/audit?from=kemarin&actor=koordinator", Some(&s.coord_a))
            .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("id=\"f-from-error\"") && page.contains("TTTT-BB-HH"));
    assert!(page.contains("value=\"kemarin\"") && page.contains("value=\"koordinator\""));
    let (status, page) = text(
        app.page("/audit?from=2026-11-24&to=2026-11-01", Some(&s.coord_a))
            .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("Tanggal akhir tidak boleh sebelum tanggal awal."));
    let (status, page) = text(app.page("/audit", Some(&s.coord_a)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Log audit") && page.contains("ambassador.rejected"));
    assert!(
        !page.contains("koordinator-b@audit.test"),
        "another institution's rows"
    );
}

#[rocket::async_test]
async fn the_csv_export_follows_the_filters_and_defuses_formulas() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    // An admin whose name a spreadsheet would run as a formula.
    let admin = entity::users::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == "admin@audit.test")
        .unwrap();
    let mut m: entity::users::ActiveModel = admin.into();
    m.name = Set("=HYPERLINK(\"http://evil.example\")".into());
    m.update(&app.db).await.unwrap();
    let (status, _) = json(
        app.send_api(
            "PUT",
            "/api/v1/me/profile",
            Some(&s.admin),
            &json!({"name": "=HYPERLINK(\"http://evil.example\") Admin"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    let resp = app.page("/audit/export.csv", Some(&s.admin)).await;
    assert_eq!(resp.status(), Status::Ok);
    assert!(resp
        .headers()
        .get_one("Content-Disposition")
        .unwrap()
        .contains(".csv"));
    let body = resp.into_string().await.unwrap();
    let body = body.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        vec![
            "id",
            "at_utc",
            "actor_id",
            "actor_name",
            "actor_email",
            "action",
            "target_type",
            "target_id",
            "institution_id",
            "client_ip",
            "detail"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let (_, all) = audit(&app, &s.admin, "?limit=500").await;
    assert_eq!(rows.len() as u64, all["total"].as_u64().unwrap());
    let corrected = rows.iter().find(|r| &r[5] == "person.corrected").unwrap();
    assert!(
        corrected[3].starts_with("'="),
        "defused: {:?}",
        &corrected[3]
    );

    let resp = app
        .page(
            "/audit/export.csv?action=ambassador.rejected",
            Some(&s.coord_a),
        )
        .await;
    let body = resp.into_string().await.unwrap();
    let rows = csv::Reader::from_reader(body.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .count();
    assert_eq!(rows, 2, "coordinator A's two rejections only");
    let resp = app
        .page("/audit/export.csv?from=2026-99-01", Some(&s.coord_a))
        .await;
    assert_eq!(resp.status(), Status::UnprocessableEntity);
}

#[rocket::async_test]
async fn no_audit_row_holds_a_password_a_token_or_a_whole_nip() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    // Sign-ins, a password change, a failed sign-in.
    let login = app.login_api("koordinator-a@audit.test", PASSWORD).await;
    let (_, session) = json(login).await;
    let token = session["token"].as_str().unwrap().to_string();
    let new_password = "kata sandi baru yang panjang 2026";
    let (status, changed) = json(
        app.send_api(
            "POST",
            "/api/v1/me/password",
            Some(&token),
            &json!({"current_password": PASSWORD, "new_password": new_password}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{changed}");
    let new_token = changed["token"].as_str().unwrap().to_string();
    app.login_api("koordinator-b@audit.test", "salah sekali 12345")
        .await;
    let rows = entity::audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert!(rows.len() >= 5);
    let nips = [
        "198609262015052002",
        "198609262015052003",
        "198609262015052004",
    ];
    for r in rows {
        let whole = format!("{} {} {:?}", r.action, r.detail, r.client_ip);
        for secret in [
            PASSWORD,
            new_password,
            &token,
            &new_token,
            &s.admin,
            "salah sekali",
        ] {
            assert!(
                !whole.contains(secret),
                "{} holds a secret: {whole}",
                r.action
            );
        }
        for nip in nips {
            assert!(!whole.contains(nip), "{} holds a NIP: {whole}", r.action);
        }
    }
}
