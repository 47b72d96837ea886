//! Two-step sign-in (TOTP): setting it up, codes that are wrong, reused or stale are
//! refused, recovery codes work once, wrong codes count for throttling, the page flow,
//! and the programme setting that requires it of staff.

use rocket::http::{ContentType, Cookie, Status};
use sea_orm::EntityTrait;
use serde_json::{json, Value};

use crate::support::{json, text, TestApp, CSRF, PASSWORD};
use duta::auth::totp;

fn unbase32(s: &str) -> Vec<u8> {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for c in s.chars() {
        buffer = (buffer << 5) | ALPHABET.find(c).unwrap() as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

/// The current step, after waiting out the end of a step so a test's codes stay current.
pub(crate) async fn steady_step() -> i64 {
    let now = chrono::Utc::now().timestamp();
    if totp::STEP_SECS - now.rem_euclid(totp::STEP_SECS) < 8 {
        tokio::time::sleep(std::time::Duration::from_secs(8)).await;
    }
    totp::step_of(chrono::Utc::now().timestamp())
}

pub(crate) fn code(secret: &[u8], step: i64) -> String {
    format!("{:06}", totp::code_at(secret, step))
}

async fn login(app: &TestApp, email: &str, password: &str, code: &str) -> (Status, Value) {
    json(
        app.send_api(
            "POST",
            "/api/v1/auth/login",
            None,
            &json!({"email": email, "password": password, "code": code}),
        )
        .await,
    )
    .await
}

/// Sets two-step sign-in up for a user through the API; returns the secret and the
/// recovery codes.
pub(crate) async fn enrol(app: &TestApp, token: &str, step: i64) -> (Vec<u8>, Vec<String>) {
    let (status, setup) = json(
        app.send_api(
            "POST",
            "/api/v1/me/two-factor/setup",
            Some(token),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{setup}");
    let secret = unbase32(setup["secret"].as_str().unwrap());
    assert_eq!(secret.len(), 20);
    assert!(setup["otpauth_url"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/Duta:"));
    assert!(setup["qr_svg"].as_str().unwrap().contains("<svg"));
    let (status, done) = json(
        app.send_api(
            "POST",
            "/api/v1/me/two-factor/enable",
            Some(token),
            &json!({"code": code(&secret, step - 1)}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{done}");
    let codes: Vec<String> = done["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    (secret, codes)
}

#[rocket::async_test]
async fn wrong_reused_and_stale_codes_are_refused_and_recovery_codes_work_once() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Aman").await;
    let email = "koordinator@aman.test";
    let user = app.user("coordinator", email, Some(inst), None).await;
    let token = app.token(user).await;
    let step = steady_step().await;

    // Enabling needs a right code of the secret being set up.
    let (status, setup) = json(
        app.send_api(
            "POST",
            "/api/v1/me/two-factor/setup",
            Some(&token),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    let secret = unbase32(setup["secret"].as_str().unwrap());
    for bad in ["", "12ab56", "1234567", &code(&secret, step - 3)] {
        let (status, err) = json(
            app.send_api(
                "POST",
                "/api/v1/me/two-factor/enable",
                Some(&token),
                &json!({ "code": bad }),
            )
            .await,
        )
        .await;
        assert_eq!(status, Status::UnprocessableEntity, "{bad}: {err}");
        assert!(err["fields"]["code"].is_array());
    }
    // The setup shows the same secret until it is enabled.
    let (_, again) = json(
        app.send_api(
            "POST",
            "/api/v1/me/two-factor/setup",
            Some(&token),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(again["secret"], setup["secret"]);
    let (secret, recovery) = enrol(&app, &token, step).await;
    assert_eq!(recovery.len(), 10);
    let (status, _) = json(
        app.send_api(
            "POST",
            "/api/v1/me/two-factor/setup",
            Some(&token),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Conflict, "already on");

    // Password alone is not enough.
    let (status, err) = login(&app, email, PASSWORD, "").await;
    assert_eq!(status, Status::UnprocessableEntity, "{err}");
    assert!(err["fields"]["code"].is_array());
    assert!(err.get("token").is_none());
    // The code the setup used is spent, an old one is stale, a wrong one is wrong.
    let wrong = format!("{:06}", (totp::code_at(&secret, step) + 1) % 1_000_000);
    for bad in [code(&secret, step - 1), code(&secret, step - 2), wrong] {
        let (status, err) = login(&app, email, PASSWORD, &bad).await;
        assert_eq!(status, Status::UnprocessableEntity, "{bad}: {err}");
    }
    // The current code works once.
    let (status, ok) = login(&app, email, PASSWORD, &code(&secret, step)).await;
    assert_eq!(status, Status::Ok, "{ok}");
    assert!(ok["token"].is_string());
    let (status, _) = login(&app, email, PASSWORD, &code(&secret, step)).await;
    assert_eq!(status, Status::UnprocessableEntity, "reused");
    // A right code with a wrong password is still a wrong password.
    let (status, _) = login(&app, email, "not the password", &code(&secret, step + 1)).await;
    assert_eq!(status, Status::Unauthorized);

    // A recovery code, however typed, works once.
    let typed = recovery[3].to_uppercase().replace('-', " ");
    let (status, ok) = login(&app, email, PASSWORD, &typed).await;
    assert_eq!(status, Status::Ok, "{ok}");
    let (status, _) = login(&app, email, PASSWORD, &recovery[3]).await;
    assert_eq!(
        status,
        Status::UnprocessableEntity,
        "a recovery code is used up"
    );

    // Wrong codes count as failed sign-ins: after five, even a right code waits.
    for _ in 0..5 {
        let (status, _) = login(&app, email, PASSWORD, "000000").await;
        assert!(
            status == Status::UnprocessableEntity || status == Status::TooManyRequests,
            "{status}"
        );
    }
    let (status, _) = login(&app, email, PASSWORD, &code(&secret, step + 1)).await;
    assert_eq!(status, Status::TooManyRequests);

    // Turning it off needs the password and a code.
    let (status, err) = json(
        app.send_api(
            "POST",
            "/api/v1/me/two-factor/disable",
            ok["token"].as_str(),
            &json!({"password": PASSWORD, "code": "000000"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity, "{err}");
    let (status, _) = json(
        app.send_api(
            "POST",
            "/api/v1/me/two-factor/disable",
            Some(ok["token"].as_str().unwrap()),
            &json!({"password": PASSWORD, "code": recovery[0]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    let row = entity::users::Entity::find_by_id(user)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.totp_enabled_at.is_none() && row.totp_secret.is_none());
    assert_eq!(app.count("recovery_codes").await, 0);
    // Off now: turning it off again or renewing the codes meets the account in the wrong
    // state (409, the message at the field), and turning it on needs a new setup first.
    for (path, body) in [
        (
            "disable",
            json!({"password": PASSWORD, "code": recovery[1]}),
        ),
        ("recovery-codes", json!({"password": PASSWORD})),
        ("enable", json!({"code": code(&secret, step + 1)})),
    ] {
        let (status, err) = json(
            app.send_api(
                "POST",
                &format!("/api/v1/me/two-factor/{path}"),
                ok["token"].as_str(),
                &body,
            )
            .await,
        )
        .await;
        assert_eq!(status, Status::Conflict, "{path}: {err}");
        assert!(
            err["fields"].as_object().is_some_and(|f| !f.is_empty()),
            "{path}: {err}"
        );
    }
    let (status, ok) = login(&app, email, PASSWORD, "").await;
    assert!(
        status == Status::Ok || status == Status::TooManyRequests,
        "{ok}"
    );
}

#[rocket::async_test]
async fn the_page_asks_for_the_code_after_the_password() {
    let app = TestApp::spawn().await;
    let email = "admin@aman.test";
    let user = app.user("admin", email, None, None).await;
    let token = app.token(user).await;
    let step = steady_step().await;
    let (secret, _) = enrol(&app, &token, step).await;

    let resp = app
        .form(
            "/login",
            None,
            &[("email", email), ("password", PASSWORD), ("next", "/stats")],
        )
        .await;
    assert!(
        resp.cookies().get("duta_session").is_none(),
        "no session yet"
    );
    let (status, page) = text(resp).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("id=\"code-step\"") && page.contains("name=\"ticket\""));
    let ticket = page
        .split("name=\"ticket\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();

    let (status, page) = text(
        app.form("/login/code", None, &[("ticket", &ticket), ("code", "123")])
            .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        page.contains("id=\"f-code-error\""),
        "the message is at the field"
    );
    assert!(page.contains(&ticket), "the same ticket to try again");

    let (status, page) = text(
        app.form(
            "/login/code",
            None,
            &[("ticket", "not-a-ticket"), ("code", &code(&secret, step))],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Unauthorized);
    assert!(page.contains("Waktu untuk memasukkan kode telah habis"));
    // A session token is not a ticket.
    let (status, _) = text(
        app.form(
            "/login/code",
            None,
            &[("ticket", &token), ("code", &code(&secret, step))],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Unauthorized);

    let resp = app
        .form(
            "/login/code",
            None,
            &[
                ("ticket", &ticket),
                ("code", &code(&secret, step)),
                ("next", "/stats"),
            ],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    assert_eq!(resp.headers().get_one("Location"), Some("/stats"));
    let session = resp
        .cookies()
        .get("duta_session")
        .unwrap()
        .value()
        .to_string();
    let me = app.page("/me/data", Some(&session)).await;
    assert_eq!(me.status(), Status::Ok);
}

#[rocket::async_test]
async fn when_the_programme_requires_it_staff_set_it_up_before_anything_else() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Wajib").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let admin = app.user("admin", "admin@wajib.test", None, None).await;
    let coordinator = app
        .user("coordinator", "koordinator@wajib.test", Some(inst), None)
        .await;
    let admin = app.token(admin).await;
    let coordinator = app.token(coordinator).await;
    let (_, amb_user) = app.candidate(inst, unit, 1).await;
    let ambassador = app.token(amb_user).await;
    let step = steady_step().await;
    // The admin sets it up first, then requires it.
    enrol(&app, &admin, step).await;
    let (_, mut settings) = json(app.get_api("/api/v1/settings", Some(&admin)).await).await;
    settings["two_factor_required"] = json!(true);
    let (status, saved) = json(
        app.send_api("PUT", "/api/v1/settings", Some(&admin), &settings)
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{saved}");
    assert_eq!(saved["two_factor_required"], true);

    // The coordinator can do nothing but set it up (and sign out, read their data).
    assert_eq!(
        app.get_api("/api/v1/vetting/candidates", Some(&coordinator))
            .await
            .status(),
        Status::Forbidden
    );
    assert_eq!(
        app.get_api("/api/v1/leaderboard", Some(&coordinator))
            .await
            .status(),
        Status::Forbidden
    );
    let resp = app.page("/vetting", Some(&coordinator)).await;
    assert_eq!(resp.status(), Status::SeeOther);
    assert_eq!(
        resp.headers().get_one("Location"),
        Some("/account/two-factor")
    );
    let (status, page) = text(app.page("/account/two-factor", Some(&coordinator)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("id=\"required-note\"") && page.contains("<svg"));
    assert_eq!(
        app.get_api("/api/v1/me", Some(&coordinator)).await.status(),
        Status::Ok
    );
    // Ambassadors are not staff: nothing changes for them.
    assert_eq!(
        app.get_api("/api/v1/me/export", Some(&ambassador))
            .await
            .status(),
        Status::Ok
    );
    // Set up on the page: a wrong code first.
    let (_, setup) = json(
        app.send_api(
            "POST",
            "/api/v1/me/two-factor/setup",
            Some(&coordinator),
            &json!({}),
        )
        .await,
    )
    .await;
    let secret = unbase32(setup["secret"].as_str().unwrap());
    let (status, page) = text(
        app.form(
            "/account/two-factor/enable",
            Some(&coordinator),
            &[("code", "99999")],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("id=\"f-code-error\""));
    let (status, page) = text(
        app.form(
            "/account/two-factor/enable",
            Some(&coordinator),
            &[("code", &code(&secret, step))],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("id=\"recovery-codes\""));
    assert_eq!(
        app.get_api("/api/v1/vetting/candidates", Some(&coordinator))
            .await
            .status(),
        Status::Ok
    );
    // While required, it cannot be turned off.
    let (status, err) = json(
        app.send_api(
            "POST",
            "/api/v1/me/two-factor/disable",
            Some(&coordinator),
            &json!({"password": PASSWORD, "code": code(&secret, step + 1)}),
        )
        .await,
    )
    .await;
    // The request is well formed; the programme's rule is what refuses it.
    assert_eq!(status, Status::Conflict, "{err}");
    assert!(err["fields"]["code"].is_array(), "{err}");
    // The page form is CSRF-protected like every other.
    let status = app
        .client
        .post("/account/two-factor/enable")
        .header(ContentType::Form)
        .cookie(Cookie::new("duta_session", coordinator.clone()))
        .cookie(Cookie::new("duta_csrf", CSRF))
        .body("code=123456")
        .dispatch()
        .await
        .status();
    assert_eq!(status, Status::Forbidden);
}
