//! The periodic re-check of follower counts. Every `followers.recheck_days` days the
//! platform accounts of approved ambassadors whose method is `api` are asked again. A
//! required platform found below its threshold gets `below_since` and an audit row
//! `ambassador.below_threshold`, which the coordinator follows up; the ambassador's status
//! never changes here. A count back at or above the threshold clears the flag (audit row
//! `ambassador.threshold_recovered`).

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;

use crate::ambassadors::service::run_api_check;
use crate::audit::record as audit;
use crate::db::begin_write;
use crate::error::{AppError, AppResult};
use crate::followers::FollowerSources;
use crate::settings::service::thresholds;
use entity::{ambassador_platforms as ap, ambassadors};

/// At most this many accounts are checked per run; the rest wait for the next tick.
pub const BATCH: u64 = 200;

/// A check that failed for a passing reason (platform unavailable, rate limited) is tried
/// again after a day, not after the whole interval: `run_api_check` stamps `checked_at`
/// on failures too.
const RETRY_FAILED_AFTER: TimeDelta = TimeDelta::days(1);

/// The threshold of a platform the settings do not know (Kominfo's rule).
const DEFAULT_THRESHOLD: i64 = 500;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RecheckReport {
    /// Accounts whose platform answered with a count.
    pub checked: u32,
    /// Of those, accounts of a required platform below its threshold (newly flagged or
    /// still flagged).
    pub below: u32,
    /// Accounts whose flag was cleared: the count is back at or above the threshold.
    pub recovered: u32,
    /// Accounts whose check failed (unknown account, platform unavailable, rate limited);
    /// the failure is stored on the account as with any API check.
    pub failed: u32,
}

/// Runs one batch of due re-checks now (the `followers.recheck` job calls this once per
/// run; tests call it directly).
pub async fn run_recheck_once(
    db: &DatabaseConnection,
    sources: &FollowerSources,
    now: DateTime<Utc>,
) -> AppResult<RecheckReport> {
    let mut report = RecheckReport::default();
    let due = due_accounts(db, sources, now, BATCH).await?;
    if due.is_empty() {
        return Ok(report);
    }
    let (required, limits) = thresholds(db).await?;
    for row in due {
        let saved = match run_api_check(db, sources, &row, None).await {
            Ok(saved) => saved,
            Err(AppError::Db(e)) => return Err(AppError::Db(e)),
            Err(e) => {
                tracing::warn!(error = %e, account = row.id, platform = %row.platform, "re-check refused");
                report.failed += 1;
                continue;
            }
        };
        let count = match saved.follower_count {
            Some(n) if saved.check_error.is_none() && saved.checked_at != row.checked_at => n,
            _ => {
                report.failed += 1;
                continue;
            }
        };
        report.checked += 1;
        let threshold = limits
            .get(&saved.platform)
            .copied()
            .unwrap_or(DEFAULT_THRESHOLD);
        if count < threshold && required.contains(&saved.platform) {
            report.below += 1;
            flag_below(db, &saved, count, threshold, now).await?;
        } else if saved.below_since.is_some()
            && clear_flag(db, &saved, count, threshold, now).await?
        {
            report.recovered += 1;
        }
    }
    Ok(report)
}

/// The accounts due: method `api` on a platform with a configured source, of an approved
/// ambassador, last checked before the interval (or failed a day ago), not rate limited;
/// the longest unchecked first.
async fn due_accounts(
    db: &DatabaseConnection,
    sources: &FollowerSources,
    now: DateTime<Utc>,
    limit: u64,
) -> AppResult<Vec<ap::Model>> {
    let platforms = sources.configured();
    if platforms.is_empty() {
        return Ok(Vec::new());
    }
    let cutoff = now - TimeDelta::days(i64::from(sources.recheck_days()));
    let approved = Query::select()
        .column(ambassadors::Column::Id)
        .from(ambassadors::Entity)
        .and_where(ambassadors::Column::Status.eq("approved"))
        .to_owned();
    Ok(ap::Entity::find()
        .filter(ap::Column::Method.eq("api"))
        .filter(ap::Column::Platform.is_in(platforms))
        .filter(ap::Column::AmbassadorId.in_subquery(approved))
        .filter(
            Condition::any()
                .add(ap::Column::CheckedAt.is_null())
                .add(ap::Column::CheckedAt.lt(cutoff))
                .add(
                    Condition::all()
                        .add(ap::Column::CheckError.is_in(["unavailable", "rate_limited"]))
                        .add(ap::Column::CheckedAt.lt(now - RETRY_FAILED_AFTER)),
                ),
        )
        .filter(
            Condition::any()
                .add(ap::Column::RetryAfter.is_null())
                .add(ap::Column::RetryAfter.lte(now)),
        )
        .order_by_asc(ap::Column::CheckedAt)
        .order_by_asc(ap::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

async fn institution_of(db: &DatabaseConnection, ambassador_id: i64) -> AppResult<Option<i64>> {
    Ok(ambassadors::Entity::find_by_id(ambassador_id)
        .one(db)
        .await?
        .map(|a| a.institution_id))
}

/// Sets `below_since` unless it is set already; the audit row is written only by the run
/// that sets it, in the same transaction.
async fn flag_below(
    db: &DatabaseConnection,
    row: &ap::Model,
    count: i64,
    threshold: i64,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    if row.below_since.is_some() {
        return Ok(false);
    }
    let institution_id = institution_of(db, row.ambassador_id).await?;
    let txn = begin_write(db).await?;
    let changed = ap::Entity::update_many()
        .col_expr(ap::Column::BelowSince, Expr::value(now))
        .col_expr(ap::Column::UpdatedAt, Expr::value(now))
        .filter(ap::Column::Id.eq(row.id))
        .filter(ap::Column::BelowSince.is_null())
        .exec(&txn)
        .await?;
    if changed.rows_affected == 1 {
        audit::record(
            &txn,
            audit::Entry {
                actor: None,
                action: "ambassador.below_threshold",
                target_type: "ambassador",
                target_id: Some(row.ambassador_id),
                institution_id,
                detail: serde_json::json!({ "platform": row.platform, "count": count, "threshold": threshold }),
                ip: None,
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(changed.rows_affected == 1)
}

/// Clears `below_since`; true when this run cleared it.
async fn clear_flag(
    db: &DatabaseConnection,
    row: &ap::Model,
    count: i64,
    threshold: i64,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let institution_id = institution_of(db, row.ambassador_id).await?;
    let txn = begin_write(db).await?;
    let changed = ap::Entity::update_many()
        .col_expr(
            ap::Column::BelowSince,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(ap::Column::UpdatedAt, Expr::value(now))
        .filter(ap::Column::Id.eq(row.id))
        .filter(ap::Column::BelowSince.is_not_null())
        .exec(&txn)
        .await?;
    if changed.rows_affected == 1 {
        audit::record(
            &txn,
            audit::Entry {
                actor: None,
                action: "ambassador.threshold_recovered",
                target_type: "ambassador",
                target_id: Some(row.ambassador_id),
                institution_id,
                detail: serde_json::json!({ "platform": row.platform, "count": count, "threshold": threshold, "below_since": row.below_since }),
                ip: None,
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(changed.rows_affected == 1)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    use std::sync::Arc;

    use sea_orm::{ActiveModelTrait, Set};

    use super::*;
    use crate::followers::{CheckError, FollowerSource};
    use entity::audit_log;

    /// A platform that answers a count set by the test (0 means "unavailable"), and counts calls.
    struct Fake {
        platform: &'static str,
        count: AtomicU64,
        calls: AtomicUsize,
    }

    impl Fake {
        fn new(platform: &'static str, count: u64) -> Arc<Fake> {
            Arc::new(Fake {
                platform,
                count: AtomicU64::new(count),
                calls: AtomicUsize::new(0),
            })
        }
        fn calls(&self) -> usize {
            self.calls.load(Ordering::SeqCst)
        }
    }

    #[rocket::async_trait]
    impl FollowerSource for Fake {
        fn platform(&self) -> &'static str {
            self.platform
        }
        async fn followers(&self, _handle: &str) -> Result<u64, CheckError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            match self.count.load(Ordering::SeqCst) {
                0 => Err(CheckError::Unavailable("test".into())),
                n => Ok(n),
            }
        }
    }

    struct World {
        _dir: tempfile::TempDir,
        db: DatabaseConnection,
        institution_id: i64,
        work_unit_id: i64,
        people: usize,
    }

    impl World {
        async fn new() -> World {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
            let db = crate::db::connect(&url).await.unwrap();
            crate::db::migrate(&db).await.unwrap();
            crate::settings::service::ensure_defaults(&db, "Asia/Jakarta")
                .await
                .unwrap();
            let institution = crate::org::service::create_institution(
                &db,
                None,
                &crate::org::forms::NewInstitution {
                    name: "Kementerian Uji".into(),
                    short_name: None,
                    kind: "ministry".into(),
                    region: None,
                },
                None,
            )
            .await
            .unwrap();
            let unit = crate::org::service::create_work_unit(
                &db,
                None,
                institution.id,
                &crate::org::forms::NewWorkUnit {
                    name: "Biro Humas".into(),
                    parent_id: None,
                },
                None,
            )
            .await
            .unwrap();
            World {
                _dir: dir,
                db,
                institution_id: institution.id,
                work_unit_id: unit.id,
                people: 0,
            }
        }

        /// An ambassador with one X account: method, last count and when it was checked.
        async fn ambassador(
            &mut self,
            status: &str,
            method: &str,
            count: i64,
            checked_days_ago: i64,
        ) -> ap::Model {
            self.people += 1;
            let n = self.people;
            let now = Utc::now();
            let user = entity::users::ActiveModel {
                email: Set(format!("duta{n}@uji.go.id")),
                name: Set(format!("Duta {n}")),
                password_hash: Set("x".into()),
                role: Set("ambassador".into()),
                institution_id: Set(Some(self.institution_id)),
                work_unit_id: Set(Some(self.work_unit_id)),
                language: Set(None),
                security_stamp: Set("s".into()),
                is_active: Set(true),
                created_at: Set(now),
                updated_at: Set(now),
                last_login_at: Set(None),
                ..Default::default()
            }
            .insert(&self.db)
            .await
            .unwrap();
            let amb = ambassadors::ActiveModel {
                user_id: Set(user.id),
                display_name: Set(format!("Duta {n}")),
                nip: Set(format!("19860926201505100{n}")),
                employee_type: Set("pns".into()),
                phone: Set("+6281234567890".into()),
                institution_id: Set(self.institution_id),
                work_unit_id: Set(self.work_unit_id),
                status: Set(status.into()),
                rejection_reason: Set(None),
                member_since: Set(None),
                consent_version: Set("1".into()),
                consent_at: Set(now),
                submitted_at: Set(now),
                decided_at: Set(None),
                decided_by: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&self.db)
            .await
            .unwrap();
            ap::ActiveModel {
                ambassador_id: Set(amb.id),
                platform: Set("x".into()),
                handle: Set(format!("duta_{n}")),
                method: Set(method.into()),
                follower_count: Set(Some(count)),
                checked_at: Set(Some(now - TimeDelta::days(checked_days_ago))),
                evidence_media_id: Set(None),
                reviewed_by: Set(None),
                verdict: Set(if count >= 500 { "meets" } else { "below" }.into()),
                check_error: Set(None),
                retry_after: Set(None),
                below_since: Set(None),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&self.db)
            .await
            .unwrap()
        }

        async fn reload(&self, row: &ap::Model) -> ap::Model {
            ap::Entity::find_by_id(row.id)
                .one(&self.db)
                .await
                .unwrap()
                .unwrap()
        }

        async fn audit(&self, action: &str) -> Vec<audit_log::Model> {
            audit_log::Entity::find()
                .filter(audit_log::Column::Action.eq(action))
                .all(&self.db)
                .await
                .unwrap()
        }

        async fn status_of(&self, row: &ap::Model) -> String {
            ambassadors::Entity::find_by_id(row.ambassador_id)
                .one(&self.db)
                .await
                .unwrap()
                .unwrap()
                .status
        }
    }

    #[tokio::test]
    async fn an_old_api_count_is_checked_again_and_a_drop_is_flagged() {
        let mut w = World::new().await;
        let old = w.ambassador("approved", "api", 800, 100).await;
        let recent = w.ambassador("approved", "api", 800, 10).await;
        let x = Fake::new("x", 320);
        let sources = FollowerSources::with_sources(vec![x.clone()]);
        // The old account's owner posted on X one week: the statistics count their reach
        // with the count they had then.
        let week = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let mut a: ambassadors::ActiveModel = ambassadors::Entity::find_by_id(old.ambassador_id)
            .one(&w.db)
            .await
            .unwrap()
            .unwrap()
            .into();
        a.member_since = Set(chrono::NaiveDate::from_ymd_opt(2026, 1, 5));
        a.update(&w.db).await.unwrap();
        entity::week_activity::ActiveModel {
            ambassador_id: Set(old.ambassador_id),
            week_start: Set(week),
            verified_posts: Set(1),
            x_posts: Set(1),
            x_interactions: Set(0),
            x_followers: Set(0),
            instagram_posts: Set(0),
            instagram_interactions: Set(0),
            instagram_followers: Set(0),
            facebook_posts: Set(0),
            facebook_interactions: Set(0),
            facebook_followers: Set(0),
            tiktok_posts: Set(0),
            tiktok_interactions: Set(0),
            tiktok_followers: Set(0),
            youtube_posts: Set(0),
            youtube_interactions: Set(0),
            youtube_followers: Set(0),
            updated_at: Set(Utc::now()),
        }
        .insert(&w.db)
        .await
        .unwrap();
        crate::leaderboard::participation::check(&w.db)
            .await
            .unwrap();
        let unit = w.work_unit_id;
        let reach = |db: DatabaseConnection| async move {
            entity::unit_weeks::Entity::find_by_id((unit, week))
                .one(&db)
                .await
                .unwrap()
                .map(|r| r.x_reach)
        };
        assert_eq!(reach(w.db.clone()).await, Some(800));

        let report = run_recheck_once(&w.db, &sources, Utc::now()).await.unwrap();
        // The new count is their reach in that week at once, as a rebuild computes it.
        assert_eq!(reach(w.db.clone()).await, Some(320));
        assert_eq!(
            crate::leaderboard::participation::check(&w.db)
                .await
                .unwrap(),
            vec![]
        );

        assert_eq!(
            report,
            RecheckReport {
                checked: 1,
                below: 1,
                recovered: 0,
                failed: 0
            }
        );
        assert_eq!(x.calls(), 1);
        let old = w.reload(&old).await;
        assert_eq!(old.follower_count, Some(320));
        assert_eq!(old.verdict, "below");
        assert!(old.below_since.is_some());
        assert_eq!(w.status_of(&old).await, "approved", "a flag never suspends");
        let recent = w.reload(&recent).await;
        assert_eq!(recent.follower_count, Some(800));
        assert!(recent.below_since.is_none());
        let rows = w.audit("ambassador.below_threshold").await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].target_id, Some(old.ambassador_id));
        assert_eq!(rows[0].institution_id, Some(w.institution_id));
        assert_eq!(rows[0].actor_id, None);
        let detail: serde_json::Value = serde_json::from_str(&rows[0].detail).unwrap();
        assert_eq!(
            detail,
            serde_json::json!({"platform": "x", "count": 320, "threshold": 500})
        );

        // Nothing is due any more: the next run asks no one.
        let report = run_recheck_once(&w.db, &sources, Utc::now()).await.unwrap();
        assert_eq!(report, RecheckReport::default());
        assert_eq!(x.calls(), 1);

        // 91 days on both are due; the first stays flagged since the first time, with
        // no second audit row, and the second is flagged now.
        let later = Utc::now() + TimeDelta::days(91);
        let report = run_recheck_once(&w.db, &sources, later).await.unwrap();
        assert_eq!((report.checked, report.below), (2, 2));
        assert_eq!(w.reload(&old).await.below_since, old.below_since);
        assert_eq!(w.reload(&recent).await.below_since, Some(later));
        let rows = w.audit("ambassador.below_threshold").await;
        let targets: Vec<_> = rows.iter().map(|r| r.target_id).collect();
        assert_eq!(
            targets,
            vec![Some(old.ambassador_id), Some(recent.ambassador_id)]
        );
    }

    #[tokio::test]
    async fn a_count_back_above_the_threshold_clears_the_flag() {
        let mut w = World::new().await;
        let row = w.ambassador("approved", "api", 800, 100).await;
        let x = Fake::new("x", 420);
        let sources = FollowerSources::with_sources(vec![x.clone()]);
        run_recheck_once(&w.db, &sources, Utc::now()).await.unwrap();
        assert!(w.reload(&row).await.below_since.is_some());

        x.count.store(515, Ordering::SeqCst);
        let later = Utc::now() + TimeDelta::days(91);
        let report = run_recheck_once(&w.db, &sources, later).await.unwrap();

        assert_eq!(
            report,
            RecheckReport {
                checked: 1,
                below: 0,
                recovered: 1,
                failed: 0
            }
        );
        let row = w.reload(&row).await;
        assert_eq!(row.below_since, None);
        assert_eq!(row.follower_count, Some(515));
        assert_eq!(row.verdict, "meets");
        assert_eq!(w.audit("ambassador.threshold_recovered").await.len(), 1);
    }

    #[tokio::test]
    async fn candidates_and_accounts_without_api_are_left_alone() {
        let mut w = World::new().await;
        let pending = w.ambassador("pending", "api", 800, 100).await;
        let suspended = w.ambassador("suspended", "api", 800, 100).await;
        let screenshot = w.ambassador("approved", "screenshot", 800, 100).await;
        let x = Fake::new("x", 100);
        let sources = FollowerSources::with_sources(vec![x.clone()]);

        let report = run_recheck_once(&w.db, &sources, Utc::now()).await.unwrap();

        assert_eq!(report, RecheckReport::default());
        assert_eq!(x.calls(), 0);
        for row in [pending, suspended, screenshot] {
            assert_eq!(w.reload(&row).await, row);
        }
        // Without a source for the platform, an API account waits too (no error).
        let approved = w.ambassador("approved", "api", 800, 100).await;
        let none = FollowerSources::default();
        let report = run_recheck_once(&w.db, &none, Utc::now()).await.unwrap();
        assert_eq!(report, RecheckReport::default());
        assert_eq!(w.reload(&approved).await, approved);
    }

    #[tokio::test]
    async fn a_failed_check_keeps_the_count_and_is_tried_again_a_day_later() {
        let mut w = World::new().await;
        let row = w.ambassador("approved", "api", 800, 100).await;
        let x = Fake::new("x", 0);
        let sources = FollowerSources::with_sources(vec![x.clone()]);

        let report = run_recheck_once(&w.db, &sources, Utc::now()).await.unwrap();

        assert_eq!(
            report,
            RecheckReport {
                failed: 1,
                ..Default::default()
            }
        );
        let after = w.reload(&row).await;
        assert_eq!(after.follower_count, Some(800));
        assert_eq!(after.check_error.as_deref(), Some("unavailable"));
        assert!(after.below_since.is_none());
        // Not again within the day …
        let report = run_recheck_once(&w.db, &sources, Utc::now()).await.unwrap();
        assert_eq!(report, RecheckReport::default());
        // … but the day after, and then it works.
        x.count.store(900, Ordering::SeqCst);
        let tomorrow = Utc::now() + TimeDelta::hours(25);
        let report = run_recheck_once(&w.db, &sources, tomorrow).await.unwrap();
        assert_eq!(report.checked, 1);
        assert_eq!(x.calls(), 2);
        assert_eq!(w.reload(&row).await.check_error, None);
    }

    #[tokio::test]
    async fn a_run_checks_one_batch_at_most() {
        let mut w = World::new().await;
        let rows = [
            w.ambassador("approved", "api", 800, 200).await,
            w.ambassador("approved", "api", 800, 100).await,
        ];
        let x = Fake::new("x", 900);
        let sources = FollowerSources::with_sources(vec![x.clone()]);
        let due = due_accounts(&w.db, &sources, Utc::now(), 1).await.unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].id, rows[0].id, "the longest unchecked first");
    }
}
