//! Sign-in, sign-out, throttling and password changes.

use rocket::http::{Header, Status};
use sea_orm::EntityTrait;
use serde_json::json;

use crate::support::{json, text, TestApp, PASSWORD};

#[rocket::async_test]
async fn login_returns_a_token_that_opens_me() {
    let app = TestApp::spawn().await;
    let id = app.user("admin", "admin@duta.test", None, None).await;
    let (status, body) = json(app.login_api("  Admin@Duta.test ", PASSWORD).await).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(body["user"]["id"], id);
    assert!(body["user"].get("password_hash").is_none());
    assert!(body["expires_at"].as_str().is_some());
    let token = body["token"].as_str().unwrap();
    let (status, me) = json(app.get_api("/api/v1/me", Some(token)).await).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(me["email"], "admin@duta.test");
    assert_eq!(me["role"], "admin");
}

#[rocket::async_test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.user("coordinator", "known@duta.test", None, None).await;
    let (s1, wrong) = json(app.login_api("known@duta.test", "not the password").await).await;
    let (s2, unknown) = json(app.login_api("nobody@duta.test", "not the password").await).await;
    assert_eq!(s1, Status::Unauthorized);
    assert_eq!(s1, s2);
    assert_eq!(wrong, unknown);
    assert_eq!(wrong["error"], "unauthorized");
}

#[rocket::async_test]
async fn deactivated_user_cannot_sign_in_and_gets_the_same_answer() {
    let app = TestApp::spawn().await;
    let admin = app.user("admin", "admin@duta.test", None, None).await;
    let victim = app.user("national", "gone@duta.test", None, None).await;
    let old = app.token(victim).await;
    let admin_token = app.token(admin).await;
    let resp = app
        .send_api(
            "POST",
            &format!("/api/v1/users/{victim}/deactivate"),
            Some(&admin_token),
            &json!({}),
        )
        .await;
    assert_eq!(resp.status(), Status::Ok);
    assert_eq!(
        app.get_api("/api/v1/me", Some(&old)).await.status(),
        Status::Unauthorized
    );
    let (status, body) = json(app.login_api("gone@duta.test", PASSWORD).await).await;
    assert_eq!(status, Status::Unauthorized);
    let (_, unknown) = json(app.login_api("nobody@duta.test", PASSWORD).await).await;
    assert_eq!(body, unknown);
}

#[rocket::async_test]
async fn an_admin_reactivates_an_account_but_not_one_that_left_the_programme() {
    let app = TestApp::spawn().await;
    let admin = app.user("admin", "admin@duta.test", None, None).await;
    let admin = app.token(admin).await;
    let inst = app.institution("Kementerian Kembali").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let staff = app
        .user("leadership", "kembali@duta.test", Some(inst), None)
        .await;
    let post = |path: String| {
        let admin = admin.clone();
        let app = &app;
        async move { json(app.send_api("POST", &path, Some(&admin), &json!({})).await).await }
    };
    let (status, body) = post(format!("/api/v1/users/{staff}/reactivate")).await;
    assert_eq!(status, Status::Conflict, "active already: {body}");
    let (status, _) = post(format!("/api/v1/users/{staff}/deactivate")).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(
        app.login_api("kembali@duta.test", PASSWORD).await.status(),
        Status::Unauthorized
    );
    // Only admins.
    let coordinator = app
        .user("coordinator", "koor@duta.test", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let resp = app
        .send_api(
            "POST",
            &format!("/api/v1/users/{staff}/reactivate"),
            Some(&coordinator),
            &json!({}),
        )
        .await;
    assert_eq!(resp.status(), Status::Forbidden);
    let (status, body) = post(format!("/api/v1/users/{staff}/reactivate")).await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["is_active"], true);
    assert_eq!(
        app.login_api("kembali@duta.test", PASSWORD).await.status(),
        Status::Ok,
        "the password as it was"
    );
    let audit = entity::audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert!(audit
        .iter()
        .any(|r| r.action == "user.reactivated" && r.target_id == Some(staff)));

    // An ambassador who withdrew stays out.
    let (amb, amb_user) = app.candidate(inst, unit, 1).await;
    let amb_token = app.token(amb_user).await;
    let (status, body) = json(
        app.send_api(
            "POST",
            "/api/v1/me/withdrawal",
            Some(&amb_token),
            &json!({ "password": PASSWORD }),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    let (status, _) = post(format!("/api/v1/users/{amb_user}/deactivate")).await;
    assert_eq!(status, Status::Ok);
    let (status, body) = post(format!("/api/v1/users/{amb_user}/reactivate")).await;
    assert_eq!(status, Status::Conflict, "{body}");
    assert!(
        body["fields"]["id"][0]
            .as_str()
            .unwrap()
            .contains("mengundurkan diri"),
        "{amb} {body}"
    );
}

#[rocket::async_test]
async fn logout_revokes_every_token_of_the_user() {
    let app = TestApp::spawn().await;
    app.user("leadership", "lead@duta.test", None, None).await;
    let (_, a) = json(app.login_api("lead@duta.test", PASSWORD).await).await;
    let (_, b) = json(app.login_api("lead@duta.test", PASSWORD).await).await;
    let (ta, tb) = (a["token"].as_str().unwrap(), b["token"].as_str().unwrap());
    // Both sessions were just checked, so the node keeps them: signing out
    // must end them at once all the same.
    for t in [ta, tb] {
        assert_eq!(
            app.get_api("/api/v1/me", Some(t)).await.status(),
            Status::Ok
        );
    }
    let resp = app
        .client
        .post("/api/v1/auth/logout")
        .header(Header::new("Authorization", format!("Bearer {ta}")))
        .dispatch()
        .await;
    assert_eq!(resp.status(), Status::Ok);
    assert_eq!(
        app.get_api("/api/v1/me", Some(ta)).await.status(),
        Status::Unauthorized
    );
    assert_eq!(
        app.get_api("/api/v1/me", Some(tb)).await.status(),
        Status::Unauthorized
    );
}

#[rocket::async_test]
async fn account_throttle_holds_against_forged_forwarded_for() {
    let app = TestApp::spawn_with(&[
        ("login_max_failures_per_account", json!(3)),
        ("login_max_failures_per_ip", json!(100)),
    ])
    .await;
    app.user("admin", "target@duta.test", None, None).await;
    let peer: std::net::SocketAddr = "203.0.113.7:4000".parse().unwrap();
    for i in 0..3 {
        let resp = app
            .client
            .post("/api/v1/auth/login")
            .remote(peer)
            .header(Header::new("X-Forwarded-For", format!("198.51.100.{i}")))
            .header(Header::new("X-Real-IP", format!("192.0.2.{i}")))
            .header(rocket::http::ContentType::JSON)
            .body(json!({"email": "target@duta.test", "password": "guess number"}).to_string())
            .dispatch()
            .await;
        assert_eq!(resp.status(), Status::Unauthorized, "try {i}");
    }
    // Even the right password, from a "new" forwarded address, is refused now.
    let resp = app
        .client
        .post("/api/v1/auth/login")
        .remote(peer)
        .header(Header::new("X-Forwarded-For", "10.9.8.7"))
        .header(rocket::http::ContentType::JSON)
        .body(json!({"email": "target@duta.test", "password": PASSWORD}).to_string())
        .dispatch()
        .await;
    assert_eq!(resp.status(), Status::TooManyRequests);
    assert!(resp.headers().get_one("Retry-After").is_some());
    let (_, body) = json(resp).await;
    assert_eq!(body["error"], "rate_limited");
}

#[rocket::async_test]
async fn address_throttle_holds_against_forged_forwarded_for() {
    let app = TestApp::spawn_with(&[
        ("login_max_failures_per_account", json!(100)),
        ("login_max_failures_per_ip", json!(4)),
    ])
    .await;
    app.user("admin", "real@duta.test", None, None).await;
    let attacker: std::net::SocketAddr = "203.0.113.66:5000".parse().unwrap();
    for i in 0..4 {
        let resp = app
            .client
            .post("/api/v1/auth/login")
            .remote(attacker)
            .header(Header::new("X-Forwarded-For", format!("100.64.0.{i}")))
            .header(rocket::http::ContentType::JSON)
            .body(
                json!({"email": format!("spray{i}@duta.test"), "password": "Password123!"})
                    .to_string(),
            )
            .dispatch()
            .await;
        assert_eq!(resp.status(), Status::Unauthorized);
    }
    let blocked = app
        .client
        .post("/api/v1/auth/login")
        .remote(attacker)
        .header(Header::new("X-Forwarded-For", "100.64.9.9"))
        .header(rocket::http::ContentType::JSON)
        .body(json!({"email": "real@duta.test", "password": PASSWORD}).to_string())
        .dispatch()
        .await;
    assert_eq!(blocked.status(), Status::TooManyRequests);
    let elsewhere = app
        .client
        .post("/api/v1/auth/login")
        .remote("198.51.100.20:6000".parse().unwrap())
        .header(rocket::http::ContentType::JSON)
        .body(json!({"email": "real@duta.test", "password": PASSWORD}).to_string())
        .dispatch()
        .await;
    assert_eq!(
        elsewhere.status(),
        Status::Ok,
        "another address is not punished"
    );
}

#[rocket::async_test]
async fn login_page_sets_an_http_only_session_and_shows_errors_in_place() {
    let app = TestApp::spawn().await;
    app.user("coordinator", "koor@duta.test", None, None).await;
    let bad = app
        .form(
            "/login",
            None,
            &[("email", "koor@duta.test"), ("password", "nope nope nope")],
        )
        .await;
    assert_eq!(bad.status(), Status::Unauthorized);
    let (_, body) = text(bad).await;
    assert!(body.contains("Email atau kata sandi salah."), "{body}");
    assert!(
        body.contains("value=\"koor@duta.test\""),
        "typed email kept"
    );
    let ok = app
        .form(
            "/login",
            None,
            &[
                ("email", "koor@duta.test"),
                ("password", PASSWORD),
                ("next", "/account/password"),
            ],
        )
        .await;
    assert_eq!(ok.status(), Status::SeeOther);
    assert_eq!(ok.headers().get_one("Location"), Some("/account/password"));
    let cookie = ok
        .headers()
        .get("Set-Cookie")
        .find(|c| c.starts_with("duta_session="))
        .expect("session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let evil = app
        .form(
            "/login",
            None,
            &[
                ("email", "koor@duta.test"),
                ("password", PASSWORD),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    assert_eq!(evil.headers().get_one("Location"), Some("/"));
}

#[rocket::async_test]
async fn password_change_checks_the_current_one_and_revokes_old_sessions() {
    let app = TestApp::spawn().await;
    let id = app.user("coordinator", "koor@duta.test", None, None).await;
    let old = app.token(id).await;
    let wrong = app
        .form(
            "/account/password",
            Some(&old),
            &[
                ("current_password", "wrong wrong wrong"),
                ("new_password", "a brand new passphrase"),
                ("confirm_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), Status::UnprocessableEntity);
    let (_, body) = text(wrong).await;
    assert!(body.contains("Kata sandi saat ini salah."), "{body}");
    let short = app
        .form(
            "/account/password",
            Some(&old),
            &[
                ("current_password", PASSWORD),
                ("new_password", "short"),
                ("confirm_password", "short"),
            ],
        )
        .await;
    assert_eq!(short.status(), Status::UnprocessableEntity);
    assert!(text(short).await.1.contains("minimal 10 karakter"));
    let ok = app
        .form(
            "/account/password",
            Some(&old),
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
                ("confirm_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(ok.status(), Status::SeeOther);
    assert!(
        ok.headers()
            .get("Set-Cookie")
            .any(|c| c.starts_with("duta_session=")),
        "a fresh session for this browser"
    );
    assert_eq!(
        app.get_api("/api/v1/me", Some(&old)).await.status(),
        Status::Unauthorized
    );
    assert_eq!(
        app.login_api("koor@duta.test", PASSWORD).await.status(),
        Status::Unauthorized
    );
    assert_eq!(
        app.login_api("koor@duta.test", "a brand new passphrase")
            .await
            .status(),
        Status::Ok
    );
    assert_eq!(app.count("audit_log").await, 1, "the change is audited");
}

#[rocket::async_test]
async fn role_change_rotates_the_stamp() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian A").await;
    let admin = app.user("admin", "admin@duta.test", None, None).await;
    let koor = app
        .user("coordinator", "koor@duta.test", Some(inst), None)
        .await;
    let koor_token = app.token(koor).await;
    let admin_token = app.token(admin).await;
    let resp = app
        .send_api(
            "PUT",
            &format!("/api/v1/users/{koor}"),
            Some(&admin_token),
            &json!({"role": "leadership"}),
        )
        .await;
    assert_eq!(resp.status(), Status::Ok);
    assert_eq!(
        app.get_api("/api/v1/me", Some(&koor_token)).await.status(),
        Status::Unauthorized
    );
    let (_, me) = json(
        app.get_api("/api/v1/me", Some(&app.token(koor).await))
            .await,
    )
    .await;
    assert_eq!(me["role"], "leadership");
    // A rename alone keeps sessions.
    let renamed_token = app.token(koor).await;
    app.send_api(
        "PUT",
        &format!("/api/v1/users/{koor}"),
        Some(&admin_token),
        &json!({"name": "Ibu Pimpinan"}),
    )
    .await;
    assert_eq!(
        app.get_api("/api/v1/me", Some(&renamed_token))
            .await
            .status(),
        Status::Ok
    );
    // An admin cannot demote themself.
    let (status, body) = json(
        app.send_api(
            "PUT",
            &format!("/api/v1/users/{admin}"),
            Some(&admin_token),
            &json!({"role": "national"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Conflict);
    assert!(body["fields"]["role"].is_array());
}

#[rocket::async_test]
async fn the_admin_finds_users_by_name_email_role_and_status_a_page_at_a_time() {
    use sea_orm::{ActiveValue::Set, EntityTrait as _};
    let app = TestApp::spawn().await;
    let admin = app.user("admin", "admin@duta.test", None, None).await;
    let admin = app.token(admin).await;
    let inst = app.institution("Kementerian Cari").await;
    let now = chrono::Utc::now();
    entity::users::Entity::insert_many((0..55).map(|n| entity::users::ActiveModel {
        email: Set(format!("koor{n:02}@cari.go.id")),
        name: Set(format!("Koordinator Cari {n:02}")),
        password_hash: Set("x".into()),
        role: Set(if n < 50 { "coordinator" } else { "leadership" }.into()),
        institution_id: Set(Some(inst)),
        language: Set(None),
        security_stamp: Set(format!("s{n}")),
        is_active: Set(n != 7),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }))
    .exec_without_returning(&app.db)
    .await
    .unwrap();
    let get = |query: &str| {
        let (app, admin, path) = (&app, admin.clone(), format!("/api/v1/users{query}"));
        async move { json(app.get_api(&path, Some(&admin)).await).await }
    };
    let (status, page) = get("?q=KOORDINATOR%20cari&limit=20&offset=40").await;
    assert_eq!(status, Status::Ok, "{page}");
    assert_eq!(
        (
            page["total"].as_i64(),
            page["limit"].as_i64(),
            page["offset"].as_i64()
        ),
        (Some(55), Some(20), Some(40))
    );
    let names: Vec<&str> = page["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 15);
    assert_eq!(names[0], "Koordinator Cari 40");
    let (_, page) = get("?q=koor07%40cari").await;
    assert_eq!(page["total"], 1, "by email: {page}");
    let (_, page) = get("?role=leadership").await;
    assert_eq!(page["total"], 5);
    let (_, page) = get("?status=inactive").await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["users"][0]["email"], "koor07@cari.go.id");
    let (_, page) = get("").await;
    assert_eq!(page["total"], 56, "with the admin, no cap");
    assert_eq!(
        page["users"].as_array().unwrap().len(),
        50,
        "the default page"
    );
    for (query, field) in [
        ("?role=raja", "role"),
        ("?role=%20admin", "role"),
        ("?status=mungkin", "status"),
        ("?limit=0", "limit"),
        ("?limit=501", "limit"),
    ] {
        let (status, body) = get(query).await;
        assert_eq!(status, Status::UnprocessableEntity, "{query}: {body}");
        assert!(body["fields"][field].is_array(), "{query}: {body}");
    }
    let long = "a".repeat(121);
    let (status, _) = get(&format!("?q={long}")).await;
    assert_eq!(status, Status::UnprocessableEntity);

    // The page: the same search, a page at a time, the filters kept.
    let (status, html) = text(
        app.page("/admin/users?q=cari&role=coordinator", Some(&admin))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("1–50 dari 50 pengguna"), "{html}");
    let (_, html) = text(app.page("/admin/users?q=cari&page=2", Some(&admin)).await).await;
    assert!(html.contains("51–55 dari 55 pengguna"), "{html}");
    assert!(html.contains(r#"rel="prev""#) && !html.contains(r#"rel="next""#));
    assert!(html.contains(r#"value="cari""#), "the search kept");
    let (status, html) = text(app.page("/admin/users?status=mungkin", Some(&admin)).await).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(html.contains(r#"id="f-filter_status-error""#), "{html}");
}
