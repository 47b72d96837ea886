//! A forgotten password: the emailed link (through a real SMTP server), the same answer
//! for unknown addresses, links that work once, expire and are replaced, tampered and
//! guessed tokens, throttling, the links staff make and pass on over WhatsApp, turning off
//! a lost authenticator, in scope, and the pages.

use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};

use crate::smtp::{skip_without_aiosmtpd, SmtpServer};
use crate::support::{json, text, TestApp, PASSWORD};

const NEW_PASSWORD: &str = "kopi tubruk pagi hari";

async fn post(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> (Status, Value) {
    json(app.send_api("POST", path, token, &body).await).await
}

async fn forgot(app: &TestApp, email: &str) -> (Status, Value) {
    post(
        app,
        "/api/v1/auth/password/forgot",
        None,
        json!({ "email": email }),
    )
    .await
}

async fn reset(app: &TestApp, token: &str, password: &str) -> (Status, Value) {
    post(
        app,
        "/api/v1/auth/password/reset",
        None,
        json!({ "token": token, "new_password": password }),
    )
    .await
}

async fn me(app: &TestApp, token: &str) -> Status {
    app.get_api("/api/v1/me", Some(token)).await.status()
}

/// The token at the end of a reset link.
fn token_of(link: &str) -> String {
    let (_, token) = link
        .split_once("/password/reset/")
        .unwrap_or_else(|| panic!("not a reset link: {link}"));
    token
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// A reset link made by `token`'s holder for the user `id`, through the API.
async fn make_link(app: &TestApp, token: &str, id: i64) -> Value {
    let path = format!("/api/v1/users/{id}/password-reset-link");
    let (status, body) = post(app, &path, Some(token), json!({})).await;
    assert_eq!(status, Status::Ok, "{body}");
    body
}

async fn audit_actions(app: &TestApp, user_id: i64) -> Vec<String> {
    entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::TargetId.eq(user_id))
        .filter(entity::audit_log::Column::TargetType.eq("user"))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect()
}

#[rocket::async_test]
async fn a_forgotten_password_is_reset_once_with_the_emailed_link() {
    if skip_without_aiosmtpd() {
        return;
    }
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with(&[("smtp", smtp.config())]).await;
    let inst = app.institution("Kementerian Lupa").await;
    let id = app
        .user("coordinator", "sari@lupa.go.id", Some(inst), None)
        .await;
    let session = app.token(id).await;
    assert_eq!(me(&app, &session).await, Status::Ok);

    // The same answer for a known address (typed loosely) and an unknown one.
    let (known_status, known) = forgot(&app, "  Sari@Lupa.go.id ").await;
    let (unknown_status, unknown) = forgot(&app, "tidak.ada@lupa.go.id").await;
    assert_eq!(known_status, Status::Accepted, "{known}");
    assert_eq!((unknown_status, &unknown), (known_status, &known));
    let mail = smtp.wait_for(1).await.remove(0);
    assert_eq!(mail["rcpt_tos"], json!(["sari@lupa.go.id"]));
    assert_eq!(mail["subject"], "Atur ulang kata sandi Duta Anda");
    let body = mail["body"].as_str().unwrap();
    assert!(body.contains("60 menit"), "{body}");
    let link = body
        .split_whitespace()
        .find(|w| w.starts_with("https://duta.uji.go.id/password/reset/"))
        .unwrap_or_else(|| panic!("no link in {body}"));
    let token = token_of(link);
    assert_eq!(token.len(), 43, "{link}");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        smtp.received().len(),
        1,
        "nothing is sent to an unknown address"
    );

    // Only the token's hash is stored, and the audit log never holds the token.
    let rows = entity::account_tokens::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].token_hash.len(), 64);
    assert_ne!(rows[0].token_hash, token);
    let audit = entity::audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert!(audit.iter().all(|r| !r.detail.contains(&token)));

    // A password the rules refuse leaves the link usable.
    let (status, body) = reset(&app, &token, "pendek").await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert!(body["fields"]["new_password"].is_array(), "{body}");
    let (status, body) = reset(&app, &token, "sari@lupa.go.id").await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");

    // The new password: signed in at once, every older session ended.
    let (status, done) = reset(&app, &token, NEW_PASSWORD).await;
    assert_eq!(status, Status::Ok, "{done}");
    assert_eq!(done["two_factor_required"], false);
    assert_eq!(done["user"]["email"], "sari@lupa.go.id");
    let fresh = done["token"].as_str().unwrap();
    assert_eq!(me(&app, fresh).await, Status::Ok);
    assert_eq!(me(&app, &session).await, Status::Unauthorized);
    let old = app.login_api("sari@lupa.go.id", PASSWORD).await.status();
    assert_eq!(old, Status::Unauthorized);
    let new = app
        .login_api("sari@lupa.go.id", NEW_PASSWORD)
        .await
        .status();
    assert_eq!(new, Status::Ok);

    // Used twice: 409 with the reason at the token; tampered or made up: 404.
    let (status, body) = reset(&app, &token, "lain kali saja ya").await;
    assert_eq!(status, Status::Conflict, "{body}");
    assert!(body["fields"]["token"].is_array(), "{body}");
    let mut tampered = token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    for guess in [
        tampered.as_str(),
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        &"x".repeat(64),
    ] {
        let (status, body) = reset(&app, guess, NEW_PASSWORD).await;
        assert_eq!(status, Status::NotFound, "{guess}: {body}");
    }
    let actions = audit_actions(&app, id).await;
    for a in ["user.password_reset_requested", "user.password_reset"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }

    // Not an email address at all: 422 at the field.
    let (status, body) = forgot(&app, "bukan email").await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert!(body["fields"]["email"].is_array(), "{body}");
}

#[rocket::async_test]
async fn a_newer_link_expiry_and_a_race_each_stop_a_link() {
    let app = TestApp::spawn().await;
    let admin = app.user("admin", "admin@pusat.go.id", None, None).await;
    let admin = app.token(admin).await;
    let inst = app.institution("Kementerian Tautan").await;
    let id = app
        .user("leadership", "pimpinan@tautan.go.id", Some(inst), None)
        .await;
    let first = make_link(&app, &admin, id).await;
    let second = make_link(&app, &admin, id).await;
    assert_eq!(first["emailed"], false, "no SMTP here");
    assert_eq!(
        first["whatsapp_url"],
        Value::Null,
        "staff have no phone in Duta"
    );
    let first = token_of(first["link"].as_str().unwrap());
    let second = token_of(second["link"].as_str().unwrap());
    let (status, body) = reset(&app, &first, NEW_PASSWORD).await;
    assert_eq!(
        status,
        Status::Conflict,
        "replaced by the newer link: {body}"
    );

    // Expired.
    let row = entity::account_tokens::Entity::find()
        .filter(
            entity::account_tokens::Column::TokenHash.eq(duta::auth::tokens::token_hash(&second)),
        )
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut old: entity::account_tokens::ActiveModel = row.clone().into();
    old.expires_at = Set(chrono::Utc::now() - chrono::Duration::seconds(1));
    old.update(&app.db).await.unwrap();
    let (status, body) = reset(&app, &second, NEW_PASSWORD).await;
    assert_eq!(status, Status::Conflict, "{body}");
    let (status, page) = text(app.page(&format!("/password/reset/{second}"), None).await).await;
    assert_eq!(status, Status::Conflict);
    assert!(page.contains("sudah kedaluwarsa"), "{page}");

    // Two uses of one link at once: one wins.
    let third = token_of(make_link(&app, &admin, id).await["link"].as_str().unwrap());
    let (a, b) = tokio::join!(
        reset(&app, &third, NEW_PASSWORD),
        reset(&app, &third, "teh manis sore hari")
    );
    let mut statuses = [a.0, b.0];
    statuses.sort_by_key(|s| s.code);
    assert_eq!(statuses, [Status::Ok, Status::Conflict], "{a:?} {b:?}");
    let winner = if a.0 == Status::Ok {
        NEW_PASSWORD
    } else {
        "teh manis sore hari"
    };
    let status = app
        .login_api("pimpinan@tautan.go.id", winner)
        .await
        .status();
    assert_eq!(status, Status::Ok);

    // An inactive account gets no link.
    let mut gone: entity::users::ActiveModel = entity::users::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into();
    gone.is_active = Set(false);
    gone.update(&app.db).await.unwrap();
    let (status, body) = post(
        &app,
        &format!("/api/v1/users/{id}/password-reset-link"),
        Some(&admin),
        json!({}),
    )
    .await;
    assert_eq!(status, Status::Conflict, "{body}");
}

#[rocket::async_test]
async fn forgot_password_requests_are_throttled_per_address_asked_and_per_client() {
    let app = TestApp::spawn_with(&[("password_reset_max_per_ip", json!(10))]).await;
    // A hundred requests for one address in a minute: three go through, the rest wait,
    // for an unknown address exactly as for a known one.
    let inst = app.institution("Kementerian Sabar").await;
    app.user("coordinator", "ada@sabar.go.id", Some(inst), None)
        .await;
    for email in ["ada@sabar.go.id", "tidak.ada@sabar.go.id"] {
        let mut statuses = Vec::new();
        for _ in 0..50 {
            let resp = app
                .send_api(
                    "POST",
                    "/api/v1/auth/password/forgot",
                    None,
                    &json!({ "email": email }),
                )
                .await;
            if resp.status() == Status::TooManyRequests {
                let retry: i64 = resp
                    .headers()
                    .get_one("Retry-After")
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!((1..=3600).contains(&retry), "{retry}");
            }
            statuses.push(resp.status());
        }
        let accepted = statuses.iter().filter(|s| **s == Status::Accepted).count();
        assert_eq!(accepted, 3, "{email}: {statuses:?}");
        assert!(statuses[3..].iter().all(|s| *s == Status::TooManyRequests));
    }
    // The client's own limit: ten in the hour, whatever the addresses.
    let mut statuses = Vec::new();
    for n in 0..6 {
        statuses.push(forgot(&app, &format!("orang{n}@sabar.go.id")).await.0);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == Status::Accepted).count(),
        4,
        "six went through before: {statuses:?}"
    );
    assert_eq!(statuses[5], Status::TooManyRequests);
    // Sign-in's own limits are untouched by these.
    let status = app.login_api("ada@sabar.go.id", PASSWORD).await.status();
    assert_eq!(status, Status::Ok);
}

#[rocket::async_test]
async fn staff_make_links_and_turn_off_two_step_sign_in_only_in_their_scope() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Bantu").await;
    let other = app.institution("Kementerian Lain").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let other_unit = app.work_unit(other, None, "Biro Lain").await;
    let coordinator = app
        .user("coordinator", "koordinator@bantu.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let leadership = app
        .user("leadership", "pimpinan@bantu.go.id", Some(inst), None)
        .await;
    let leadership = app.token(leadership).await;
    let admin = app.user("admin", "admin@pusat.go.id", None, None).await;
    let admin = app.token(admin).await;
    let staff = app
        .user("coordinator", "rekan@bantu.go.id", Some(inst), None)
        .await;
    let (amb, amb_user) = app.candidate(inst, unit, 1).await;
    crate::support::approve(&app, amb).await;
    let (_, far_user) = app.candidate(other, other_unit, 2).await;
    let amb_token = app.token(amb_user).await;

    let link = |id: i64| format!("/api/v1/users/{id}/password-reset-link");
    let (status, made) = post(&app, &link(amb_user), Some(&coordinator), json!({})).await;
    assert_eq!(status, Status::Ok, "{made}");
    assert!(
        made["link"]
            .as_str()
            .unwrap()
            .starts_with("http://localhost/password/reset/"),
        "{made}"
    );
    let wa = made["whatsapp_url"].as_str().unwrap();
    assert!(wa.starts_with("https://wa.me/62812345600"), "{wa}");
    assert!(wa.contains("password%2Freset"), "{wa}");
    // Out of the coordinator's scope: staff, and another institution's ambassadors.
    for id in [staff, far_user, 999_999] {
        let (status, body) = post(&app, &link(id), Some(&coordinator), json!({})).await;
        assert_eq!(status, Status::NotFound, "{id}: {body}");
    }
    for token in [&leadership, &amb_token] {
        let (status, _) = post(&app, &link(amb_user), Some(token), json!({})).await;
        assert_eq!(status, Status::Forbidden);
    }
    let (status, _) = post(&app, &link(staff), Some(&admin), json!({})).await;
    assert_eq!(status, Status::Ok, "admins help staff too");

    // A staff member lost their authenticator.
    let staff_session = app.token(staff).await;
    let step = crate::two_factor::steady_step().await;
    crate::two_factor::enrol(&app, &staff_session, step).await;
    let staff_session = app.token(staff).await;
    let off = |id: i64| format!("/api/v1/users/{id}/two-factor/reset");
    let (status, _) = post(&app, &off(staff), Some(&coordinator), json!({})).await;
    assert_eq!(
        status,
        Status::NotFound,
        "a coordinator does not manage staff"
    );
    let (status, body) = post(&app, &off(staff), Some(&admin), json!({})).await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(
        me(&app, &staff_session).await,
        Status::Unauthorized,
        "sessions end"
    );
    let (status, signed_in) = json(app.login_api("rekan@bantu.go.id", PASSWORD).await).await;
    assert_eq!(status, Status::Ok, "the password alone now: {signed_in}");
    assert_eq!(signed_in["user"]["two_factor"], false);
    let (status, body) = post(&app, &off(staff), Some(&admin), json!({})).await;
    assert_eq!(status, Status::Conflict, "{body}");
    let (status, _) = post(&app, &off(amb_user), Some(&leadership), json!({})).await;
    assert_eq!(status, Status::Forbidden);
    let actions = audit_actions(&app, staff).await;
    assert!(
        actions.iter().any(|a| a == "user.two_factor_reset"),
        "{actions:?}"
    );
    assert!(
        actions.iter().any(|a| a == "user.password_reset_link_made"),
        "{actions:?}"
    );

    // The coordinator's link, passed on over WhatsApp, lets the ambassador in.
    let token = token_of(made["link"].as_str().unwrap());
    let (status, done) = reset(&app, &token, NEW_PASSWORD).await;
    assert_eq!(status, Status::Ok, "{done}");
    assert_eq!(me(&app, &amb_token).await, Status::Unauthorized);
}

#[rocket::async_test]
async fn the_pages_take_a_person_from_forgetting_to_signed_in() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Halaman").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@halaman.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let (amb, amb_user) = app.candidate(inst, unit, 3).await;
    crate::support::approve(&app, amb).await;

    let (status, login) = text(app.page("/login", None).await).await;
    assert_eq!(status, Status::Ok);
    assert!(login.contains(r#"<a href="/password/forgot">Lupa kata sandi?</a>"#));
    let (status, page) = text(
        app.form("/password/forgot", None, &[("email", "bukan-email")])
            .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        page.contains(r#"value="bukan-email""#),
        "the form keeps what was typed"
    );
    assert!(page.contains(r#"id="f-email-error""#), "{page}");
    let (status, page) = text(
        app.form(
            "/password/forgot",
            None,
            &[("email", "kandidat3@instansi.go.id")],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Jika email itu terdaftar di Duta"), "{page}");

    // The coordinator's sign-in help on the ambassador's page makes a link to pass on.
    let (status, page) = text(
        app.page(&format!("/vetting/candidates/{amb}"), Some(&coordinator))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains(&format!(
            r#"action="/users/{amb_user}/password-reset-link""#
        )),
        "{page}"
    );
    let back = format!("/vetting/candidates/{amb}");
    let (status, page) = text(
        app.form(
            &format!("/users/{amb_user}/password-reset-link"),
            Some(&coordinator),
            &[("back", &back)],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    // Tera writes `/` in values as `&#x2F;`; a browser reads it back.
    let page = page.replace("&#x2F;", "/").replace("&amp;", "&");
    assert!(page.contains("Email belum diatur di Duta"), "{page}");
    assert!(page.contains("https://wa.me/62812345600"), "{page}");
    let token = token_of(&page);

    let path = format!("/password/reset/{token}");
    let (status, page) = text(app.page(&path, None).await).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("kandidat3@instansi.go.id"), "{page}");
    let (status, page) = text(
        app.form(
            &path,
            None,
            &[
                ("new_password", NEW_PASSWORD),
                ("confirm_password", "salah ketik sedikit"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains(r#"id="f-confirm_password-error""#), "{page}");
    assert!(
        !page.contains(NEW_PASSWORD),
        "a password is never written back"
    );
    let resp = app
        .form(
            &path,
            None,
            &[
                ("new_password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    assert_eq!(resp.headers().get_one("Location"), Some("/"));
    let session = resp
        .headers()
        .get("Set-Cookie")
        .find_map(|c| c.strip_prefix("duta_session="))
        .and_then(|c| c.split(';').next())
        .map(str::to_string)
        .expect("signed in");
    assert_eq!(me(&app, &session).await, Status::Ok);
    let (status, page) = text(app.page(&path, None).await).await;
    assert_eq!(status, Status::Conflict);
    assert!(page.contains("sudah dipakai"), "{page}");
    let (status, page) = text(app.page("/password/reset/bukan-token", None).await).await;
    assert_eq!(status, Status::NotFound);
    assert!(page.contains("tidak dikenal"), "{page}");
}
