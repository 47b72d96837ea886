//! Which kinds of email a person receives. Every kind is on until the person turns it off
//! (a row in `email_opt_outs`); messages about their account (sign-in, password, invitations,
//! the vetting decision) always go. Sending a notice by email: [`send_notices`].

use std::collections::BTreeMap;

use chrono::Utc;
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};

use crate::auth::guards::CurrentUser;
use crate::db::begin_write;
use crate::error::{AppResult, FieldErrors, Msg};
use crate::notify::Mailer;
use crate::web::i18n::{self, Lang};
use entity::{email_opt_outs, users};

/// The kinds of email a person may turn off, with the roles that receive them.
pub const KINDS: [(&str, &[&str]); 7] = [
    ("brief_published", &["ambassador"]),
    ("brief_changed", &["ambassador"]),
    ("reminder", &["ambassador"]),
    ("post_rejected", &["ambassador"]),
    ("candidate_waiting", &["coordinator"]),
    ("hoax_reported", &["coordinator", "national"]),
    ("national_brief", &["coordinator"]),
];

/// The kinds of email a role receives, in the order the page shows them.
pub fn kinds_for(role: &str) -> Vec<&'static str> {
    KINDS
        .iter()
        .filter(|(_, roles)| roles.contains(&role))
        .map(|(k, _)| *k)
        .collect()
}

/// The ids of the people who turned `kind` off, for `NOT IN`.
pub fn opted_out(kind: &str) -> SelectStatement {
    Query::select()
        .column(email_opt_outs::Column::UserId)
        .from(email_opt_outs::Entity)
        .and_where(email_opt_outs::Column::Kind.eq(kind))
        .to_owned()
}

/// The caller's choice per kind of their role: `true` when the email goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChoices {
    /// A new brief for the ambassador is out (ambassadors).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[schema(value_type = bool, nullable = false)]
    pub brief_published: Option<bool>,
    /// A brief they were told about changed after it came out (ambassadors).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[schema(value_type = bool, nullable = false)]
    pub brief_changed: Option<bool>,
    /// The weekly reminder when they have not posted yet (ambassadors).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[schema(value_type = bool, nullable = false)]
    pub reminder: Option<bool>,
    /// A post of theirs was rejected, with the reason (ambassadors).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[schema(value_type = bool, nullable = false)]
    pub post_rejected: Option<bool>,
    /// A new candidate waits for vetting in their scope (coordinators).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[schema(value_type = bool, nullable = false)]
    pub candidate_waiting: Option<bool>,
    /// A new hoax case waits in their triage list (coordinators, national users).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[schema(value_type = bool, nullable = false)]
    pub hoax_reported: Option<bool>,
    /// A national brief waits for their institution to adopt or decline it
    /// (coordinators).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[schema(value_type = bool, nullable = false)]
    pub national_brief: Option<bool>,
}

/// A choice given must be `true` or `false` (not `null`); an absent one stays `None`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    bool::deserialize(d).map(Some)
}

impl EmailChoices {
    /// Each kind with the choice given for it (`None`: not given).
    pub fn pairs(&self) -> [(&'static str, Option<bool>); 7] {
        [
            ("brief_published", self.brief_published),
            ("brief_changed", self.brief_changed),
            ("reminder", self.reminder),
            ("post_rejected", self.post_rejected),
            ("candidate_waiting", self.candidate_waiting),
            ("hoax_reported", self.hoax_reported),
            ("national_brief", self.national_brief),
        ]
    }

    /// The choices of the kinds in `map`, the others not given.
    pub fn from_map(map: &BTreeMap<&str, bool>) -> EmailChoices {
        let get = |k: &str| map.get(k).copied();
        EmailChoices {
            brief_published: get("brief_published"),
            brief_changed: get("brief_changed"),
            reminder: get("reminder"),
            post_rejected: get("post_rejected"),
            candidate_waiting: get("candidate_waiting"),
            hoax_reported: get("hoax_reported"),
            national_brief: get("national_brief"),
        }
    }
}

/// The caller's choices, every kind of their role present.
pub async fn choices_of(db: &DatabaseConnection, user: &CurrentUser) -> AppResult<EmailChoices> {
    let off: Vec<String> = email_opt_outs::Entity::find()
        .filter(email_opt_outs::Column::UserId.eq(user.id()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.kind)
        .collect();
    let map: BTreeMap<&str, bool> = kinds_for(user.role.as_str())
        .into_iter()
        .map(|k| (k, !off.iter().any(|o| o == k)))
        .collect();
    Ok(EmailChoices::from_map(&map))
}

/// Sets the kinds given (the others stay as they are); a kind the caller's role does not
/// receive is refused (422) with nothing changed.
pub async fn set_choices(
    db: &DatabaseConnection,
    user: &CurrentUser,
    choices: &EmailChoices,
) -> AppResult<EmailChoices> {
    let mine = kinds_for(user.role.as_str());
    let mut errors = FieldErrors::new();
    for (kind, value) in choices.pairs() {
        if value.is_some() && !mine.contains(&kind) {
            errors.add(kind, Msg::new("notifications.email_kind_not_yours"));
        }
    }
    errors.into_result()?;
    let txn = begin_write(db).await?;
    for (kind, value) in choices.pairs() {
        let Some(on) = value else { continue };
        email_opt_outs::Entity::delete_many()
            .filter(email_opt_outs::Column::UserId.eq(user.id()))
            .filter(email_opt_outs::Column::Kind.eq(kind))
            .exec(&txn)
            .await?;
        if !on {
            email_opt_outs::Entity::insert(email_opt_outs::ActiveModel {
                user_id: Set(user.id()),
                kind: Set(kind.to_string()),
                created_at: Set(Utc::now()),
            })
            .exec_without_returning(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    choices_of(db, user).await
}

/// Emails a notice of `kind` to each of `user_ids` who is active and has not turned the
/// kind off, in their language: subject `mail.<kind>_subject`, body `mail.<kind>_body`
/// with `{name}`, `{url}` (the absolute link to `path`) and `args`. Sent in one task off
/// the request path; a no-op when the mailer is off.
pub async fn send_notices(
    db: &impl ConnectionTrait,
    mailer: &Mailer,
    kind: &'static str,
    user_ids: &[i64],
    path: &str,
    args: &[(&str, &str)],
) -> AppResult<()> {
    let Some(url) = mailer.link(path) else {
        return Ok(());
    };
    let mut recipients: Vec<(i64, String, String, Option<String>)> = Vec::new();
    for chunk in user_ids.chunks(1000) {
        recipients.extend(
            users::Entity::find()
                .filter(users::Column::Id.is_in(chunk.to_vec()))
                .filter(users::Column::IsActive.eq(true))
                .filter(users::Column::Id.not_in_subquery(opted_out(kind)))
                .all(db)
                .await?
                .into_iter()
                .map(|u| (u.id, u.email, u.name, u.language)),
        );
    }
    if recipients.is_empty() {
        return Ok(());
    }
    let args: Vec<(String, String)> = args
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mailer = mailer.clone();
    tokio::spawn(async move {
        for (id, email, name, language) in recipients {
            let lang = language
                .as_deref()
                .and_then(Lang::parse)
                .unwrap_or(Lang::Id);
            let subject = i18n::t(lang, &format!("mail.{kind}_subject"));
            // The person's name and the caller's words go in last, so nothing in them is
            // taken for a placeholder.
            let mut all: Vec<(&str, &str)> = vec![("url", url.as_str())];
            all.push(("name", name.trim()));
            all.extend(args.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            let body = i18n::t_with(lang, &format!("mail.{kind}_body"), &all);
            match mailer.send_text(&email, &name, subject, body).await {
                Ok(()) => tracing::info!(user = id, what = kind, "email sent"),
                Err(e) => tracing::warn!(user = id, what = kind, error = %e, "email not sent"),
            }
        }
    });
    Ok(())
}
