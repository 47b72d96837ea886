//! Emails reach a real SMTP server (aiosmtpd): the vetting decision and the brief, in the
//! person's language, with the links they need.

use rocket::figment::providers::Serialized;
use rocket::figment::Figment;

use duta::notify::Mailer;
use duta::web::i18n::{self, Lang};

use crate::smtp::{skip_without_aiosmtpd, SmtpServer};

/// A mailer that sends to the test server (`SmtpServer::config`).
fn mailer_for(server: &SmtpServer) -> Mailer {
    Mailer::from_figment(&Figment::new().merge(Serialized::default("smtp", server.config())))
        .unwrap()
}

#[rocket::async_test]
async fn decisions_reach_a_real_smtp_server() {
    if skip_without_aiosmtpd() {
        return;
    }
    let server = SmtpServer::start().await;
    let mailer = mailer_for(&server);
    let status = mailer.link("/ambassador/status").unwrap();
    let reason = "Tangkapan layar Instagram buram — unggah ulang yang jelas.";

    mailer
        .send_decision(
            "sari@uji.go.id",
            "Sari Wulandari",
            Lang::Id,
            false,
            Some(reason),
            &status,
        )
        .await
        .unwrap();
    let inbox = server.wait_for(1).await;
    let mail = &inbox[0];
    assert_eq!(mail["rcpt_tos"], serde_json::json!(["sari@uji.go.id"]));
    assert_eq!(mail["mail_from"], "duta@uji.go.id");
    assert_eq!(mail["to"], "Sari Wulandari <sari@uji.go.id>");
    assert_eq!(mail["subject"], i18n::t(Lang::Id, "mail.rejected_subject"));
    assert_eq!(mail["content_type"], "text/plain");
    let body = mail["body"].as_str().unwrap();
    assert!(body.contains(reason), "{body}");
    assert!(body.contains("Sari Wulandari"), "{body}");
    assert!(
        body.contains("https://duta.uji.go.id/ambassador/status"),
        "{body}"
    );

    mailer.spawn_decision(
        7,
        "budi@uji.go.id".into(),
        "Budi".into(),
        Lang::En,
        true,
        None,
        status.clone(),
    );
    let inbox = server.wait_for(2).await;
    let mail = &inbox[1];
    assert_eq!(mail["rcpt_tos"], serde_json::json!(["budi@uji.go.id"]));
    assert_eq!(mail["subject"], i18n::t(Lang::En, "mail.approved_subject"));
    let body = mail["body"].as_str().unwrap();
    assert!(
        body.contains("https://duta.uji.go.id/ambassador/status"),
        "{body}"
    );
    assert!(body.contains("Budi"), "{body}");
}

#[rocket::async_test]
async fn brief_emails_reach_a_real_smtp_server() {
    if skip_without_aiosmtpd() {
        return;
    }
    let server = SmtpServer::start().await;
    let mailer = mailer_for(&server);
    let link = mailer.link("/briefs/42").unwrap();
    // A title with a placeholder in it stays as the coordinator wrote it.
    let title = "Klarifikasi hoaks {url} <b>pemadaman</b>";
    mailer
        .send_brief("budi@uji.go.id", "Budi", Lang::En, title, true, &link)
        .await
        .unwrap();
    mailer
        .send_brief("sari@uji.go.id", "Sari", Lang::Id, "Paspor", false, &link)
        .await
        .unwrap();
    let inbox = server.wait_for(2).await;
    assert_eq!(inbox[0]["rcpt_tos"], serde_json::json!(["budi@uji.go.id"]));
    assert_eq!(
        inbox[0]["subject"],
        i18n::t(Lang::En, "mail.brief_urgent_subject")
    );
    let body = inbox[0]["body"].as_str().unwrap();
    assert!(body.contains("https://duta.uji.go.id/briefs/42"), "{body}");
    assert!(body.contains(title), "{body}");
    assert!(body.contains("Hello Budi"), "{body}");
    assert_eq!(inbox[1]["subject"], i18n::t(Lang::Id, "mail.brief_subject"));
    assert!(inbox[1]["body"].as_str().unwrap().contains("Halo Sari"));
}
