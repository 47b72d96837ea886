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
