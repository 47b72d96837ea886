//! Raising integrity flags where the data changes, listing them in a coordinator's scope,
//! and clearing them with a note. Raising never fails the request that caused it: a
//! problem is logged, and the flag is raised at the next change.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use super::rules;
use crate::audit::record as audit;
use crate::auth::guards::CurrentUser;
use crate::auth::roles::Scope;
use crate::db::begin_write;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use entity::{
    ambassador_platforms as ap, ambassadors, follower_checks, integrity_flags, media,
    programme_settings, submissions,
};

/// A flag to raise.
struct NewFlag {
    ambassador_id: Option<i64>,
    brief_id: Option<i64>,
    institution_id: i64,
    kind: &'static str,
    detail: serde_json::Value,
    dedup_key: String,
}

async fn raise(db: &DatabaseConnection, f: NewFlag) -> AppResult<()> {
    integrity_flags::Entity::insert(integrity_flags::ActiveModel {
        ambassador_id: Set(f.ambassador_id),
        brief_id: Set(f.brief_id),
        institution_id: Set(f.institution_id),
        kind: Set(f.kind.to_string()),
        detail: Set(f.detail.to_string()),
        dedup_key: Set(f.dedup_key),
        raised_at: Set(Utc::now()),
        cleared_at: Set(None),
        cleared_by: Set(None),
        clear_note: Set(None),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(integrity_flags::Column::DedupKey)
            .do_nothing()
            .to_owned(),
    )
    .try_insert()
    .exec_without_returning(db)
    .await?;
    Ok(())
}

fn log(result: AppResult<()>, what: &str) {
    if let Err(e) = result {
        tracing::error!(error = %e, check = what, "an integrity check failed");
    }
}

/// After a follower count was recorded for a platform account: a rise of more than the
/// programme's share since the previous count is flagged.
pub async fn after_follower_count(db: &DatabaseConnection, account_id: i64) {
    log(follower_jump(db, account_id).await, "follower jump");
}

async fn follower_jump(db: &DatabaseConnection, account_id: i64) -> AppResult<()> {
    let last: Vec<follower_checks::Model> = follower_checks::Entity::find()
        .filter(follower_checks::Column::AmbassadorPlatformId.eq(account_id))
        .filter(follower_checks::Column::FollowerCount.is_not_null())
        .order_by_desc(follower_checks::Column::Id)
        .limit(2)
        .all(db)
        .await?;
    let [new, old] = last.as_slice() else {
        return Ok(());
    };
    let threshold = programme_settings::Entity::find_by_id(1)
        .one(db)
        .await?
        .map(|s| s.follower_jump_percent)
        .unwrap_or(50);
    let (Some(from), Some(to)) = (old.follower_count, new.follower_count) else {
        return Ok(());
    };
    let Some(percent) = rules::follower_jump(from, to, threshold) else {
        return Ok(());
    };
    let Some(account) = ap::Entity::find_by_id(account_id).one(db).await? else {
        return Ok(());
    };
    let Some(amb) = ambassadors::Entity::find_by_id(account.ambassador_id)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    raise(
        db,
        NewFlag {
            ambassador_id: Some(amb.id),
            brief_id: None,
            institution_id: amb.institution_id,
            kind: "follower_jump",
            detail: serde_json::json!({
                "platform": account.platform, "from": from, "to": to, "percent": percent,
                "threshold": threshold, "checked_at": new.checked_at,
            }),
            dedup_key: format!("jump:{}", new.id),
        },
    )
    .await
}

/// After a screenshot was stored: the same picture (by perceptual hash) from another
/// person flags both.
pub async fn after_picture(db: &DatabaseConnection, picture: &media::Model) {
    log(same_picture(db, picture).await, "same screenshot");
}

async fn same_picture(db: &DatabaseConnection, picture: &media::Model) -> AppResult<()> {
    let Some(hash) = picture.phash else {
        return Ok(());
    };
    if !matches!(picture.kind.as_str(), "screenshot" | "submission") {
        return Ok(());
    }
    let others: Vec<(i64, i64, i64)> = media::Entity::find()
        .select_only()
        .column(media::Column::Id)
        .column(media::Column::OwnerId)
        .column(media::Column::Phash)
        .filter(media::Column::Kind.is_in(["screenshot", "submission"]))
        .filter(media::Column::OwnerId.ne(picture.owner_id))
        .filter(media::Column::Phash.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let mine = ambassador_of_user(db, picture.owner_id).await?;
    let Some(mine) = mine else {
        return Ok(());
    };
    for (other_media, other_owner, other_hash) in others
        .into_iter()
        .filter(|(_, _, h)| rules::distance(*h, hash) <= rules::SAME_PICTURE_BITS)
        .take(5)
    {
        let Some(other) = ambassador_of_user(db, other_owner).await? else {
            continue;
        };
        let bits = rules::distance(other_hash, hash);
        for (who, with, own_media, their_media) in [
            (&mine, &other, picture.id, other_media),
            (&other, &mine, other_media, picture.id),
        ] {
            raise(
                db,
                NewFlag {
                    ambassador_id: Some(who.id),
                    brief_id: None,
                    institution_id: who.institution_id,
                    kind: "same_screenshot",
                    detail: serde_json::json!({
                        "other_ambassador_id": with.id,
                        "media_id": own_media, "other_media_id": their_media,
                        "differing_bits": bits,
                    }),
                    dedup_key: format!("shot:{}:{own_media}:{their_media}", who.id),
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// Who sent a post, as the checks after a submission need them.
pub struct Poster<'a> {
    pub ambassador_id: i64,
    pub institution_id: i64,
    /// Their own X handle, if they registered one.
    pub x_handle: Option<&'a str>,
}

/// A post just stored.
pub struct Posted<'a> {
    pub id: i64,
    pub ambassador_id: i64,
    pub platform: &'a str,
    pub normalized_url: &'a str,
}

/// After a submission was stored: an X post under another ambassador's account is
/// flagged (the same post URL pattern from two people). Posts of other platforms cost
/// nothing here: their URLs name no account, and neither does a post on the poster's own
/// X account (`poster`: who sent it, as the submission read them).
pub async fn after_submission(
    db: &DatabaseConnection,
    poster: Option<Poster<'_>>,
    submitted: Posted<'_>,
) {
    if submitted.platform == "x" {
        log(
            foreign_handle(db, poster, &submitted).await,
            "foreign handle",
        );
    }
}

async fn foreign_handle(
    db: &DatabaseConnection,
    poster: Option<Poster<'_>>,
    s: &Posted<'_>,
) -> AppResult<()> {
    let Some(handle) = rules::x_handle(s.normalized_url) else {
        return Ok(());
    };
    let own_x = poster.as_ref().and_then(|p| p.x_handle);
    if own_x.is_some_and(|h| h.eq_ignore_ascii_case(&handle)) {
        return Ok(());
    }
    // Handles are kept lower-cased, as `x_handle` gives them.
    let Some(owner) = ap::Entity::find()
        .filter(ap::Column::Platform.eq("x"))
        .filter(ap::Column::Handle.eq(handle.as_str()))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    if owner.ambassador_id == s.ambassador_id {
        return Ok(());
    }
    let institution_id = match poster {
        Some(p) if p.ambassador_id == s.ambassador_id => p.institution_id,
        _ => match ambassadors::Entity::find_by_id(s.ambassador_id)
            .one(db)
            .await?
        {
            Some(amb) => amb.institution_id,
            None => return Ok(()),
        },
    };
    raise(
        db,
        NewFlag {
            ambassador_id: Some(s.ambassador_id),
            brief_id: None,
            institution_id,
            kind: "foreign_handle",
            detail: serde_json::json!({
                "submission_id": s.id, "handle": handle, "other_ambassador_id": owner.ambassador_id,
            }),
            dedup_key: format!("handle:{}", s.id),
        },
    )
    .await
}

/// After a coordinator's verification: engagement per follower far below the programme's
/// norm on the platform (its verified posts of the last 12 weeks of posting, as stored in
/// `platform_weeks`), over the ambassador's latest verified posts
/// with counts, is flagged. (X posts that verify themselves are checked at the next
/// verification on that platform: the check stays off the submission path.)
pub async fn after_verification(db: &DatabaseConnection, submission_id: i64) {
    log(low_engagement(db, submission_id).await, "low engagement");
}

async fn low_engagement(db: &DatabaseConnection, submission_id: i64) -> AppResult<()> {
    let Some(s) = submissions::Entity::find_by_id(submission_id)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    if s.status != "verified" {
        return Ok(());
    }
    let latest: Vec<submissions::Model> = submissions::Entity::find()
        .filter(submissions::Column::AmbassadorId.eq(s.ambassador_id))
        .filter(submissions::Column::Platform.eq(s.platform.as_str()))
        .filter(submissions::Column::Status.eq("verified"))
        .filter(submissions::Column::Followers.gt(0))
        .order_by_desc(submissions::Column::PostedAt)
        .limit(10)
        .all(db)
        .await?;
    let counted: Vec<&submissions::Model> = latest
        .iter()
        .filter(|p| {
            p.likes.is_some() || p.comments.is_some() || p.shares.is_some() || p.saves.is_some()
        })
        .take(5)
        .collect();
    if counted.len() < rules::LOW_ENGAGEMENT_POSTS {
        return Ok(());
    }
    let own = counted.iter().fold((0i64, 0i64), |(i, f), p| {
        let n = [p.likes, p.comments, p.shares, p.saves]
            .iter()
            .map(|c| c.unwrap_or(0).max(0))
            .sum::<i64>();
        (i + n, f + p.followers.unwrap_or(0))
    });
    let since = s.week_start - chrono::Duration::weeks(12);
    let norm = crate::leaderboard::service::platform_norm(db, &s.platform, since).await?;
    if !rules::low_engagement(own, norm) {
        return Ok(());
    }
    let Some(amb) = ambassadors::Entity::find_by_id(s.ambassador_id)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let pct = |(i, f): (i64, i64)| {
        if f > 0 {
            (i as f64 / f as f64 * 10_000.0).round() / 100.0
        } else {
            0.0
        }
    };
    raise(
        db,
        NewFlag {
            ambassador_id: Some(amb.id),
            brief_id: None,
            institution_id: amb.institution_id,
            kind: "low_engagement",
            detail: serde_json::json!({
                "platform": s.platform, "posts": counted.len(),
                "rate": pct(own), "norm": pct(norm),
            }),
            dedup_key: format!("engagement:{}:{}:{}", amb.id, s.platform, s.week_start),
        },
    )
    .await
}

/// Where a checked text came from.
pub enum TextSource {
    Draft { id: i64, user_id: i64 },
    Brief { id: i64, institution_id: i64 },
}

/// After a brief or a draft was saved: during the neutrality period, a blocklisted word
/// in it is flagged (on the ambassador for a draft, on the brief for a brief).
pub async fn after_text(db: &DatabaseConnection, source: TextSource, text: &str) {
    log(blocklisted(db, source, text).await, "blocklist");
}

async fn blocklisted(db: &DatabaseConnection, source: TextSource, text: &str) -> AppResult<()> {
    let Some(settings) = programme_settings::Entity::find_by_id(1).one(db).await? else {
        return Ok(());
    };
    let (Some(from), Some(to)) = (settings.neutrality_from, settings.neutrality_to) else {
        return Ok(());
    };
    let tz: chrono_tz::Tz = settings
        .timezone
        .parse()
        .unwrap_or(chrono_tz::Asia::Jakarta);
    let today = Utc::now().with_timezone(&tz).date_naive();
    if today < from || today > to {
        return Ok(());
    }
    let words = crate::settings::rules::blocklist_words(&settings.blocklist);
    let Some(word) = rules::blocklisted(text, &words) else {
        return Ok(());
    };
    let flag = match source {
        TextSource::Draft { id, user_id } => {
            let Some(amb) = ambassador_of_user(db, user_id).await? else {
                return Ok(());
            };
            NewFlag {
                ambassador_id: Some(amb.id),
                brief_id: None,
                institution_id: amb.institution_id,
                kind: "blocklist_word",
                detail: serde_json::json!({ "word": word, "draft_id": id, "from": from, "to": to }),
                dedup_key: format!("word:draft:{id}:{word}"),
            }
        }
        TextSource::Brief { id, institution_id } => NewFlag {
            ambassador_id: None,
            brief_id: Some(id),
            institution_id,
            kind: "blocklist_word",
            detail: serde_json::json!({ "word": word, "brief_id": id, "from": from, "to": to }),
            dedup_key: format!("word:brief:{id}:{word}"),
        },
    };
    raise(db, flag).await
}

/// One flag as a coordinator reads it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FlagView {
    pub id: i64,
    pub kind: String,
    pub ambassador_id: Option<i64>,
    /// The ambassador's display name (a flag on a brief has none).
    pub ambassador_name: Option<String>,
    /// The display name of the other ambassador a flag names (same screenshot, foreign
    /// account), read now: the flag itself keeps only their id.
    pub other_name: Option<String>,
    pub brief_id: Option<i64>,
    /// The figures that explain the flag.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub raised_at: DateTime<Utc>,
    pub cleared_at: Option<DateTime<Utc>>,
    pub clear_note: Option<String>,
}

/// The note that clears a flag: why it does not call for action.
pub const CLEAR_NOTE: crate::text::Text = crate::text::Text::lines(3, 500);

/// Flags in the reader's scope: admins all; coordinators their institution's, or for a
/// work unit, those on ambassadors in it.
/// How many flags in the caller's scope are open (not cleared).
pub async fn open_count(db: &DatabaseConnection, user: &CurrentUser) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(scoped(user)
        .filter(integrity_flags::Column::ClearedAt.is_null())
        .count(db)
        .await?)
}

fn scoped(user: &CurrentUser) -> sea_orm::Select<integrity_flags::Entity> {
    let q = integrity_flags::Entity::find();
    match user.scope() {
        Scope::All => q,
        Scope::Institution {
            institution_id,
            work_unit_path,
        } => {
            let q = q.filter(integrity_flags::Column::InstitutionId.eq(institution_id));
            match work_unit_path {
                None => q,
                Some(path) => q.filter(
                    integrity_flags::Column::AmbassadorId.in_subquery(
                        Query::select()
                            .column(ambassadors::Column::Id)
                            .from(ambassadors::Entity)
                            .and_where(
                                ambassadors::Column::WorkUnitId
                                    .in_subquery(crate::org::service::subtree_units(&path)),
                            )
                            .to_owned(),
                    ),
                ),
            }
        }
    }
}

/// Open flags (or, with `cleared`, cleared ones), newest first, at most 500.
pub async fn list(
    db: &DatabaseConnection,
    user: &CurrentUser,
    cleared: bool,
    ambassador_id: Option<i64>,
) -> AppResult<Vec<FlagView>> {
    let mut q = scoped(user).filter(if cleared {
        integrity_flags::Column::ClearedAt.is_not_null()
    } else {
        integrity_flags::Column::ClearedAt.is_null()
    });
    if let Some(a) = ambassador_id {
        q = q.filter(integrity_flags::Column::AmbassadorId.eq(a));
    }
    let rows = q
        .order_by_desc(integrity_flags::Column::Id)
        .limit(500)
        .all(db)
        .await?;
    let details: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| serde_json::from_str(&r.detail).unwrap_or(serde_json::Value::Null))
        .collect();
    let other_of = |d: &serde_json::Value| d["other_ambassador_id"].as_i64();
    let ids: Vec<i64> = rows
        .iter()
        .filter_map(|r| r.ambassador_id)
        .chain(details.iter().filter_map(other_of))
        .collect();
    let names: std::collections::HashMap<i64, String> = ambassadors::Entity::find()
        .select_only()
        .column(ambassadors::Column::Id)
        .column(ambassadors::Column::DisplayName)
        .filter(ambassadors::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .zip(details)
        .map(|(r, detail)| FlagView {
            id: r.id,
            ambassador_name: r.ambassador_id.and_then(|a| names.get(&a).cloned()),
            other_name: other_of(&detail).and_then(|a| names.get(&a).cloned()),
            kind: r.kind,
            ambassador_id: r.ambassador_id,
            brief_id: r.brief_id,
            detail,
            raised_at: r.raised_at,
            cleared_at: r.cleared_at,
            clear_note: r.clear_note,
        })
        .collect())
}

/// Clears a flag in the reader's scope with a note saying why (3 to 500 characters).
pub async fn clear(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    note: &str,
    ip: &ClientIp,
) -> AppResult<()> {
    let flag = scoped(user)
        .filter(integrity_flags::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(note) = CLEAR_NOTE.clean(note) else {
        return Err(AppError::Validation(FieldErrors::single(
            "note",
            Msg::new("integrity.note_invalid"),
        )));
    };
    if flag.cleared_at.is_some() {
        return Err(AppError::Conflict(FieldErrors::single(
            "note",
            Msg::new("integrity.already_cleared"),
        )));
    }
    let txn = begin_write(db).await?;
    let done = integrity_flags::Entity::update_many()
        .col_expr(integrity_flags::Column::ClearedAt, Some(Utc::now()).into())
        .col_expr(integrity_flags::Column::ClearedBy, Some(user.id()).into())
        .col_expr(
            integrity_flags::Column::ClearNote,
            Some(note.to_string()).into(),
        )
        .filter(integrity_flags::Column::Id.eq(id))
        .filter(integrity_flags::Column::ClearedAt.is_null())
        .exec(&txn)
        .await?;
    if done.rows_affected != 1 {
        txn.rollback().await?;
        return Err(AppError::Conflict(FieldErrors::single(
            "note",
            Msg::new("integrity.already_cleared"),
        )));
    }
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "integrity.cleared",
            target_type: if flag.ambassador_id.is_some() {
                "ambassador"
            } else {
                "brief"
            },
            target_id: flag.ambassador_id.or(flag.brief_id),
            institution_id: Some(flag.institution_id),
            detail: serde_json::json!({ "flag": flag.id, "kind": flag.kind }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
/// The ambassador record of a user, if they have one (the same read as
/// `ambassadors::service::find_ambassador_by_user`, written here because ambassadors
/// call these checks and integrity must not call back into them).
async fn ambassador_of_user(
    db: &DatabaseConnection,
    user_id: i64,
) -> AppResult<Option<ambassadors::Model>> {
    Ok(ambassadors::Entity::find()
        .filter(ambassadors::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}
