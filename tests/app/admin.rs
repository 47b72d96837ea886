//! Admins build the organisation, the staff accounts and the programme settings.

use rocket::http::Status;
use serde_json::json;

use crate::support::{json, text, TestApp, PASSWORD};

async fn admin(app: &TestApp) -> String {
    let id = app.user("admin", "admin@duta.test", None, None).await;
    app.token(id).await
}

#[rocket::async_test]
async fn institutions_and_work_unit_tree_through_the_api() {
    let app = TestApp::spawn().await;
    let t = admin(&app).await;
    let (status, inst) = json(
        app.send_api(
            "POST",
            "/api/v1/institutions",
            Some(&t),
            &json!({"name": " Kementerian Contoh ", "short_name": "Kemcon", "kind": "ministry"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Created);
    assert_eq!(inst["name"], "Kementerian Contoh");
    let id = inst["id"].as_i64().unwrap();

    let (status, dup) = json(
        app.send_api(
            "POST",
            "/api/v1/institutions",
            Some(&t),
            &json!({"name": "Kementerian Contoh", "kind": "agency"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Conflict);
    assert!(dup["fields"]["name"].is_array());

    let (status, bad) = json(
        app.send_api(
            "POST",
            "/api/v1/institutions",
            Some(&t),
            &json!({"name": "", "kind": "empire"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        bad["fields"]["name"].is_array() && bad["fields"]["kind"].is_array(),
        "{bad}"
    );
    assert_eq!(app.count("institutions").await, 1, "nothing half-written");

    let units = format!("/api/v1/institutions/{id}/work-units");
    let (s, setjen) = json(
        app.send_api(
            "POST",
            &units,
            Some(&t),
            &json!({"name": "Sekretariat Jenderal"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::Created);
    let setjen = setjen["id"].as_i64().unwrap();
    let (s, humas) = json(
        app.send_api(
            "POST",
            &units,
            Some(&t),
            &json!({"name": "Biro Humas", "parent_id": setjen}),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::Created);
    assert_eq!(humas["depth"], 1);
    let humas = humas["id"].as_i64().unwrap();
    app.send_api(
        "POST",
        &units,
        Some(&t),
        &json!({"name": "Bagian Media", "parent_id": humas}),
    )
    .await;
    let (s, _) = json(
        app.send_api(
            "POST",
            &units,
            Some(&t),
            &json!({"name": "Biro Humas", "parent_id": setjen}),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::Conflict, "sibling names are unique");
    let (s, _) = json(
        app.send_api(
            "POST",
            &units,
            Some(&t),
            &json!({"name": "Sekretariat Jenderal"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::Conflict, "top-level names are unique too");

    let other = app.institution("Pemerintah Provinsi Lain").await;
    let foreign_parent = app.work_unit(other, None, "Dinas Kominfo").await;
    let (s, body) = json(
        app.send_api(
            "POST",
            &units,
            Some(&t),
            &json!({"name": "X Unit", "parent_id": foreign_parent}),
        )
        .await,
    )
    .await;
    // Well formed, but the parent is another institution's: a conflict, named.
    assert_eq!(s, Status::Conflict);
    assert!(body["fields"]["parent_id"].is_array());

    let (s, tree) = json(app.get_api(&units, Some(&t)).await).await;
    assert_eq!(s, Status::Ok);
    let rows: Vec<(String, i64)> = tree
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["name"].as_str().unwrap().to_string(),
                u["depth"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("Sekretariat Jenderal".into(), 0),
            ("Biro Humas".into(), 1),
            ("Bagian Media".into(), 2)
        ]
    );
}

#[rocket::async_test]
async fn coordinators_see_their_institution_and_subtree_only() {
    let app = TestApp::spawn().await;
    let a = app.institution("Kementerian A").await;
    let b = app.institution("Kementerian B").await;
    let top = app.work_unit(a, None, "Sekretariat").await;
    let humas = app.work_unit(a, Some(top), "Biro Humas").await;
    app.work_unit(a, Some(humas), "Bagian Media").await;
    app.work_unit(a, None, "Inspektorat").await;
    let k = app
        .user("coordinator", "k@duta.test", Some(a), Some(humas))
        .await;
    let t = app.token(k).await;
    let (_, list) = json(app.get_api("/api/v1/institutions", Some(&t)).await).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], a);
    assert_eq!(
        app.get_api(&format!("/api/v1/institutions/{b}"), Some(&t))
            .await
            .status(),
        Status::NotFound
    );
    let (_, units) = json(
        app.get_api(&format!("/api/v1/institutions/{a}/work-units"), Some(&t))
            .await,
    )
    .await;
    let names: Vec<&str> = units
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["Biro Humas", "Bagian Media"],
        "only the coordinator's subtree"
    );
}

#[rocket::async_test]
async fn staff_accounts_are_checked_before_they_are_created() {
    let app = TestApp::spawn().await;
    let t = admin(&app).await;
    let a = app.institution("Kementerian A").await;
    let b = app.institution("Kementerian B").await;
    let unit_b = app.work_unit(b, None, "Biro B").await;
    let cases = [
        (
            json!({"email": "not-an-email", "name": "K", "role": "coordinator", "institution_id": a, "password": "short"}),
            Status::UnprocessableEntity,
            vec!["email", "name", "password"],
        ),
        (
            json!({"email": "k@duta.test", "name": "Koor", "role": "coordinator", "password": PASSWORD}),
            Status::UnprocessableEntity,
            vec!["institution_id"],
        ),
        (
            json!({"email": "n@duta.test", "name": "Nas", "role": "national", "institution_id": a, "password": PASSWORD}),
            Status::UnprocessableEntity,
            vec!["institution_id"],
        ),
        (
            json!({"email": "x@duta.test", "name": "Amb", "role": "ambassador", "institution_id": a, "password": PASSWORD}),
            Status::UnprocessableEntity,
            vec!["role"],
        ),
        (
            json!({"email": "y@duta.test", "name": "Koor", "role": "coordinator", "institution_id": a, "work_unit_id": unit_b, "password": PASSWORD}),
            // Well formed, but naming what is not there: conflicts.
            Status::Conflict,
            vec!["work_unit_id"],
        ),
        (
            json!({"email": "z@duta.test", "name": "Koor", "role": "coordinator", "institution_id": 424242, "password": PASSWORD}),
            Status::Conflict,
            vec!["institution_id"],
        ),
    ];
    for (body, expected, fields) in cases {
        let (status, err) =
            json(app.send_api("POST", "/api/v1/users", Some(&t), &body).await).await;
        assert_eq!(status, expected, "{body}");
        for f in fields {
            assert!(
                err["fields"][f].is_array(),
                "{f} not flagged for {body}: {err}"
            );
        }
    }
    assert_eq!(app.count("users").await, 1, "only the admin exists");
    let good = json!({"email": "Koor@Duta.test", "name": "Rina", "role": "coordinator", "institution_id": a, "password": PASSWORD});
    let (status, user) = json(app.send_api("POST", "/api/v1/users", Some(&t), &good).await).await;
    assert_eq!(status, Status::Created);
    assert_eq!(user["email"], "koor@duta.test");
    let (status, _) = json(app.send_api("POST", "/api/v1/users", Some(&t), &good).await).await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(
        app.login_api("koor@duta.test", PASSWORD).await.status(),
        Status::Ok
    );
}

#[rocket::async_test]
async fn settings_are_validated_whole_and_audited() {
    let app = TestApp::spawn().await;
    let t = admin(&app).await;
    let (s, before) = json(app.get_api("/api/v1/settings", Some(&t)).await).await;
    assert_eq!(s, Status::Ok);
    assert_eq!(before["timezone"], "Asia/Jakarta");
    let required: Vec<&str> = before["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["required"] == true)
        .map(|p| p["platform"].as_str().unwrap())
        .collect();
    assert_eq!(required, vec!["facebook", "x", "instagram"]);

    let bad = json!({"timezone": "Mars/Olympus", "window_weeks": 0, "platforms": [{"platform": "x", "required": true, "threshold": -1}]});
    let (s, err) = json(
        app.send_api("PUT", "/api/v1/settings", Some(&t), &bad)
            .await,
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity);
    for f in ["timezone", "window_weeks", "platforms.x"] {
        assert!(err["fields"][f].is_array(), "{f}: {err}");
    }
    let (_, unchanged) = json(app.get_api("/api/v1/settings", Some(&t)).await).await;
    assert_eq!(unchanged, before, "a refused change writes nothing");

    let good = json!({"timezone": "Asia/Makassar", "window_weeks": 8,
        "platforms": [{"platform": "tiktok", "required": true, "threshold": 1000}, {"platform": "x", "required": true, "threshold": 750}]});
    let (s, after) = json(
        app.send_api("PUT", "/api/v1/settings", Some(&t), &good)
            .await,
    )
    .await;
    assert_eq!(s, Status::Ok);
    assert_eq!(after["timezone"], "Asia/Makassar");
    assert_eq!(after["window_weeks"], 8);
    let tiktok = after["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["platform"] == "tiktok")
        .unwrap()
        .clone();
    assert_eq!(
        tiktok,
        json!({"platform": "tiktok", "required": true, "threshold": 1000})
    );
    let fb = after["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["platform"] == "facebook")
        .unwrap()
        .clone();
    assert_eq!(
        fb["threshold"], 500,
        "platforms not listed keep their values"
    );
    assert_eq!(app.count("audit_log").await, 1);

    let coordinator = app
        .user(
            "coordinator",
            "k@duta.test",
            Some(app.institution("Instansi Uji").await),
            None,
        )
        .await;
    let kt = app.token(coordinator).await;
    assert_eq!(
        app.get_api("/api/v1/settings", Some(&kt)).await.status(),
        Status::Ok
    );
    assert_eq!(
        app.send_api("PUT", "/api/v1/settings", Some(&kt), &good)
            .await
            .status(),
        Status::Forbidden
    );
}

#[rocket::async_test]
async fn admin_pages_create_and_keep_typed_values_on_error() {
    let app = TestApp::spawn().await;
    let t = admin(&app).await;
    let resp = app
        .form(
            "/admin/institutions",
            Some(&t),
            &[
                ("name", "Pemprov Jawa Barat"),
                ("short_name", "Jabar"),
                ("kind", "province"),
            ],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let location = resp.headers().get_one("Location").unwrap().to_string();
    assert!(location.starts_with("/admin/institutions/"));
    let (s, page) = text(app.follow(resp, Some(&t)).await).await;
    assert_eq!(s, Status::Ok);
    assert!(
        page.contains("Pemprov Jawa Barat") && page.contains("Instansi telah dibuat."),
        "flash shown once: {page}"
    );
    let inst_id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();

    let resp = app
        .form(
            &format!("/admin/institutions/{inst_id}/work-units"),
            Some(&t),
            &[("name", "Diskominfo"), ("parent_id", "")],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let resp = app
        .form(
            &format!("/admin/institutions/{inst_id}/work-units"),
            Some(&t),
            &[("name", "Bidang IKP"), ("parent_id", "abc")],
        )
        .await;
    assert_eq!(resp.status(), Status::UnprocessableEntity);
    let (_, page) = text(resp).await;
    assert!(page.contains("Unit induk tidak ditemukan") && page.contains("value=\"Bidang IKP\""));

    let resp = app
        .form(
            "/admin/users",
            Some(&t),
            &[
                ("name", "Rina Koordinator"),
                ("email", "rina@jabar"),
                ("role", "coordinator"),
                ("institution_id", &inst_id.to_string()),
                ("work_unit_id", ""),
            ],
        )
        .await;
    assert_eq!(resp.status(), Status::UnprocessableEntity);
    let (_, page) = text(resp).await;
    assert!(
        page.contains("Masukkan alamat email yang valid"),
        "message next to the field"
    );
    assert!(
        page.contains("value=\"Rina Koordinator\"") && page.contains("value=\"rina@jabar\""),
        "typed values kept"
    );
    assert_eq!(app.count("users").await, 1);

    let resp = app
        .form(
            "/admin/users",
            Some(&t),
            &[
                ("name", "Rina Koordinator"),
                ("email", "rina@jabarprov.go.id"),
                ("role", "coordinator"),
                ("institution_id", &inst_id.to_string()),
                ("work_unit_id", ""),
            ],
        )
        .await;
    // The answer is the new account's invitation, to pass on.
    assert_eq!(resp.status(), Status::Created);
    let (_, page) = text(resp).await;
    let page = page.replace("&#x2F;", "/");
    assert!(page.contains("Akun telah dibuat.") && page.contains("rina@jabarprov.go.id"));
    assert!(page.contains("/invitation/"), "{page}");
    let (_, list) = text(app.page("/admin/users", Some(&t)).await).await;
    assert!(list.contains("rina@jabarprov.go.id") && list.contains("Undangan belum diterima"));

    let resp = app
        .form(
            "/admin/settings",
            Some(&t),
            &[("timezone", "Asia/Jayapura"), ("window_weeks", "dua belas")],
        )
        .await;
    assert_eq!(resp.status(), Status::UnprocessableEntity);
    let (_, page) = text(resp).await;
    assert!(
        page.contains("Jendela harus 1 sampai 52 minggu.") && page.contains("value=\"dua belas\"")
    );
}

#[rocket::async_test]
async fn concurrent_writers_never_see_database_is_locked() {
    let app = TestApp::spawn().await;
    let t = admin(&app).await;
    let inst = app.institution("Kementerian Paralel").await;
    let path = format!("/api/v1/institutions/{inst}/work-units");
    let bodies: Vec<serde_json::Value> = (0..40)
        .map(|i| json!({"name": format!("Unit {i:02}")}))
        .collect();
    let requests = bodies.iter().map(|b| {
        let path = path.clone();
        let t = t.clone();
        let app = &app;
        async move { app.send_api("POST", &path, Some(&t), b).await.status() }
    });
    let statuses = join_all(requests).await;
    assert!(
        statuses.iter().all(|s| *s == Status::Created),
        "{statuses:?}"
    );
    assert_eq!(app.count("work_units").await, 40);
    assert_eq!(app.count("audit_log").await, 41);
}

/// Runs futures concurrently on the test's runtime (Rocket re-exports no join_all).
pub async fn join_all<F: std::future::Future>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter()
        .map(|o| o.expect("every future finished"))
        .collect()
}
