//! Mentoring on drafts: an ambassador asks for a review of a saved draft, a coordinator
//! comments on a passage with suggested wording, the ambassador revises, a mentor named by
//! the coordinator accepts it; every version and comment stays in the history.

use rocket::http::Status;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{json, Value};

use crate::support::{approve, json, text, TestApp};

const DRAFT: &str = "Layanan KTP di Sleman kini selesai dalam 1 hari.\nDatang saja ke kecamatan.";

async fn draft_of(app: &TestApp, user_id: i64, text: &str) -> i64 {
    let now = chrono::Utc::now();
    entity::drafts::ActiveModel {
        user_id: Set(user_id),
        brief_id: Set(None),
        template_id: Set(None),
        platform: Set("instagram".into()),
        fields: Set("{}".into()),
        text: Set(text.into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap()
    .id
}

async fn post(app: &TestApp, path: &str, token: &str, body: &Value) -> (Status, Value) {
    json(app.send_api("POST", path, Some(token), body).await).await
}

#[rocket::async_test]
async fn a_draft_is_commented_on_a_passage_revised_and_accepted_by_a_mentor() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Pemerintah Kabupaten Sleman").await;
    let other = app.institution("Pemerintah Kota Lain").await;
    let unit = app.work_unit(inst, None, "Diskominfo").await;
    let other_unit = app.work_unit(other, None, "Humas").await;
    let coordinator = app
        .user("coordinator", "humas@sleman.go.id", Some(inst), None)
        .await;
    let outsider = app
        .user("coordinator", "humas@lain.go.id", Some(other), None)
        .await;
    let (amb, amb_user) = app.candidate(inst, unit, 1).await;
    let (peer, peer_user) = app.candidate(inst, unit, 2).await;
    let (far, far_user) = app.candidate(other, other_unit, 3).await;
    let (pending, pending_user) = app.candidate(inst, unit, 4).await;
    for a in [amb, peer, far] {
        approve(&app, a).await;
    }
    let (t_amb, t_peer, t_far, t_pending) = (
        app.token(amb_user).await,
        app.token(peer_user).await,
        app.token(far_user).await,
        app.token(pending_user).await,
    );
    let t_coord = app.token(coordinator).await;
    let t_out = app.token(outsider).await;
    let draft = draft_of(&app, amb_user, DRAFT).await;

    // Someone else's draft: 404; a candidate not yet approved: 409.
    let ask = format!("/api/v1/drafts/{draft}/review");
    assert_eq!(
        post(&app, &ask, &t_peer, &json!({})).await.0,
        Status::NotFound
    );
    let pending_draft = draft_of(&app, pending_user, "Draf kandidat").await;
    let (status, _) = post(
        &app,
        &format!("/api/v1/drafts/{pending_draft}/review"),
        &t_pending,
        &json!({}),
    )
    .await;
    assert_eq!(status, Status::Conflict);

    // The ambassador asks; asking twice is 409.
    let (status, review) = post(&app, &ask, &t_amb, &json!({})).await;
    assert_eq!(status, Status::Created, "{review}");
    let id = review["id"].as_i64().unwrap();
    assert_eq!(review["state"], "waiting");
    assert_eq!(review["versions"][0]["number"], 1);
    assert_eq!(review["versions"][0]["text"], DRAFT);
    assert_eq!(review["can_revise"], true);
    assert_eq!(review["can_comment"], false);
    assert_eq!(
        post(&app, &ask, &t_amb, &json!({})).await.0,
        Status::Conflict
    );

    // It waits on the coordinator's home, with its age.
    let (_, home) = json(app.get_api("/api/v1/home", Some(&t_coord)).await).await;
    assert_eq!(home["work"]["reviews_waiting"], 1, "{home}");
    assert_eq!(home["work"]["oldest_review_hours"], 0);
    let (_, list) = json(app.get_api("/api/v1/reviews", Some(&t_coord)).await).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["reviews"][0]["id"], id);

    // Bad comments: nothing stored.
    let comments = format!("/api/v1/reviews/{id}/comments");
    for (body, status, field) in [
        (
            json!({"version": 1, "body": "Bagus", "passage": "dalam 2 hari"}),
            Status::UnprocessableEntity,
            "passage",
        ),
        (
            json!({"version": 1, "body": "Bagus", "suggestion": "dalam sehari"}),
            Status::UnprocessableEntity,
            "passage",
        ),
        (
            json!({"version": 1, "body": "  "}),
            Status::UnprocessableEntity,
            "body",
        ),
        (
            json!({"version": 2, "body": "Bagus"}),
            Status::Conflict,
            "version",
        ),
        (
            json!({"body": "Bagus"}),
            Status::UnprocessableEntity,
            "version",
        ),
        (
            json!({"version": 1, "body": "x".repeat(2_001)}),
            Status::UnprocessableEntity,
            "body",
        ),
    ] {
        let (got, answer) = post(&app, &comments, &t_coord, &body).await;
        assert_eq!(got, status, "{body} -> {answer}");
        assert!(answer["fields"][field].is_array(), "{answer}");
    }
    assert_eq!(app.count("draft_comments").await, 0);

    // The coordinator comments on a passage with suggested wording.
    let (status, review) = post(
        &app,
        &comments,
        &t_coord,
        &json!({"version": 1, "body": "Sebutkan syaratnya agar tidak bolak-balik.",
                "passage": "Datang saja ke kecamatan.",
                "suggestion": "Bawa KK dan surat pengantar RT ke kecamatan."}),
    )
    .await;
    assert_eq!(status, Status::Created, "{review}");
    assert_eq!(review["state"], "answered");
    let c = &review["versions"][0]["comments"][0];
    assert_eq!(c["passage"], "Datang saja ke kecamatan.");
    assert_eq!(
        c["suggestion"],
        "Bawa KK dan surat pengantar RT ke kecamatan."
    );
    assert_eq!(c["author_role"], "coordinator");

    // Who may do what: the asker does not comment, the coordinator does not revise,
    // another institution's coordinator and a colleague who is not a mentor see nothing.
    let good = json!({"version": 1, "body": "Bagus"});
    assert_eq!(
        post(&app, &comments, &t_amb, &good).await.0,
        Status::Forbidden
    );
    let versions = format!("/api/v1/reviews/{id}/versions");
    let (status, _) = post(&app, &versions, &t_coord, &json!({"text": "Teks lain"})).await;
    assert_eq!(status, Status::Forbidden);
    let path = format!("/api/v1/reviews/{id}");
    assert_eq!(
        app.get_api(&path, Some(&t_out)).await.status(),
        Status::NotFound
    );
    assert_eq!(
        app.get_api(&path, Some(&t_peer)).await.status(),
        Status::NotFound
    );
    assert_eq!(
        post(&app, &comments, &t_out, &good).await.0,
        Status::NotFound
    );

    // The ambassador revises: the same text is refused; a new one is version 2.
    let (status, answer) = post(&app, &versions, &t_amb, &json!({"text": DRAFT})).await;
    assert_eq!(status, Status::UnprocessableEntity, "{answer}");
    let revised = "Layanan KTP di Sleman kini selesai dalam 1 hari.\nBawa KK dan surat pengantar RT ke kecamatan.";
    let (status, review) = post(&app, &versions, &t_amb, &json!({"text": revised})).await;
    assert_eq!(status, Status::Created, "{review}");
    assert_eq!(review["state"], "waiting");
    assert_eq!(review["latest_version"], 2);
    assert_eq!(review["versions"][1]["comments"][0]["version"], 1);
    let saved = entity::drafts::Entity::find_by_id(draft)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(saved.text, revised, "the saved draft follows the revision");
    // A comment written on the old version now: 409, read the new one first.
    let (status, answer) = post(&app, &comments, &t_coord, &good).await;
    assert_eq!(status, Status::Conflict, "{answer}");

    // Mentors: a pending candidate cannot be one; another institution's coordinator
    // cannot name this institution's ambassador (404); the coordinator names a colleague.
    let mentor = |a: i64| format!("/api/v1/ambassadors/{a}/mentor");
    assert_eq!(
        app.send_api("PUT", &mentor(pending), Some(&t_coord), &json!({}))
            .await
            .status(),
        Status::Conflict
    );
    assert_eq!(
        app.send_api("PUT", &mentor(peer), Some(&t_out), &json!({}))
            .await
            .status(),
        Status::NotFound
    );
    let (status, figures) = json(
        app.send_api("PUT", &mentor(peer), Some(&t_coord), &json!({}))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{figures}");
    assert_eq!(figures["mentor"], true);
    // A mentor of another institution sees nothing here.
    let (status, _) = json(
        app.send_api("PUT", &mentor(far), Some(&t_out), &json!({}))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(
        app.get_api(&path, Some(&t_far)).await.status(),
        Status::NotFound
    );
    let (_, far_list) = json(app.get_api("/api/v1/reviews", Some(&t_far)).await).await;
    assert_eq!(far_list["total"], 0);

    // The mentor reads it, and accepts version 2.
    let (_, list) = json(app.get_api("/api/v1/reviews", Some(&t_peer)).await).await;
    assert_eq!(list["reviewer"], true);
    assert_eq!(list["reviews"][0]["id"], id);
    let (status, review) = post(
        &app,
        &comments,
        &t_peer,
        &json!({"version": 2, "body": "Sudah jelas, siap unggah.", "accept": true}),
    )
    .await;
    assert_eq!(status, Status::Created, "{review}");
    assert_eq!(review["state"], "accepted");
    assert_eq!(
        review["versions"][0]["comments"][0]["author_role"],
        "mentor"
    );
    // A mentor's own draft is not theirs to review.
    let own = draft_of(&app, peer_user, "Draf sang mentor").await;
    let (_, own_review) = post(
        &app,
        &format!("/api/v1/drafts/{own}/review"),
        &t_peer,
        &json!({}),
    )
    .await;
    let own_id = own_review["id"].as_i64().unwrap();
    let (status, _) = post(
        &app,
        &format!("/api/v1/reviews/{own_id}/comments"),
        &t_peer,
        &json!({"version": 1, "body": "Bagus sekali", "accept": true}),
    )
    .await;
    assert_eq!(status, Status::Forbidden);

    // The ambassador's page shows drafts reviewed and accepted; pages show the history.
    let (_, detail) = json(
        app.get_api(&format!("/api/v1/vetting/candidates/{amb}"), Some(&t_coord))
            .await,
    )
    .await;
    assert_eq!(
        detail["mentoring"],
        json!({"reviewed": 1, "accepted": 1, "mentor": false})
    );
    let (_, page) = text(
        app.page(&format!("/vetting/candidates/{amb}"), Some(&t_coord))
            .await,
    )
    .await;
    assert!(page.contains("1 draf direview, 1 diterima"), "{page}");
    let (status, page) = text(app.page(&format!("/reviews/{id}"), Some(&t_amb)).await).await;
    assert_eq!(status, Status::Ok);
    for expected in [
        "Versi 2",
        "Versi 1",
        "<blockquote class=\"passage\">Datang saja ke kecamatan.</blockquote>",
        "Sudah jelas, siap unggah.",
        "Draf Anda diterima",
    ] {
        assert!(page.contains(expected), "{expected} missing:\n{page}");
    }
    // The page form keeps what was typed when refused.
    let resp = app
        .form(
            &format!("/reviews/{id}/comments"),
            Some(&t_coord),
            &[
                ("version", "2"),
                ("body", "Komentar yang diketik"),
                ("passage", "tidak ada di teks"),
            ],
        )
        .await;
    let (status, page) = text(resp).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("Bagian ini tidak ada di versi terbaru."));
    assert!(page.contains("Komentar yang diketik"));

    // Ending the mentor role ends their access.
    let status = app
        .send_api("DELETE", &mentor(peer), Some(&t_coord), &json!({}))
        .await
        .status();
    assert_eq!(status, Status::Ok);
    assert_eq!(
        app.get_api(&path, Some(&t_peer)).await.status(),
        Status::NotFound
    );
    for action in [
        "draft_review.requested",
        "draft_review.commented",
        "draft_review.revised",
        "draft_review.accepted",
        "mentor.named",
        "mentor.ended",
    ] {
        let n = app
            .count(&format!("audit_log WHERE action = '{action}'"))
            .await;
        assert!(n >= 1, "{action} audited");
    }
}
