//! Corrections and transfers of an ambassador's record: a mistyped name, email, NIP or
//! employee type (with the NIP rules and uniqueness), a move to another unit within the
//! coordinator's scope, and a transfer to another institution by an admin, of which the
//! receiving coordinators are told. The history moves with the person (README), and the
//! stored figures equal their recomputation throughout.

use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::standings::{approve_through_vetting, get, row_of};
use crate::submissions::{
    decide, jakarta_monday, past_brief, posted_in, rebuild_corrections, submit,
};
use crate::support::{json, text, TestApp};

async fn put(app: &TestApp, token: &str, id: i64, body: Value) -> (Status, Value) {
    json(
        app.send_api(
            "PUT",
            &format!("/api/v1/vetting/candidates/{id}/record"),
            Some(token),
            &body,
        )
        .await,
    )
    .await
}

/// Ambassadors posting in the week `weeks_ago`, in one unit's statistics.
async fn unit_posting(app: &TestApp, token: &str, unit: i64, weeks_ago: usize) -> (i64, i64) {
    let s = get(
        app,
        &format!("/api/v1/stats/participation?weeks=12&work_unit_id={unit}"),
        token,
    )
    .await;
    let weeks = s["weeks"].as_array().unwrap();
    let w = &weeks[weeks.len() - 1 - weeks_ago];
    (
        w["active_ambassadors"].as_i64().unwrap(),
        w["posting_ambassadors"].as_i64().unwrap(),
    )
}

#[rocket::async_test]
async fn coordinators_correct_and_move_and_admins_transfer_with_the_history() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Asal").await;
    let humas = app.work_unit(inst, None, "Biro Humas").await;
    let hukum = app.work_unit(inst, None, "Biro Hukum").await;
    let other = app.institution("Kementerian Tujuan").await;
    let pusat = app.work_unit(other, None, "Pusat Data").await;
    let coordinator = app
        .user("coordinator", "koordinator@asal.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let humas_only = app
        .user("coordinator", "humas@asal.go.id", Some(inst), Some(humas))
        .await;
    let humas_only = app.token(humas_only).await;
    let receiving = app
        .user("coordinator", "koordinator@tujuan.go.id", Some(other), None)
        .await;
    let receiving_token = app.token(receiving).await;
    let admin = app.user("admin", "admin@pusat.go.id", None, None).await;
    let admin = app.token(admin).await;

    let (x, x_user) = app.candidate(inst, humas, 1).await;
    approve_through_vetting(&app, &coordinator, x, &jakarta_monday(10).to_string()).await;
    let (y, _) = app.candidate(inst, humas, 2).await;
    approve_through_vetting(&app, &coordinator, y, &jakarta_monday(10).to_string()).await;
    let token_x = app.token(x_user).await;
    let brief = past_brief(&app, &coordinator, 2).await;
    let (status, s) = submit(
        &app,
        &token_x,
        json!({"brief_id": brief, "platform": "instagram",
               "url": "https://www.instagram.com/p/Cpindah01/",
               "posted_at": posted_in(2).to_rfc3339()}),
    )
    .await;
    assert_eq!(status, Status::Created, "{s}");
    let (status, _) = decide(&app, &coordinator, s["id"].as_i64().unwrap(), "verify", "").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(unit_posting(&app, &coordinator, humas, 2).await, (2, 1));
    let y_nip = get(
        &app,
        &format!("/api/v1/vetting/candidates/{y}"),
        &coordinator,
    )
    .await["candidate"]["nip"]
        .as_str()
        .unwrap()
        .to_string();
    let y_email = "kandidat2@instansi.go.id".to_string();

    // Hostile corrections are refused at their field and change nothing.
    for (body, field, status) in [
        (
            json!({"email": "bukan-email"}),
            "email",
            Status::UnprocessableEntity,
        ),
        (json!({"email": y_email}), "email", Status::Conflict),
        (
            json!({"nip": "19860231 201505 2 001"}),
            "nip",
            Status::UnprocessableEntity,
        ),
        (json!({"nip": y_nip}), "nip", Status::Conflict),
        (
            json!({"employee_type": "honorer"}),
            "employee_type",
            Status::UnprocessableEntity,
        ),
        (json!({"name": "x"}), "name", Status::UnprocessableEntity),
        (
            json!({"work_unit_id": pusat}),
            "work_unit_id",
            Status::Conflict,
        ),
        (
            json!({"institution_id": other, "work_unit_id": pusat}),
            "institution_id",
            Status::Conflict,
        ),
    ] {
        let (s, b) = put(&app, &coordinator, x, body.clone()).await;
        assert_eq!(s, status, "{body}: {b}");
        assert!(b["fields"][field].is_array(), "{body}: {b}");
    }
    let (s, b) = put(&app, &coordinator, x, json!({"nama": "Salah Ketik"})).await;
    assert_eq!(s, Status::UnprocessableEntity, "unknown field: {b}");
    assert_eq!(
        get(
            &app,
            &format!("/api/v1/vetting/candidates/{x}"),
            &coordinator
        )
        .await["candidate"]["name"],
        "Kandidat 1"
    );

    // Corrected: name, email (the sign-in follows), NIP (stored sealed, never as digits).
    let (s, detail) = put(
        &app,
        &coordinator,
        x,
        json!({"name": "Kandidat Satu", "email": " Satu@Asal.go.id ", "nip": "19900101 201801 1 003"}),
    )
    .await;
    assert_eq!(s, Status::Ok, "{detail}");
    assert_eq!(detail["candidate"]["name"], "Kandidat Satu");
    assert_eq!(detail["candidate"]["email"], "satu@asal.go.id");
    assert_eq!(detail["candidate"]["nip"], "199001012018011003");
    let row = entity::ambassadors::Entity::find_by_id(x)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !row.nip.contains("19900101"),
        "the NIP is stored as its index"
    );
    let status = app
        .login_api("satu@asal.go.id", crate::support::PASSWORD)
        .await
        .status();
    assert_eq!(status, Status::Ok, "signs in with the corrected email");

    // Moved to another unit of the institution: the history moves with them.
    let (s, detail) = put(&app, &coordinator, x, json!({"work_unit_id": hukum})).await;
    assert_eq!(s, Status::Ok, "{detail}");
    assert_eq!(detail["candidate"]["work_unit_id"], hukum);
    assert_eq!(unit_posting(&app, &coordinator, humas, 2).await, (1, 0));
    assert_eq!(unit_posting(&app, &coordinator, hukum, 2).await, (1, 1));
    assert_eq!(rebuild_corrections(&app).await, 0);
    // A coordinator of one unit does not reach someone in another.
    let (s, _) = put(&app, &humas_only, x, json!({"work_unit_id": humas})).await;
    assert_eq!(s, Status::NotFound);
    let (s, b) = put(&app, &humas_only, y, json!({"work_unit_id": hukum})).await;
    assert_eq!(s, Status::Conflict, "outside their subtree: {b}");

    // Transferred by an admin, who names a unit there.
    let (s, b) = put(&app, &admin, x, json!({"institution_id": other})).await;
    assert_eq!(s, Status::UnprocessableEntity, "{b}");
    assert!(b["fields"]["work_unit_id"].is_array(), "{b}");
    let (s, detail) = put(
        &app,
        &admin,
        x,
        json!({"institution_id": other, "work_unit_id": pusat}),
    )
    .await;
    assert_eq!(s, Status::Ok, "{detail}");
    assert_eq!(detail["candidate"]["institution_id"], other);
    let (s, _) = json(
        app.get_api(
            &format!("/api/v1/vetting/candidates/{x}"),
            Some(&coordinator),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::NotFound, "out of the old institution's scope");
    let moved = get(
        &app,
        &format!("/api/v1/vetting/candidates/{x}"),
        &receiving_token,
    )
    .await;
    assert_eq!(moved["candidate"]["work_unit_name"], "Pusat Data");
    let entry = row_of(&app, &receiving_token, "", "Kandidat 1")
        .await
        .unwrap();
    assert_eq!(
        entry["verified_posts"], 1,
        "the history came along: {entry}"
    );
    assert_eq!(unit_posting(&app, &receiving_token, pusat, 2).await, (1, 1));
    assert_eq!(unit_posting(&app, &coordinator, hukum, 2).await, (0, 0));
    assert_eq!(rebuild_corrections(&app).await, 0);
    let (_, page) = text(app.page("/notifications", Some(&receiving_token)).await).await;
    assert!(
        page.contains("dipindahkan (mutasi) ke instansi Anda"),
        "{page}"
    );
    let user = entity::users::Entity::find_by_id(x_user)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.institution_id, Some(other));
    let audit = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::TargetId.eq(x))
        .filter(entity::audit_log::Column::TargetType.eq("ambassador"))
        .all(&app.db)
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|r| r.action.as_str()).collect();
    assert!(
        actions.contains(&"ambassador.corrected") && actions.contains(&"ambassador.transferred"),
        "{actions:?}"
    );
    assert!(
        audit
            .iter()
            .all(|r| !r.detail.to_string().contains("19900101")),
        "never the NIP digits in the audit log"
    );
}

#[rocket::async_test]
async fn the_candidate_page_corrects_with_messages_at_the_fields() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Halaman").await;
    let humas = app.work_unit(inst, None, "Biro Humas").await;
    app.work_unit(inst, None, "Biro Hukum").await;
    let coordinator = app
        .user("coordinator", "koordinator@halaman.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let (x, _) = app.candidate(inst, humas, 1).await;
    approve_through_vetting(&app, &coordinator, x, &jakarta_monday(1).to_string()).await;
    let path = format!("/vetting/candidates/{x}");
    let (_, page) = text(app.page(&path, Some(&coordinator)).await).await;
    assert!(page.contains(r#"id="record""#), "{page}");
    let unit = humas.to_string();
    let (status, page) = text(
        app.form(
            &format!("{path}/record"),
            Some(&coordinator),
            &[
                ("name", "Kandidat 1"),
                ("email", "kandidat1@instansi.go.id"),
                ("nip", "12345"),
                ("employee_type", "pns"),
                ("work_unit_id", &unit),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains(r#"id="f-record_nip-error""#), "{page}");
    assert!(page.contains(r#"value="12345""#), "what was typed is kept");
    let resp = app
        .form(
            &format!("{path}/record"),
            Some(&coordinator),
            &[
                ("name", "Kandidat Pertama"),
                ("email", "kandidat1@instansi.go.id"),
                ("nip", "19900101 201801 1 003"),
                ("employee_type", "pns"),
                ("work_unit_id", &unit),
            ],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (_, page) = text(app.follow(resp, Some(&coordinator)).await).await;
    assert!(
        page.contains("Data Duta tersimpan.") && page.contains("Kandidat Pertama"),
        "{page}"
    );
}
