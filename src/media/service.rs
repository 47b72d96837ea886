//! Storing and reading images. `MediaStore::store` runs the pipeline off Rocket's workers
//! (one `spawn_blocking` per upload, at most one per core), writes the image and its
//! thumbnail under random names, and records them; reads filter by the caller's scope in
//! the query, so an image out of scope is simply not found.

use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use rand::RngCore;
use rocket::http::ContentType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, Set,
};
use tokio::sync::Semaphore;

use super::pipeline::{process, Processed};
use super::rules::{is_stored_name, MediaError, MAX_UPLOAD_BYTES};
use crate::auth::guards::CurrentUser;
use crate::auth::roles::{Role, Scope};
use crate::error::{AppError, AppResult};
use entity::media;

/// What runs after an image was recorded (the application sets the integrity checks of
/// screenshots here, so that storing images knows nothing of them).
pub type AfterSave = Arc<
    dyn Fn(DatabaseConnection, media::Model) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>>
        + Send
        + Sync,
>;

/// Where images live and how many may be decoded at once.
#[derive(Clone)]
pub struct MediaStore {
    pub dir: PathBuf,
    /// One permit per core: a burst of uploads queues instead of decoding 40-megapixel
    /// images side by side until memory runs out.
    permits: Arc<Semaphore>,
    after_save: Option<AfterSave>,
}

impl MediaStore {
    pub fn new(dir: &Path) -> MediaStore {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        MediaStore {
            dir: dir.to_path_buf(),
            permits: Arc::new(Semaphore::new(cores)),
            after_save: None,
        }
    }

    /// The same store, running `after` once each image is recorded.
    pub fn after_saving(self, after: AfterSave) -> MediaStore {
        MediaStore {
            after_save: Some(after),
            ..self
        }
    }

    /// Checks, re-encodes and stores an upload with its thumbnail, and records it.
    /// Refusals the uploader can fix come back as field errors on `file`
    /// (`media.not_image`, `media.too_many_pixels`, `media.corrupt`); more than
    /// 15 MiB is `TooLarge`.
    pub async fn store(
        &self,
        db: &DatabaseConnection,
        owner_id: i64,
        institution_id: Option<i64>,
        kind: &str,
        bytes: Vec<u8>,
    ) -> AppResult<media::Model> {
        let processed = self.prepare(bytes).await?;
        self.save(db, owner_id, institution_id, kind, processed)
            .await
    }

    /// The first half of `store`: checks and re-encodes an upload without writing
    /// anything, so a form with several files can refuse them all before storing one.
    /// Errors as for `store`.
    pub async fn prepare(&self, bytes: Vec<u8>) -> AppResult<Processed> {
        if bytes.len() > MAX_UPLOAD_BYTES {
            return Err(AppError::TooLarge);
        }
        self.run_pipeline(bytes).await.map_err(|e| {
            tracing::debug!(error = %e, "upload refused");
            AppError::from(e)
        })
    }

    /// The second half of `store`: writes a prepared upload and its thumbnail under a
    /// fresh random name and records it; if the row cannot be written, the files go too.
    pub async fn save(
        &self,
        db: &DatabaseConnection,
        owner_id: i64,
        institution_id: Option<i64>,
        kind: &str,
        processed: Processed,
    ) -> AppResult<media::Model> {
        let stem = random_stem();
        let main_name = format!("{stem}.{}", processed.format.extension());
        let thumb_name = format!("{stem}.thumb.{}", processed.format.extension());
        let main_path = self.path_of(&main_name)?;
        let thumb_path = self.path_of(&thumb_name)?;

        let Processed {
            format,
            width,
            height,
            main,
            thumb,
            sha256,
            phash,
            ..
        } = processed;
        let byte_count = main.len() as i64;
        let paths = [main_path.clone(), thumb_path.clone()];
        let written = tokio::task::spawn_blocking(move || {
            write_atomically(&paths[0], &main)?;
            if let Err(e) = write_atomically(&paths[1], &thumb) {
                remove_quietly(&paths[0]);
                return Err(e);
            }
            Ok(())
        })
        .await
        .map_err(AppError::internal)?;
        written.map_err(|e| AppError::io("cannot write an upload", e))?;

        let row = media::ActiveModel {
            owner_id: Set(owner_id),
            institution_id: Set(institution_id),
            kind: Set(kind.to_string()),
            stored_name: Set(main_name),
            thumb_name: Set(thumb_name),
            content_type: Set(format.content_type().to_string()),
            width: Set(width as i32),
            height: Set(height as i32),
            bytes: Set(byte_count),
            sha256: Set(sha256),
            phash: Set(Some(i64::from_ne_bytes(phash.to_ne_bytes()))),
            created_at: Set(Utc::now()),
            ..Default::default()
        };
        match row.insert(db).await {
            Ok(model) => {
                if let Some(after) = &self.after_save {
                    after(db.clone(), model.clone()).await;
                }
                Ok(model)
            }
            Err(e) => {
                let paths = [main_path, thumb_path];
                let removed =
                    tokio::task::spawn_blocking(move || paths.iter().for_each(remove_quietly))
                        .await;
                if let Err(join) = removed {
                    tracing::warn!(error = %join, "could not remove the files of a failed upload");
                }
                Err(e.into())
            }
        }
    }

    /// Runs the pipeline in one `spawn_blocking` (image's decoders are not `Send`) once a
    /// permit is free. The permit moves into the blocking task, so it is held until the
    /// work really ends even if the request is dropped meanwhile.
    async fn run_pipeline(&self, bytes: Vec<u8>) -> Result<Processed, MediaError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| MediaError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(move || {
            let processed = process(&bytes);
            drop(permit);
            processed
        })
        .await
        .map_err(|e| MediaError::Internal(e.to_string()))?
    }

    /// The stored image (or its thumbnail) and its content type.
    pub async fn open(&self, m: &media::Model, thumb: bool) -> AppResult<(ContentType, Vec<u8>)> {
        let content_type = match m.content_type.as_str() {
            "image/jpeg" => ContentType::JPEG,
            "image/png" => ContentType::PNG,
            other => {
                return Err(AppError::internal(format!(
                    "media {} has an unexpected content type {other:?}",
                    m.id
                )))
            }
        };
        let path = self.path_of(if thumb { &m.thumb_name } else { &m.stored_name })?;
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok((content_type, bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tracing::warn!(media = m.id, path = %path.display(), "a media file is missing");
                Err(AppError::NotFound)
            }
            Err(e) => Err(AppError::internal(format!(
                "cannot read {}: {e}",
                path.display()
            ))),
        }
    }

    /// Removes the files of a media row (for erasure); the caller deletes the row.
    /// Files already gone are not an error.
    pub async fn delete(&self, m: &media::Model) -> AppResult<()> {
        for name in [&m.stored_name, &m.thumb_name] {
            let path = self.path_of(name)?;
            match tokio::fs::remove_file(&path).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(AppError::internal(format!(
                        "cannot remove {}: {e}",
                        path.display()
                    )))
                }
            }
        }
        Ok(())
    }

    /// Runs image work off Rocket's workers once a decode permit is free (one per core),
    /// for work beyond the upload pipeline, like a brief's platform variants.
    pub async fn run_blocking<T, F>(&self, work: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(AppError::internal)?;
        tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        })
        .await
        .map_err(AppError::internal)
    }

    /// Writes derived JPEG files (variants of a stored image) under fresh random names,
    /// all or none; returns the names in order.
    pub async fn write_jpegs(&self, files: Vec<Vec<u8>>) -> AppResult<Vec<String>> {
        let mut named = Vec::with_capacity(files.len());
        for bytes in files {
            let name = format!("{}.jpg", random_stem());
            named.push((self.path_of(&name)?, name, bytes));
        }
        tokio::task::spawn_blocking(move || {
            let mut written: Vec<PathBuf> = Vec::new();
            for (path, _, bytes) in &named {
                if let Err(e) = write_atomically(path, bytes) {
                    written.iter().for_each(remove_quietly);
                    return Err(AppError::internal(format!("cannot write an image: {e}")));
                }
                written.push(path.clone());
            }
            Ok(named.into_iter().map(|(_, name, _)| name).collect())
        })
        .await
        .map_err(AppError::internal)?
    }

    /// Reads a stored file by its name.
    pub async fn read_named(&self, name: &str) -> AppResult<Vec<u8>> {
        let path = self.path_of(name)?;
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tracing::warn!(path = %path.display(), "a stored file is missing");
                Err(AppError::NotFound)
            }
            Err(e) => Err(AppError::internal(format!(
                "cannot read {}: {e}",
                path.display()
            ))),
        }
    }

    /// Removes stored files by name; files already gone are not an error, others are logged.
    pub async fn remove_named(&self, names: Vec<String>) {
        let paths: Vec<PathBuf> = names.iter().filter_map(|n| self.path_of(n).ok()).collect();
        if let Err(e) =
            tokio::task::spawn_blocking(move || paths.iter().for_each(remove_quietly)).await
        {
            tracing::warn!(error = %e, "could not remove stored files");
        }
    }

    /// `<dir>/<first two characters>/<name>`, for names of the shape Duta gives only.
    pub fn path_of(&self, name: &str) -> AppResult<PathBuf> {
        if !is_stored_name(name) {
            return Err(AppError::internal(format!(
                "refusing the stored name {name:?}"
            )));
        }
        Ok(self.dir.join(&name[..2]).join(name))
    }
}

/// 128 random bits as 32 hex characters.
fn random_stem() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes to a hidden temporary name in the same folder, syncs, then renames, so a crash
/// never leaves a half-written file under a real name.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("a stored path has no folder"))?;
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| std::io::Error::other("a stored path has no name"))?;
    let tmp = dir.join(format!(".{name}.tmp"));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        remove_quietly(&tmp);
    }
    result
}

fn remove_quietly(path: &PathBuf) {
    if let Err(e) = std::fs::remove_file(path) {
        if e.kind() != std::io::ErrorKind::NotFound {
            tracing::warn!(path = %path.display(), error = %e, "cannot remove a file");
        }
    }
}

/// The media row `id` when the user may see it: their own; any, for admins and national
/// users; their institution's, for coordinators and leadership.
pub async fn find_media_for(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
) -> AppResult<Option<media::Model>> {
    let own = media::Column::OwnerId.eq(user.id());
    let visible = match (user.role, user.scope()) {
        (_, Scope::All) => Condition::all(),
        (Role::Coordinator | Role::Leadership, Scope::Institution { institution_id, .. }) => {
            Condition::any()
                .add(own)
                .add(media::Column::InstitutionId.eq(institution_id))
        }
        _ => Condition::all().add(own),
    };
    Ok(media::Entity::find_by_id(id)
        .filter(visible)
        .one(db)
        .await?)
}

/// The bytes of media `id` (or of its thumbnail) for a user in scope; NotFound otherwise.
pub async fn get_media_file_for(
    db: &DatabaseConnection,
    user: &CurrentUser,
    store: &MediaStore,
    id: i64,
    thumb: bool,
) -> AppResult<(ContentType, Vec<u8>)> {
    let m = find_media_for(db, user, id)
        .await?
        .ok_or(AppError::NotFound)?;
    store.open(&m, thumb).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::testdata::{self, institution, setup, user};
    use sea_orm::PaginatorTrait;

    fn files_under(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    out.extend(files_under(&p));
                } else {
                    out.push(p);
                }
            }
        }
        out
    }

    fn field_key(err: AppError) -> String {
        match err {
            AppError::Validation(f) => f.0["file"][0].key.clone(),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn an_upload_is_stored_reencoded_and_recorded() {
        let s = setup().await;
        let inst = institution(&s.db, "Kementerian A").await;
        let owner = user(&s.db, Role::Ambassador, Some(inst)).await;
        let m = s
            .store
            .store(
                &s.db,
                owner.id(),
                Some(inst),
                "screenshot",
                testdata::jpeg_with_exif(40, 20, 6),
            )
            .await
            .unwrap();
        assert_eq!((m.width, m.height), (20, 40));
        assert_eq!(m.content_type, "image/jpeg");
        assert_eq!(m.kind, "screenshot");
        assert!(m.stored_name.ends_with(".jpg") && m.stored_name.len() == 36);
        assert!(m.thumb_name.ends_with(".thumb.jpg"));

        let main_path = s.store.path_of(&m.stored_name).unwrap();
        assert_eq!(
            main_path.parent().unwrap().file_name().unwrap().to_str(),
            Some(&m.stored_name[..2])
        );
        let stored = std::fs::read(&main_path).unwrap();
        assert_eq!(m.bytes, stored.len() as i64);
        assert_eq!(m.sha256, crate::media::pipeline::sha256_hex(&stored));
        assert!(!stored.windows(4).any(|w| w == b"Exif"));
        assert!(!stored
            .windows(testdata::GPS_MARKER.len())
            .any(|w| w == testdata::GPS_MARKER));

        let (ct, thumb) = s.store.open(&m, true).await.unwrap();
        assert_eq!(ct, ContentType::JPEG);
        let t = image::load_from_memory(&thumb).unwrap();
        assert!(t.width() <= 320 && t.height() <= 320);
        // No temporary file is left behind.
        let files = files_under(&s.store.dir);
        assert_eq!(files.len(), 2, "{files:?}");

        s.store.delete(&m).await.unwrap();
        assert!(files_under(&s.store.dir).is_empty());
        s.store.delete(&m).await.unwrap();
    }

    #[tokio::test]
    async fn refusals_are_field_errors_and_leave_nothing() {
        let s = setup().await;
        let owner = user(&s.db, Role::Ambassador, None).await;
        let cases = [
            (b"not a picture at all".to_vec(), "media.not_image"),
            (
                testdata::png_declaring(100_000, 100_000),
                "media.too_many_pixels",
            ),
            (
                {
                    let j = testdata::jpeg(200, 100);
                    j[..j.len() / 2].to_vec()
                },
                "media.corrupt",
            ),
        ];
        for (bytes, key) in cases {
            let err = s
                .store
                .store(&s.db, owner.id(), None, "screenshot", bytes)
                .await
                .unwrap_err();
            assert_eq!(field_key(err), key);
        }
        let huge = vec![0u8; MAX_UPLOAD_BYTES + 1];
        let err = s
            .store
            .store(&s.db, owner.id(), None, "screenshot", huge)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::TooLarge));
        assert_eq!(media::Entity::find().count(&s.db).await.unwrap(), 0);
        assert!(files_under(&s.store.dir).is_empty());
    }

    #[tokio::test]
    async fn prepare_writes_nothing_and_save_stores_what_it_prepared() {
        let s = setup().await;
        let owner = user(&s.db, Role::Ambassador, None).await;
        let err = s
            .store
            .prepare(b"GIF89a\x01\x00\x01\x00 and no picture".to_vec())
            .await;
        assert_eq!(field_key(err.unwrap_err()), "media.corrupt");
        let ready = s.store.prepare(testdata::jpeg(64, 32)).await.unwrap();
        assert!(files_under(&s.store.dir).is_empty());
        let m = s
            .store
            .save(&s.db, owner.id(), None, "evidence", ready)
            .await
            .unwrap();
        assert_eq!((m.width, m.height, m.kind.as_str()), (64, 32, "evidence"));
        assert_eq!(files_under(&s.store.dir).len(), 2);
    }

    #[tokio::test]
    async fn a_failed_insert_removes_the_files() {
        let s = setup().await;
        // No such user: the owner foreign key fails.
        let err = s
            .store
            .store(&s.db, 999_999, None, "screenshot", testdata::jpeg(30, 30))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Db(_)), "{err:?}");
        assert!(files_under(&s.store.dir).is_empty());
    }

    #[tokio::test]
    async fn each_role_sees_only_media_in_scope() {
        let s = setup().await;
        let a = institution(&s.db, "Kementerian A").await;
        let b = institution(&s.db, "Kementerian B").await;
        let owner = user(&s.db, Role::Ambassador, Some(a)).await;
        let m = s
            .store
            .store(
                &s.db,
                owner.id(),
                Some(a),
                "screenshot",
                testdata::jpeg(30, 30),
            )
            .await
            .unwrap();

        let sees = [
            (owner.clone(), true),
            (user(&s.db, Role::Ambassador, Some(a)).await, false),
            (user(&s.db, Role::Coordinator, Some(a)).await, true),
            (user(&s.db, Role::Leadership, Some(a)).await, true),
            (user(&s.db, Role::Coordinator, Some(b)).await, false),
            (user(&s.db, Role::Leadership, Some(b)).await, false),
            (user(&s.db, Role::Coordinator, None).await, false),
            (user(&s.db, Role::National, None).await, true),
            (user(&s.db, Role::Admin, None).await, true),
        ];
        for (u, expected) in sees {
            let found = find_media_for(&s.db, &u, m.id).await.unwrap();
            assert_eq!(found.is_some(), expected, "{:?}", u.role);
            let file = get_media_file_for(&s.db, &u, &s.store, m.id, false).await;
            assert_eq!(file.is_ok(), expected, "{:?}", u.role);
            if !expected {
                assert!(matches!(file, Err(AppError::NotFound)));
            }
        }
        let admin = user(&s.db, Role::Admin, None).await;
        assert!(matches!(
            get_media_file_for(&s.db, &admin, &s.store, m.id + 1, true).await,
            Err(AppError::NotFound)
        ));
    }

    #[tokio::test]
    async fn unexpected_names_never_reach_the_filesystem() {
        let s = setup().await;
        assert!(s.store.path_of("../../etc/passwd").is_err());
        assert!(s.store.path_of("ab.jpg").is_err());
    }
}
