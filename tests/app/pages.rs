//! Pages: language choice, layout per role, error pages.

use rocket::http::{Cookie, Header, Status};

use crate::support::{text, TestApp, CSRF};

#[rocket::async_test]
async fn language_comes_from_user_then_cookie_then_header_then_default() {
    let app = TestApp::spawn().await;
    let (_, page) = text(app.page("/login", None).await).await;
    assert!(page.contains("<html lang=\"id\">") && page.contains("Masuk ke Duta"));
    let en = app
        .client
        .get("/login")
        .header(Header::new("Accept-Language", "en-GB,en;q=0.9"))
        .dispatch()
        .await;
    let (_, page) = text(en).await;
    assert!(page.contains("<html lang=\"en\">") && page.contains("Sign in to Duta"));
    let cookie_wins = app
        .client
        .get("/login")
        .header(Header::new("Accept-Language", "en"))
        .cookie(Cookie::new("duta_lang", "id"))
        .dispatch()
        .await;
    assert!(text(cookie_wins).await.1.contains("Masuk ke Duta"));

    let id = app
        .user(
            "coordinator",
            "k@duta.test",
            Some(app.institution("Instansi Uji").await),
            None,
        )
        .await;
    let token = app.token(id).await;
    let resp = app
        .form(
            "/language",
            Some(&token),
            &[("lang", "en"), ("next", "/account/password")],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    assert_eq!(
        resp.headers().get_one("Location"),
        Some("/account/password")
    );
    assert!(resp
        .headers()
        .get("Set-Cookie")
        .any(|c| c.starts_with("duta_lang=en")));
    // The user's choice follows them to a browser whose cookie and header say Indonesian.
    let page = app
        .client
        .get("/")
        .cookie(Cookie::new("duta_session", token.clone()))
        .cookie(Cookie::new("duta_lang", "id"))
        .header(Header::new("Accept-Language", "id"))
        .dispatch()
        .await;
    let (_, body) = text(page).await;
    assert!(body.contains("Welcome, Test coordinator."), "{body}");
    let evil = app
        .form(
            "/language",
            Some(&token),
            &[("lang", "id"), ("next", "https://evil.example")],
        )
        .await;
    assert_eq!(evil.headers().get_one("Location"), Some("/"));
    // Switching language on a filtered page comes back to the same filters.
    let (_, board) = text(app.page("/leaderboard?weeks=26&page=1", Some(&token)).await).await;
    assert!(
        board.contains("name=\"next\" value=\"&#x2F;leaderboard?weeks=26&amp;page=1\""),
        "{board}"
    );
    let back = app
        .form(
            "/language",
            Some(&token),
            &[("lang", "id"), ("next", "/leaderboard?weeks=26&page=1")],
        )
        .await;
    assert_eq!(
        back.headers().get_one("Location"),
        Some("/leaderboard?weeks=26&page=1")
    );
}

#[rocket::async_test]
async fn navigation_follows_the_role() {
    let app = TestApp::spawn().await;
    let admin = app.user("admin", "a@duta.test", None, None).await;
    let lead = app
        .user(
            "leadership",
            "l@duta.test",
            Some(app.institution("Instansi Uji").await),
            None,
        )
        .await;
    let (_, admin_home) = text(app.page("/", Some(&app.token(admin).await)).await).await;
    assert!(admin_home.contains("href=\"/admin/users\""));
    let (_, lead_home) = text(app.page("/", Some(&app.token(lead).await)).await).await;
    assert!(!lead_home.contains("href=\"/admin/users\"") && lead_home.contains("Pimpinan"));
}

#[rocket::async_test]
async fn pages_redirect_to_login_and_come_back() {
    let app = TestApp::spawn().await;
    let resp = app.page("/admin/settings", None).await;
    assert_eq!(resp.status(), Status::SeeOther);
    assert_eq!(
        resp.headers().get_one("Location"),
        Some("/login?next=/admin/settings")
    );
    let (_, page) = text(app.page("/login?next=/admin/settings", None).await).await;
    assert!(
        page.contains("name=\"next\" value=\"&#x2F;admin&#x2F;settings\""),
        "{page}"
    );
}

#[rocket::async_test]
async fn error_pages_exist_in_both_languages() {
    let app = TestApp::spawn().await;
    let amb = app
        .user(
            "ambassador",
            "amb@duta.test",
            Some(app.institution("Instansi Uji").await),
            None,
        )
        .await;
    let token = app.token(amb).await;
    let (status, page) = text(app.page("/admin/users", Some(&token)).await).await;
    assert_eq!(status, Status::Forbidden);
    assert!(page.contains("Akses ditolak"));
    let en = app
        .client
        .get("/admin/users")
        .cookie(Cookie::new("duta_session", token.clone()))
        .header(Header::new("Accept-Language", "en"))
        .dispatch()
        .await;
    assert!(text(en).await.1.contains("Access denied"));
    let (status, lost) = text(app.page("/no/such/page", Some(&token)).await).await;
    assert_eq!(status, Status::NotFound);
    assert!(
        lost.contains("Keluar"),
        "a signed-in user keeps the menu on the 404 page"
    );
    let anonymous_post = app.form("/account/password", None, &[]).await;
    let (status, page) = text(anonymous_post).await;
    assert_eq!(status, Status::Unauthorized);
    assert!(page.contains("Perlu masuk"));
    let garbage = app
        .client
        .post("/login")
        .header(rocket::http::ContentType::Form)
        .cookie(Cookie::new("duta_csrf", CSRF))
        .body(format!("csrf_token={CSRF}&email=%ZZ"))
        .dispatch()
        .await;
    assert!(
        garbage.status().code < 500,
        "a malformed form is not a 500: {}",
        garbage.status()
    );
}

/// The board page is rendered once and kept for everyone who sees the same board; each
/// viewer still gets their own name, CSRF token and language.
#[rocket::async_test]
async fn a_kept_board_page_carries_each_viewers_own_name_token_and_language() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Instansi Uji").await;
    let a = app
        .user("coordinator", "a@duta.test", Some(inst), None)
        .await;
    let b = app
        .user("coordinator", "b@duta.test", Some(inst), None)
        .await;
    for (id, name) in [(a, "Koordinator Ani"), (b, "Koordinator <Budi>")] {
        let user = <entity::users::Entity as sea_orm::EntityTrait>::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let mut m: entity::users::ActiveModel = user.into();
        m.name = sea_orm::Set(name.into());
        sea_orm::ActiveModelTrait::update(m, &app.db).await.unwrap();
    }
    let view = |token: String, csrf: &'static str, lang: &'static str| {
        let app = &app;
        async move {
            let resp = app
                .client
                .get("/leaderboard?weeks=12")
                .cookie(Cookie::new("duta_session", token))
                .cookie(Cookie::new("duta_csrf", csrf))
                .cookie(Cookie::new("duta_lang", lang))
                .dispatch()
                .await;
            text(resp).await
        }
    };
    let (ta, tb) = (app.token(a).await, app.token(b).await);
    let csrf_a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let csrf_b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    let (status, first) = view(ta.clone(), csrf_a, "id").await;
    assert_eq!(status, Status::Ok);
    assert!(
        first.contains("<strong>Koordinator Ani</strong>"),
        "{first}"
    );
    assert!(first.contains(&format!("value=\"{csrf_a}\"")));
    let (status, second) = view(tb.clone(), csrf_b, "id").await;
    assert_eq!(status, Status::Ok);
    assert!(
        second.contains("<strong>Koordinator &lt;Budi&gt;</strong>"),
        "{second}"
    );
    assert!(second.contains(&format!("value=\"{csrf_b}\"")));
    assert!(
        !second.contains("Ani") && !second.contains(csrf_a),
        "{second}"
    );
    assert!(second.contains("Papan peringkat"));
    let (_, english) = view(tb, csrf_b, "en").await;
    assert!(english.contains("Leaderboard") && !english.contains("Papan peringkat"));
    // The first viewer's page again: still their own.
    let (_, again) = view(ta, csrf_a, "id").await;
    assert_eq!(again, first);
}
