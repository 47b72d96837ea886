//! The coordinators' vetting queue and decisions.

use rocket::http::Status;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;

use crate::support::{json, TestApp};

struct World {
    inst: i64,
    humas: i64,
    hukum: i64,
    coordinator: String,
    unit_coordinator: String,
    stranger: String,
}

async fn world(app: &TestApp) -> World {
    let inst = app.institution("Kementerian Agama").await;
    let setjen = app.work_unit(inst, None, "Sekretariat Jenderal").await;
    let humas = app.work_unit(inst, Some(setjen), "Biro Humas").await;
    let hukum = app.work_unit(inst, None, "Biro Hukum").await;
    let other = app.institution("Kementerian Lain").await;
    let k = app
        .user("coordinator", "k@duta.test", Some(inst), None)
        .await;
    let ku = app
        .user("coordinator", "ku@duta.test", Some(inst), Some(setjen))
        .await;
    let s = app
        .user("coordinator", "s@duta.test", Some(other), None)
        .await;
    World {
        inst,
        humas,
        hukum,
        coordinator: app.token(k).await,
        unit_coordinator: app.token(ku).await,
        stranger: app.token(s).await,
    }
}

#[rocket::async_test]
async fn the_queue_is_scoped_oldest_first_and_marks_the_overdue() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let (a, _) = app.candidate(w.inst, w.humas, 1).await;
    let (b, _) = app.candidate(w.inst, w.hukum, 2).await;
    // The first candidate has waited two weeks.
    let row = entity::ambassadors::Entity::find_by_id(a)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut old: entity::ambassadors::ActiveModel = row.into();
    old.submitted_at = Set(chrono::Utc::now() - chrono::Duration::days(14));
    old.update(&app.db).await.unwrap();

    let (s, list) = json(
        app.get_api(
            "/api/v1/vetting/candidates?status=pending",
            Some(&w.coordinator),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::Ok);
    let ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![a, b], "oldest first");
    assert_eq!(list[0]["overdue"], true);
    assert_eq!(list[1]["overdue"], false);

    let (_, subtree) = json(
        app.get_api("/api/v1/vetting/candidates", Some(&w.unit_coordinator))
            .await,
    )
    .await;
    let ids: Vec<i64> = subtree
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![a],
        "a coordinator of the Setjen subtree sees Biro Humas, not Biro Hukum"
    );
    assert_eq!(
        app.get_api(
            &format!("/api/v1/vetting/candidates/{b}"),
            Some(&w.unit_coordinator)
        )
        .await
        .status(),
        Status::NotFound
    );

    let (_, filtered) = json(
        app.get_api(
            &format!("/api/v1/vetting/candidates?work_unit_id={}", w.hukum),
            Some(&w.coordinator),
        )
        .await,
    )
    .await;
    assert_eq!(filtered.as_array().unwrap().len(), 1);
    let (_, none) = json(
        app.get_api("/api/v1/vetting/candidates", Some(&w.stranger))
            .await,
    )
    .await;
    assert_eq!(none, json!([]));
    assert_eq!(
        app.get_api(
            &format!("/api/v1/vetting/candidates/{a}"),
            Some(&w.stranger)
        )
        .await
        .status(),
        Status::NotFound
    );
    let (s, _) = json(
        app.get_api(
            "/api/v1/vetting/candidates?status=sleeping",
            Some(&w.coordinator),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity);
}

#[rocket::async_test]
async fn approval_needs_every_required_platform_to_meet_its_threshold() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let (a, user_id) = app.candidate(w.inst, w.humas, 1).await;
    let base = format!("/api/v1/vetting/candidates/{a}");
    let (s, detail) = json(app.get_api(&base, Some(&w.coordinator)).await).await;
    assert_eq!(s, Status::Ok);
    assert_eq!(detail["nip"]["gender"], "female");
    assert_eq!(detail["nip"]["appointed"], "2015-05-01");
    assert_eq!(
        detail["candidate"]["nip"], "198609262015052002",
        "coordinators see the whole NIP"
    );

    let (s, err) = json(
        app.send_api(
            "POST",
            &format!("{base}/approve"),
            Some(&w.coordinator),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity, "not eligible yet");
    assert!(err["fields"]["platforms.facebook"].is_array());

    for (platform, count) in [
        ("facebook", json!(812)),
        ("x", json!(1250)),
        ("instagram", json!(499)),
    ] {
        let (s, _) = json(
            app.send_api(
                "POST",
                &format!("{base}/followers"),
                Some(&w.coordinator),
                &json!({"platform": platform, "count": count}),
            )
            .await,
        )
        .await;
        assert_eq!(s, Status::Ok);
    }
    let (_, detail) = json(app.get_api(&base, Some(&w.coordinator)).await).await;
    let ig = detail["candidate"]["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["platform"] == "instagram")
        .unwrap()
        .clone();
    assert_eq!(
        (ig["verdict"].as_str(), ig["method"].as_str()),
        (Some("below"), Some("coordinator"))
    );
    let (s, _) = json(
        app.send_api(
            "POST",
            &format!("{base}/approve"),
            Some(&w.coordinator),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity, "instagram is below 500");

    for bad in [
        json!({"platform": "instagram", "count": -1}),
        json!({"platform": "instagram", "count": "x"}),
        json!({"platform": "tiktok", "count": 900}),
    ] {
        let (s, _) = json(
            app.send_api(
                "POST",
                &format!("{base}/followers"),
                Some(&w.coordinator),
                &bad,
            )
            .await,
        )
        .await;
        assert_eq!(s, Status::UnprocessableEntity, "{bad}");
    }
    app.send_api(
        "POST",
        &format!("{base}/followers"),
        Some(&w.coordinator),
        &json!({"platform": "instagram", "count": 640}),
    )
    .await;
    let (s, _) = json(
        app.send_api(
            "POST",
            &format!("{base}/approve"),
            Some(&w.coordinator),
            &json!({"member_since": "2099-01-01"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity, "member_since in the future");
    let (s, done) = json(
        app.send_api(
            "POST",
            &format!("{base}/approve"),
            Some(&w.coordinator),
            &json!({"member_since": "2025-07-14"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::Ok, "{done}");
    assert_eq!(done["candidate"]["status"], "approved");
    assert_eq!(done["candidate"]["member_since"], "2025-07-14");
    let (s, _) = json(
        app.send_api(
            "POST",
            &format!("{base}/reject"),
            Some(&w.coordinator),
            &json!({"reason": "Terlambat sekali"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::Conflict, "already decided");

    let (_, me) = json(
        app.get_api("/api/v1/me", Some(&app.token(user_id).await))
            .await,
    )
    .await;
    assert_eq!(me["ambassador"]["status"], "approved");
    let actions: Vec<String> = entity::audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.target_id == Some(a))
        .map(|r| r.action)
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "ambassador.followers_entered")
            .count(),
        4
    );
    assert!(actions.contains(&"ambassador.approved".to_string()));
}

#[rocket::async_test]
async fn a_rejection_needs_a_reason_and_shows_it() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let (a, _) = app.candidate(w.inst, w.humas, 1).await;
    let url = format!("/api/v1/vetting/candidates/{a}/reject");
    let (s, err) = json(
        app.send_api("POST", &url, Some(&w.coordinator), &json!({"reason": "no"}))
            .await,
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert!(err["fields"]["reason"].is_array());
    let (s, body) = json(
        app.send_api(
            "POST",
            &url,
            Some(&w.coordinator),
            &json!({"reason": "Akun X bukan milik Anda."}),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::Ok);
    assert_eq!(
        body["candidate"]["rejection_reason"],
        "Akun X bukan milik Anda."
    );
    assert_eq!(
        app.send_api(
            "POST",
            &url,
            Some(&w.stranger),
            &json!({"reason": "Bukan urusan saya"})
        )
        .await
        .status(),
        Status::NotFound
    );
}
