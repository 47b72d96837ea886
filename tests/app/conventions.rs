//! API and page conventions every later issue relies on: JSON errors, body limits, the
//! OpenAPI document, health, metrics and security headers.

use rocket::http::{ContentType, Header, Status};
use serde_json::{json, Value};

use crate::support::{json, text, TestApp};

#[rocket::async_test]
async fn malformed_json_is_400_and_wrong_shape_422_both_as_json() {
    let app = TestApp::spawn().await;
    let resp = app
        .client
        .post("/api/v1/auth/login")
        .header(ContentType::JSON)
        .body("{\"email\": ")
        .dispatch()
        .await;
    let (status, body) = json(resp).await;
    assert_eq!(status, Status::BadRequest);
    assert_eq!(body["error"], "bad_request");
    assert!(body["message"].as_str().unwrap().len() > 5);
    let resp = app
        .client
        .post("/api/v1/auth/login")
        .header(ContentType::JSON)
        .body("[1,2,3]")
        .dispatch()
        .await;
    let (status, body) = json(resp).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(body["error"], "validation");
    assert!(body["fields"].is_object());
}

#[rocket::async_test]
async fn oversized_bodies_are_413() {
    let app = TestApp::spawn().await;
    let big = format!(
        "{{\"email\": \"{}\", \"password\": \"x\"}}",
        "a".repeat(2 * 1024 * 1024)
    );
    let resp = app
        .client
        .post("/api/v1/auth/login")
        .header(ContentType::JSON)
        .body(big)
        .dispatch()
        .await;
    let (status, body) = json(resp).await;
    assert_eq!(status, Status::PayloadTooLarge);
    assert_eq!(body["error"], "too_large");
    let form = format!("csrf_token=x&email={}", "a".repeat(200 * 1024));
    let resp = app
        .client
        .post("/login")
        .header(ContentType::Form)
        .body(form)
        .dispatch()
        .await;
    assert_eq!(resp.status(), Status::PayloadTooLarge);
}

#[rocket::async_test]
async fn unknown_paths_get_the_404_page_or_json() {
    let app = TestApp::spawn().await;
    let (status, page) = text(app.page("/no/such/page", None).await).await;
    assert_eq!(status, Status::NotFound);
    assert!(page.contains("<h1>Halaman tidak ditemukan</h1>"), "{page}");
    assert!(page.contains("lang=\"id\""));
    let (status, body) = json(app.get_api("/api/v1/no-such-thing", None).await).await;
    assert_eq!(status, Status::NotFound);
    assert_eq!(
        body,
        json!({"error": "not_found", "message": "Tidak ditemukan.", "fields": {}})
    );
    let english = app
        .client
        .get("/api/v1/no-such-thing")
        .header(Header::new("Accept-Language", "en"))
        .dispatch()
        .await;
    assert_eq!(json(english).await.1["message"], "Not found.");
}

#[rocket::async_test]
async fn openapi_lists_every_api_route() {
    let app = TestApp::spawn().await;
    let (status, doc) = json(app.get_api("/api/openapi.json", None).await).await;
    assert_eq!(status, Status::Ok);
    let paths = doc["paths"].as_object().unwrap();
    let mut missing = Vec::new();
    for route in app.client.rocket().routes() {
        let uri = route.uri.as_str();
        if !uri.starts_with("/api/v1") {
            continue;
        }
        let path = uri.split('?').next().unwrap_or(uri);
        let openapi_path = path.replace('<', "{").replace('>', "}");
        let method = route.method.as_str().to_lowercase();
        if paths
            .get(&openapi_path)
            .and_then(|p| p.get(&method))
            .is_none()
        {
            missing.push(format!("{method} {openapi_path}"));
        }
    }
    assert!(
        missing.is_empty(),
        "routes missing from /api/openapi.json: {missing:?}"
    );
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    let mounted = app
        .client
        .rocket()
        .routes()
        .filter(|r| r.uri.as_str().starts_with("/api/v1"))
        .count();
    assert_eq!(
        documented, mounted,
        "the document lists no route that is not mounted"
    );
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[rocket::async_test]
async fn healthz_checks_the_database_and_metrics_count_requests() {
    let app = TestApp::spawn().await;
    let (status, body) = json(app.get_api("/healthz", None).await).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(body, json!({"status": "ok", "database": "ok"}));
    app.page("/login", None).await;
    app.page("/nowhere", None).await;
    let (status, metrics) = text(
        app.client
            .get("/metrics")
            .remote("127.0.0.1:9999".parse().unwrap())
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(
        metrics.contains(
            "duta_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("route=\"unmatched\",status=\"404\""));
    assert!(metrics.contains(
        "duta_http_request_duration_seconds_bucket{route=\"/login?<next>\",le=\"+Inf\"} 1"
    ));
    let outside = app
        .client
        .get("/metrics")
        .remote("203.0.113.1:9999".parse().unwrap())
        .dispatch()
        .await;
    assert_eq!(outside.status(), Status::NotFound, "metrics are not public");
}

#[rocket::async_test]
async fn metrics_token_opens_metrics_from_anywhere() {
    let app = TestApp::spawn_with(&[("metrics_token", Value::from("scrape-me-please"))]).await;
    let resp = app
        .client
        .get("/metrics")
        .remote("203.0.113.1:9999".parse().unwrap())
        .header(Header::new("Authorization", "Bearer scrape-me-please"))
        .dispatch()
        .await;
    assert_eq!(resp.status(), Status::Ok);
    let local_without = app
        .client
        .get("/metrics")
        .remote("127.0.0.1:1".parse().unwrap())
        .dispatch()
        .await;
    assert_eq!(local_without.status(), Status::NotFound);
}

#[rocket::async_test]
async fn every_response_carries_security_headers() {
    let app = TestApp::spawn().await;
    for path in [
        "/login",
        "/api/v1/me",
        "/nowhere",
        "/assets/css/duta.css",
        "/healthz",
    ] {
        let resp = app.page(path, None).await;
        let h = resp.headers();
        let csp = h.get_one("Content-Security-Policy").unwrap_or_default();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline"),
            "{path}"
        );
        assert_eq!(
            h.get_one("X-Content-Type-Options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(h.get_one("Referrer-Policy"), Some("same-origin"), "{path}");
    }
}

#[rocket::async_test]
async fn wrong_configuration_stops_ignition_with_a_message_per_value() {
    let figment = duta::figment()
        .merge(rocket::figment::providers::Serialized::default(
            "timezone",
            "Asia/Atlantis",
        ))
        .merge(rocket::figment::providers::Serialized::default(
            "default_language",
            "jv",
        ))
        .merge(rocket::figment::providers::Serialized::default(
            "log_level",
            "off",
        ));
    let Err(errors) = duta::prepare(&figment).await else {
        panic!("a wrong configuration was accepted")
    };
    assert_eq!(errors.len(), 2, "{errors:?}");
    // The whole state is checked at once: a wrong job setting is named beside them.
    let with_jobs = figment
        .clone()
        .merge(rocket::figment::providers::Serialized::default(
            "jobs",
            serde_json::json!({"tick_minutes": 0}),
        ));
    let Err(errors) = duta::app_state(&with_jobs).await else {
        panic!("a wrong configuration was accepted")
    };
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors.iter().any(|e| e.starts_with("jobs.tick_minutes:")),
        "{errors:?}"
    );
    let Err(err) = rocket::local::asynchronous::Client::untracked(duta::build(figment)).await
    else {
        panic!("Duta ignited with a wrong configuration")
    };
    assert!(
        matches!(err.kind(), rocket::error::ErrorKind::FailedFairings(_)),
        "{err}"
    );
}
