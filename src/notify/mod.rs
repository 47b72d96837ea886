//! Emails to people, in their language: the vetting decision, briefs, reminders, password
//! reset links and notices about their sign-in. The [`Mailer`] is built from the `smtp`
//! table of the configuration; without `smtp.host` it is off and every send is a no-op, so
//! a fresh install works without a mail server.
//! Sending never holds up a request: callers hand it to a task ([`Mailer::spawn_decision`]),
//! every send has a time limit, and a failure is logged, never shown as an error page.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rocket::figment::Figment;
use serde::Deserialize;

use crate::web::i18n::{self, Lang};

const DEFAULT_TIMEOUT_SECS: i64 = 20;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSmtp {
    host: Option<String>,
    port: Option<i64>,
    username: Option<String>,
    password: Option<String>,
    from: Option<String>,
    tls: Option<String>,
    public_url: Option<String>,
    timeout_secs: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    /// Plain connection upgraded with STARTTLS, which must succeed (submission, port 587).
    StartTls,
    /// TLS from the first byte (submissions, port 465).
    Wrapper,
    /// No encryption: only for a relay on the same machine or in tests.
    Plain,
}

struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
    timeout: Duration,
}

/// Sends Duta's emails (a part of the application state); cheap to clone.
#[derive(Clone, Default)]
pub struct Mailer {
    smtp: Option<Arc<Smtp>>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("enabled", &self.is_enabled())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer that sends nothing.
    pub fn disabled() -> Mailer {
        Mailer { smtp: None }
    }

    pub fn is_enabled(&self) -> bool {
        self.smtp.is_some()
    }

    /// Reads `smtp.*`: `host` (unset: mailer off), `port` (587, or 465 with `tls = "tls"`),
    /// `username` and `password` (together), `from` (required with a host), `tls`
    /// (`starttls`, `tls` or `none`), `public_url` (Duta's address for links in emails,
    /// required with a host) and `timeout_secs` (20). One message per wrong value.
    pub fn from_figment(figment: &Figment) -> Result<Mailer, Vec<String>> {
        let raw: RawSmtp = match figment.find_value("smtp") {
            Err(e) if e.missing() => return Ok(Mailer::disabled()),
            Err(e) => return Err(vec![format!("smtp: {e}")]),
            Ok(value) if value.as_dict().is_none() => {
                return Err(vec![
                    "smtp: must be a table, e.g. [default.smtp] in Rocket.toml".into(),
                ])
            }
            Ok(_) => figment.focus("smtp").extract().map_err(|e| {
                e.into_iter()
                    .map(|e| {
                        let key = std::iter::once("smtp")
                            .chain(e.path.iter().map(String::as_str))
                            .collect::<Vec<_>>()
                            .join(".");
                        format!("{key}: {}", e.kind)
                    })
                    .collect::<Vec<_>>()
            })?,
        };
        let mut errors = Vec::new();
        let tls = match raw.tls.as_deref().map(str::trim) {
            None | Some("starttls") => Security::StartTls,
            Some("tls") => Security::Wrapper,
            Some("none") => Security::Plain,
            Some(other) => {
                errors.push(format!(
                    "smtp.tls: \"{other}\" is not one of \"starttls\", \"tls\" or \"none\""
                ));
                Security::StartTls
            }
        };
        let port = match raw.port {
            None if tls == Security::Wrapper => 465,
            None => 587,
            Some(p) => u16::try_from(p).ok().filter(|p| *p > 0).unwrap_or_else(|| {
                errors.push(format!("smtp.port: must be between 1 and 65535, not {p}"));
                587
            }),
        };
        let timeout_secs = raw.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS);
        if !(1..=300).contains(&timeout_secs) {
            errors.push(format!(
                "smtp.timeout_secs: must be between 1 and 300 seconds, not {timeout_secs}"
            ));
        }
        let host = raw.host.as_deref().map(str::trim).filter(|h| !h.is_empty());
        let from = match raw.from.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
            Some(text) => match text.parse::<Mailbox>() {
                Ok(mailbox) => Some(mailbox),
                Err(e) => {
                    errors.push(format!(
                        "smtp.from: \"{text}\" is not an email address like \
                         \"Humas Duta <duta@instansi.go.id>\" ({e})"
                    ));
                    None
                }
            },
            None => {
                if host.is_some() {
                    errors.push(
                        "smtp.from: required when smtp.host is set, e.g. \
                         \"Humas Duta <duta@instansi.go.id>\""
                            .into(),
                    );
                }
                None
            }
        };
        let public_url = match raw
            .public_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                if url.contains(['?', '#', ' ']) {
                    errors.push(format!(
                        "smtp.public_url: \"{url}\" must be a plain address such as \
                         https://duta.instansi.go.id"
                    ));
                }
                Some(url.trim_end_matches('/').to_string())
            }
            Some(url) => {
                errors.push(format!(
                    "smtp.public_url: \"{url}\" must start with https:// or http://"
                ));
                None
            }
            None => {
                if host.is_some() {
                    errors.push(
                        "smtp.public_url: required when smtp.host is set: Duta's address as \
                         people open it, for the links in emails (e.g. https://duta.instansi.go.id)"
                            .into(),
                    );
                }
                None
            }
        };
        let credentials = match (
            raw.username.as_deref().filter(|u| !u.is_empty()),
            raw.password.as_deref().filter(|p| !p.is_empty()),
        ) {
            (Some(u), Some(p)) => Some(Credentials::new(u.to_string(), p.to_string())),
            (None, None) => None,
            (Some(_), None) => {
                errors.push("smtp.password: required when smtp.username is set".into());
                None
            }
            (None, Some(_)) => {
                errors.push("smtp.username: required when smtp.password is set".into());
                None
            }
        };
        let Some(host) = host else {
            return if errors.is_empty() {
                Ok(Mailer::disabled())
            } else {
                Err(errors)
            };
        };
        let builder = match tls {
            Security::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
            Security::Wrapper => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
            Security::Plain => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                host,
            )),
        };
        let builder = match builder {
            Ok(b) => Some(b),
            Err(e) => {
                errors.push(format!("smtp.host: cannot set up TLS for \"{host}\": {e}"));
                None
            }
        };
        let (Some(builder), Some(from), Some(public_url), true) =
            (builder, from, public_url, errors.is_empty())
        else {
            return Err(errors);
        };
        let timeout = Duration::from_secs(timeout_secs.unsigned_abs());
        let mut builder = builder.port(port).timeout(Some(timeout));
        if let Some(c) = credentials {
            builder = builder.credentials(c);
        }
        Ok(Mailer {
            smtp: Some(Arc::new(Smtp {
                transport: builder.build(),
                from,
                public_url,
                timeout,
            })),
        })
    }

    /// An absolute link to a page of Duta (`path` starts with `/`), for emails; `None`
    /// when the mailer is off.
    pub fn link(&self, path: &str) -> Option<String> {
        self.smtp
            .as_ref()
            .map(|s| format!("{}{path}", s.public_url))
    }

    /// Tells a candidate the coordinator's decision, in their language: approved (with the
    /// link to their status page) or rejected (with the reason and how to fix and
    /// resubmit). A no-op when the mailer is off. The error text is for the log and names
    /// no address.
    pub async fn send_decision(
        &self,
        to_email: &str,
        to_name: &str,
        lang: Lang,
        approved: bool,
        reason: Option<&str>,
        status_url: &str,
    ) -> Result<(), String> {
        let Some(smtp) = &self.smtp else {
            return Ok(());
        };
        let address: Address = to_email
            .trim()
            .parse()
            .map_err(|_| "the recipient's address is not an email address".to_string())?;
        let to = Mailbox::new(Some(to_name.trim().to_string()), address);
        let (subject, body) = decision_text(lang, to_name.trim(), approved, reason, status_url);
        let message = Message::builder()
            .from(smtp.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("cannot build the email: {e}"))?;
        match tokio::time::timeout(smtp.timeout, smtp.transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(format!("the mail server refused or failed: {e}")),
            Err(_) => Err(format!(
                "no answer from the mail server within {} s",
                smtp.timeout.as_secs()
            )),
        }
    }

    /// Tells an ambassador that a brief for them is out, in their language, with its link.
    /// A no-op when the mailer is off. The error text names no address.
    pub async fn send_brief(
        &self,
        to_email: &str,
        to_name: &str,
        lang: Lang,
        title: &str,
        urgent: bool,
        url: &str,
    ) -> Result<(), String> {
        let subject = i18n::t(
            lang,
            if urgent {
                "mail.brief_urgent_subject"
            } else {
                "mail.brief_subject"
            },
        );
        // The coordinator's title goes in last, so nothing in it is taken for a placeholder.
        let body = i18n::t_with(
            lang,
            "mail.brief_body",
            &[("url", url), ("name", to_name.trim()), ("title", title)],
        );
        self.send_text(to_email, to_name, subject, body).await
    }

    /// Reminds an ambassador who has not posted yet this week, in their language, with
    /// the link to their week. A no-op when the mailer is off.
    pub async fn send_reminder(
        &self,
        to_email: &str,
        to_name: &str,
        lang: Lang,
        url: &str,
    ) -> Result<(), String> {
        let subject = i18n::t(lang, "mail.reminder_subject");
        let body = i18n::t_with(
            lang,
            "mail.reminder_body",
            &[("url", url), ("name", to_name.trim())],
        );
        self.send_text(to_email, to_name, subject, body).await
    }

    /// Sends a plain-text email; a no-op when the mailer is off. The error text names no
    /// address.
    pub async fn send_text(
        &self,
        to_email: &str,
        to_name: &str,
        subject: String,
        body: String,
    ) -> Result<(), String> {
        let Some(smtp) = &self.smtp else {
            return Ok(());
        };
        let address: Address = to_email
            .trim()
            .parse()
            .map_err(|_| "the recipient's address is not an email address".to_string())?;
        let to = Mailbox::new(Some(to_name.trim().to_string()), address);
        let message = Message::builder()
            .from(smtp.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("cannot build the email: {e}"))?;
        match tokio::time::timeout(smtp.timeout, smtp.transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(format!("the mail server refused or failed: {e}")),
            Err(_) => Err(format!(
                "no answer from the mail server within {} s",
                smtp.timeout.as_secs()
            )),
        }
    }

    /// A plain-text email in its own task, off the request path; the outcome is logged
    /// with `what` and the user's id (never the address). A no-op when the mailer is off.
    pub fn spawn_text(
        &self,
        what: &'static str,
        user_id: i64,
        to_email: &str,
        to_name: &str,
        subject: String,
        body: String,
    ) {
        if !self.is_enabled() {
            return;
        }
        let mailer = self.clone();
        let (to_email, to_name) = (to_email.to_string(), to_name.to_string());
        tokio::spawn(async move {
            match mailer.send_text(&to_email, &to_name, subject, body).await {
                Ok(()) => tracing::info!(user = user_id, what, "email sent"),
                Err(e) => tracing::warn!(user = user_id, what, error = %e, "email not sent"),
            }
        });
    }

    /// [`Mailer::send_decision`] in its own task, off the request path; the outcome is
    /// logged with the ambassador's id (never the address).
    #[allow(clippy::too_many_arguments)]
    pub fn spawn_decision(
        &self,
        ambassador_id: i64,
        to_email: String,
        to_name: String,
        lang: Lang,
        approved: bool,
        reason: Option<String>,
        status_url: String,
    ) {
        if !self.is_enabled() {
            return;
        }
        let mailer = self.clone();
        tokio::spawn(async move {
            match mailer
                .send_decision(
                    &to_email,
                    &to_name,
                    lang,
                    approved,
                    reason.as_deref(),
                    &status_url,
                )
                .await
            {
                Ok(()) => {
                    tracing::info!(ambassador = ambassador_id, approved, "decision email sent")
                }
                Err(e) => tracing::warn!(
                    ambassador = ambassador_id,
                    approved,
                    error = %e,
                    "decision email not sent"
                ),
            }
        });
    }
}

/// The subject and plain-text body of a decision email.
pub fn decision_text(
    lang: Lang,
    name: &str,
    approved: bool,
    reason: Option<&str>,
    status_url: &str,
) -> (String, String) {
    // The person's own words go in last, so that nothing in them is taken for a placeholder.
    if approved {
        (
            i18n::t(lang, "mail.approved_subject"),
            i18n::t_with(
                lang,
                "mail.approved_body",
                &[("url", status_url), ("name", name)],
            ),
        )
    } else {
        let none = i18n::t(lang, "mail.no_reason");
        let reason = reason
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .unwrap_or(&none);
        (
            i18n::t(lang, "mail.rejected_subject"),
            i18n::t_with(
                lang,
                "mail.rejected_body",
                &[("url", status_url), ("name", name), ("reason", reason)],
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use rocket::figment::providers::{Format, Serialized, Toml};

    use super::*;

    fn config(toml: &str) -> Result<Mailer, Vec<String>> {
        Mailer::from_figment(&Figment::new().merge(Toml::string(toml)))
    }

    #[test]
    fn without_a_host_the_mailer_is_off() {
        assert!(!Mailer::from_figment(&Figment::new()).unwrap().is_enabled());
        let mailer = config("[smtp]\nport = 2525\nfrom = \"duta@uji.go.id\"").unwrap();
        assert!(!mailer.is_enabled());
        assert_eq!(mailer.link("/status"), None);
    }

    #[tokio::test]
    async fn a_disabled_mailer_sends_nothing() {
        // A listener that would see any connection attempt.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mailer = Mailer::from_figment(&Figment::new().merge(Serialized::default(
            "smtp",
            serde_json::json!({ "port": port, "tls": "none", "from": "duta@uji.go.id" }),
        )))
        .unwrap();
        assert!(!mailer.is_enabled());
        let sent = mailer
            .send_decision("a@uji.go.id", "A", Lang::Id, false, Some("buram"), "/s")
            .await;
        assert_eq!(sent, Ok(()));
        mailer.spawn_decision(
            1,
            "a@uji.go.id".into(),
            "A".into(),
            Lang::Id,
            true,
            None,
            "/s".into(),
        );
        let accepted = tokio::time::timeout(Duration::from_millis(300), listener.accept()).await;
        assert!(accepted.is_err(), "a disabled mailer connected to a server");
    }

    #[test]
    fn every_wrong_value_has_its_message() {
        let errors = config(
            "[smtp]\nhost = \"mail.uji.go.id\"\nport = 70000\ntls = \"ssl\"\n\
             username = \"duta\"\ntimeout_secs = 0\npublic_url = \"duta.uji.go.id\"",
        )
        .unwrap_err();
        let keys: Vec<&str> = errors
            .iter()
            .map(|e| e.split(':').next().unwrap())
            .collect();
        assert_eq!(
            keys,
            vec![
                "smtp.tls",
                "smtp.port",
                "smtp.timeout_secs",
                "smtp.from",
                "smtp.public_url",
                "smtp.password"
            ],
            "{errors:#?}"
        );
        let errors = config("[smtp]\nhost = \"mail.uji.go.id\"\nfrom = \"not an address\"\npublic_url = \"https://duta.uji.go.id\"").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("smtp.from:"), "{errors:?}");
        let errors = config("[smtp]\nhost = \"x\"\nsender = \"a@b.c\"").unwrap_err();
        assert!(errors[0].contains("sender"), "{errors:?}");
    }

    #[test]
    fn a_complete_configuration_makes_a_mailer() {
        let mailer = config(
            "[smtp]\nhost = \"mail.uji.go.id\"\nusername = \"duta\"\npassword = \"rahasia\"\n\
             from = \"Humas Uji <duta@uji.go.id>\"\npublic_url = \"https://duta.uji.go.id/\"",
        )
        .unwrap();
        assert!(mailer.is_enabled());
        assert_eq!(
            mailer.link("/ambassador/status").as_deref(),
            Some("https://duta.uji.go.id/ambassador/status")
        );
        assert!(!format!("{mailer:?}").contains("rahasia"));
        for tls in ["tls", "none"] {
            let toml = format!(
                "[smtp]\nhost = \"mail.uji.go.id\"\ntls = \"{tls}\"\nfrom = \"duta@uji.go.id\"\n\
                 public_url = \"https://duta.uji.go.id\""
            );
            assert!(config(&toml).unwrap().is_enabled());
        }
    }

    #[test]
    fn the_text_speaks_the_candidates_language() {
        let (subject, body) = decision_text(Lang::Id, "Sari", true, None, "https://d/s");
        assert!(!subject.starts_with("mail."));
        assert!(
            body.contains("Sari") && body.contains("https://d/s"),
            "{body}"
        );
        let (subject_en, body_en) = decision_text(
            Lang::En,
            "Sari",
            false,
            Some("Screenshot is blurred {url}"),
            "https://d/s",
        );
        assert_ne!(subject, subject_en);
        assert!(body_en.contains("Screenshot is blurred {url}"), "{body_en}");
        assert!(body_en.contains("https://d/s"), "{body_en}");
        let (_, no_reason) = decision_text(Lang::Id, "Sari", false, None, "u");
        assert!(!no_reason.contains("{reason}"), "{no_reason}");
    }

    #[tokio::test]
    async fn a_silent_server_costs_one_timeout_not_a_hang() {
        // Accepts connections and never says a word.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let hold = tokio::spawn(async move {
            let mut open = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                open.push(socket);
            }
        });
        let mailer = Mailer::from_figment(&Figment::new().merge(Serialized::default(
            "smtp",
            serde_json::json!({
                "host": "127.0.0.1", "port": port, "tls": "none",
                "from": "duta@uji.go.id", "public_url": "http://localhost", "timeout_secs": 1,
            }),
        )))
        .unwrap();
        let started = std::time::Instant::now();
        let sent = mailer
            .send_decision(
                "a@uji.go.id",
                "A",
                Lang::Id,
                true,
                None,
                "http://localhost/s",
            )
            .await;
        assert!(sent.is_err());
        assert!(started.elapsed() < Duration::from_secs(5));
        let refused = mailer
            .send_decision("not an address", "A", Lang::Id, true, None, "u")
            .await
            .unwrap_err();
        assert!(!refused.contains("not an address"), "{refused}");
        hold.abort();
    }
}
