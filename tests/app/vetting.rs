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
    // Well formed, but the candidate's accounts do not meet the rules yet: a conflict.
    assert_eq!(s, Status::Conflict, "not eligible yet");
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
    assert_eq!(s, Status::Conflict, "instagram is below 500");

    // Malformed counts are 422; a platform Duta knows that the candidate did not
    // register clashes with their record (409); one Duta does not know is malformed.
    for (bad, code) in [
        (
            json!({"platform": "instagram", "count": -1}),
            Status::UnprocessableEntity,
        ),
        (
            json!({"platform": "instagram", "count": "x"}),
            Status::UnprocessableEntity,
        ),
        (
            json!({"platform": "tiktok", "count": 900}),
            Status::Conflict,
        ),
        (
            json!({"platform": "myspace", "count": 900}),
            Status::UnprocessableEntity,
        ),
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
        assert_eq!(s, code, "{bad}");
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
    assert_eq!(
        s,
        Status::Conflict,
        "member_since in the future (a clash with today)"
    );
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

async fn import(app: &TestApp, token: &str, csv: &str) -> (Status, serde_json::Value) {
    json(
        app.upload(
            "/api/v1/vetting/import",
            token,
            "roster.csv",
            csv.as_bytes(),
            None,
        )
        .await,
    )
    .await
}

#[rocket::async_test]
async fn a_good_roster_is_imported_whole_and_approved() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let csv = "name;nip;type;email;phone;work_unit;member_since;facebook;facebook_followers;x;x_followers;instagram;instagram_followers\n\
        Ani Suryani;198609262015052001;pns;ani@kemenag.go.id;081211112222;Biro Humas;2024-02-05;ani.suryani;812;@ani_s;1.250;ani.s;640\n\
        Budi Santoso;199003152022991005;pppk;budi@kemenag.go.id;081233334444;biro hukum;;budi.santoso;900;budi_s;700;budi.s;650\n";
    let (s, report) = import(&app, &w.coordinator, csv).await;
    assert_eq!(s, Status::Created, "{report}");
    assert_eq!(report["imported"], 2);
    let rows = entity::ambassadors::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert!(rows.iter().all(|a| a.status == "approved"));
    // The NIP is stored as its keyed index and sealed, never as digits.
    let index = app.nip_key().index("198609262015052001");
    assert!(rows.iter().all(|a| !a.nip.contains("19860926")));
    let ani = rows.iter().find(|a| a.nip == index).unwrap();
    let sealed = ani.nip_sealed.as_deref().expect("sealed");
    assert_eq!(
        app.nip_key().open(sealed).as_deref(),
        Some("198609262015052001")
    );
    assert_eq!(ani.member_since.unwrap().to_string(), "2024-02-05");
    let (_, detail) = json(
        app.get_api(
            &format!("/api/v1/vetting/candidates/{}", ani.id),
            Some(&w.coordinator),
        )
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
    assert_eq!(
        (
            x["follower_count"].as_i64(),
            x["method"].as_str(),
            x["verdict"].as_str()
        ),
        (Some(1250), Some("coordinator"), Some("meets"))
    );
    let (s, _) = json(app.login_api("ani@kemenag.go.id", "imported").await).await;
    assert_eq!(
        s,
        Status::Unauthorized,
        "imported accounts have no usable password"
    );
}

#[rocket::async_test]
async fn one_bad_row_refuses_the_whole_file_with_a_report() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    app.candidate(w.inst, w.humas, 5).await;
    let csv = "name,nip,type,email,phone,work_unit,facebook,facebook_followers,x,x_followers,instagram,instagram_followers\n\
        Ani Suryani,198609262015052001,pns,ani@kemenag.go.id,081211112222,Biro Humas,ani.suryani,812,ani_s,1250,ani.s,640\n\
        Cici,198602312015052001,pns,cici@kemenag.go.id,081255556666,Biro Humas,cici.cici,812,cici_c,1250,cici.c,640\n\
        Dodi,198609262015051001,pns,ANI@kemenag.go.id,081277778888,Biro Humas,dodi.dodi,900,dodi_d,1250,dodi.d,900\n\
        Eka,198609262015051002,pns,eka@kemenag.go.id,081299990000,Biro Humas,eka.eka.1,900,kandidat_x5,900,eka.e,900\n\
        Fani,198609262015051003,pns,fani@kemenag.go.id,081299990011,Biro Entah,fani.fani,-5,fani_f,1250,fani.f,100\n";
    let (s, err) = import(&app, &w.coordinator, csv).await;
    assert_eq!(s, Status::UnprocessableEntity, "{err}");
    let f = &err["fields"];
    assert!(f["rows.3.nip"].is_array(), "31 February: {err}");
    assert!(
        f["rows.4.email"].is_array(),
        "the same email twice in the file"
    );
    assert!(f["rows.6.work_unit"].is_array());
    assert!(f["rows.6.facebook_followers"].is_array());
    assert!(
        f["rows.6.instagram_followers"].is_array(),
        "below the threshold"
    );
    assert!(f["rows.5.x"].is_array(), "a handle already in Duta");
    assert!(f.get("rows.2.nip").is_none(), "row 2 was fine");
    assert_eq!(app.count("ambassadors").await, 1, "nothing imported");

    let (s, err) = import(&app, &w.coordinator, "nama,nip\nAni,1\n").await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert!(err["fields"]["file"][0].as_str().unwrap().contains("type"));
    let latin1 = b"name,nip,type,email,phone,work_unit\nJos\xe9,1,pns,a@b.id,0812,Biro Humas\n";
    let (s, err) = json(
        app.upload(
            "/api/v1/vetting/import",
            &w.coordinator,
            "r.csv",
            latin1,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert!(err["fields"]["file"].is_array());
    let (s, _) = import(&app, &w.stranger, "name,nip,type,email,phone,work_unit\n").await;
    assert_eq!(
        s,
        Status::UnprocessableEntity,
        "an empty file imports nothing"
    );
}

/// A file refused only because Duta already holds its people is a conflict (409), the
/// same person twice in the file is the file's fault (422); an admin names an institution
/// that exists (404 otherwise, 409 without one), an id is a whole number from 1 (422), and
/// the form carries `file` and nothing else (422). Nothing is imported by any of them.
#[rocket::async_test]
async fn import_answers_tell_a_conflict_from_a_bad_file() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let header = "name,nip,type,email,phone,work_unit,facebook,facebook_followers,x,x_followers,instagram,instagram_followers\n";
    let ani = "Ani Suryani,198609262015052001,pns,ani@kemenag.go.id,081211112222,Biro Humas,ani.suryani,812,ani_s,1250,ani.s,640\n";
    let (s, report) = import(&app, &w.coordinator, &format!("{header}{ani}")).await;
    assert_eq!(s, Status::Created, "{report}");
    let before = app.count("ambassadors").await;

    let (s, err) = import(&app, &w.coordinator, &format!("{header}{ani}")).await;
    assert_eq!(s, Status::Conflict, "Ani is already in Duta: {err}");
    assert!(err["fields"]["rows.2.nip"].is_array(), "{err}");
    let twice = "Budi,199003152022011005,pns,budi@kemenag.go.id,081233334444,Biro Humas,budi.santoso,900,budi_s,700,budi.s,650\n";
    let (s, err) = import(&app, &w.coordinator, &format!("{header}{twice}{twice}")).await;
    assert_eq!(
        s,
        Status::UnprocessableEntity,
        "Budi twice in the file: {err}"
    );
    assert!(err["fields"]["rows.3.nip"].is_array(), "{err}");

    let admin = app.user("admin", "admin@duta.test", None, None).await;
    let admin = app.token(admin).await;
    let csv = format!("{header}{twice}");
    for (query, status) in [
        ("", Status::Conflict),
        ("?institution_id=999999", Status::NotFound),
        ("?institution_id=0", Status::UnprocessableEntity),
    ] {
        let (s, err) = json(
            app.upload(
                &format!("/api/v1/vetting/import{query}"),
                &admin,
                "r.csv",
                csv.as_bytes(),
                None,
            )
            .await,
        )
        .await;
        assert_eq!(s, status, "{query}: {err}");
    }
    let (s, err) = json(
        app.upload(
            "/api/v1/vetting/import?institution_id=0",
            &w.coordinator,
            "r.csv",
            csv.as_bytes(),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        s,
        Status::UnprocessableEntity,
        "a coordinator's id 0 too: {err}"
    );
    // An extra form field ("count") beside the file.
    let (s, err) = json(
        app.upload(
            "/api/v1/vetting/import",
            &w.coordinator,
            "r.csv",
            csv.as_bytes(),
            Some("5"),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity, "{err}");
    assert!(
        err["fields"]["count"][0]
            .as_str()
            .is_some_and(|m| m.contains("`count` tidak dikenal")),
        "the message names the unknown field: {err}"
    );
    // A file over the size limit is 413, also when the form is read strictly.
    let big = vec![b'a'; 30 * 1024 * 1024];
    let resp = app
        .upload(
            "/api/v1/vetting/import",
            &w.coordinator,
            "r.csv",
            &big,
            None,
        )
        .await;
    assert_eq!(resp.status(), Status::PayloadTooLarge);
    assert_eq!(app.count("ambassadors").await, before, "nothing imported");
}
