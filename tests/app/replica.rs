//! Statistics and exports read a streaming replica (`database_read_url`) unless it has not
//! replayed the reader's own last write. Needs a real PostgreSQL primary with a replica
//! that applies each commit 5 s late: `DUTA_TEST_PG_REPLICA` holds the two server URLs,
//! `postgres://postgres@127.0.0.1:5441/postgres postgres://postgres@127.0.0.1:5442`
//! (`.ci/run` starts them with `deploy/cluster.sh pg-start`). Without it the test has
//! nothing to run against and passes by doing nothing; CI always sets it.

use std::time::{Duration, Instant};

use rocket::http::{Cookie, Header, Status};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;

use crate::submissions::submit;
use crate::support::{approve, uuid_like, TestApp};

/// The primary's WAL position now.
async fn position(db: &impl ConnectionTrait) -> String {
    db.query_one_raw(Statement::from_string(
        DbBackend::Postgres,
        "SELECT CAST(pg_current_wal_lsn() AS TEXT)",
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get_by_index(0)
    .unwrap()
}

/// Waits (at most 60 s) until the replica at `url` has replayed `lsn`.
async fn replayed(url: &str, lsn: &str) {
    let started = Instant::now();
    loop {
        if let Ok(db) = sea_orm::Database::connect(url).await {
            let done = db
                .query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    format!("SELECT pg_last_wal_replay_lsn() >= CAST('{lsn}' AS pg_lsn)"),
                ))
                .await
                .ok()
                .flatten()
                .and_then(|r| r.try_get_by_index::<bool>(0).ok())
                .unwrap_or(false);
            db.close().await.ok();
            if done {
                return;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the replica did not replay {lsn} within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The coordinator's statistics as their browser reads them (session cookie, and the
/// write mark when given), from the weekly table's download: who answered, and how many
/// ambassadors posted this week (the last row's fourth column).
async fn posting_now(app: &TestApp, session: &str, mark: Option<&str>) -> (bool, i64) {
    let mut req = app
        .client
        .get("/stats/export/weeks.csv")
        .cookie(Cookie::new("duta_session", session.to_string()));
    if let Some(m) = mark {
        req = req.cookie(Cookie::new("duta_wal", m.to_string()));
    }
    let resp = req.dispatch().await;
    assert_eq!(resp.status(), Status::Ok);
    let replica = resp.headers().get_one("X-Duta-Read") == Some("replica");
    let csv = resp.into_string().await.unwrap();
    let last = csv.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
    let sep = if last.contains(';') { ';' } else { ',' };
    let posting = last
        .split(sep)
        .nth(3)
        .unwrap()
        .trim_matches('"')
        .parse()
        .unwrap();
    (replica, posting)
}

#[rocket::async_test]
async fn a_lagging_replica_never_hides_ones_own_write() {
    let Some(pair) = std::env::var("DUTA_TEST_PG_REPLICA")
        .ok()
        .filter(|p| !p.is_empty())
    else {
        return;
    };
    let (primary, replica) = pair
        .split_once(' ')
        .expect("DUTA_TEST_PG_REPLICA is 'primary-url replica-server-url'");
    let name = format!("duta_t_{}", uuid_like());
    let admin = sea_orm::Database::connect(primary).await.unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    admin.close().await.ok();
    let (server, _) = primary.rsplit_once('/').unwrap();
    let replica_url = format!("{}/{name}", replica.trim_end_matches('/'));
    let app = TestApp::spawn_with_database(
        format!("{server}/{name}"),
        &[("database_read_url", json!(replica_url))],
    )
    .await;

    let inst = app.institution("Kementerian Satu").await;
    let unit = app.work_unit(inst, None, "Ditjen A").await;
    let coordinator = app
        .user("coordinator", "koordinator@duta.test", Some(inst), None)
        .await;
    let session = app.token(coordinator).await;
    let (amb, user) = app.candidate(inst, unit, 1).await;
    approve(&app, amb).await;
    let brief = crate::briefs::published(&app, &session, &[], &[]).await;
    let posted = (chrono::Utc::now() - chrono::Duration::minutes(10)).to_rfc3339();
    let (status, sub) = submit(
        &app,
        &app.token(user).await,
        json!({"brief_id": brief, "platform": "instagram",
               "url": "https://www.instagram.com/p/Creplica1/", "posted_at": posted}),
    )
    .await;
    assert_eq!(status, Status::Created, "{sub}");
    replayed(&replica_url, &position(&app.db).await).await;

    // Nobody has written since the replica caught up: the figures come from it.
    assert_eq!(posting_now(&app, &session, None).await, (true, 0));

    // The coordinator verifies the post on the page; the answer marks the write.
    let resp = app
        .form(
            &format!("/submissions/{}/verify", sub["id"]),
            Some(&session),
            &[],
        )
        .await;
    assert!(resp.status().code < 400, "{}", resp.status());
    let mark = resp
        .headers()
        .get("Set-Cookie")
        .find_map(|c| c.strip_prefix("duta_wal="))
        .map(|c| c.split(';').next().unwrap().to_string())
        .expect("a write marks its position");
    // Their next read, at once: from the primary, with the post counted.
    assert_eq!(posting_now(&app, &session, Some(&mark)).await, (false, 1));
    // The same figures on a browser without the mark (another coordinator) come from
    // the replica, which has not applied the write yet: the read is really split.
    assert_eq!(posting_now(&app, &session, None).await, (true, 0));
    // A mark that is not a WAL position reads the primary, and nothing breaks.
    assert_eq!(
        posting_now(&app, &session, Some("0/0' OR 1=1 --")).await,
        (false, 1)
    );
    // A script with a bearer token reads the primary.
    let resp = app
        .client
        .get("/api/v1/stats/participation")
        .header(Header::new("Authorization", format!("Bearer {session}")))
        .dispatch()
        .await;
    assert_eq!(resp.status(), Status::Ok);
    assert_eq!(resp.headers().get_one("X-Duta-Read"), None);

    // Once the replica has applied it, the mark lets the replica answer again.
    replayed(&replica_url, &mark).await;
    assert_eq!(posting_now(&app, &session, Some(&mark)).await, (true, 1));
    assert_eq!(posting_now(&app, &session, None).await, (true, 1));
}
