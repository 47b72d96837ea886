//! The restore drill: a backup taken while 20 writers write holds every write they had
//! been told was stored, restores into a new database that passes its checks, and the
//! restored aggregates equal a rebuild from the restored submissions.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

use crate::support::{empty_database_url, fresh_database_url, TestApp};

/// One writer: stores notifications until told to stop; returns (id, when acknowledged).
async fn writer(
    db: sea_orm::DatabaseConnection,
    user_id: i64,
    stop: Arc<AtomicBool>,
) -> Vec<(i64, Instant)> {
    let mut acked = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        let txn = duta::db::begin_write(&db).await.expect("begin");
        let row = entity::notifications::ActiveModel {
            user_id: Set(user_id),
            kind: Set("drill".into()),
            brief_id: Set(None),
            created_at: Set(Utc::now()),
            read_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .expect("insert");
        txn.commit().await.expect("commit");
        acked.push((row.id, Instant::now()));
        tokio::task::yield_now().await;
    }
    acked
}

#[rocket::async_test]
async fn a_backup_under_twenty_writers_restores_with_every_acknowledged_write() {
    let app = TestApp::spawn().await;
    let rocket = app.client.rocket();
    let hasher = duta::state::part::<duta::auth::passwords::Hasher>(rocket).unwrap();
    let cfg = duta::state::part::<duta::config::AppConfig>(rocket)
        .unwrap()
        .clone();
    duta::seed::bench::seed_bench(&app.db, hasher, 120, 4)
        .await
        .expect("seed");
    // A stored file, in the upload folder or the S3 store the node uses.
    let storage = duta::media::storage::Storage::from_config(&cfg).unwrap();
    let drill = format!("{}.jpg", "d1".repeat(16));
    storage
        .put(&drill, b"an uploaded file".to_vec())
        .await
        .unwrap();
    let user_id = entity::users::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;

    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..20)
        .map(|_| tokio::spawn(writer(app.db.clone(), user_id, stop.clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("backup");
    let began = Instant::now();
    let done = duta::backup::backup(&app.db, &cfg, &target)
        .await
        .expect("backup");
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.store(true, Ordering::SeqCst);
    let mut acked = Vec::new();
    for w in writers {
        acked.extend(w.await.unwrap());
    }
    let before: Vec<i64> = acked
        .iter()
        .filter(|(_, at)| *at < began)
        .map(|(id, _)| *id)
        .collect();
    assert!(
        before.len() >= 20,
        "the writers wrote before the backup ({} rows)",
        before.len()
    );
    assert!(
        acked.len() > before.len(),
        "the writers went on writing during the backup"
    );
    assert_eq!(done.manifest.uploads, 1);
    assert!(done.manifest.tables["ambassadors"] >= 120);
    // A second backup into the same folder is refused.
    let again = duta::backup::backup(&app.db, &cfg, &target).await;
    assert!(again.unwrap_err().contains("not empty"));

    // Restored into a new database and upload folder, as on a new machine.
    let mut restored = cfg.clone();
    restored.database_url = empty_database_url(dir.path()).await;
    restored.upload_dir = dir.path().join("uploads-restored");
    if let Some(s3) = restored.s3.as_mut() {
        s3.prefix = format!("{}-restored", s3.prefix);
    }
    let restored_storage = duta::media::storage::Storage::from_config(&restored).unwrap();
    // A file the backup does not have, already in the store restored into.
    let stray = format!("{}.jpg", "5a".repeat(16));
    restored_storage
        .put(&stray, b"not in the backup".to_vec())
        .await
        .unwrap();
    let manifest = duta::backup::restore(&restored, &target)
        .await
        .expect("restore");
    assert_eq!(manifest.tables, done.manifest.tables);
    assert_eq!(
        restored_storage.get(&drill).await.unwrap(),
        b"an uploaded file"
    );
    // The restored store holds what the backup holds: on the local disk the folder that
    // was there is kept aside, in an S3 store the stray file is removed.
    assert_eq!(restored_storage.names().await.unwrap(), vec![drill.clone()]);
    let db = duta::db::connect(&restored.database_url).await.unwrap();
    let present = entity::notifications::Entity::find()
        .filter(entity::notifications::Column::Id.is_in(before.clone()))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(
        present as usize,
        before.len(),
        "an acknowledged write is missing"
    );
    if let Some(file) = duta::backup::sqlite_path(&restored.database_url) {
        duta::backup::integrity_check(&file)
            .await
            .expect("integrity");
    }
    let corrections = duta::leaderboard::service::rebuild(&db).await.unwrap();
    assert!(corrections.is_empty(), "{corrections:?}");
    db.close().await.ok();

    // A folder that is not a backup is refused, and nothing is touched.
    let err = duta::backup::restore(&restored, dir.path())
        .await
        .unwrap_err();
    assert!(err.contains("not a Duta backup"), "{err}");
}

/// A free port on the loopback interface.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn duta(dir: &std::path::Path, url: &str, port: u16) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_duta"));
    cmd.env("DUTA_DATA_DIR", dir)
        .env("DUTA_DATABASE_URL", url)
        .env("DUTA_PORT", port.to_string())
        .env("DUTA_LOG", "error")
        .env("DUTA_JOBS", "{enabled=false}")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    cmd
}

/// Verifies and reverts the given posts, over and over, as the coordinator.
async fn flipper(http: reqwest::Client, base: String, token: String, ids: Vec<i64>) {
    for n in 0.. {
        let id = ids[n % ids.len()];
        for action in ["revert", "verify"] {
            let sent = http
                .post(format!("{base}/api/v1/submissions/{id}/{action}"))
                .bearer_auth(&token)
                .json(&serde_json::json!({}))
                .send()
                .await;
            if sent.is_err() {
                return; // the server was killed
            }
        }
    }
}

#[rocket::async_test]
async fn twenty_kills_during_writes_leave_the_database_whole_and_the_aggregates_right() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path()).await;
    let seeded = duta(dir.path(), &url, free_port())
        .args(["seed", "--bench", "--ambassadors", "40", "--weeks", "2"])
        .status()
        .unwrap();
    assert!(seeded.success());
    let db = duta::db::connect(&url).await.unwrap();
    let ids: Vec<i64> = entity::submissions::Entity::find()
        .filter(entity::submissions::Column::Status.eq("verified"))
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .take(40)
        .collect();
    assert!(ids.len() >= 10, "the seed has verified posts to flip");
    let audited = |db: sea_orm::DatabaseConnection| async move {
        entity::audit_log::Entity::find()
            .filter(entity::audit_log::Column::TargetType.eq("submission"))
            .count(&db)
            .await
            .unwrap()
    };
    let http = reqwest::Client::new();
    for round in 0..20u64 {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let mut server = duta(dir.path(), &url, port).spawn().unwrap();
        let started = Instant::now();
        while http.get(format!("{base}/healthz")).send().await.is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "duta did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let login: serde_json::Value = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({
                "email": "coordinator1@bench.duta.id",
                "password": duta::seed::bench::BENCH_PASSWORD,
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = login["token"].as_str().unwrap().to_string();
        let flippers: Vec<_> = (0..8)
            .map(|k| {
                let mine: Vec<i64> = ids.iter().copied().skip(k).step_by(8).collect();
                tokio::spawn(flipper(http.clone(), base.clone(), token.clone(), mine))
            })
            .collect();
        // Killed at a different moment of the writes each round.
        tokio::time::sleep(Duration::from_millis(150 + (round * 37) % 250)).await;
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        for f in flippers {
            f.await.unwrap();
        }
    }
    assert!(
        audited(db.clone()).await >= 20,
        "the rounds wrote before they were killed"
    );
    if let Some(file) = duta::backup::sqlite_path(&url) {
        duta::backup::integrity_check(&file)
            .await
            .expect("integrity");
    }
    let corrections = duta::leaderboard::service::rebuild(&db).await.unwrap();
    assert!(corrections.is_empty(), "{corrections:?}");
}
