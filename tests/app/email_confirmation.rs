//! Sign-up hygiene: while Duta sends email, a candidate confirms their address (a link,
//! through a real SMTP server) before the application enters the vetting queue; the link
//! works once and only while it is the newest; asking again is limited; without SMTP
//! nothing is asked.

use rocket::http::Status;
use sea_orm::EntityTrait;
use serde_json::{json, Value};

use crate::smtp::{skip_without_aiosmtpd, SmtpServer};
use crate::support::{json, text, TestApp};

fn token_in(mail: &Value) -> String {
    let body = mail["body"].as_str().unwrap();
    let link = body
        .split_whitespace()
        .find(|w| w.starts_with("https://duta.uji.go.id/email/confirm/"))
        .unwrap_or_else(|| panic!("no link in {body}"));
    link.rsplit('/').next().unwrap().to_string()
}

async fn queue(app: &TestApp, token: &str) -> Vec<i64> {
    let (status, body) = json(app.get_api("/api/v1/vetting/candidates", Some(token)).await).await;
    assert_eq!(status, Status::Ok, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

async fn confirm(app: &TestApp, token: &str) -> (Status, Value) {
    json(
        app.send_api(
            "POST",
            "/api/v1/auth/email/confirm",
            None,
            &json!({ "token": token }),
        )
        .await,
    )
    .await
}

#[rocket::async_test]
async fn a_candidate_enters_the_queue_once_their_email_is_confirmed() {
    if skip_without_aiosmtpd() {
        return;
    }
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with(&[("smtp", smtp.config())]).await;
    let inst = app.institution("Kementerian Konfirmasi").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user(
            "coordinator",
            "koordinator@konfirmasi.go.id",
            Some(inst),
            None,
        )
        .await;
    let coordinator = app.token(coordinator).await;
    let (amb, user) = app.candidate(inst, unit, 1).await;
    let candidate = app.token(user).await;

    // Not in the queue, not approvable, and told on the status page.
    assert!(queue(&app, &coordinator).await.is_empty());
    let (status, body) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/vetting/candidates/{amb}/approve"),
            Some(&coordinator),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Conflict, "{body}");
    assert!(body["fields"]["status"][0]
        .as_str()
        .unwrap()
        .contains("belum mengonfirmasi"));
    let (_, page) = text(app.page("/me/status", Some(&candidate)).await).await;
    assert!(page.contains(r#"id="email-unconfirmed""#), "{page}");
    assert!(page.contains("kandidat1@instansi.go.id"));

    let mail = smtp.wait_for(1).await.remove(0);
    assert_eq!(mail["rcpt_tos"], json!(["kandidat1@instansi.go.id"]));
    assert_eq!(mail["subject"], "Konfirmasi email pendaftaran Duta Anda");
    let first = token_in(&mail);

    // Asking again replaces the link; three an hour.
    for n in 0..3 {
        let (status, body) = json(
            app.send_api(
                "POST",
                "/api/v1/me/email-confirmation",
                Some(&candidate),
                &json!({}),
            )
            .await,
        )
        .await;
        assert_eq!(status, Status::Accepted, "resend {n}: {body}");
    }
    let resp = app
        .send_api(
            "POST",
            "/api/v1/me/email-confirmation",
            Some(&candidate),
            &json!({}),
        )
        .await;
    assert_eq!(resp.status(), Status::TooManyRequests);
    let (status, body) = confirm(&app, &first).await;
    assert_eq!(status, Status::Conflict, "replaced: {body}");
    // The sends run beside each other: the newest link is the one that still opens.
    let mut open = Vec::new();
    for mail in smtp.wait_for(4).await {
        let token = token_in(&mail);
        let status = app
            .page(&format!("/email/confirm/{token}"), None)
            .await
            .status();
        if status == Status::Ok {
            open.push(token);
        }
    }
    assert_eq!(open.len(), 1, "only the newest link works");
    let newest = open.remove(0);

    // The emailed link shows a button (opening it changes nothing); the button confirms.
    let path = format!("/email/confirm/{newest}");
    let (status, page) = text(app.page(&path, None).await).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Konfirmasi email saya"), "{page}");
    assert!(queue(&app, &coordinator).await.is_empty());
    let (status, page) = text(app.form(&path, None, &[]).await).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains(r#"id="confirm-done""#), "{page}");
    assert_eq!(queue(&app, &coordinator).await, vec![amb]);
    let (_, page) = text(app.page("/me/status", Some(&candidate)).await).await;
    assert!(!page.contains(r#"id="email-unconfirmed""#));

    // Used up; unknown tokens; nothing left to confirm.
    let (status, _) = confirm(&app, &newest).await;
    assert_eq!(status, Status::Conflict);
    let (status, _) = confirm(&app, "bukan-token-duta").await;
    assert_eq!(status, Status::NotFound);
    let (status, page) = text(app.page(&path, None).await).await;
    assert_eq!(status, Status::Conflict);
    assert!(page.contains("sudah dipakai"), "{page}");
    let resp = app
        .send_api(
            "POST",
            "/api/v1/me/email-confirmation",
            Some(&candidate),
            &json!({}),
        )
        .await;
    assert_eq!(resp.status(), Status::Conflict);
    let audit = entity::audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert!(audit.iter().any(|r| r.action == "user.email_confirmed"));
    assert!(audit.iter().all(|r| !r.detail.contains(&newest)));
}

#[rocket::async_test]
async fn without_email_nothing_is_asked() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Tanpa Surel").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@tanpa.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let (amb, user) = app.candidate(inst, unit, 1).await;
    assert_eq!(queue(&app, &coordinator).await, vec![amb]);
    let candidate = app.token(user).await;
    let resp = app
        .send_api(
            "POST",
            "/api/v1/me/email-confirmation",
            Some(&candidate),
            &json!({}),
        )
        .await;
    assert_eq!(resp.status(), Status::Conflict);
}
