//! Sign-up, the candidate's own record, resubmission and screenshots.

use rocket::http::Status;
use serde_json::json;

use crate::support::{json, TestApp, PASSWORD};

async fn org(app: &TestApp) -> (i64, i64) {
    let inst = app.institution("Kementerian Keuangan").await;
    let unit = app.work_unit(inst, None, "Biro Komunikasi").await;
    (inst, unit)
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[rocket::async_test]
async fn a_candidate_signs_up_and_sees_what_is_missing() {
    let app = TestApp::spawn().await;
    let (inst, unit) = org(&app).await;
    let (s, form) = json(app.get_api("/api/v1/signup/form", None).await).await;
    assert_eq!(s, Status::Ok);
    assert_eq!(
        form["required_platforms"],
        json!(["facebook", "x", "instagram"])
    );
    assert_eq!(
        form["institutions"][0]["work_units"][0]["name"],
        "Biro Komunikasi"
    );

    let (s, created) = json(
        app.send_api(
            "POST",
            "/api/v1/signup",
            None,
            &app.signup_body(inst, unit, 1),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::Created, "{created}");
    assert_eq!(created["status"], "pending");
    let (s, login) = json(app.login_api("kandidat1@instansi.go.id", PASSWORD).await).await;
    assert_eq!(s, Status::Ok);
    let token = login["token"].as_str().unwrap();
    let (_, me) = json(app.get_api("/api/v1/me", Some(token)).await).await;
    let a = &me["ambassador"];
    assert_eq!(me["role"], "ambassador");
    assert_eq!(a["status"], "pending");
    assert_eq!(a["phone"], "+6281234560001");
    assert_eq!(a["nip"], "198609262015052002");
    assert_eq!(a["eligible"], false);
    let x = a["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["platform"] == "x")
        .unwrap();
    assert_eq!(x["handle"], "kandidat_x1");
    assert_eq!(x["follower_count"], 1250);
    assert_eq!(x["verdict"], "unverified");
    let missing: Vec<(String, String)> = a["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["platform"].as_str().unwrap().into(),
                m["what"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        missing,
        vec![
            ("facebook".into(), "screenshot".into()),
            ("x".into(), "screenshot".into()),
            ("instagram".into(), "screenshot".into())
        ]
    );
    assert_eq!(
        app.count("follower_checks").await,
        3,
        "self-reported counts are kept as history"
    );
    assert_eq!(
        app.count("audit_log").await,
        3,
        "two set-up rows and the sign-up"
    );
}

#[rocket::async_test]
async fn hostile_nips_get_a_field_error_and_store_nothing() {
    let app = TestApp::spawn().await;
    let (inst, unit) = org(&app).await;
    let before = app.count("users").await;
    for (nip, kind) in [
        ("19860926201505100A", "pns"),
        ("19860926201505100", "pns"),
        ("1986092620150510011", "pns"),
        ("198602312015051001", "pns"),
        ("198609262015131001", "pns"),
        ("198609262003051001", "pns"),
        ("198609262027011001", "pns"),
        ("198609262015053001", "pns"),
        ("198609262015051000", "pns"),
    ] {
        let mut body = app.signup_body(inst, unit, 7);
        body["nip"] = json!(nip);
        body["employee_type"] = json!(kind);
        let (s, err) = json(app.send_api("POST", "/api/v1/signup", None, &body).await).await;
        assert_eq!(s, Status::UnprocessableEntity, "{nip}");
        assert!(
            err["fields"]["nip"][0].as_str().unwrap().len() > 10,
            "{nip}: {err}"
        );
    }
    assert_eq!(app.count("users").await, before);
    let mut pppk = app.signup_body(inst, unit, 8);
    pppk["nip"] = json!("1990 0315 2022 99 1 005");
    pppk["employee_type"] = json!("pppk");
    let (s, body) = json(app.send_api("POST", "/api/v1/signup", None, &pppk).await).await;
    assert_eq!(s, Status::Created, "PPPK digits 13–14 are free: {body}");
}

#[rocket::async_test]
async fn hostile_counts_and_handles_are_refused() {
    let app = TestApp::spawn().await;
    let (inst, unit) = org(&app).await;
    for count in [
        json!(-5),
        json!("banyak"),
        json!(1e30),
        json!("1000000000000000000000000000000"),
    ] {
        let mut body = app.signup_body(inst, unit, 3);
        body["platforms"][1]["count"] = count.clone();
        let (s, err) = json(app.send_api("POST", "/api/v1/signup", None, &body).await).await;
        assert_eq!(s, Status::UnprocessableEntity, "{count}");
        assert!(
            err["fields"]["platforms.x.count"].is_array(),
            "{count}: {err}"
        );
    }
    for handle in ["kandidat x", "kandidat😀", ""] {
        let mut body = app.signup_body(inst, unit, 3);
        body["platforms"][2]["handle"] = json!(handle);
        let (s, err) = json(app.send_api("POST", "/api/v1/signup", None, &body).await).await;
        assert_eq!(s, Status::UnprocessableEntity, "{handle}");
        assert!(
            err["fields"]["platforms.instagram.handle"].is_array(),
            "{handle}: {err}"
        );
    }
    let mut foreign_unit = app.signup_body(inst, unit, 3);
    let other = app.institution("Pemerintah Kota Bandung").await;
    foreign_unit["work_unit_id"] = json!(app.work_unit(other, None, "Diskominfo").await);
    let (s, err) = json(
        app.send_api("POST", "/api/v1/signup", None, &foreign_unit)
            .await,
    )
    .await;
    // Well formed, but the unit is another institution's: a conflict, named.
    assert_eq!(s, Status::Conflict);
    assert!(err["fields"]["work_unit_id"].is_array());
    assert_eq!(app.count("ambassadors").await, 0);
}

#[rocket::async_test]
async fn nip_email_and_handle_are_unique_409() {
    let app = TestApp::spawn().await;
    let (inst, unit) = org(&app).await;
    app.candidate(inst, unit, 1).await;
    let mut same_nip = app.signup_body(inst, unit, 2);
    same_nip["nip"] = app.signup_body(inst, unit, 1)["nip"].clone();
    let (s, err) = json(
        app.send_api("POST", "/api/v1/signup", None, &same_nip)
            .await,
    )
    .await;
    assert_eq!(s, Status::Conflict);
    assert!(err["fields"]["nip"].is_array());
    let mut same_handle = app.signup_body(inst, unit, 3);
    same_handle["platforms"][1]["handle"] = json!("https://x.com/KANDIDAT_X1");
    let (s, err) = json(
        app.send_api("POST", "/api/v1/signup", None, &same_handle)
            .await,
    )
    .await;
    assert_eq!(s, Status::Conflict);
    assert!(err["fields"]["platforms.x.handle"].is_array(), "{err}");
    let mut same_email = app.signup_body(inst, unit, 4);
    same_email["email"] = json!("KANDIDAT1@instansi.go.id");
    let (s, err) = json(
        app.send_api("POST", "/api/v1/signup", None, &same_email)
            .await,
    )
    .await;
    assert_eq!(s, Status::Conflict);
    assert!(err["fields"]["email"].is_array());
    assert_eq!(app.count("ambassadors").await, 1);
}

#[rocket::async_test]
async fn the_same_nip_in_50_parallel_signups_makes_exactly_one_account() {
    let app = TestApp::spawn().await;
    let (inst, unit) = org(&app).await;
    let nip = app.signup_body(inst, unit, 1)["nip"].clone();
    let bodies: Vec<serde_json::Value> = (100..150)
        .map(|n| {
            let mut b = app.signup_body(inst, unit, n);
            b["nip"] = nip.clone();
            b
        })
        .collect();
    let requests = bodies.iter().map(|b| {
        let app = &app;
        async move {
            app.send_api("POST", "/api/v1/signup", None, b)
                .await
                .status()
        }
    });
    let statuses = crate::admin::join_all(requests).await;
    let created = statuses.iter().filter(|s| **s == Status::Created).count();
    let conflicts = statuses.iter().filter(|s| **s == Status::Conflict).count();
    assert_eq!((created, conflicts), (1, 49), "{statuses:?}");
    assert_eq!(app.count("ambassadors").await, 1);
    assert_eq!(app.count("users").await, 1, "no orphan account");
}

#[rocket::async_test]
async fn screenshots_are_checked_stored_and_shown_only_in_scope() {
    let app = TestApp::spawn().await;
    let (inst, unit) = org(&app).await;
    let (_, user_id) = app.candidate(inst, unit, 1).await;
    let token = app.token(user_id).await;
    let path = "/api/v1/me/platforms/x/screenshot";

    let (s, err) = json(
        app.upload(
            path,
            &token,
            "profil.png",
            b"this is not an image at all",
            None,
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity, "{err}");
    assert!(err["fields"]["file"].is_array());
    let big = vec![0u8; 30 * 1024 * 1024];
    assert_eq!(
        app.upload(path, &token, "besar.jpg", &big, None)
            .await
            .status(),
        Status::PayloadTooLarge
    );
    let (s, _) = json(
        app.upload(path, &token, "p.png", &png(40, 30), Some("-3"))
            .await,
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity);
    // The form is read as sent: a count given twice (even blank), one that is `null` or
    // `1.5e3`, or a field the form does not have is refused at that field.
    let picture = png(40, 30);
    for (fields, field) in [
        (vec![("count", "1.300"), ("count", "1.400")], "count"),
        (vec![("count", ""), ("count", "")], "count"),
        (vec![("count", "null")], "count"),
        (vec![("count", "1.5e3")], "count"),
        (vec![("followers", "1300")], "followers"),
    ] {
        let (s, err) = json(
            app.upload_form(path, &token, &fields, Some(("p.png", picture.as_slice())))
                .await,
        )
        .await;
        assert_eq!(s, Status::UnprocessableEntity, "{fields:?}: {err}");
        assert!(err["fields"][field].is_array(), "{fields:?}: {err}");
    }
    assert_eq!(
        app.count("media").await,
        0,
        "nothing stored for refused uploads"
    );

    let (s, view) = json(
        app.upload(path, &token, "profil.png", &png(400, 300), Some("1.300"))
            .await,
    )
    .await;
    assert_eq!(s, Status::Ok, "{view}");
    let x = view["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["platform"] == "x")
        .unwrap()
        .clone();
    assert_eq!(x["follower_count"], 1300);
    let media_id = x["screenshot_id"].as_i64().unwrap();
    assert!(!view["missing"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["platform"] == "x" && m["what"] == "screenshot"));
    assert_eq!(
        app.upload(
            "/api/v1/me/platforms/tiktok/screenshot",
            &token,
            "p.png",
            &png(20, 20),
            None
        )
        .await
        .status(),
        Status::NotFound
    );

    let own = app.page(&format!("/media/{media_id}"), Some(&token)).await;
    assert_eq!(own.status(), Status::Ok);
    assert_eq!(
        own.headers().get_one("X-Content-Type-Options"),
        Some("nosniff")
    );
    let koor = app
        .user("coordinator", "koor@duta.test", Some(inst), None)
        .await;
    assert_eq!(
        app.page(
            &format!("/media/{media_id}/thumb"),
            Some(&app.token(koor).await)
        )
        .await
        .status(),
        Status::Ok
    );
    let other_inst = app.institution("Kementerian Lain").await;
    let stranger = app
        .user("coordinator", "lain@duta.test", Some(other_inst), None)
        .await;
    assert_eq!(
        app.page(
            &format!("/media/{media_id}"),
            Some(&app.token(stranger).await)
        )
        .await
        .status(),
        Status::NotFound
    );
    assert_eq!(
        app.page(&format!("/media/{media_id}"), None).await.status(),
        Status::SeeOther
    );
}

#[rocket::async_test]
async fn a_rejected_candidate_fixes_and_resubmits() {
    let app = TestApp::spawn().await;
    let (inst, unit) = org(&app).await;
    let (amb, user_id) = app.candidate(inst, unit, 1).await;
    let koor = app
        .user("coordinator", "koor@duta.test", Some(inst), None)
        .await;
    let kt = app.token(koor).await;
    let (s, _) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/vetting/candidates/{amb}/reject"),
            Some(&kt),
            &json!({"reason": "Tangkapan layar Instagram buram."}),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::Ok);
    let token = app.token(user_id).await;
    let (_, me) = json(app.get_api("/api/v1/me/ambassador", Some(&token)).await).await;
    assert_eq!(me["status"], "rejected");
    assert_eq!(me["rejection_reason"], "Tangkapan layar Instagram buram.");
    let fix = json!({
        "display_name": "Kandidat Satu", "phone": "+62 812 3456 0001",
        "platforms": [
            {"platform": "facebook", "handle": "kandidat.fb.1", "method": "screenshot", "count": 900},
            {"platform": "x", "handle": "kandidat_x1", "method": "screenshot", "count": 1250},
            {"platform": "instagram", "handle": "kandidat.ig1", "method": "screenshot", "count": 700}
        ]
    });
    let (s, after) = json(
        app.send_api("PUT", "/api/v1/me/ambassador", Some(&token), &fix)
            .await,
    )
    .await;
    assert_eq!(s, Status::Ok, "{after}");
    assert_eq!(after["status"], "pending");
    assert_eq!(after["rejection_reason"], serde_json::Value::Null);
    assert_eq!(after["display_name"], "Kandidat Satu");
    let mut bad = fix.clone();
    bad["phone"] = json!("12345");
    let (s, err) = json(
        app.send_api("PUT", "/api/v1/me/ambassador", Some(&token), &bad)
            .await,
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert!(err["fields"]["phone"].is_array());
}

#[rocket::async_test]
async fn an_approved_ambassador_cannot_swap_evidence_and_leaves_no_orphan_image() {
    let app = TestApp::spawn().await;
    let (inst, unit) = org(&app).await;
    let (amb, user_id) = app.candidate(inst, unit, 1).await;
    let koor = app
        .user("coordinator", "koor@duta.test", Some(inst), None)
        .await;
    let kt = app.token(koor).await;
    for platform in ["facebook", "x", "instagram"] {
        let url = format!("/api/v1/vetting/candidates/{amb}/followers");
        app.send_api(
            "POST",
            &url,
            Some(&kt),
            &json!({"platform": platform, "count": 900}),
        )
        .await;
    }
    let (s, _) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/vetting/candidates/{amb}/approve"),
            Some(&kt),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::Ok);
    let token = app.token(user_id).await;
    let (s, err) = json(
        app.upload(
            "/api/v1/me/platforms/x/screenshot",
            &token,
            "p.png",
            &png(50, 50),
            Some("5000"),
        )
        .await,
    )
    .await;
    // Well formed, but the application is decided: a conflict with its state.
    assert_eq!(s, Status::Conflict, "{err}");
    assert!(err["fields"]["status"].is_array());
    assert_eq!(app.count("media").await, 0);
}
