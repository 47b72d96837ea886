//! `duta backup` and `duta restore`: the database and the upload folder, copied into one
//! backup folder and put back from it.
//!
//! - SQLite: `VACUUM INTO` writes a consistent, compact copy inside one read transaction.
//!   Duta keeps serving meanwhile (writers go on in the write-ahead log), and the copy
//!   holds every write committed before the backup began.
//! - PostgreSQL: `pg_dump --format=custom`, put back with `pg_restore` (the README has
//!   the same steps by hand). Both programs come with the PostgreSQL client.
//!
//! A backup folder holds `duta.db` or `duta.pgdump`, `uploads/`, and `manifest.json` with
//! the row count of every table, which a restore checks the restored database against.
//! A restore is for a stopped Duta: it keeps what it replaces beside it
//! (`*.before-restore-<time>`), and refuses a copy that fails SQLite's integrity check.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DbBackend, IsolationLevel, Statement,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};

use futures::{StreamExt, TryStreamExt};

use crate::config::{redact_url, AppConfig};
use crate::media::storage::Storage;

const SQLITE_FILE: &str = "duta.db";
const PG_FILE: &str = "duta.pgdump";
const UPLOADS: &str = "uploads";
const MANIFEST: &str = "manifest.json";

/// What a backup holds, written beside it as `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub duta_version: String,
    /// Rows per table in the copy.
    pub tables: BTreeMap<String, i64>,
    /// Files copied from the upload folder.
    pub uploads: u64,
}

#[derive(Debug)]
pub struct Done {
    pub dir: PathBuf,
    pub manifest: Manifest,
    /// Size of the database copy in bytes.
    pub bytes: u64,
    pub seconds: f64,
}

fn backend_name(b: DbBackend) -> &'static str {
    if b == DbBackend::Postgres {
        "postgres"
    } else {
        "sqlite"
    }
}

/// The backup folder used when none is given: `<data_dir>/backups/duta-<UTC time>`.
pub fn default_dir(cfg: &AppConfig) -> PathBuf {
    cfg.data_dir.join("backups").join(format!(
        "duta-{}",
        chrono::Utc::now().format("%Y%m%d-%H%M%S")
    ))
}

/// The SQLite file behind a `sqlite:` URL.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let file = rest.split('?').next().unwrap_or(rest);
    (!file.is_empty() && file != ":memory:").then(|| PathBuf::from(file))
}

/// Every table's row count (the migrations' bookkeeping table included).
pub async fn table_counts(db: &impl ConnectionTrait) -> Result<BTreeMap<String, i64>, String> {
    let backend = db.get_database_backend();
    let list = match backend {
        DbBackend::Postgres => {
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        }
        _ => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY 1"
        }
    };
    let names: Vec<String> = db
        .query_all_raw(Statement::from_string(backend, list))
        .await
        .map_err(|e| format!("cannot list the tables: {e}"))?
        .iter()
        .map(|r| r.try_get_by_index::<String>(0))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("cannot list the tables: {e}"))?;
    let mut counts = BTreeMap::new();
    for name in names {
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM \"{}\"",
            name.replace('"', "\"\"")
        );
        let n: i64 = db
            .query_one_raw(Statement::from_string(backend, sql))
            .await
            .map_err(|e| format!("cannot count {name}: {e}"))?
            .map(|r| r.try_get_by_index(0))
            .transpose()
            .map_err(|e| format!("cannot count {name}: {e}"))?
            .unwrap_or(0);
        counts.insert(name, n);
    }
    Ok(counts)
}

/// `PRAGMA integrity_check` of a SQLite file: `Ok` when it answers "ok".
pub async fn integrity_check(file: &Path) -> Result<(), String> {
    let url = format!("sqlite://{}?mode=ro", file.display());
    let db = sea_orm::Database::connect(&url)
        .await
        .map_err(|e| format!("cannot open {}: {e}", file.display()))?;
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await
        .map_err(|e| format!("integrity check of {} failed: {e}", file.display()));
    db.close().await.ok();
    let answers: Vec<String> = rows?
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect();
    if answers == ["ok"] {
        Ok(())
    } else {
        Err(format!(
            "{} fails the integrity check: {}",
            file.display(),
            answers.join("; ")
        ))
    }
}

/// How many stored files are copied at once (an S3 store answers faster side by side).
const COPIES_AT_ONCE: usize = 8;

/// Copies every stored file into `to/<first two characters>/<name>`, the layout of the
/// local upload folder, whichever store holds them; returns how many.
async fn copy_out(storage: &Storage, to: &Path) -> Result<u64, String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let names = storage
        .names()
        .await
        .map_err(|e| format!("cannot list the stored files: {e}"))?;
    let copied = futures::stream::iter(names)
        .map(|name| async move {
            let bytes = match storage.get(&name).await {
                Ok(bytes) => bytes,
                // Removed since it was listed (an erasure or a replaced image): its row
                // is gone too, or goes with the write under way.
                Err(crate::error::AppError::NotFound) => return Ok(0),
                Err(e) => return Err(format!("cannot read the stored file {name}: {e}")),
            };
            let folder = to.join(&name[..2]);
            std::fs::create_dir_all(&folder)
                .and_then(|()| std::fs::write(folder.join(&name), bytes))
                .map_err(|e| format!("cannot write {}: {e}", folder.join(&name).display()))?;
            Ok(1u64)
        })
        .buffer_unordered(COPIES_AT_ONCE)
        .try_fold(0u64, |n, one| async move { Ok(n + one) })
        .await?;
    Ok(copied)
}

/// Puts every file of a backup's `uploads/` back into the store. In an S3 store, files
/// the backup does not have are removed afterwards: no row of the restored database
/// names them, and they may hold personal data erased since.
async fn copy_in(from: &Path, storage: &Storage) -> Result<u64, String> {
    let mut files = Vec::new();
    let folders = match std::fs::read_dir(from) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(format!("cannot read {}: {e}", from.display())),
    };
    for folder in folders {
        let folder = folder.map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        if !folder.path().is_dir() {
            continue;
        }
        let entries = std::fs::read_dir(folder.path())
            .map_err(|e| format!("cannot read {}: {e}", folder.path().display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot read {}: {e}", from.display()))?;
            if let Some(name) = entry.file_name().to_str() {
                if crate::media::rules::is_stored_name(name) {
                    files.push((name.to_string(), entry.path()));
                }
            }
        }
    }
    let kept: std::collections::HashSet<String> = files.iter().map(|(n, _)| n.clone()).collect();
    let copied = futures::stream::iter(files)
        .map(|(name, path)| async move {
            let bytes = tokio::fs::read(&path)
                .await
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            storage
                .put(&name, bytes)
                .await
                .map_err(|e| format!("cannot store {name}: {e}"))?;
            Ok::<u64, String>(1)
        })
        .buffer_unordered(COPIES_AT_ONCE)
        .try_fold(0u64, |n, one| async move { Ok(n + one) })
        .await?;
    if storage.local_dir().is_none() {
        let extra: Vec<String> = storage
            .names()
            .await
            .map_err(|e| format!("cannot list the stored files: {e}"))?
            .into_iter()
            .filter(|n| !kept.contains(n))
            .collect();
        for name in extra {
            storage
                .delete(&name)
                .await
                .map_err(|e| format!("cannot remove {name}: {e}"))?;
        }
    }
    Ok(copied)
}

fn run(program: &str, args: &[&str]) -> Result<(), String> {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {program} (part of the PostgreSQL client): {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{program} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Takes a backup of the running database and the upload folder into `dir`, which must
/// not exist yet or be empty.
pub async fn backup(db: &DatabaseConnection, cfg: &AppConfig, dir: &Path) -> Result<Done, String> {
    let started = Instant::now();
    if std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(format!(
            "{} is not empty; a backup goes into a new folder",
            dir.display()
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let backend = db.get_database_backend();
    let (copy, tables) = if backend == DbBackend::Postgres {
        // The counts and the dump read one snapshot: the transaction exports it and
        // stays open while pg_dump runs.
        let txn = db
            .begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await
            .map_err(|e| format!("cannot begin the snapshot: {e}"))?;
        let snapshot: String = txn
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT pg_export_snapshot()",
            ))
            .await
            .map_err(|e| format!("cannot export a snapshot: {e}"))?
            .ok_or("no snapshot")?
            .try_get_by_index(0)
            .map_err(|e| format!("cannot export a snapshot: {e}"))?;
        let counts = table_counts(&txn).await?;
        let file = dir.join(PG_FILE);
        let target = file.display().to_string();
        let url = cfg.database_url.clone();
        tokio::task::spawn_blocking(move || {
            run(
                "pg_dump",
                &[
                    "--format=custom",
                    "--no-owner",
                    "--snapshot",
                    &snapshot,
                    "--file",
                    &target,
                    "--dbname",
                    &url,
                ],
            )
        })
        .await
        .map_err(|e| format!("pg_dump did not finish: {e}"))??;
        txn.commit().await.ok();
        (file, counts)
    } else {
        let file = dir.join(SQLITE_FILE);
        let target = file.display().to_string().replace('\'', "''");
        db.execute_unprepared(&format!("VACUUM INTO '{target}'"))
            .await
            .map_err(|e| format!("cannot copy the database: {e}"))?;
        integrity_check(&file).await?;
        let url = format!("sqlite://{}?mode=ro", file.display());
        let copy_db = sea_orm::Database::connect(&url)
            .await
            .map_err(|e| format!("cannot open the copy: {e}"))?;
        let counts = table_counts(&copy_db).await;
        copy_db.close().await.ok();
        (file, counts?)
    };
    let storage = Storage::from_config(cfg).map_err(|e| e.to_string())?;
    let uploads = copy_out(&storage, &dir.join(UPLOADS)).await?;
    let manifest = Manifest {
        created_at: chrono::Utc::now(),
        backend: backend_name(backend).into(),
        duta_version: env!("CARGO_PKG_VERSION").into(),
        tables,
        uploads,
    };
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    std::fs::write(dir.join(MANIFEST), text)
        .map_err(|e| format!("cannot write the manifest: {e}"))?;
    let bytes = std::fs::metadata(&copy).map(|m| m.len()).unwrap_or(0);
    Ok(Done {
        dir: dir.to_path_buf(),
        manifest,
        bytes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn read_manifest(dir: &Path) -> Result<Manifest, String> {
    let text = std::fs::read_to_string(dir.join(MANIFEST)).map_err(|e| {
        format!(
            "{} is not a Duta backup (no {MANIFEST}): {e}",
            dir.display()
        )
    })?;
    serde_json::from_str(&text).map_err(|e| format!("{MANIFEST} is unreadable: {e}"))
}

/// Moves `path` aside to `<path>.before-restore-<stamp>` when it exists.
fn keep_aside(path: &Path, stamp: &str) -> Result<(), String> {
    if !path.exists() {
        return Ok(());
    }
    let mut aside = path.as_os_str().to_owned();
    aside.push(format!(".before-restore-{stamp}"));
    std::fs::rename(path, &aside).map_err(|e| format!("cannot move {} aside: {e}", path.display()))
}

/// Puts a backup back in place of the configured database and upload folder (Duta must
/// be stopped), then checks the restored database against the manifest's row counts.
pub async fn restore(cfg: &AppConfig, dir: &Path) -> Result<Manifest, String> {
    let manifest = read_manifest(dir)?;
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S").to_string();
    let target_is_pg = cfg.database_url.starts_with("postgres");
    if (manifest.backend == "postgres") != target_is_pg {
        return Err(format!(
            "the backup is of a {} database, but Duta is configured for {}",
            manifest.backend,
            redact_url(&cfg.database_url)
        ));
    }
    if target_is_pg {
        let file = dir.join(PG_FILE);
        let source = file.display().to_string();
        run(
            "pg_restore",
            &[
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                &cfg.database_url,
                &source,
            ],
        )?;
    } else {
        let file = dir.join(SQLITE_FILE);
        integrity_check(&file).await?;
        let target = sqlite_path(&cfg.database_url)
            .ok_or_else(|| "the configured SQLite database is not a file".to_string())?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        // Copied next to the target first, so the swap is one rename.
        let mut incoming = target.as_os_str().to_owned();
        incoming.push(".restoring");
        let incoming = PathBuf::from(incoming);
        std::fs::copy(&file, &incoming)
            .map_err(|e| format!("cannot copy {}: {e}", file.display()))?;
        keep_aside(&target, &stamp)?;
        for suffix in ["-wal", "-shm"] {
            let mut side = target.as_os_str().to_owned();
            side.push(suffix);
            keep_aside(Path::new(&side), &stamp)?;
        }
        std::fs::rename(&incoming, &target)
            .map_err(|e| format!("cannot put {} in place: {e}", target.display()))?;
    }
    let storage = if cfg.s3.is_some() {
        Storage::from_config(cfg).map_err(|e| e.to_string())?
    } else {
        keep_aside(&cfg.upload_dir, &stamp)?;
        Storage::local(&cfg.upload_dir).map_err(|e| e.to_string())?
    };
    copy_in(&dir.join(UPLOADS), &storage).await?;
    let db = crate::db::connect(&cfg.database_url)
        .await
        .map_err(|e| format!("cannot open the restored database: {e}"))?;
    let counts = table_counts(&db).await;
    db.close().await.ok();
    let counts = counts?;
    let differ: Vec<String> = manifest
        .tables
        .iter()
        .filter(|(t, n)| counts.get(*t) != Some(n))
        .map(|(t, n)| format!("{t}: {n} in the backup, {:?} restored", counts.get(t)))
        .collect();
    if !differ.is_empty() {
        return Err(format!(
            "the restored database differs from the backup: {}",
            differ.join("; ")
        ));
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sqlite_file_comes_from_the_url() {
        assert_eq!(
            sqlite_path("sqlite:///var/duta/duta.db?mode=rwc"),
            Some(PathBuf::from("/var/duta/duta.db"))
        );
        assert_eq!(
            sqlite_path("sqlite://data/duta.db"),
            Some(PathBuf::from("data/duta.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x@h/db"), None);
    }
}
