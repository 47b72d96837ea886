//! Bulk actions on the roster: approve, invite, remind, suspend and move many people at
//! once, all or nothing (404 when anyone is out of scope, 409 naming each person the action
//! does not apply to), each person audited, the figures following; up to 5,000 people.

use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::standings::{get, stats_week};
use crate::submissions::rebuild_corrections;
use crate::support::{json, text, TestApp};

async fn bulk(app: &TestApp, token: &str, body: Value) -> (Status, Value) {
    json(
        app.send_api("POST", "/api/v1/roster/bulk", Some(token), &body)
            .await,
    )
    .await
}

async fn status_of(app: &TestApp, id: i64) -> String {
    entity::ambassadors::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .status
}

/// Records the coordinator's counts for every platform, making a candidate eligible.
async fn counted(app: &TestApp, coordinator: &str, id: i64) {
    for (platform, count) in [("facebook", 812), ("x", 1250), ("instagram", 640)] {
        let (s, body) = json(
            app.send_api(
                "POST",
                &format!("/api/v1/vetting/candidates/{id}/followers"),
                Some(coordinator),
                &json!({"platform": platform, "count": count}),
            )
            .await,
        )
        .await;
        assert_eq!(s, Status::Ok, "{body}");
    }
}

#[rocket::async_test]
async fn bulk_actions_are_all_or_nothing_and_each_person_is_audited() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Massal").await;
    let humas = app.work_unit(inst, None, "Biro Humas").await;
    let hukum = app.work_unit(inst, None, "Biro Hukum").await;
    let other = app.institution("Kementerian Lain").await;
    let far = app.work_unit(other, None, "Biro Jauh").await;
    let coordinator = app
        .user("coordinator", "koordinator@massal.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let leadership = app
        .user("leadership", "pimpinan@massal.go.id", Some(inst), None)
        .await;
    let leadership = app.token(leadership).await;
    let (one, _) = app.candidate(inst, humas, 1).await;
    let (two, _) = app.candidate(inst, humas, 2).await;
    let (three, _) = app.candidate(inst, humas, 3).await;
    let (four, _) = app.candidate(other, far, 4).await;
    counted(&app, &coordinator, one).await;
    counted(&app, &coordinator, two).await;

    // Hostile selections: nothing happens.
    let many: Vec<i64> = (1..=5000).collect();
    for (body, status) in [
        (
            json!({"action": "approve", "ids": []}),
            Status::UnprocessableEntity,
        ),
        (
            json!({"action": "approve", "ids": [one, one]}),
            Status::UnprocessableEntity,
        ),
        (
            json!({"action": "approve", "ids": [0]}),
            Status::UnprocessableEntity,
        ),
        (
            json!({"action": "approve", "ids": (1..=5001).collect::<Vec<i64>>()}),
            Status::UnprocessableEntity,
        ),
        (
            json!({"action": "launch", "ids": [one]}),
            Status::UnprocessableEntity,
        ),
        (
            json!({"action": "approve", "ids": [one], "extra": 1}),
            Status::UnprocessableEntity,
        ),
        (json!({"action": "approve", "ids": many}), Status::NotFound),
        (
            json!({"action": "approve", "ids": [one, four]}),
            Status::NotFound,
        ),
        (
            json!({"action": "suspend", "ids": [one]}),
            Status::UnprocessableEntity,
        ),
        (
            json!({"action": "move", "ids": [one]}),
            Status::UnprocessableEntity,
        ),
        (
            json!({"action": "move", "ids": [one], "work_unit_id": far}),
            Status::Conflict,
        ),
    ] {
        let (s, b) = bulk(&app, &coordinator, body.clone()).await;
        assert_eq!(s, status, "{body:.200}: {b}");
    }
    let (s, _) = bulk(
        &app,
        &leadership,
        json!({"action": "approve", "ids": [one]}),
    )
    .await;
    assert_eq!(s, Status::Forbidden);
    // Kandidat 3's screenshots are not reviewed: approving the three is refused, naming them.
    let (s, b) = bulk(
        &app,
        &coordinator,
        json!({"action": "approve", "ids": [one, two, three]}),
    )
    .await;
    assert_eq!(s, Status::Conflict, "{b}");
    assert!(b["fields"][format!("ids.{three}")].is_array(), "{b}");
    assert!(b["fields"].get(format!("ids.{one}")).is_none(), "{b}");
    for id in [one, two, three, four] {
        assert_eq!(status_of(&app, id).await, "pending", "nothing half-done");
    }

    // Approved together: each audited, on the board and in the figures at once.
    let (s, b) = bulk(
        &app,
        &coordinator,
        json!({"action": "approve", "ids": [one, two]}),
    )
    .await;
    assert_eq!(s, Status::Ok, "{b}");
    assert_eq!(b["done"], 2);
    assert_eq!(
        (status_of(&app, one).await, status_of(&app, two).await),
        ("approved".into(), "approved".into())
    );
    let approvals = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq("ambassador.approved"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(approvals, 2);
    assert_eq!(
        get(&app, "/api/v1/leaderboard", &coordinator).await["total"],
        2
    );
    assert_eq!(stats_week(&app, &coordinator, 0).await.0, 2);

    // Reminders go to approved people only; then both are suspended with one reason.
    let (s, b) = bulk(
        &app,
        &coordinator,
        json!({"action": "remind", "ids": [one, three]}),
    )
    .await;
    assert_eq!(s, Status::Conflict, "{b}");
    let (s, b) = bulk(
        &app,
        &coordinator,
        json!({"action": "remind", "ids": [one, two]}),
    )
    .await;
    assert_eq!(s, Status::Ok, "{b}");
    let reason = "Tidak aktif selama tiga bulan berturut-turut.";
    let (s, b) = bulk(
        &app,
        &coordinator,
        json!({"action": "suspend", "ids": [one, two], "reason": reason}),
    )
    .await;
    assert_eq!(s, Status::Ok, "{b}");
    assert_eq!(status_of(&app, one).await, "suspended");
    assert_eq!(
        get(&app, "/api/v1/leaderboard", &coordinator).await["total"],
        0
    );
    assert_eq!(stats_week(&app, &coordinator, 0).await.0, 0);
    let detail = get(
        &app,
        &format!("/api/v1/vetting/candidates/{two}"),
        &coordinator,
    )
    .await;
    assert_eq!(detail["candidate"]["membership_break"]["reason"], reason);

    // Moved together, with their history; the stored figures equal their recomputation.
    let (s, b) = bulk(
        &app,
        &coordinator,
        json!({"action": "move", "ids": [one, two, three], "work_unit_id": hukum}),
    )
    .await;
    assert_eq!(s, Status::Ok, "{b}");
    let detail = get(
        &app,
        &format!("/api/v1/vetting/candidates/{three}"),
        &coordinator,
    )
    .await;
    assert_eq!(detail["candidate"]["work_unit_name"], "Biro Hukum");
    assert_eq!(rebuild_corrections(&app).await, 0);

    // Invitations go again only to people who have not accepted theirs.
    let (s, b) = bulk(
        &app,
        &coordinator,
        json!({"action": "invite", "ids": [one]}),
    )
    .await;
    assert_eq!(s, Status::Conflict, "{b}");
    let csv = "name,nip,type,email,phone,work_unit,facebook,facebook_followers,x,x_followers,instagram,instagram_followers\n\
        Ani Suryani,198609262015052101,pns,ani@massal.go.id,081211112222,Biro Humas,ani.suryani,812,ani_s,1250,ani.s,640\n";
    let (s, report) = json(
        app.upload(
            "/api/v1/vetting/import",
            &coordinator,
            "roster.csv",
            csv.as_bytes(),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::Created, "{report}");
    let ani = report["invitations"][0]["user_id"].as_i64().unwrap();
    let ani_amb = entity::ambassadors::Entity::find()
        .filter(entity::ambassadors::Column::UserId.eq(ani))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let (s, b) = bulk(
        &app,
        &coordinator,
        json!({"action": "invite", "ids": [ani_amb]}),
    )
    .await;
    assert_eq!(s, Status::Ok, "{b}");
    let link = b["invitations"][0]["invitation"]["link"].as_str().unwrap();
    assert!(link.contains("/invitation/"), "{b}");
    assert!(b["invitations"][0]["invitation"]["whatsapp_url"]
        .as_str()
        .unwrap()
        .starts_with("https://wa.me/6281211112222"));
}

#[rocket::async_test]
async fn the_roster_page_runs_an_action_on_the_ticked_people() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Centang").await;
    let humas = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@centang.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let (one, _) = app.candidate(inst, humas, 1).await;
    let (two, _) = app.candidate(inst, humas, 2).await;
    counted(&app, &coordinator, one).await;
    let (_, page) = text(app.page("/roster", Some(&coordinator)).await).await;
    assert!(
        page.contains(r#"form="bulk""#) && page.contains(r#"action="/roster/bulk""#),
        "{page}"
    );
    let (one_text, two_text) = (one.to_string(), two.to_string());
    let (status, page) = text(
        app.form(
            "/roster/bulk",
            Some(&coordinator),
            &[
                ("action", "approve"),
                ("ids", &one_text),
                ("ids", &two_text),
                ("back", "/roster?status=pending"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Conflict);
    assert!(
        page.contains("Tidak ada yang diubah") && page.contains("Kandidat 2:"),
        "{page}"
    );
    let (status, page) = text(
        app.form(
            "/roster/bulk",
            Some(&coordinator),
            &[("action", "approve"), ("ids", &one_text)],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Selesai untuk 1 orang."), "{page}");
    assert_eq!(status_of(&app, one).await, "approved");
}

#[rocket::async_test]
async fn bulk_decisions_email_each_person_as_single_ones_do() {
    if crate::smtp::skip_without_aiosmtpd() {
        return;
    }
    let smtp = crate::smtp::SmtpServer::start().await;
    let app = TestApp::spawn_with(&[("smtp", smtp.config())]).await;
    let inst = app.institution("Kementerian Surat Massal").await;
    let humas = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user(
            "coordinator",
            "koordinator@suratmassal.go.id",
            Some(inst),
            None,
        )
        .await;
    let coordinator = app.token(coordinator).await;
    let (one, one_user) = app.candidate(inst, humas, 1).await;
    let (two, two_user) = app.candidate(inst, humas, 2).await;
    // Email addresses from sign-up wait for confirmation while SMTP is on; these two are
    // confirmed as if they had opened their links.
    for user in [one_user, two_user] {
        let row = entity::users::Entity::find_by_id(user)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let mut active: entity::users::ActiveModel = row.into();
        active.email_unconfirmed_since = sea_orm::Set(None);
        sea_orm::ActiveModelTrait::update(active, &app.db)
            .await
            .unwrap();
    }
    counted(&app, &coordinator, one).await;
    counted(&app, &coordinator, two).await;
    let (s, b) = bulk(
        &app,
        &coordinator,
        json!({"action": "approve", "ids": [one, two]}),
    )
    .await;
    assert_eq!(s, Status::Ok, "{b}");
    // Each sign-up's confirmation email, then each decision's.
    let mails = smtp.wait_for(4).await;
    let approved = duta::web::i18n::t(duta::web::i18n::Lang::Id, "mail.approved_subject");
    let mut to: Vec<String> = mails
        .iter()
        .filter(|m| m["subject"] == approved.as_str())
        .map(|m| m["rcpt_tos"][0].as_str().unwrap().to_string())
        .collect();
    to.sort();
    assert_eq!(to, ["kandidat1@instansi.go.id", "kandidat2@instansi.go.id"]);
}
