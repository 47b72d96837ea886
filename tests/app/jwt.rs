//! Every way to forge or replay a token is refused.

use base64::Engine;
use chrono::{Duration, Utc};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use rocket::http::Status;
use serde_json::{json, Value};

use crate::support::{TestApp, ISSUER, KID, SECRET};

fn sign(alg: Algorithm, kid: Option<&str>, secret: &str, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    encode(
        &header,
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn claims_for(app: &TestApp, user_id: i64) -> Value {
    use sea_orm::EntityTrait;
    let u = entity::users::Entity::find_by_id(user_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    json!({
        "sub": user_id.to_string(), "stamp": u.security_stamp, "role": u.role,
        "iss": ISSUER, "aud": "duta-web", "iat": Utc::now().timestamp(),
        "exp": (Utc::now() + Duration::hours(1)).timestamp(),
    })
}

async fn status_of(app: &TestApp, token: &str) -> Status {
    app.get_api("/api/v1/me", Some(token)).await.status()
}

#[rocket::async_test]
async fn tampered_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let amb = app.user("ambassador", "amb@duta.test", None, None).await;
    let good = claims_for(&app, amb).await;
    let valid = sign(Algorithm::HS256, Some(KID), SECRET, &good);
    assert_eq!(
        status_of(&app, &valid).await,
        Status::Ok,
        "the control token works"
    );

    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let none = format!(
        "{}.{}.",
        b64.encode(json!({"alg": "none", "typ": "JWT", "kid": KID}).to_string()),
        b64.encode(good.to_string())
    );
    let mut cases: Vec<(&str, String)> = vec![
        ("alg none", none),
        (
            "another algorithm (HS512, same key)",
            sign(Algorithm::HS512, Some(KID), SECRET, &good),
        ),
        (
            "wrong key",
            sign(
                Algorithm::HS256,
                Some(KID),
                "another-secret-that-is-long-enough-000000",
                &good,
            ),
        ),
        (
            "unknown kid",
            sign(Algorithm::HS256, Some("k-unknown"), SECRET, &good),
        ),
        ("no kid", sign(Algorithm::HS256, None, SECRET, &good)),
        ("8 KB garbage", "A".repeat(8 * 1024)),
    ];
    let mut expired = good.clone();
    expired["exp"] = json!((Utc::now() - Duration::seconds(5)).timestamp());
    cases.push((
        "expired",
        sign(Algorithm::HS256, Some(KID), SECRET, &expired),
    ));
    let mut no_exp = good.clone();
    no_exp.as_object_mut().unwrap().remove("exp");
    cases.push(("no exp", sign(Algorithm::HS256, Some(KID), SECRET, &no_exp)));
    let mut iss = good.clone();
    iss["iss"] = json!("someone-else");
    cases.push(("wrong iss", sign(Algorithm::HS256, Some(KID), SECRET, &iss)));
    let mut aud = good.clone();
    aud["aud"] = json!("another-app");
    cases.push(("wrong aud", sign(Algorithm::HS256, Some(KID), SECRET, &aud)));
    let mut stamp = good.clone();
    stamp["stamp"] = json!("an-old-stamp");
    cases.push((
        "stale stamp",
        sign(Algorithm::HS256, Some(KID), SECRET, &stamp),
    ));
    // Payload edited to role admin, signature kept.
    let parts: Vec<&str> = valid.split('.').collect();
    let mut admin_claims = good.clone();
    admin_claims["role"] = json!("admin");
    cases.push((
        "payload edited to admin",
        format!(
            "{}.{}.{}",
            parts[0],
            b64.encode(admin_claims.to_string()),
            parts[2]
        ),
    ));

    for (name, token) in &cases {
        let resp = app.get_api("/api/v1/me", Some(token)).await;
        assert_eq!(resp.status(), Status::Unauthorized, "{name} was accepted");
        let body: Value = serde_json::from_str(&resp.into_string().await.unwrap()).unwrap();
        assert_eq!(body["error"], "unauthorized", "{name}");
    }
    // Pages refuse them too: the cookie is ignored and the browser goes to sign in.
    for (name, token) in &cases {
        let resp = app.page("/", Some(token)).await;
        assert_eq!(resp.status(), Status::SeeOther, "{name} opened a page");
    }
}

#[rocket::async_test]
async fn a_signed_role_claim_does_not_grant_the_role() {
    // Even a correctly signed token that says "admin" only gets the role in the database.
    let app = TestApp::spawn().await;
    let amb = app.user("ambassador", "amb@duta.test", None, None).await;
    let mut claims = claims_for(&app, amb).await;
    claims["role"] = json!("admin");
    let token = sign(Algorithm::HS256, Some(KID), SECRET, &claims);
    assert_eq!(
        app.get_api("/api/v1/users", Some(&token)).await.status(),
        Status::Forbidden
    );
}

#[rocket::async_test]
async fn a_page_session_cookie_does_not_open_the_api_and_a_bearer_does_not_open_pages() {
    let app = TestApp::spawn().await;
    let admin = app.user("admin", "admin@duta.test", None, None).await;
    let token = app.token(admin).await;
    let api_with_cookie = app
        .client
        .get("/api/v1/me")
        .cookie(rocket::http::Cookie::new("duta_session", token.clone()))
        .dispatch()
        .await;
    assert_eq!(api_with_cookie.status(), Status::Unauthorized);
    let page_with_bearer = app
        .client
        .get("/admin/users")
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {token}"),
        ))
        .dispatch()
        .await;
    assert_eq!(page_with_bearer.status(), Status::SeeOther);
}
