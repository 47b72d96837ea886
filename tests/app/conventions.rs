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
            serde_json::json!({"tick_minutes": 0, "lease_seconds": 5}),
        ));
    let Err(errors) = duta::app_state(&with_jobs).await else {
        panic!("a wrong configuration was accepted")
    };
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(
        errors.iter().any(|e| e.starts_with("jobs.tick_minutes:")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("jobs.lease_seconds: must be between 15 and 3600")),
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

/// A client's misspelt field is refused with 422 naming it, and nothing is stored: a
/// typo in `work_unit_ids` must not become a brief for the whole institution.
#[rocket::async_test]
async fn unknown_json_fields_are_422_naming_them_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Contoh").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koor@contoh.go.id", Some(inst), None)
        .await;
    let token = app.token(coordinator).await;
    let mut body = crate::briefs::brief_body("Paspor mudah", &[unit], &[]);
    let units = body["work_unit_ids"].take();
    body["audience_work_unit_ids"] = units;
    body.as_object_mut().map(|o| o.remove("work_unit_ids"));
    let before = app.count("briefs").await;
    let (status, answer) = json(
        app.send_api("POST", "/api/v1/briefs", Some(&token), &body)
            .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity, "{answer}");
    assert_eq!(answer["error"], "validation");
    assert_eq!(
        answer["fields"]["audience_work_unit_ids"][0],
        "Kolom `audience_work_unit_ids` tidak dikenal. Periksa ejaan nama kolom.",
        "{answer}"
    );
    assert_eq!(app.count("briefs").await, before, "no brief was stored");

    // The same in a nested object, and in English.
    let mut body = crate::briefs::brief_body("Paspor mudah", &[unit], &[]);
    body["facts"][0]["sumber"] = json!("BPS");
    let resp = app
        .client
        .post("/api/v1/briefs")
        .header(ContentType::JSON)
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .header(Header::new("Accept-Language", "en"))
        .body(body.to_string())
        .dispatch()
        .await;
    let (status, answer) = json(resp).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(
        answer["fields"]["sumber"][0],
        "Unknown field `sumber`. Check the field's spelling."
    );
    assert_eq!(app.count("briefs").await, before);
}

/// A method the path does not have is 405 with `Allow` listing the document's methods,
/// also where a path with a parameter would otherwise catch it (`/briefs/current`).
#[rocket::async_test]
async fn wrong_methods_are_405_with_allow() {
    let app = TestApp::spawn().await;
    let admin = app.user("admin", "admin@contoh.go.id", None, None).await;
    let token = app.token(admin).await;
    for (method, path, allow) in [
        ("DELETE", "/api/v1/briefs", "GET, POST"),
        ("PUT", "/api/v1/briefs/current", "GET"),
        ("POST", "/api/v1/briefs/12", "DELETE, GET, PUT"),
        ("GET", "/api/v1/auth/login", "POST"),
        ("PUT", "/api/v1/holidays/3", "DELETE"),
    ] {
        let resp = app.send_api(method, path, Some(&token), &json!({})).await;
        let allow_header = resp.headers().get_one("Allow").map(str::to_string);
        let (status, body) = json(resp).await;
        assert_eq!(status, Status::MethodNotAllowed, "{method} {path}: {body}");
        assert_eq!(allow_header.as_deref(), Some(allow), "{method} {path}");
        assert_eq!(body["error"], "method_not_allowed");
    }
    // A path the document does not have stays 404; a method it has, 404 for a missing id.
    let (status, _) = json(
        app.send_api("DELETE", "/api/v1/nothing", Some(&token), &json!({}))
            .await,
    )
    .await;
    assert_eq!(status, Status::NotFound);
    let (status, _) = json(app.get_api("/api/v1/briefs/999999", Some(&token)).await).await;
    assert_eq!(status, Status::NotFound);
}

/// Numbers beyond their type's range are 422 with the field named, never 500.
#[rocket::async_test]
async fn out_of_range_numbers_are_422() {
    let app = TestApp::spawn().await;
    let admin = app.user("admin", "admin@contoh.go.id", None, None).await;
    let token = app.token(admin).await;
    for query in [
        "offset=9223372036854775808",
        "offset=99999999999999999999",
        "limit=0",
        "limit=501",
        "target_id=9223372036854775808",
    ] {
        let (status, body) = json(
            app.get_api(&format!("/api/v1/audit?{query}"), Some(&token))
                .await,
        )
        .await;
        assert_eq!(status, Status::UnprocessableEntity, "{query}: {body}");
        assert_eq!(body["error"], "validation", "{query}");
    }
    let (status, body) = json(
        app.get_api("/api/v1/audit?offset=9223372036854775808", Some(&token))
            .await,
    )
    .await;
    assert!(body["fields"]["offset"].is_array(), "{status} {body}");
    let (status, _) = json(
        app.get_api(
            "/api/v1/audit?offset=9223372036854775807&limit=500",
            Some(&token),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
}

/// Every operation lists the error answers the framework can give it, with the error shape.
#[rocket::async_test]
async fn every_operation_documents_its_error_answers() {
    let app = TestApp::spawn().await;
    let (_, doc) = json(app.get_api("/api/openapi.json", None).await).await;
    let error_ref = json!({"$ref": "#/components/schemas/ApiErrorBody"});
    let mut gaps = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let mut expected = Vec::new();
            if op.get("requestBody").is_some() {
                expected.extend(["400", "413", "422"]);
            }
            if op["parameters"].as_array().is_some_and(|p| !p.is_empty()) {
                expected.push("422");
            }
            if path.contains('{') {
                expected.push("404");
            }
            if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
                expected.extend(["401", "403"]);
            }
            if method != "get" {
                expected.push("503");
            }
            for code in expected {
                let schema = &op["responses"][code]["content"]["application/json"]["schema"];
                if *schema != error_ref {
                    gaps.push(format!("{method} {path} {code}"));
                }
            }
        }
    }
    assert!(gaps.is_empty(), "undocumented error answers: {gaps:?}");
    assert_eq!(
        doc["paths"]["/api/v1/audit"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "limit")
            .map(|p| (&p["schema"]["minimum"], &p["schema"]["maximum"])),
        Some((&json!(1), &json!(500)))
    );
}

/// The document's whole-body example of a sign-up is an application the server takes on
/// a fresh programme (schemathesis' examples phase is off for sign-up, whose valid cases
/// depend on the programme: tests/api/schemathesis.toml).
#[rocket::async_test]
async fn the_signup_example_is_a_valid_application() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Contoh").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let (_, doc) = json(app.get_api("/api/openapi.json", None).await).await;
    let schema = &doc["components"]["schemas"]["SignupRequest"];
    let mut example = schema["example"].clone();
    assert_eq!(
        (
            example["institution_id"].as_i64(),
            example["work_unit_id"].as_i64()
        ),
        (Some(inst), Some(unit))
    );
    let (status, answer) = json(app.send_api("POST", "/api/v1/signup", None, &example).await).await;
    assert_eq!(status, Status::Created, "{answer}");
    assert_eq!(answer["status"], "pending", "{answer}");
    // The same again is a conflict (email, NIP and handles are taken), never a 422.
    let (status, answer) = json(app.send_api("POST", "/api/v1/signup", None, &example).await).await;
    assert_eq!(status, Status::Conflict, "{answer}");
    // Hostile variants of the example's fields are each a field error, and none is stored.
    let before = app.count("ambassadors").await;
    // (An outdated consent version is told next to the consent box.)
    for (field, value, told_at) in [
        ("nip", json!("19860926 201505 2 00"), "nip"),
        ("employee_type", json!("honorer"), "employee_type"),
        ("consent", json!(false), "consent"),
        ("consent_version", json!("2025-01-v0"), "consent"),
        (
            "display_name",
            json!(format!(" {} ", "x".repeat(60))),
            "display_name",
        ),
    ] {
        example["email"] = json!(format!("{field}@kominfo.go.id"));
        let mut body = example.clone();
        body[field] = value;
        let (status, answer) =
            json(app.send_api("POST", "/api/v1/signup", None, &body).await).await;
        assert_eq!(status, Status::UnprocessableEntity, "{field}: {answer}");
        assert!(answer["fields"][told_at].is_array(), "{field}: {answer}");
    }
    assert_eq!(app.count("ambassadors").await, before);
}

/// The upload forms' documents say what the server reads: the file is required, every
/// other field optional, and no field beyond them (the server refuses one, 422).
#[rocket::async_test]
async fn the_upload_forms_are_documented_as_read() {
    let app = TestApp::spawn().await;
    let (_, doc) = json(app.get_api("/api/openapi.json", None).await).await;
    for (form, fields) in [
        ("ImageUploadDoc", vec!["alt", "file", "focal_x", "focal_y"]),
        ("ScreenshotUploadDoc", vec!["count", "file"]),
        ("RosterUploadDoc", vec!["file"]),
    ] {
        let schema = &doc["components"]["schemas"][form];
        assert_eq!(schema["required"], json!(["file"]), "{form}");
        assert_eq!(schema["additionalProperties"], json!(false), "{form}");
        let mut names: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        assert_eq!(names, fields, "{form}");
    }
}
