//! Where stored files live: one interface (the `object_store` crate) over the local upload
//! folder (the default) or an S3-compatible store (`storage.s3`). Every file Duta keeps
//! (screenshots, brief images and their platform variants, thumbnails) goes through
//! [`Storage`], named `<first two characters>/<name>` under the folder or the bucket's
//! prefix, so a node serves any file whichever node stored it, and a backup reads the
//! same names from either.
//!
//! A store that cannot be reached is `AppError::StorageDown` (503, "nothing was stored"),
//! a full disk `AppError::StorageFull`, a missing file `NotFound`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};

use super::rules::is_stored_name;
use crate::config::S3Config;
use crate::error::{AppError, AppResult};

/// How long one request to an S3 store may take before the store counts as down.
const S3_TIMEOUT: Duration = Duration::from_secs(10);
const S3_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// The stored files, wherever they are.
#[derive(Clone)]
pub struct Storage {
    inner: Arc<dyn ObjectStore>,
    /// The folder inside the bucket (empty for the local folder, which is its own root).
    prefix: Option<ObjectPath>,
    /// The local folder, when files are on this machine's disk.
    local_dir: Option<PathBuf>,
    /// For messages and logs: "the folder …" or "s3://bucket/prefix at endpoint".
    place: String,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.place)
    }
}

impl Storage {
    /// Files in `dir` on this machine (created when missing).
    pub fn local(dir: &Path) -> AppResult<Storage> {
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::io("cannot create the upload folder", e))?;
        let inner = LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| AppError::internal(format!("the upload folder {}: {e}", dir.display())))?;
        Ok(Storage {
            inner: Arc::new(inner),
            prefix: None,
            local_dir: Some(dir.to_path_buf()),
            place: format!("the folder {}", dir.display()),
        })
    }

    /// Files in an S3-compatible bucket. Nothing is contacted here: a store that is down
    /// at start makes uploads answer 503 until it is back, not the node fail to start.
    pub fn s3(cfg: &S3Config) -> AppResult<Storage> {
        let mut builder = AmazonS3Builder::from_env()
            .with_endpoint(&cfg.endpoint)
            .with_bucket_name(&cfg.bucket)
            .with_region(&cfg.region)
            // After the client options, which would reset it.
            .with_client_options(
                ClientOptions::new()
                    .with_timeout(S3_TIMEOUT)
                    .with_connect_timeout(S3_CONNECT_TIMEOUT),
            )
            .with_allow_http(cfg.endpoint.starts_with("http://"))
            .with_retry(RetryConfig {
                max_retries: 2,
                retry_timeout: S3_TIMEOUT,
                ..RetryConfig::default()
            });
        if let (Some(id), Some(secret)) = (&cfg.access_key_id, &cfg.secret_access_key) {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret);
        }
        let inner = builder
            .build()
            .map_err(|e| AppError::internal(format!("storage.s3: {e}")))?;
        let prefix = (!cfg.prefix.is_empty()).then(|| ObjectPath::from(cfg.prefix.as_str()));
        Ok(Storage {
            inner: Arc::new(inner),
            prefix,
            local_dir: None,
            place: format!("s3://{}/{} at {}", cfg.bucket, cfg.prefix, cfg.endpoint),
        })
    }

    /// The store the configuration names: `storage.s3` when set, else `upload_dir`.
    pub fn from_config(cfg: &crate::config::AppConfig) -> AppResult<Storage> {
        match &cfg.s3 {
            Some(s3) => Storage::s3(s3),
            None => Storage::local(&cfg.upload_dir),
        }
    }

    /// The local folder, when files live on this machine.
    pub fn local_dir(&self) -> Option<&Path> {
        self.local_dir.as_deref()
    }

    /// Where the files are, for messages.
    pub fn place(&self) -> &str {
        &self.place
    }

    /// `<prefix>/<first two characters>/<name>`, for names of the shape Duta gives only.
    fn location(&self, name: &str) -> AppResult<ObjectPath> {
        if !is_stored_name(name) {
            return Err(AppError::internal(format!(
                "refusing the stored name {name:?}"
            )));
        }
        Ok(match &self.prefix {
            Some(prefix) => prefix.clone().join(&name[..2]).join(name),
            None => ObjectPath::from(format!("{}/{name}", &name[..2])),
        })
    }

    /// Stores `bytes` under `name`, replacing nothing (names are fresh and random). On the
    /// local disk `object_store` writes the file under a temporary name and renames it, so
    /// a crash never leaves half a file under a real name; the file and its folder are
    /// then synced before the answer, so a stored row never points at a file a power cut
    /// took back.
    pub async fn put(&self, name: &str, bytes: Vec<u8>) -> AppResult<()> {
        let location = self.location(name)?;
        self.inner
            .put(&location, PutPayload::from(bytes))
            .await
            .map_err(|e| self.error("cannot store a file", e))?;
        if let Some(dir) = &self.local_dir {
            let path = dir.join(&name[..2]).join(name);
            tokio::task::spawn_blocking(move || sync_file_and_folder(&path))
                .await
                .map_err(AppError::internal)?
                .map_err(|e| AppError::io("cannot sync a stored file", e))?;
        }
        Ok(())
    }

    /// The bytes stored under `name`; `NotFound` when there is no such file.
    pub async fn get(&self, name: &str) -> AppResult<Vec<u8>> {
        let location = self.location(name)?;
        let result = match self.inner.get(&location).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => {
                tracing::warn!(name, place = %self.place, "a stored file is missing");
                return Err(AppError::NotFound);
            }
            Err(e) => return Err(self.error("cannot read a stored file", e)),
        };
        let bytes = result
            .bytes()
            .await
            .map_err(|e| self.error("cannot read a stored file", e))?;
        Ok(bytes.to_vec())
    }

    /// Removes the file `name`; one already gone is not an error.
    pub async fn delete(&self, name: &str) -> AppResult<()> {
        let location = self.location(name)?;
        match self.inner.delete(&location).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.error("cannot remove a stored file", e)),
        }
    }

    /// Removes files by name, logging (not failing on) the ones that cannot be removed:
    /// for clearing up after a change that is already stored.
    pub async fn delete_quietly(&self, names: &[String]) {
        for name in names {
            if let Err(e) = self.delete(name).await {
                tracing::warn!(name, error = %e, "cannot remove a stored file");
            }
        }
    }

    /// Every stored file's name (for backups), in no particular order. Temporary files of
    /// writes under way and anything not named the way Duta names files are left out.
    pub async fn names(&self) -> AppResult<Vec<String>> {
        let listed: Vec<object_store::ObjectMeta> = self
            .inner
            .list(self.prefix.as_ref())
            .try_collect()
            .await
            .map_err(|e| self.error("cannot list the stored files", e))?;
        Ok(listed
            .into_iter()
            .filter_map(|meta| meta.location.filename().map(str::to_string))
            .filter(|name| is_stored_name(name))
            .collect())
    }

    /// An object-store failure as the answer it deserves: a full local disk is
    /// `StorageFull`, an S3 store that cannot be reached or refuses is `StorageDown`.
    fn error(&self, what: &str, e: object_store::Error) -> AppError {
        if self.local_dir.is_some() {
            if let Some(io) = io_error_in(&e) {
                if io.kind() == std::io::ErrorKind::StorageFull {
                    return AppError::StorageFull(format!("{what}: {e}"));
                }
            }
            AppError::internal(format!("{what} in {}: {e}", self.place))
        } else {
            AppError::StorageDown(format!("{what} in {}: {e}", self.place))
        }
    }
}

/// The `std::io::Error` somewhere in the chain of an object-store error, if any.
fn io_error_in(e: &object_store::Error) -> Option<&std::io::Error> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        cause = c.source();
    }
    None
}

/// Makes a written file and the folder entry naming it durable.
fn sync_file_and_folder(path: &Path) -> std::io::Result<()> {
    std::fs::File::open(path)?.sync_all()?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The S3 store at `DUTA_TEST_S3_URL` (`http://host:port/bucket`) under a fresh prefix.
    fn test_s3() -> Option<Storage> {
        let url = std::env::var("DUTA_TEST_S3_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        let (endpoint, bucket) = url.trim_end_matches('/').rsplit_once('/')?;
        Some(
            Storage::s3(&S3Config {
                endpoint: endpoint.into(),
                bucket: bucket.into(),
                region: "us-east-1".into(),
                access_key_id: Some("duta-test".into()),
                secret_access_key: Some("duta-test-secret-key".into()),
                prefix: format!("unit-{:016x}", rand::random::<u64>()),
            })
            .unwrap(),
        )
    }

    fn name(byte: &str, ext: &str) -> String {
        format!("{}.{ext}", byte.repeat(16))
    }

    /// What every store does: files written are read back, listed by name, removed; a
    /// missing file is NotFound; removing one twice is fine.
    async fn behaves_like_a_store(s: &Storage) {
        let (a, b) = (name("ab", "jpg"), name("cd", "thumb.jpg"));
        assert!(s.names().await.unwrap().is_empty());
        s.put(&a, vec![1, 2, 3]).await.unwrap();
        s.put(&b, vec![4; 100_000]).await.unwrap();
        assert_eq!(s.get(&a).await.unwrap(), vec![1, 2, 3]);
        assert_eq!(s.get(&b).await.unwrap().len(), 100_000);
        let mut names = s.names().await.unwrap();
        names.sort();
        assert_eq!(names, vec![a.clone(), b.clone()]);
        s.delete(&a).await.unwrap();
        s.delete(&a).await.unwrap();
        assert!(matches!(s.get(&a).await, Err(AppError::NotFound)));
        assert_eq!(s.names().await.unwrap(), vec![b.clone()]);
        // Names Duta never gives are refused before anything is touched.
        for bad in ["../../etc/passwd", "ab.jpg", "ab/../../x.jpg"] {
            assert!(matches!(s.get(bad).await, Err(AppError::Internal(_))));
            assert!(s.put(bad, vec![1]).await.is_err());
        }
        s.delete_quietly(&[b]).await;
        assert!(s.names().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn the_local_folder_is_a_store() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::local(&dir.path().join("uploads")).unwrap();
        behaves_like_a_store(&s).await;
        // Files sit at <folder>/<first two characters>/<name>, as before object storage.
        let n = name("ef", "png");
        s.put(&n, vec![9]).await.unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("uploads/ef").join(&n)).unwrap(),
            vec![9]
        );
        // Other files in the folder are not Duta's and are not listed.
        std::fs::write(dir.path().join("uploads/notes.txt"), b"x").unwrap();
        assert_eq!(s.names().await.unwrap(), vec![n]);
    }

    #[tokio::test]
    async fn an_s3_bucket_is_a_store_and_prefixes_keep_apart() {
        let (Some(one), Some(two)) = (test_s3(), test_s3()) else {
            return;
        };
        behaves_like_a_store(&one).await;
        let n = name("12", "jpg");
        one.put(&n, vec![7]).await.unwrap();
        assert!(two.names().await.unwrap().is_empty());
        assert!(matches!(two.get(&n).await, Err(AppError::NotFound)));
        one.delete(&n).await.unwrap();
    }

    /// A store nobody answers at: every write and read is StorageDown (503), soon.
    #[tokio::test]
    async fn a_store_that_is_down_says_so_quickly() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let s = Storage::s3(&S3Config {
            endpoint: format!("http://127.0.0.1:{port}"),
            bucket: "duta".into(),
            region: "us-east-1".into(),
            access_key_id: Some("k".into()),
            secret_access_key: Some("s".into()),
            prefix: String::new(),
        })
        .unwrap();
        let started = std::time::Instant::now();
        let n = name("ab", "jpg");
        assert!(matches!(
            s.put(&n, vec![1]).await,
            Err(AppError::StorageDown(_))
        ));
        assert!(matches!(s.get(&n).await, Err(AppError::StorageDown(_))));
        assert!(matches!(s.names().await, Err(AppError::StorageDown(_))));
        assert!(
            started.elapsed() < S3_TIMEOUT * 3,
            "took {:?}",
            started.elapsed()
        );
    }
}
