//! Sign-up and vetting with a platform API: a fake X API on 127.0.0.1 (wiremock) that
//! answers like the real one.

use rocket::http::Status;
use sea_orm::EntityTrait;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{json, TestApp};

async fn app_with_x(server: &MockServer) -> TestApp {
    TestApp::spawn_with(&[
        (
            "followers",
            json!({ "timeout_secs": 2, "x": { "base_url": server.uri(), "token": "test-bearer" } }),
        ),
        ("jobs", json!({ "enabled": false })),
    ])
    .await
}

fn x_user(followers: u64) -> serde_json::Value {
    json!({ "data": { "id": "2244994945", "name": "Kandidat", "username": "kandidat_x1",
        "public_metrics": { "followers_count": followers, "following_count": 10, "tweet_count": 99, "listed_count": 1 } } })
}

#[rocket::async_test]
async fn an_api_check_at_sign_up_sets_the_count_and_the_verdict() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/2/users/by/username/kandidat_x1"))
        .and(header("authorization", "Bearer test-bearer"))
        .respond_with(ResponseTemplate::new(200).set_body_json(x_user(1532)))
        .expect(1)
        .mount(&server)
        .await;
    let app = app_with_x(&server).await;
    let inst = app.institution("Kementerian Kominfo").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let (_, form) = json(app.get_api("/api/v1/signup/form", None).await).await;
    assert_eq!(form["api_platforms"], json!(["x"]));
    let mut body = app.signup_body(inst, unit, 1);
    body["platforms"][1] =
        json!({"platform": "x", "handle": "https://x.com/Kandidat_X1", "method": "api"});
    let (s, created) = json(app.send_api("POST", "/api/v1/signup", None, &body).await).await;
    assert_eq!(s, Status::Created, "{created}");
    let user = entity::users::Entity::find().all(&app.db).await.unwrap();
    let token = app
        .token(user.iter().find(|u| u.role == "ambassador").unwrap().id)
        .await;
    let (_, me) = json(app.get_api("/api/v1/me/ambassador", Some(&token)).await).await;
    let x = me["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["platform"] == "x")
        .unwrap()
        .clone();
    assert_eq!(
        (
            x["method"].as_str(),
            x["follower_count"].as_i64(),
            x["verdict"].as_str()
        ),
        (Some("api"), Some(1532), Some("meets"))
    );
    assert!(!me["missing"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["platform"] == "x"));
}

#[rocket::async_test]
async fn unknown_accounts_rate_limits_and_outages_are_said_not_crashed() {
    let server = MockServer::start().await;
    let reset = chrono::Utc::now().timestamp() + 900;
    Mock::given(path("/2/users/by/username/kandidat_x1"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"title": "Not Found Error"})))
        .mount(&server)
        .await;
    Mock::given(path("/2/users/by/username/kandidat_x2"))
        .respond_with(
            ResponseTemplate::new(429).insert_header("x-rate-limit-reset", reset.to_string()),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/2/users/by/username/kandidat_x3"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>oops</html>"))
        .mount(&server)
        .await;
    let app = app_with_x(&server).await;
    let inst = app.institution("Kementerian Kominfo").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let koor = app
        .user("coordinator", "koor@duta.test", Some(inst), None)
        .await;
    let kt = app.token(koor).await;
    let mut outcomes = Vec::new();
    for n in 1..=3u32 {
        let mut body = app.signup_body(inst, unit, n);
        body["platforms"][1] =
            json!({"platform": "x", "handle": format!("kandidat_x{n}"), "method": "api"});
        let (s, created) = json(app.send_api("POST", "/api/v1/signup", None, &body).await).await;
        assert_eq!(
            s,
            Status::Created,
            "a failed check does not fail the sign-up: {created}"
        );
        let id = created["id"].as_i64().unwrap();
        let (_, detail) = json(
            app.get_api(&format!("/api/v1/vetting/candidates/{id}"), Some(&kt))
                .await,
        )
        .await;
        let x = detail["candidate"]["platforms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["platform"] == "x")
            .unwrap()
            .clone();
        outcomes.push((
            id,
            x["check_error"].as_str().map(str::to_string),
            x["verdict"].as_str().map(str::to_string),
        ));
    }
    let errors: Vec<Option<String>> = outcomes.iter().map(|o| o.1.clone()).collect();
    assert_eq!(
        errors,
        vec![
            Some("not_found".into()),
            Some("rate_limited".into()),
            Some("unavailable".into())
        ]
    );
    assert!(outcomes
        .iter()
        .all(|o| o.2.as_deref() == Some("unverified")));
    // The rate limit holds: a coordinator's re-check does not ask X again before the reset.
    let (s, _) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/vetting/candidates/{}/recheck", outcomes[1].0),
            Some(&kt),
            &json!({"platform": "x"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::Ok);
    let (s, _) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/vetting/candidates/{}/recheck", outcomes[0].0),
            Some(&kt),
            &json!({"platform": "facebook"}),
        )
        .await,
    )
    .await;
    // Facebook is a platform Duta knows, but this programme has no API for it: a
    // conflict with how it is set up.
    assert_eq!(s, Status::Conflict, "no API for facebook here");
}
