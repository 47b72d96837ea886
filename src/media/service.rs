//! Storing and reading images. `MediaStore::store` runs the pipeline off Rocket's workers
//! (one `spawn_blocking` per upload, at most one per core), writes the image and its
//! thumbnail under random names, and records them; reads filter by the caller's scope in
//! the query, so an image out of scope is simply not found.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use chrono::Utc;
use rand::RngCore;
use rocket::http::ContentType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, Set,
};
use tokio::sync::Semaphore;

use super::pipeline::{process, Processed};
use super::rules::{MediaError, MAX_UPLOAD_BYTES};
use super::storage::Storage;
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

/// An upload whose files are stored but not yet recorded (see [`MediaStore::stage`]).
#[derive(Debug)]
pub struct Staged {
    main_name: String,
    thumb_name: String,
    content_type: &'static str,
    width: u32,
    height: u32,
    bytes: i64,
    sha256: String,
    phash: u64,
}

/// Where images live and how many may be decoded at once.
#[derive(Clone)]
pub struct MediaStore {
    /// The files: the local upload folder or an S3-compatible store.
    pub storage: Storage,
    /// One permit per core: a burst of uploads queues instead of decoding 40-megapixel
    /// images side by side until memory runs out.
    permits: Arc<Semaphore>,
    after_save: Option<AfterSave>,
}

impl MediaStore {
    pub fn new(storage: Storage) -> MediaStore {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        MediaStore {
            storage,
            permits: Arc::new(Semaphore::new(cores)),
            after_save: None,
        }
    }

    /// A store over a local folder (tests and tools).
    pub fn local(dir: &Path) -> AppResult<MediaStore> {
        Ok(MediaStore::new(Storage::local(dir)?))
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
        let staged = self.stage(processed).await?;
        self.record(db, owner_id, institution_id, kind, staged)
            .await
    }

    /// Writes a prepared upload and its thumbnail under a fresh random name without
    /// recording it, for a write that must know the files are stored before it changes
    /// anything else (a sign-up with screenshots). Then [`MediaStore::record`] it, or
    /// [`MediaStore::discard`] it when the rest of the write fails.
    pub async fn stage(&self, processed: Processed) -> AppResult<Staged> {
        let stem = random_stem();
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
        let staged = Staged {
            main_name: format!("{stem}.{}", format.extension()),
            thumb_name: format!("{stem}.thumb.{}", format.extension()),
            content_type: format.content_type(),
            width,
            height,
            bytes: main.len() as i64,
            sha256,
            phash,
        };
        self.storage.put(&staged.main_name, main).await?;
        if let Err(e) = self.storage.put(&staged.thumb_name, thumb).await {
            self.discard(&staged).await;
            return Err(e);
        }
        Ok(staged)
    }

    /// Removes the files of a staged upload that will not be recorded.
    pub async fn discard(&self, staged: &Staged) {
        self.storage
            .delete_quietly(&[staged.main_name.clone(), staged.thumb_name.clone()])
            .await;
    }

    /// Records a staged upload; if the row cannot be written, the files go.
    pub async fn record(
        &self,
        db: &DatabaseConnection,
        owner_id: i64,
        institution_id: Option<i64>,
        kind: &str,
        staged: Staged,
    ) -> AppResult<media::Model> {
        let row = media::ActiveModel {
            owner_id: Set(owner_id),
            institution_id: Set(institution_id),
            kind: Set(kind.to_string()),
            stored_name: Set(staged.main_name.clone()),
            thumb_name: Set(staged.thumb_name.clone()),
            content_type: Set(staged.content_type.to_string()),
            width: Set(staged.width as i32),
            height: Set(staged.height as i32),
            bytes: Set(staged.bytes),
            sha256: Set(staged.sha256.clone()),
            phash: Set(Some(i64::from_ne_bytes(staged.phash.to_ne_bytes()))),
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
                self.discard(&staged).await;
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
        let name = if thumb { &m.thumb_name } else { &m.stored_name };
        let bytes = self.storage.get(name).await?;
        Ok((content_type, bytes))
    }

    /// Removes the files of a media row (for erasure); the caller deletes the row.
    /// Files already gone are not an error.
    pub async fn delete(&self, m: &media::Model) -> AppResult<()> {
        self.storage.delete(&m.stored_name).await?;
        self.storage.delete(&m.thumb_name).await
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
        let mut written: Vec<String> = Vec::with_capacity(files.len());
        for bytes in files {
            let name = format!("{}.jpg", random_stem());
            if let Err(e) = self.storage.put(&name, bytes).await {
                self.storage.delete_quietly(&written).await;
                return Err(e);
            }
            written.push(name);
        }
        Ok(written)
    }

    /// Reads a stored file by its name.
    pub async fn read_named(&self, name: &str) -> AppResult<Vec<u8>> {
        self.storage.get(name).await
    }

    /// Removes stored files by name; files already gone are not an error, others are logged.
    pub async fn remove_named(&self, names: Vec<String>) {
        self.storage.delete_quietly(&names).await;
    }
}

/// 128 random bits as 32 hex characters.
fn random_stem() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

    fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
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

        let dir = s.store.storage.local_dir().unwrap();
        let main_path = dir.join(&m.stored_name[..2]).join(&m.stored_name);
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
        let files = files_under(s.store.storage.local_dir().unwrap());
        assert_eq!(files.len(), 2, "{files:?}");

        s.store.delete(&m).await.unwrap();
        assert!(files_under(s.store.storage.local_dir().unwrap()).is_empty());
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
        assert!(files_under(s.store.storage.local_dir().unwrap()).is_empty());
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
        assert!(files_under(s.store.storage.local_dir().unwrap()).is_empty());
        let m = s
            .store
            .save(&s.db, owner.id(), None, "evidence", ready)
            .await
            .unwrap();
        assert_eq!((m.width, m.height, m.kind.as_str()), (64, 32, "evidence"));
        assert_eq!(files_under(s.store.storage.local_dir().unwrap()).len(), 2);
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
        assert!(files_under(s.store.storage.local_dir().unwrap()).is_empty());
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
        for name in ["../../etc/passwd", "ab.jpg", "../x.jpg"] {
            assert!(matches!(
                s.store.read_named(name).await,
                Err(AppError::Internal(_))
            ));
            assert!(s.store.storage.put(name, vec![1]).await.is_err());
        }
    }
}
