//! Background jobs claimed from the database: each run exactly once however many nodes
//! claim at once, a run whose node died run again by another, a run that keeps failing
//! given up with its error on the admins' page and in the API, and the figures of
//! `/metrics` read from the database (so every node answers the same).

use chrono::{DateTime, TimeDelta, Utc};
use duta::jobs::runs::{self, Ended};
use duta::jobs::{Kind, Runner};
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::Value;

use crate::support::{approve, json, text, TestApp};

/// A node's runner on the app's database and state, running only `kinds`.
pub(crate) fn runner(app: &TestApp, holder: &str, kinds: &[Kind]) -> Runner {
    let rocket = app.client.rocket();
    Runner::for_app(
        app.db.clone(),
        holder,
        TimeDelta::hours(1),
        duta::state::part::<duta::notify::Mailer>(rocket)
            .cloned()
            .unwrap_or_else(duta::notify::Mailer::disabled),
        duta::state::part::<duta::followers::FollowerSources>(rocket)
            .cloned()
            .unwrap(),
        duta::state::part::<duta::media::service::MediaStore>(rocket).cloned(),
    )
    .only(kinds)
}

fn hour_start(t: DateTime<Utc>) -> DateTime<Utc> {
    duta::jobs::rules::period_start(t, TimeDelta::hours(1))
}

async fn admin(app: &TestApp) -> String {
    let id = app.user("admin", "admin@jobs.go.id", None, None).await;
    app.token(id).await
}

/// The API's entry for one job.
async fn job(app: &TestApp, token: &str, name: &str) -> Value {
    let (status, body) = json(app.get_api("/api/v1/admin/jobs", Some(token)).await).await;
    assert_eq!(status, Status::Ok, "{body}");
    body["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["job"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("{name} missing: {body}"))
}

/// One sample of `/metrics`, by its name and labels as written there.
async fn metric(app: &TestApp, series: &str) -> f64 {
    let (status, body) = text(app.client.get("/metrics").dispatch().await).await;
    assert_eq!(status, Status::Ok);
    body.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {series} in\n{body}"))
        .parse()
        .unwrap()
}

async fn rows(app: &TestApp, job: &str) -> Vec<entity::job_runs::Model> {
    entity::job_runs::Entity::find()
        .filter(entity::job_runs::Column::Job.eq(job))
        .all(&app.db)
        .await
        .unwrap()
}

const JOBS: [&str; 5] = ["race.a", "race.b", "race.c", "race.d", "race.e"];

/// Ten nodes schedule the same twenty runs and claim at once, each on its own
/// connections: every run is inserted once and run once, by one of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_nodes_claiming_at_once_run_each_run_exactly_once() {
    let app = TestApp::spawn().await;
    let start = Utc::now() - TimeDelta::minutes(10);
    let due = move |k: i64| start + TimeDelta::minutes(k);
    let nodes: Vec<_> = (0..10)
        .map(|n| {
            let db = app.db.clone();
            tokio::spawn(async move {
                let holder = format!("node-{n}");
                for job in JOBS {
                    for k in 0..4 {
                        runs::schedule(&db, job, due(k)).await.unwrap();
                    }
                }
                let mut mine = Vec::new();
                loop {
                    match runs::claim(&db, &JOBS, &holder, runs::LEASE, Utc::now())
                        .await
                        .unwrap()
                    {
                        Some(run) => {
                            assert_eq!(run.attempts, 1, "{run:?}");
                            tokio::task::yield_now().await;
                            let ended = runs::finish(
                                &db,
                                &run,
                                &holder,
                                Ok(format!("by={holder}")),
                                Utc::now(),
                            )
                            .await
                            .unwrap();
                            assert_eq!(ended, Ended::Done);
                            mine.push(run.id);
                        }
                        None => {
                            let left = entity::job_runs::Entity::find()
                                .filter(entity::job_runs::Column::State.ne("done"))
                                .count(&db)
                                .await
                                .unwrap();
                            if left == 0 {
                                break;
                            }
                            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                        }
                    }
                }
                (holder, mine)
            })
        })
        .collect();
    let mut claimed: Vec<(i64, String)> = Vec::new();
    for node in nodes {
        let (holder, mine) = node.await.unwrap();
        claimed.extend(mine.into_iter().map(|id| (id, holder.clone())));
    }

    let all = entity::job_runs::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(all.len(), 20, "each run inserted once");
    assert_eq!(claimed.len(), 20, "each run claimed once: {claimed:?}");
    for run in &all {
        let by: Vec<_> = claimed.iter().filter(|(id, _)| *id == run.id).collect();
        assert_eq!(by.len(), 1, "run {} claimed {by:?}", run.id);
        assert_eq!(run.state, "done");
        assert_eq!(run.attempts, 1);
        assert_eq!(run.claimed_by.as_deref(), Some(by[0].1.as_str()));
        assert_eq!(run.summary, Some(format!("by={}", by[0].1)));
    }
    for job in JOBS {
        let total = entity::job_run_totals::Entity::find_by_id((job.to_string(), "done".into()))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(total.runs, 4, "{job}");
    }
}

/// A node claims the hourly retention run and dies. While its claim holds nobody else
/// runs it; once the claim has run out another node runs it (attempt 2), the admins
/// see who ran it and why it took two attempts, and the dead node's late answer is
/// refused.
#[rocket::async_test]
async fn a_run_whose_node_died_is_run_again_by_another_node() {
    let app = TestApp::spawn().await;
    let token = admin(&app).await;
    let t0 = hour_start(Utc::now());
    let a = runner(&app, "node-a", &[Kind::Retention]);
    a.schedule(t0).await.unwrap();
    let dead = a.claim(t0).await.unwrap().expect("node-a claims the run");
    assert_eq!((dead.job.as_str(), dead.due_at), ("privacy.retention", t0));

    // A minute later node-a's claim still holds: node-b finds nothing to do.
    let b = runner(&app, "node-b", &[Kind::Retention]);
    assert!(b
        .run_due(t0 + TimeDelta::minutes(1))
        .await
        .unwrap()
        .is_empty());
    let status = job(&app, &token, "privacy.retention").await;
    assert_eq!(status["running"][0]["node"], "node-a", "{status}");

    // After the claim ran out, node-b runs it.
    let later = t0 + runs::LEASE + TimeDelta::seconds(1);
    let done = b.run_due(later).await.unwrap();
    assert_eq!(done.len(), 1, "{done:?}");
    assert_eq!(done[0].run.id, dead.id);
    assert_eq!(done[0].run.attempts, 2);
    assert_eq!(done[0].ended, Ended::Done);
    let stored = rows(&app, "privacy.retention").await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].state, "done");
    assert_eq!(stored[0].claimed_by.as_deref(), Some("node-b"));
    assert_eq!(stored[0].summary.as_deref(), Some("erased=0"));

    // node-a comes back and tries to end its attempt: refused, nothing changes.
    let ended = runs::finish(&app.db, &dead, "node-a", Ok("erased=9".into()), later)
        .await
        .unwrap();
    assert_eq!(ended, Ended::Lost);
    assert_eq!(rows(&app, "privacy.retention").await, stored);

    // What an admin reads.
    let status = job(&app, &token, "privacy.retention").await;
    let last = &status["last_run"];
    assert_eq!(last["state"], "done", "{status}");
    assert_eq!(last["node"], "node-b");
    assert_eq!(last["attempts"], 2);
    assert_eq!(
        last["error"],
        "the node node-a stopped before the run ended"
    );
    assert_eq!(status["running"], serde_json::json!([]));
    assert_eq!(status["failures_7d"], 0);
    let (status, page) = text(app.page("/admin/jobs", Some(&token)).await).await;
    assert_eq!(status, Status::Ok);
    let row = page
        .split("<tr id=\"job-privacy-retention\">")
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .expect("the retention row");
    for shown in ["Selesai", "node-b", "2 kali percobaan", "erased=0"] {
        assert!(row.contains(shown), "{shown} not in {row}");
    }
    assert_eq!(
        metric(
            &app,
            "duta_job_runs_total{job=\"privacy.retention\",outcome=\"retried\"}"
        )
        .await,
        1.0
    );
    assert_eq!(
        metric(
            &app,
            "duta_job_runs_total{job=\"privacy.retention\",outcome=\"done\"}"
        )
        .await,
        1.0
    );
}

/// A run whose node dies on every attempt is failed after the last one.
#[rocket::async_test]
async fn a_run_whose_nodes_keep_dying_is_failed_after_three_attempts() {
    let app = TestApp::spawn().await;
    let token = admin(&app).await;
    let t0 = hour_start(Utc::now());
    let mut now = t0;
    runs::schedule(&app.db, "privacy.retention", t0)
        .await
        .unwrap();
    for attempt in 1..=runs::MAX_ATTEMPTS {
        let node = runner(&app, &format!("node-{attempt}"), &[Kind::Retention]);
        let run = node.claim(now).await.unwrap().expect("claimed");
        assert_eq!(run.attempts, attempt);
        now += runs::LEASE + TimeDelta::seconds(1);
    }
    // The next node to look fails it instead of starting a fourth attempt.
    let last = runner(&app, "node-4", &[Kind::Retention]);
    assert_eq!(last.claim(now).await.unwrap(), None);
    let stored = rows(&app, "privacy.retention").await;
    assert_eq!(stored[0].state, "failed");
    let status = job(&app, &token, "privacy.retention").await;
    assert_eq!(status["last_run"]["state"], "failed");
    assert_eq!(status["last_run"]["node"], "node-3");
    assert_eq!(
        status["last_run"]["error"],
        "the node node-3 stopped before the run ended (attempt 3 of 3)"
    );
    assert_eq!(status["failures_7d"], 1);
}

/// A job whose work keeps failing: tried again a minute after each failure, failed after
/// the third; the error is on the page and in the API, and the metrics count it.
#[rocket::async_test]
async fn a_failing_run_is_retried_then_failed_with_its_error_shown() {
    let app = TestApp::spawn().await;
    let token = admin(&app).await;
    let node = Runner::new(app.db.clone(), "node-a", TimeDelta::hours(1))
        .with(Kind::Retention, |_now| async {
            Err(duta::error::AppError::internal("the store is unreachable"))
        });
    let t0 = hour_start(Utc::now());
    let first = node.run_due(t0).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].ended, Ended::Retry);

    // Waiting to be tried again, with its error.
    let status = job(&app, &token, "privacy.retention").await;
    assert_eq!(status["retrying"]["attempts"], 1, "{status}");
    assert_eq!(
        status["retrying"]["error"],
        "internal: the store is unreachable"
    );
    assert!(status["last_run"].is_null());
    // Not again at once.
    assert!(node
        .run_due(t0 + TimeDelta::seconds(30))
        .await
        .unwrap()
        .is_empty());

    let second = node.run_due(t0 + TimeDelta::seconds(61)).await.unwrap();
    assert_eq!(second[0].ended, Ended::Retry);
    let third = node.run_due(t0 + TimeDelta::seconds(122)).await.unwrap();
    assert_eq!((third[0].run.attempts, third[0].ended), (3, Ended::Failed));
    assert!(node
        .run_due(t0 + TimeDelta::minutes(10))
        .await
        .unwrap()
        .is_empty());

    let status = job(&app, &token, "privacy.retention").await;
    let last = &status["last_run"];
    assert_eq!(last["state"], "failed", "{status}");
    assert_eq!(last["attempts"], 3);
    assert_eq!(last["node"], "node-a");
    assert_eq!(last["error"], "internal: the store is unreachable");
    assert!(last["duration_seconds"].as_f64().unwrap() >= 0.0);
    assert_eq!(status["failures_7d"], 1);
    assert!(status["last_success_at"].is_null());
    let (_, body) = json(app.get_api("/api/v1/admin/jobs", Some(&token)).await).await;
    assert_eq!(body["recent_failures"][0]["job"], "privacy.retention");
    assert_eq!(
        body["recent_failures"][0]["error"],
        "internal: the store is unreachable"
    );

    let (_, page) = text(app.page("/admin/jobs", Some(&token)).await).await;
    let row = page
        .split("<tr id=\"job-privacy-retention\">")
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .expect("the retention row");
    for shown in [
        "Gagal",
        "node-a",
        "3 kali percobaan",
        "internal: the store is unreachable",
    ] {
        assert!(row.contains(shown), "{shown} not in {row}");
    }
    let failures = page.split("Kegagalan 7 hari terakhir").nth(1).unwrap();
    assert!(
        failures.contains("Penghapusan data (retensi)"),
        "{failures}"
    );
    assert!(failures.contains("internal: the store is unreachable"));

    let series = |outcome: &str| {
        format!("duta_job_runs_total{{job=\"privacy.retention\",outcome=\"{outcome}\"}}")
    };
    assert_eq!(metric(&app, &series("failed")).await, 1.0);
    assert_eq!(metric(&app, &series("retried")).await, 2.0);
    assert_eq!(metric(&app, &series("done")).await, 0.0);
    assert_eq!(
        metric(
            &app,
            "duta_job_last_success_timestamp_seconds{job=\"privacy.retention\"}"
        )
        .await,
        0.0
    );
}

/// `/metrics` on any node: when each job last ended well, how many runs ended each way
/// and how many run now, from the database.
#[rocket::async_test]
async fn metrics_give_each_jobs_last_success_runs_and_what_runs_now() {
    let app = TestApp::spawn().await;
    let now = Utc::now();
    let briefs = runner(&app, "node-a", &[Kind::ScheduledBriefs]);
    let done = briefs.run_due(now).await.unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].ended, Ended::Done);
    let finished = rows(&app, "briefs.scheduled").await[0].finished_at.unwrap();
    // Another node holds the follower re-check now.
    runs::schedule(&app.db, "followers.recheck", hour_start(now))
        .await
        .unwrap();
    runs::claim(&app.db, &["followers.recheck"], "node-x", runs::LEASE, now)
        .await
        .unwrap()
        .expect("claimed");

    let second = app.another_node().await;
    for node in [&app, &second] {
        assert_eq!(
            metric(
                node,
                "duta_job_last_success_timestamp_seconds{job=\"briefs.scheduled\"}"
            )
            .await,
            finished.timestamp() as f64
        );
        assert_eq!(
            metric(
                node,
                "duta_job_runs_total{job=\"briefs.scheduled\",outcome=\"done\"}"
            )
            .await,
            1.0
        );
        assert_eq!(
            metric(node, "duta_job_running{job=\"followers.recheck\"}").await,
            1.0
        );
        assert_eq!(
            metric(node, "duta_job_running{job=\"briefs.scheduled\"}").await,
            0.0
        );
        assert_eq!(
            metric(
                node,
                "duta_job_last_success_timestamp_seconds{job=\"leaderboard.rebuild\"}"
            )
            .await,
            0.0
        );
    }
}

/// The weekly roll-up check: on Monday from 03:00 (programme time) one node recomputes
/// the stored aggregates from the posts and corrects what differs; the run's result names
/// what it corrected. Once a week: later that week nothing runs.
#[rocket::async_test]
async fn the_weekly_roll_up_check_corrects_a_wrong_aggregate_and_says_what() {
    let app = TestApp::spawn().await;
    let token = admin(&app).await;
    let inst = app.institution("Kementerian Rekap").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let (ambassador, _) = app.candidate(inst, unit, 1).await;
    approve(&app, ambassador).await;
    // A weekly figure with no post behind it.
    let monday = crate::submissions::jakarta_monday(3);
    entity::week_activity::ActiveModel {
        ambassador_id: Set(ambassador),
        week_start: Set(monday),
        verified_posts: Set(2),
        x_posts: Set(2),
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
    .insert(&app.db)
    .await
    .unwrap();

    let tz = chrono_tz::Asia::Jakarta;
    let (week_start, _) = duta::jobs::rules::week_around(Utc::now(), tz);
    let three = week_start + TimeDelta::hours(3);
    let node = runner(&app, "node-a", &[Kind::Rebuild]);
    assert!(
        node.run_due(three - TimeDelta::minutes(1))
            .await
            .unwrap()
            .is_empty(),
        "not before Monday 03:00"
    );
    let done = node.run_due(three + TimeDelta::minutes(1)).await.unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].run.due_at, three);
    let report = done[0].result.as_ref().unwrap();
    assert!(report.count >= 1, "{report:?}");
    assert!(
        report
            .summary
            .contains(&format!("week_activity ambassador {ambassador} week")),
        "{report:?}"
    );
    let left = entity::week_activity::Entity::find()
        .filter(entity::week_activity::Column::AmbassadorId.eq(ambassador))
        .filter(entity::week_activity::Column::WeekStart.eq(monday))
        .one(&app.db)
        .await
        .unwrap();
    assert!(
        left.as_ref().is_none_or(|r| r.verified_posts == 0),
        "{left:?}"
    );
    // Once a week.
    assert!(node
        .run_due(three + TimeDelta::days(2))
        .await
        .unwrap()
        .is_empty());

    let status = job(&app, &token, "leaderboard.rebuild").await;
    assert_eq!(status["weekday"], 1);
    assert_eq!(status["hour"], 3);
    assert_eq!(status["last_run"]["state"], "done");
    assert!(status["last_run"]["summary"]
        .as_str()
        .unwrap()
        .starts_with("corrected="));
    let (_, page) = text(app.page("/admin/jobs", Some(&token)).await).await;
    assert!(page.contains("Setiap Senin pukul 03.00"), "{page}");
    assert!(page.contains(&format!("week_activity ambassador {ambassador} week")));
}

/// Ten nodes find at once a run whose node died on its last attempt: it is failed once,
/// counted once, and none of them runs it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_nodes_finding_a_dead_last_attempt_fail_it_once() {
    let app = TestApp::spawn().await;
    let t0 = hour_start(Utc::now()) - TimeDelta::hours(1);
    runs::schedule(&app.db, "privacy.retention", t0)
        .await
        .unwrap();
    let mut now = t0;
    for attempt in 1..=runs::MAX_ATTEMPTS {
        let run = runs::claim(
            &app.db,
            &["privacy.retention"],
            &format!("dead-{attempt}"),
            runs::LEASE,
            now,
        )
        .await
        .unwrap()
        .expect("claimed");
        assert_eq!(run.attempts, attempt);
        now += runs::LEASE + TimeDelta::seconds(1);
    }
    let nodes: Vec<_> = (0..10)
        .map(|n| {
            let db = app.db.clone();
            tokio::spawn(async move {
                runs::claim(
                    &db,
                    &["privacy.retention"],
                    &format!("node-{n}"),
                    runs::LEASE,
                    now,
                )
                .await
                .unwrap()
            })
        })
        .collect();
    for node in nodes {
        assert_eq!(node.await.unwrap(), None);
    }
    let stored = rows(&app, "privacy.retention").await;
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (stored[0].state.as_str(), stored[0].attempts),
        ("failed", 3)
    );
    assert_eq!(
        metric(
            &app,
            "duta_job_runs_total{job=\"privacy.retention\",outcome=\"failed\"}"
        )
        .await,
        1.0
    );
}

/// The bench seed checks every aggregate as it writes them and its people are made up:
/// this week's roll-up check and reminder are stored as done, so the first node started
/// on the data set runs neither (at a million ambassadors each takes the database for
/// minutes, inside the benchmarks' measurements), and no one is reminded.
#[rocket::async_test]
async fn the_bench_seed_leaves_this_weeks_check_and_reminder_done() {
    let app = TestApp::spawn().await;
    let hasher = duta::state::part::<duta::auth::passwords::Hasher>(app.client.rocket()).unwrap();
    duta::seed::bench::seed_bench(&app.db, hasher, 60, 3)
        .await
        .expect("seed");
    let now = Utc::now();
    let kinds = [Kind::Rebuild, Kind::WeeklyReminder];
    let ran = runner(&app, "node-a", &kinds).run_due(now).await.unwrap();
    assert!(
        ran.is_empty(),
        "ran after the seed: {:?}",
        ran.iter().map(|o| o.run.job.clone()).collect::<Vec<_>>()
    );
    for kind in kinds {
        let schedule = kind.schedule(&app.db, TimeDelta::hours(1)).await.unwrap();
        // Early in the week (before Monday 03:00, or before the reminder's day and hour)
        // this week's run is not due yet: nothing to have stored.
        let Some(due) = duta::jobs::rules::due_run(schedule, now) else {
            continue;
        };
        let stored = rows(&app, kind.name()).await;
        assert_eq!(stored.len(), 1, "{}: {stored:?}", kind.name());
        assert_eq!(stored[0].due_at, due.due_at);
        assert_eq!(stored[0].state, "done");
        assert!(stored[0]
            .summary
            .as_deref()
            .unwrap_or("")
            .contains("bench seed"));
    }
    let reminded = entity::notifications::Entity::find()
        .filter(entity::notifications::Column::Kind.eq("weekly_reminder"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(reminded, 0);
}

/// Notifications are kept 180 days: the daily `notifications.prune` removes the older ones
/// (more than one batch of them, oldest first) and keeps the rest, whoever they are for.
#[rocket::async_test]
async fn the_daily_prune_removes_notifications_older_than_half_a_year() {
    let app = TestApp::spawn().await;
    let user = app
        .user("ambassador", "old-notices@jobs.go.id", None, None)
        .await;
    let other = app
        .user("coordinator", "kept-notices@jobs.go.id", None, None)
        .await;
    let now = Utc::now();
    let keep = duta::notifications::service::KEEP_DAYS;
    let notice = |user_id: i64, kind: &str, age: TimeDelta| entity::notifications::ActiveModel {
        user_id: Set(user_id),
        kind: Set(kind.to_string()),
        brief_id: Set(None),
        created_at: Set(now - age),
        read_at: Set(None),
        detail: Set(None),
        ..Default::default()
    };
    // More than one batch of old ones (10,000 a statement), written in chunks.
    let old: Vec<_> = (0..10_250)
        .map(|i| {
            notice(
                user,
                &format!("old_{i}"),
                TimeDelta::days(keep) + TimeDelta::hours(1 + i % 500),
            )
        })
        .collect();
    for chunk in old.chunks(1_000) {
        entity::notifications::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&app.db)
            .await
            .unwrap();
    }
    for (who, kind, age) in [
        (user, "recent", TimeDelta::days(keep) - TimeDelta::hours(1)),
        (other, "today", TimeDelta::zero()),
        (other, "older_kept", TimeDelta::days(30)),
    ] {
        notice(who, kind, age).insert(&app.db).await.unwrap();
    }

    let ran = runner(&app, "node-a", &[Kind::PruneNotifications])
        .run_due(now)
        .await
        .unwrap();
    assert_eq!(ran.len(), 1);
    assert_eq!(ran[0].ended, Ended::Done);
    assert_eq!(
        ran[0].result.as_ref().map(|r| r.summary.clone()),
        Ok("removed=10250".to_string())
    );
    let mut left: Vec<String> = entity::notifications::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.kind)
        .collect();
    left.sort();
    assert_eq!(left, ["older_kept", "recent", "today"]);
    // Once a day: a second pass the same day finds the run done.
    let again = runner(&app, "node-b", &[Kind::PruneNotifications])
        .run_due(now)
        .await
        .unwrap();
    assert!(again.is_empty());
}
