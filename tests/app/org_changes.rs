//! Institutions renamed; work units renamed, moved within the tree (never under
//! themselves) and merged, with scopes, brief audiences and figures following; the pages.

use rocket::http::Status;
use sea_orm::EntityTrait;
use serde_json::{json, Value};

use crate::standings::{approve_through_vetting, get, row_of};
use crate::submissions::{
    decide, jakarta_monday, past_brief, posted_in, rebuild_corrections, submit,
};
use crate::support::{json, text, TestApp};

async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Value,
) -> (Status, Value) {
    json(app.send_api(method, path, Some(token), &body).await).await
}

#[rocket::async_test]
async fn institutions_are_renamed_and_units_moved_but_never_under_themselves() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Lama").await;
    app.institution("Kementerian Lain").await;
    let a = app.work_unit(inst, None, "Deputi A").await;
    let b = app.work_unit(inst, Some(a), "Biro B").await;
    let c = app.work_unit(inst, Some(b), "Bagian C").await;
    let admin = app.user("admin", "admin@pusat.go.id", None, None).await;
    let admin = app.token(admin).await;
    let a_coordinator = app
        .user("coordinator", "a@lama.go.id", Some(inst), Some(a))
        .await;
    let b_coordinator = app
        .user("coordinator", "b@lama.go.id", Some(inst), Some(b))
        .await;
    let (amb, _) = app.candidate(inst, c, 1).await;

    // Institutions: renamed; a taken name, a bad one, unknown fields, the wrong role.
    let path = format!("/api/v1/institutions/{inst}");
    let (s, body) = send(
        &app,
        "PUT",
        &path,
        &admin,
        json!({"name": "Kementerian Baru", "short_name": "KB"}),
    )
    .await;
    assert_eq!(s, Status::Ok, "{body}");
    assert_eq!(
        (body["name"].as_str(), body["short_name"].as_str()),
        (Some("Kementerian Baru"), Some("KB"))
    );
    for (b, status) in [
        (json!({"name": "Kementerian Lain"}), Status::Conflict),
        (json!({"name": "K"}), Status::UnprocessableEntity),
        (json!({"kind": "planet"}), Status::UnprocessableEntity),
        (json!({"nama": "Salah"}), Status::UnprocessableEntity),
    ] {
        let (s, body) = send(&app, "PUT", &path, &admin, b.clone()).await;
        assert_eq!(s, status, "{b}: {body}");
    }
    let coordinator = app.token(a_coordinator).await;
    let (s, _) = send(
        &app,
        "PUT",
        &path,
        &coordinator,
        json!({"name": "Milik Saya"}),
    )
    .await;
    assert_eq!(s, Status::Forbidden);
    let (s, _) = send(
        &app,
        "PUT",
        "/api/v1/institutions/999999",
        &admin,
        json!({"name": "Tidak Ada"}),
    )
    .await;
    assert_eq!(s, Status::NotFound);

    // The unit-A coordinator reaches the ambassador in C (A's subtree); B's does too.
    let candidate = format!("/api/v1/vetting/candidates/{amb}");
    let sees = |token: String| {
        let app = &app;
        let candidate = candidate.clone();
        async move { app.get_api(&candidate, Some(&token)).await.status() }
    };
    assert_eq!(sees(app.token(a_coordinator).await).await, Status::Ok);

    // Never under itself or one of its sub-units; nothing changes then.
    let unit = |id: i64| format!("/api/v1/work-units/{id}");
    for parent in [a, c] {
        let (s, body) = send(&app, "PUT", &unit(a), &admin, json!({"parent_id": parent})).await;
        assert_eq!(s, Status::Conflict, "{body}");
        assert!(body["fields"]["parent_id"].is_array(), "{body}");
    }
    let (s, body) = send(
        &app,
        "PUT",
        &unit(b),
        &admin,
        json!({"parent_id": a, "top_level": true}),
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity, "{body}");
    // A sibling's name is taken.
    app.work_unit(inst, None, "Biro B").await;
    let (s, body) = send(&app, "PUT", &unit(b), &admin, json!({"top_level": true})).await;
    assert_eq!(s, Status::Conflict, "{body}");
    assert!(body["fields"]["name"].is_array());

    // B moves to the top, renamed, with C below it: scopes follow the tree.
    let (s, body) = send(
        &app,
        "PUT",
        &unit(b),
        &admin,
        json!({"top_level": true, "name": "Biro B Mandiri"}),
    )
    .await;
    assert_eq!(s, Status::Ok, "{body}");
    assert_eq!(
        (body["parent_id"].clone(), body["depth"].clone()),
        (Value::Null, json!(0))
    );
    let c_row = entity::work_units::Entity::find_by_id(c)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c_row.path, format!("/{b}/{c}/"));
    assert_eq!(sees(app.token(a_coordinator).await).await, Status::NotFound);
    assert_eq!(sees(app.token(b_coordinator).await).await, Status::Ok);
    let tree = get(
        &app,
        &format!("/api/v1/institutions/{inst}/work-units"),
        &admin,
    )
    .await;
    let names: Vec<(String, i64)> = tree
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["name"].as_str().unwrap().to_string(),
                u["depth"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(names.contains(&("Bagian C".to_string(), 1)), "{names:?}");
}

#[rocket::async_test]
async fn a_merged_unit_hands_over_its_people_sub_units_and_briefs() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Gabung").await;
    let other = app.institution("Kementerian Lain").await;
    let far = app.work_unit(other, None, "Biro Jauh").await;
    let keep = app.work_unit(inst, None, "Biro Humas").await;
    let gone = app.work_unit(inst, None, "Bagian Humas Lama").await;
    let below = app.work_unit(inst, Some(gone), "Subbagian Media").await;
    let admin = app.user("admin", "admin@pusat.go.id", None, None).await;
    let admin = app.token(admin).await;
    let coordinator = app
        .user("coordinator", "koordinator@gabung.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let limited = app
        .user("coordinator", "lama@gabung.go.id", Some(inst), Some(gone))
        .await;
    let (x, x_user) = app.candidate(inst, gone, 1).await;
    approve_through_vetting(&app, &coordinator, x, &jakarta_monday(6).to_string()).await;
    let token_x = app.token(x_user).await;
    let brief = past_brief(&app, &coordinator, 1).await;
    let (status, s) = submit(
        &app,
        &token_x,
        json!({"brief_id": brief, "platform": "instagram",
               "url": "https://www.instagram.com/p/Cgabung01/",
               "posted_at": posted_in(1).to_rfc3339()}),
    )
    .await;
    assert_eq!(status, Status::Created, "{s}");
    let (status, _) = decide(&app, &coordinator, s["id"].as_i64().unwrap(), "verify", "").await;
    assert_eq!(status, Status::Ok);
    let (status, addressed) = send(
        &app,
        "POST",
        "/api/v1/briefs",
        &coordinator,
        crate::briefs::brief_body("Untuk bagian lama", &[gone], &[]),
    )
    .await;
    assert_eq!(status, Status::Created, "{addressed}");

    let merge = |id: i64| format!("/api/v1/work-units/{id}/merge");
    for (into, status) in [
        (below, Status::Conflict),
        (gone, Status::Conflict),
        (far, Status::Conflict),
        (0, Status::UnprocessableEntity),
    ] {
        let (s, body) = send(&app, "POST", &merge(gone), &admin, json!({"into": into})).await;
        assert_eq!(s, status, "into {into}: {body}");
    }
    let (s, _) = send(
        &app,
        "POST",
        &merge(gone),
        &coordinator,
        json!({"into": keep}),
    )
    .await;
    assert_eq!(s, Status::Forbidden);

    let (s, body) = send(&app, "POST", &merge(gone), &admin, json!({"into": keep})).await;
    assert_eq!(s, Status::Ok, "{body}");
    assert_eq!(body["id"], keep);
    assert!(entity::work_units::Entity::find_by_id(gone)
        .one(&app.db)
        .await
        .unwrap()
        .is_none());
    let sub = entity::work_units::Entity::find_by_id(below)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (sub.parent_id, sub.path.clone()),
        (Some(keep), format!("/{keep}/{below}/"))
    );
    let detail = get(
        &app,
        &format!("/api/v1/vetting/candidates/{x}"),
        &coordinator,
    )
    .await;
    assert_eq!(detail["candidate"]["work_unit_name"], "Biro Humas");
    let limited_user = entity::users::Entity::find_by_id(limited)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        limited_user.work_unit_id,
        Some(keep),
        "the coordinator came along"
    );
    let b = get(
        &app,
        &format!("/api/v1/briefs/{}", addressed["id"]),
        &coordinator,
    )
    .await;
    assert_eq!(b["work_unit_ids"], json!([keep]), "{b}");
    let entry = row_of(&app, &coordinator, "", "Kandidat 1").await.unwrap();
    assert_eq!(entry["verified_posts"], 1);
    assert_eq!(
        rebuild_corrections(&app).await,
        0,
        "figures equal their recomputation"
    );
}

#[rocket::async_test]
async fn the_institution_page_changes_and_merges_units_with_messages_in_place() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Halaman").await;
    let a = app.work_unit(inst, None, "Deputi A").await;
    let b = app.work_unit(inst, Some(a), "Biro B").await;
    let admin = app.user("admin", "admin@pusat.go.id", None, None).await;
    let admin = app.token(admin).await;
    let page_path = format!("/admin/institutions/{inst}");
    let (_, page) = text(app.page(&page_path, Some(&admin)).await).await;
    assert!(page.contains(r#"id="change-unit""#) && page.contains(r#"id="merge-unit""#));
    let (a_text, b_text) = (a.to_string(), b.to_string());
    let (status, page) = text(
        app.form(
            &format!("{page_path}/work-units/change"),
            Some(&admin),
            &[
                ("unit_id", &a_text),
                ("name", "Deputi Baru"),
                ("parent", &b_text),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Conflict);
    assert!(page.contains(r#"id="f-edit_parent_id-error""#), "{page}");
    assert!(
        page.contains(r#"value="Deputi Baru""#),
        "what was typed is kept"
    );
    let resp = app
        .form(
            &format!("{page_path}/work-units/change"),
            Some(&admin),
            &[
                ("unit_id", &b_text),
                ("name", "Biro Baru"),
                ("parent", "top"),
            ],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (_, page) = text(app.follow(resp, Some(&admin)).await).await;
    assert!(page.contains("Unit kerja telah diubah.") && page.contains("Biro Baru"));
    let resp = app
        .form(
            &page_path,
            Some(&admin),
            &[
                ("name", "Kementerian Halaman Baru"),
                ("short_name", ""),
                ("kind", "ministry"),
            ],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let resp = app
        .form(
            &format!("{page_path}/work-units/merge"),
            Some(&admin),
            &[("unit_id", &b_text), ("into", &a_text)],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (_, page) = text(app.follow(resp, Some(&admin)).await).await;
    assert!(
        page.contains("Unit kerja telah digabungkan.") && page.contains("Kementerian Halaman Baru")
    );
    assert!(!page.contains("Biro Baru"), "{page}");
}
