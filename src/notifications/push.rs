//! People's push subscriptions, and the deliveries of urgent briefs to them: queued in
//! the database when the brief comes out (in the same step that writes its notices),
//! sent by whichever node's sender claims them, retried a few times when the push
//! service is busy or slow, and dropped with their subscription when it has ended
//! (404/410). Every query filters by the caller's own id.

use std::collections::{BTreeMap, HashMap};

use base64::Engine;
use chrono::{DateTime, TimeDelta, Utc};
use futures::StreamExt;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use crate::auth::guards::CurrentUser;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::push::{Outcome, Pusher, Subscription};
use crate::web::i18n::{self, Lang};
use entity::{briefs, push_deliveries, push_subscriptions, users};

/// Browsers one person keeps subscribed; a new one beyond it replaces the oldest.
pub const MAX_PER_PERSON: usize = 10;
/// Tries of one delivery before it counts as failed.
pub const MAX_ATTEMPTS: i32 = 3;
/// Deliveries one sender claims at a time.
const BATCH: u64 = 500;
/// How long a claim lasts: a sender that died lets another take its batch after this.
const CLAIM: TimeDelta = TimeDelta::minutes(2);

/// The browser's `PushSubscription` as `toJSON()` gives it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionRequest {
    /// The push service's URL for this browser (at most 1,000 characters).
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 1000)]
    pub endpoint: String,
    /// Ignored: push services end subscriptions with 404/410, which Duta heeds.
    #[serde(default, rename = "expirationTime")]
    #[schema(value_type = Option<f64>)]
    pub expiration_time: Option<serde_json::Value>,
    #[serde(default)]
    #[schema(required = true)]
    pub keys: SubscriptionKeys,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionKeys {
    /// The browser's P-256 public key, base64url (65 bytes, uncompressed).
    #[serde(default)]
    #[schema(required = true, pattern = "^[A-Za-z0-9_-]{87}$")]
    pub p256dh: String,
    /// The authentication secret, base64url (16 bytes).
    #[serde(default)]
    #[schema(required = true, pattern = "^[A-Za-z0-9_-]{22}$")]
    pub auth: String,
}

/// A stored subscription as its owner sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubscriptionView {
    pub id: i64,
    pub endpoint: String,
    pub created_at: DateTime<Utc>,
    pub last_sent_at: Option<DateTime<Utc>>,
}

fn view(s: push_subscriptions::Model) -> SubscriptionView {
    SubscriptionView {
        id: s.id,
        endpoint: s.endpoint,
        created_at: s.created_at,
        last_sent_at: s.last_sent_at,
    }
}

/// Stores (or renews) the caller's subscription. The keys must be a P-256 point and a
/// 16-byte secret; the endpoint a URL of a configured push service that reaches only
/// addresses Duta may send to. A browser another account used before is now this
/// person's. Beyond [`MAX_PER_PERSON`] browsers the oldest goes.
pub async fn subscribe(
    db: &DatabaseConnection,
    pusher: &Pusher,
    user: &CurrentUser,
    req: &SubscriptionRequest,
) -> AppResult<SubscriptionView> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut errors = FieldErrors::new();
    let p256dh = b64.decode(req.keys.p256dh.as_bytes()).unwrap_or_default();
    let auth = b64.decode(req.keys.auth.as_bytes()).unwrap_or_default();
    match crate::push::ece::encrypt(b"", &p256dh, &auth) {
        Err(crate::push::ece::EceError::BadAuthSecret) => {
            errors.add("keys.auth", Msg::new("push.auth_invalid"))
        }
        Err(_) => errors.add("keys.p256dh", Msg::new("push.key_invalid")),
        Ok(_) => {}
    }
    if let Err(e) = pusher.check_endpoint(&req.endpoint).await {
        errors.add("endpoint", Msg::new(e.key()));
    }
    errors.into_result()?;
    let now = Utc::now();
    push_subscriptions::Entity::insert(push_subscriptions::ActiveModel {
        user_id: Set(user.id()),
        endpoint: Set(req.endpoint.clone()),
        p256dh: Set(req.keys.p256dh.clone()),
        auth: Set(req.keys.auth.clone()),
        created_at: Set(now),
        last_sent_at: Set(None),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(push_subscriptions::Column::Endpoint)
            .update_columns([
                push_subscriptions::Column::UserId,
                push_subscriptions::Column::P256dh,
                push_subscriptions::Column::Auth,
                push_subscriptions::Column::CreatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let mine = push_subscriptions::Entity::find()
        .filter(push_subscriptions::Column::UserId.eq(user.id()))
        .order_by_desc(push_subscriptions::Column::CreatedAt)
        .order_by_desc(push_subscriptions::Column::Id)
        .all(db)
        .await?;
    let old: Vec<i64> = mine.iter().skip(MAX_PER_PERSON).map(|s| s.id).collect();
    if !old.is_empty() {
        push_subscriptions::Entity::delete_many()
            .filter(push_subscriptions::Column::Id.is_in(old))
            .exec(db)
            .await?;
    }
    mine.into_iter()
        .find(|s| s.endpoint == req.endpoint)
        .map(view)
        .ok_or(AppError::NotFound)
}

/// Ends the caller's subscription of `endpoint` (nothing when it is not theirs); an
/// endpoint that is empty or longer than any Duta keeps is 422.
pub async fn unsubscribe(
    db: &DatabaseConnection,
    user: &CurrentUser,
    endpoint: &str,
) -> AppResult<()> {
    if endpoint.is_empty() || endpoint.chars().count() > crate::push::transport::MAX_ENDPOINT {
        return Err(AppError::Validation(FieldErrors::single(
            "endpoint",
            Msg::new(crate::push::EndpointError::NotUrl.key()),
        )));
    }
    push_subscriptions::Entity::delete_many()
        .filter(push_subscriptions::Column::UserId.eq(user.id()))
        .filter(push_subscriptions::Column::Endpoint.eq(endpoint))
        .exec(db)
        .await?;
    Ok(())
}

/// The caller's subscribed browsers, newest first.
pub async fn list_mine(
    db: &DatabaseConnection,
    user: &CurrentUser,
) -> AppResult<Vec<SubscriptionView>> {
    Ok(push_subscriptions::Entity::find()
        .filter(push_subscriptions::Column::UserId.eq(user.id()))
        .order_by_desc(push_subscriptions::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// Queues a brief's push to every subscribed browser of `user_ids`; answers the people
/// who have at least one (the others are reached another way). Run where the brief's
/// notices are written; call [`crate::push::wake`] after it.
pub async fn queue_brief(
    db: &impl ConnectionTrait,
    brief_id: i64,
    user_ids: &[i64],
    now: DateTime<Utc>,
) -> AppResult<Vec<i64>> {
    let mut reached = Vec::new();
    for chunk in user_ids.chunks(1000) {
        let subs: Vec<(i64, i64)> = push_subscriptions::Entity::find()
            .select_only()
            .column(push_subscriptions::Column::Id)
            .column(push_subscriptions::Column::UserId)
            .filter(push_subscriptions::Column::UserId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        if subs.is_empty() {
            continue;
        }
        for rows in subs.chunks(1000) {
            push_deliveries::Entity::insert_many(rows.iter().map(|(sub, user)| {
                push_deliveries::ActiveModel {
                    brief_id: Set(brief_id),
                    subscription_id: Set(Some(*sub)),
                    user_id: Set(*user),
                    state: Set("queued".into()),
                    attempts: Set(0),
                    not_before: Set(now),
                    claimed_until: Set(None),
                    last_status: Set(None),
                    queued_at: Set(now),
                    sent_at: Set(None),
                    ..Default::default()
                }
            }))
            .on_conflict(
                OnConflict::columns([
                    push_deliveries::Column::BriefId,
                    push_deliveries::Column::SubscriptionId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        }
        reached.extend(subs.into_iter().map(|(_, u)| u));
    }
    reached.sort_unstable();
    reached.dedup();
    Ok(reached)
}

/// Claims up to a batch of due deliveries for this sender: queued ones whose time has
/// come, and those of a sender that stopped (its claim ran out).
async fn claim(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> AppResult<Vec<push_deliveries::Model>> {
    let txn = crate::db::begin_write(db).await?;
    let mut due = push_deliveries::Entity::find()
        .select_only()
        .column(push_deliveries::Column::Id)
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(push_deliveries::Column::State.eq("queued"))
                        .add(push_deliveries::Column::NotBefore.lte(now)),
                )
                .add(
                    Condition::all()
                        .add(push_deliveries::Column::State.eq("sending"))
                        .add(push_deliveries::Column::ClaimedUntil.lt(now)),
                ),
        )
        .order_by_asc(push_deliveries::Column::Id)
        .limit(BATCH);
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Two senders never take the same rows, nor wait for each other's.
        due = due.lock_with_behavior(
            sea_orm::sea_query::LockType::Update,
            sea_orm::sea_query::LockBehavior::SkipLocked,
        );
    }
    let ids: Vec<i64> = due.into_tuple().all(&txn).await?;
    if ids.is_empty() {
        txn.commit().await?;
        return Ok(Vec::new());
    }
    push_deliveries::Entity::update_many()
        .col_expr(push_deliveries::Column::State, Expr::value("sending"))
        .col_expr(
            push_deliveries::Column::ClaimedUntil,
            Expr::value(now + CLAIM),
        )
        .col_expr(
            push_deliveries::Column::Attempts,
            sea_orm::sea_query::ExprTrait::add(Expr::col(push_deliveries::Column::Attempts), 1),
        )
        .filter(push_deliveries::Column::Id.is_in(ids.clone()))
        .exec(&txn)
        .await?;
    let rows = push_deliveries::Entity::find()
        .filter(push_deliveries::Column::Id.is_in(ids))
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

/// The message of a brief, in one language: what the service worker shows.
fn message(brief: &briefs::Model, lang: Lang) -> Vec<u8> {
    let title = i18n::t_with(
        lang,
        "push.urgent_title",
        &[("title", brief.title.as_str())],
    );
    let body = brief
        .key_messages
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let body: String = body.chars().take(200).collect();
    serde_json::json!({
        "title": title,
        "body": body,
        "url": format!("/briefs/{}", brief.id),
        "brief_id": brief.id,
        "tag": format!("brief-{}", brief.id),
    })
    .to_string()
    .into_bytes()
}

/// What one pass of a sender did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    pub delivered: u64,
    pub gone: u64,
    pub failed: u64,
    pub retried: u64,
}

/// Sends what is due, a batch at a time, `push.concurrency` at once, until nothing is
/// due; answers what it did. Each result is written as it comes.
pub async fn drain(db: &DatabaseConnection, pusher: &Pusher) -> AppResult<Sent> {
    let mut done = Sent::default();
    if !pusher.config.enabled {
        return Ok(done);
    }
    loop {
        let now = Utc::now();
        let batch = claim(db, now).await?;
        if batch.is_empty() {
            return Ok(done);
        }
        let brief_ids: Vec<i64> = batch.iter().map(|d| d.brief_id).collect();
        let briefs: HashMap<i64, briefs::Model> = briefs::Entity::find()
            .filter(briefs::Column::Id.is_in(brief_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|b| (b.id, b))
            .collect();
        let sub_ids: Vec<i64> = batch.iter().filter_map(|d| d.subscription_id).collect();
        let subs: HashMap<i64, push_subscriptions::Model> = push_subscriptions::Entity::find()
            .filter(push_subscriptions::Column::Id.is_in(sub_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        let user_ids: Vec<i64> = batch.iter().map(|d| d.user_id).collect();
        let langs: HashMap<i64, Lang> = users::Entity::find()
            .filter(users::Column::Id.is_in(user_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| {
                let lang = u
                    .language
                    .as_deref()
                    .and_then(Lang::parse)
                    .unwrap_or(Lang::Id);
                (u.id, lang)
            })
            .collect();
        let mut messages: HashMap<(i64, Lang), Vec<u8>> = HashMap::new();
        let jobs: Vec<_> = batch
            .into_iter()
            .map(|d| {
                let brief = briefs.get(&d.brief_id);
                let sub = d.subscription_id.and_then(|s| subs.get(&s)).cloned();
                let lang = langs.get(&d.user_id).copied().unwrap_or(Lang::Id);
                let payload = brief.map(|b| {
                    messages
                        .entry((b.id, lang))
                        .or_insert_with(|| message(b, lang))
                        .clone()
                });
                // Until the deadline, at most a day: an old brief is not news.
                let ttl = brief
                    .map(|b| (b.deadline - Utc::now()).num_seconds().clamp(60, 86_400))
                    .unwrap_or(60);
                (d, sub, payload, u32::try_from(ttl).unwrap_or(86_400))
            })
            .collect();
        let results: Vec<(push_deliveries::Model, Option<i64>, Outcome)> =
            futures::stream::iter(jobs)
                .map(|(d, sub, payload, ttl)| async move {
                    let outcome = match (&sub, &payload) {
                        (Some(s), Some(p)) => {
                            let target = Subscription {
                                endpoint: &s.endpoint,
                                p256dh: &s.p256dh,
                                auth: &s.auth,
                            };
                            pusher.send(&target, p, ttl, "high").await
                        }
                        // The subscription or the brief went meanwhile.
                        _ => Outcome::Gone,
                    };
                    (d, sub.map(|s| s.id), outcome)
                })
                .buffer_unordered(pusher.config.concurrency)
                .collect()
                .await;
        let batch_done = record(db, &results).await?;
        done.delivered += batch_done.delivered;
        done.gone += batch_done.gone;
        done.failed += batch_done.failed;
        done.retried += batch_done.retried;
    }
}

/// What a delivery's row becomes: its state, the push service's status, the minutes
/// until a retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Becomes {
    Sent,
    Gone,
    Refused(u16),
    Failed,
    Retry(i32),
}

/// Writes what became of a batch's deliveries, one statement per kind of outcome (not per
/// delivery: a fan-out to ten thousand browsers is a few dozen statements); answers the
/// count of each.
async fn record(
    db: &DatabaseConnection,
    results: &[(push_deliveries::Model, Option<i64>, Outcome)],
) -> AppResult<Sent> {
    let now = Utc::now();
    let mut done = Sent::default();
    let mut rows: BTreeMap<Becomes, Vec<i64>> = BTreeMap::new();
    let mut reached: Vec<i64> = Vec::new();
    let mut gone: Vec<i64> = Vec::new();
    for (d, sub, outcome) in results {
        let becomes = match outcome {
            Outcome::Delivered => {
                done.delivered += 1;
                reached.extend(*sub);
                Becomes::Sent
            }
            Outcome::Gone => {
                done.gone += 1;
                gone.extend(*sub);
                Becomes::Gone
            }
            Outcome::Refused(status) => {
                done.failed += 1;
                Becomes::Refused(*status)
            }
            Outcome::Failed(_) if d.attempts >= MAX_ATTEMPTS => {
                done.failed += 1;
                Becomes::Failed
            }
            Outcome::Failed(_) => {
                done.retried += 1;
                Becomes::Retry(d.attempts)
            }
        };
        rows.entry(becomes).or_default().push(d.id);
    }
    for (becomes, ids) in rows {
        let update = push_deliveries::Entity::update_many()
            .filter(push_deliveries::Column::Id.is_in(ids))
            .col_expr(
                push_deliveries::Column::ClaimedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            );
        let update = match becomes {
            Becomes::Sent => update
                .col_expr(push_deliveries::Column::State, Expr::value("sent"))
                .col_expr(push_deliveries::Column::SentAt, Expr::value(now))
                .col_expr(push_deliveries::Column::LastStatus, Expr::value(201)),
            Becomes::Gone => update.col_expr(push_deliveries::Column::State, Expr::value("gone")),
            Becomes::Refused(status) => update
                .col_expr(push_deliveries::Column::State, Expr::value("failed"))
                .col_expr(
                    push_deliveries::Column::LastStatus,
                    Expr::value(i32::from(status)),
                ),
            Becomes::Failed => {
                update.col_expr(push_deliveries::Column::State, Expr::value("failed"))
            }
            // Again after a while: a minute, then two.
            Becomes::Retry(attempts) => update
                .col_expr(push_deliveries::Column::State, Expr::value("queued"))
                .col_expr(
                    push_deliveries::Column::NotBefore,
                    Expr::value(now + TimeDelta::minutes(i64::from(attempts))),
                ),
        };
        update.exec(db).await?;
    }
    if !reached.is_empty() {
        push_subscriptions::Entity::update_many()
            .col_expr(push_subscriptions::Column::LastSentAt, Expr::value(now))
            .filter(push_subscriptions::Column::Id.is_in(reached))
            .exec(db)
            .await?;
    }
    if !gone.is_empty() {
        // The browsers are no longer subscribed: they go (their deliveries keep their state).
        push_subscriptions::Entity::delete_many()
            .filter(push_subscriptions::Column::Id.is_in(gone))
            .exec(db)
            .await?;
    }
    Ok(done)
}
