//! A brief's images: stored once through the media module (checked before decoding,
//! re-encoded, no EXIF), then cropped around the coordinator's focal point into one
//! variant per platform format. Ambassadors who can read the brief download a variant,
//! or all of them as a zip.

use std::collections::BTreeMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::service::{get_brief_for, get_managed_brief, BriefImageView};
use super::variants::{self, render_variants, zip_of};
use crate::audit::record as audit;
use crate::auth::guards::CurrentUser;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::http::client_ip::ClientIp;
use crate::media::service::MediaStore;
use entity::{brief_images, media};

/// At most this many images per brief.
pub const MAX_IMAGES: usize = 10;
pub const MAX_ALT_CHARS: usize = 300;
/// An image's description for screen readers.
pub const ALT: crate::text::Text = crate::text::Text::line(0, MAX_ALT_CHARS);

/// A focal point typed as percentages (0–100) of width and height, in thousandths; the
/// centre for a coordinate not given.
pub fn focal_from_percent(x: Option<f64>, y: Option<f64>, errors: &mut FieldErrors) -> (i32, i32) {
    let (x, y) = focal_given(x, y, errors);
    (x.unwrap_or(500), y.unwrap_or(500))
}

/// Like [`focal_from_percent`], `None` for a coordinate not given (or refused).
pub fn focal_given(
    x: Option<f64>,
    y: Option<f64>,
    errors: &mut FieldErrors,
) -> (Option<i32>, Option<i32>) {
    let mut one = |field: &str, v: Option<f64>| match v {
        None => None,
        Some(p) if p.is_finite() && (0.0..=100.0).contains(&p) => Some((p * 10.0).round() as i32),
        Some(_) => {
            errors.add(field, Msg::new("briefs.focal_invalid"));
            None
        }
    };
    (one("focal_x", x), one("focal_y", y))
}

fn view(row: &brief_images::Model) -> BriefImageView {
    let names: BTreeMap<String, String> = serde_json::from_str(&row.variants).unwrap_or_default();
    BriefImageView {
        id: row.id,
        media_id: row.media_id,
        alt: row.alt.clone(),
        focal_x: row.focal_x,
        focal_y: row.focal_y,
        focal_percent: ((row.focal_x + 5) / 10, (row.focal_y + 5) / 10),
        variants: names.into_keys().collect(),
    }
}

/// Renders and writes the variants of a stored original; returns `{variant: stored name}`.
async fn write_variants(
    store: &MediaStore,
    original: Vec<u8>,
    focal_x: i32,
    focal_y: i32,
) -> AppResult<BTreeMap<String, String>> {
    let (fx, fy) = (f64::from(focal_x) / 1000.0, f64::from(focal_y) / 1000.0);
    let rendered = store
        .run_blocking(move || render_variants(&original, fx, fy))
        .await?
        .map_err(AppError::from)?;
    let keys: Vec<&'static str> = rendered.iter().map(|v| v.key).collect();
    let names = store
        .write_jpegs(rendered.into_iter().map(|v| v.jpeg).collect())
        .await?;
    Ok(keys.into_iter().map(str::to_string).zip(names).collect())
}

/// Checks and stores an upload as a brief's original and renders its variants around the
/// focal point; returns the media row and `{variant: stored name}`. Anything refused
/// leaves no file.
async fn store_image(
    db: &DatabaseConnection,
    store: &MediaStore,
    user: &CurrentUser,
    institution_id: i64,
    bytes: Vec<u8>,
    focal: (i32, i32),
) -> AppResult<(media::Model, BTreeMap<String, String>)> {
    let processed = store.prepare(bytes).await?;
    let names = write_variants(store, processed.main.clone(), focal.0, focal.1).await?;
    match store
        .save(db, user.id(), Some(institution_id), "brief", processed)
        .await
    {
        Ok(m) => Ok((m, names)),
        Err(e) => {
            store.remove_named(names.into_values().collect()).await;
            Err(e)
        }
    }
}

/// Adds an image to a brief the coordinator manages: checks and stores the upload, renders
/// its variants around the focal point and records it. Anything refused leaves no file.
#[allow(clippy::too_many_arguments)]
pub async fn add_image(
    db: &DatabaseConnection,
    store: &MediaStore,
    mailer: &crate::notify::Mailer,
    user: &CurrentUser,
    brief_id: i64,
    bytes: Vec<u8>,
    focal: (i32, i32),
    alt: &str,
    ip: &ClientIp,
) -> AppResult<BriefImageView> {
    let brief = get_managed_brief(db, user, brief_id).await?;
    let mut errors = FieldErrors::new();
    let alt = ALT.clean(alt).unwrap_or_else(|| {
        errors.add(
            "alt",
            Msg::new("briefs.alt_invalid").arg("max", MAX_ALT_CHARS),
        );
        String::new()
    });
    let existing = brief_images::Entity::find()
        .filter(brief_images::Column::BriefId.eq(brief_id))
        .all(db)
        .await?;
    if existing.len() >= MAX_IMAGES {
        errors.add(
            "file",
            Msg::conflict("briefs.too_many_images").arg("max", MAX_IMAGES),
        );
    }
    errors.into_result()?;

    let (stored, names) = store_image(db, store, user, brief.institution_id, bytes, focal).await?;
    let row = brief_images::ActiveModel {
        brief_id: Set(brief_id),
        media_id: Set(stored.id),
        focal_x: Set(focal.0),
        focal_y: Set(focal.1),
        alt: Set(alt),
        variants: Set(serde_json::to_string(&names).map_err(AppError::internal)?),
        // After the last one (a deleted image leaves a gap, not a clash).
        position: Set(existing.iter().map(|e| e.position + 1).max().unwrap_or(0)),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    let saved = match row.insert(db).await {
        Ok(r) => r,
        Err(e) => {
            store.remove_named(names.into_values().collect()).await;
            if let Err(e) = store.delete(&stored).await {
                tracing::warn!(error = %e, "cannot remove an image after a failed insert");
            }
            media::Entity::delete_by_id(stored.id).exec(db).await?;
            return Err(e.into());
        }
    };
    audit::record(
        db,
        audit::Entry {
            actor: Some(user),
            action: "brief.image_add",
            target_type: "brief",
            target_id: Some(brief_id),
            institution_id: Some(brief.institution_id),
            detail: serde_json::json!({ "image_id": saved.id, "media_id": stored.id }),
            ip: Some(ip),
        },
    )
    .await?;
    super::service::tell_changed(db, mailer, brief_id).await;
    Ok(view(&saved))
}

async fn image_of(
    db: &DatabaseConnection,
    brief_id: i64,
    image_id: i64,
) -> AppResult<brief_images::Model> {
    image_of_on(db, brief_id, image_id).await
}

async fn image_of_on(
    db: &impl sea_orm::ConnectionTrait,
    brief_id: i64,
    image_id: i64,
) -> AppResult<brief_images::Model> {
    brief_images::Entity::find_by_id(image_id)
        .filter(brief_images::Column::BriefId.eq(brief_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Moves the focal point of an image and renders its variants again; the old variant
/// files go once the new ones are recorded.
pub async fn set_focal(
    db: &DatabaseConnection,
    store: &MediaStore,
    user: &CurrentUser,
    brief_id: i64,
    image_id: i64,
    focal: (i32, i32),
) -> AppResult<BriefImageView> {
    get_managed_brief(db, user, brief_id).await?;
    let row = image_of(db, brief_id, image_id).await?;
    let original_row = media::Entity::find_by_id(row.media_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let original = store.read_named(&original_row.stored_name).await?;
    let names = write_variants(store, original, focal.0, focal.1).await?;
    let old: BTreeMap<String, String> = serde_json::from_str(&row.variants).unwrap_or_default();
    let mut m: brief_images::ActiveModel = row.into();
    m.focal_x = Set(focal.0);
    m.focal_y = Set(focal.1);
    m.variants = Set(serde_json::to_string(&names).map_err(AppError::internal)?);
    let saved = match m.update(db).await {
        Ok(r) => r,
        Err(e) => {
            store.remove_named(names.into_values().collect()).await;
            return Err(e.into());
        }
    };
    store.remove_named(old.into_values().collect()).await;
    Ok(view(&saved))
}

/// Replaces the file of an image, keeping its place among the brief's images: the new
/// upload is checked and stored like a new image and cropped around the focal point given
/// (the old one when none is); `alt` replaces the description when given. The old files go
/// once the new ones are recorded; a download already under way finishes with the old
/// picture, and the next one gets the new.
#[allow(clippy::too_many_arguments)]
pub async fn replace_image(
    db: &DatabaseConnection,
    store: &MediaStore,
    mailer: &crate::notify::Mailer,
    user: &CurrentUser,
    brief_id: i64,
    image_id: i64,
    bytes: Vec<u8>,
    focal: (Option<i32>, Option<i32>),
    alt: Option<&str>,
    ip: &ClientIp,
) -> AppResult<BriefImageView> {
    let brief = get_managed_brief(db, user, brief_id).await?;
    let row = image_of(db, brief_id, image_id).await?;
    let alt = match alt {
        None => row.alt.clone(),
        Some(a) => ALT.clean(a).ok_or_else(|| {
            AppError::Validation(FieldErrors::single(
                "alt",
                Msg::new("briefs.alt_invalid").arg("max", MAX_ALT_CHARS),
            ))
        })?,
    };
    let (fx, fy) = (
        focal.0.unwrap_or(row.focal_x),
        focal.1.unwrap_or(row.focal_y),
    );
    let (stored, names) =
        store_image(db, store, user, brief.institution_id, bytes, (fx, fy)).await?;
    let written = async {
        let txn = crate::db::begin_write(db).await?;
        // Read again inside the write: deleted meanwhile is 404.
        let current = image_of_on(&txn, brief_id, image_id).await?;
        let old_media = media::Entity::find_by_id(current.media_id)
            .one(&txn)
            .await?;
        let old_variants: BTreeMap<String, String> =
            serde_json::from_str(&current.variants).unwrap_or_default();
        let mut m: brief_images::ActiveModel = current.into();
        m.media_id = Set(stored.id);
        m.focal_x = Set(fx);
        m.focal_y = Set(fy);
        m.alt = Set(alt.clone());
        m.variants = Set(serde_json::to_string(&names).map_err(AppError::internal)?);
        let saved = m.update(&txn).await?;
        if let Some(old) = &old_media {
            media::Entity::delete_by_id(old.id).exec(&txn).await?;
        }
        audit::record(
            &txn,
            audit::Entry {
                actor: Some(user),
                action: "brief.image_replace",
                target_type: "brief",
                target_id: Some(brief_id),
                institution_id: Some(brief.institution_id),
                detail: serde_json::json!({ "image_id": image_id, "media_id": stored.id,
                                            "old_media_id": old_media.as_ref().map(|m| m.id) }),
                ip: Some(ip),
            },
        )
        .await?;
        txn.commit().await?;
        Ok::<_, AppError>((saved, old_media, old_variants))
    }
    .await;
    match written {
        Ok((saved, old_media, old_variants)) => {
            if let Some(old) = old_media {
                if let Err(e) = store.delete(&old).await {
                    tracing::warn!(media_id = old.id, error = %e, "a replaced image file stays on disk");
                }
            }
            store
                .remove_named(old_variants.into_values().collect())
                .await;
            super::service::tell_changed(db, mailer, brief_id).await;
            Ok(view(&saved))
        }
        Err(e) => {
            store.remove_named(names.into_values().collect()).await;
            if let Err(e) = store.delete(&stored).await {
                tracing::warn!(error = %e, "cannot remove an image after a failed replacement");
            }
            media::Entity::delete_by_id(stored.id).exec(db).await?;
            Err(e)
        }
    }
}

/// Deletes an image of a brief the coordinator manages: its row and stored original in one
/// transaction, the files after. A download already under way finishes; one that starts
/// after answers 404, and a zip of all images is built from those still there.
pub async fn delete_image(
    db: &DatabaseConnection,
    store: &MediaStore,
    mailer: &crate::notify::Mailer,
    user: &CurrentUser,
    brief_id: i64,
    image_id: i64,
    ip: &ClientIp,
) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    let brief = get_managed_brief(&txn, user, brief_id).await?;
    let row = image_of_on(&txn, brief_id, image_id).await?;
    let original = media::Entity::find_by_id(row.media_id).one(&txn).await?;
    brief_images::Entity::delete_by_id(row.id)
        .exec(&txn)
        .await?;
    if let Some(m) = &original {
        media::Entity::delete_by_id(m.id).exec(&txn).await?;
    }
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(user),
            action: "brief.image_delete",
            target_type: "brief",
            target_id: Some(brief_id),
            institution_id: Some(brief.institution_id),
            detail: serde_json::json!({ "image_id": row.id, "media_id": row.media_id, "alt": row.alt }),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    if let Some(m) = original {
        if let Err(e) = store.delete(&m).await {
            tracing::warn!(media_id = m.id, error = %e, "a deleted image's file stays on disk");
        }
    }
    let variants: BTreeMap<String, String> =
        serde_json::from_str(&row.variants).unwrap_or_default();
    store.remove_named(variants.into_values().collect()).await;
    super::service::tell_changed(db, mailer, brief_id).await;
    Ok(())
}

/// One variant (or the thumbnail, `thumb`) of an image of a brief the user can read, with
/// a file name for downloading.
pub async fn variant_file(
    db: &DatabaseConnection,
    store: &MediaStore,
    user: &CurrentUser,
    brief_id: i64,
    image_id: i64,
    key: &str,
) -> AppResult<(String, Vec<u8>)> {
    get_brief_for(db, user, brief_id).await?;
    let row = image_of(db, brief_id, image_id).await?;
    if key == "thumb" {
        let m = media::Entity::find_by_id(row.media_id)
            .one(db)
            .await?
            .ok_or(AppError::NotFound)?;
        let (_, bytes) = store.open(&m, true).await?;
        return Ok((format!("brief-{brief_id}-{image_id}-thumb.jpg"), bytes));
    }
    let names: BTreeMap<String, String> = serde_json::from_str(&row.variants).unwrap_or_default();
    let name = names.get(key).ok_or(AppError::NotFound)?;
    let bytes = store.read_named(name).await?;
    Ok((format!("brief-{brief_id}-{image_id}-{key}.jpg"), bytes))
}

/// Every variant of every image of a brief the user can read, as one zip.
pub async fn zip_all(
    db: &DatabaseConnection,
    store: &MediaStore,
    user: &CurrentUser,
    brief_id: i64,
) -> AppResult<Vec<u8>> {
    get_brief_for(db, user, brief_id).await?;
    let rows = brief_images::Entity::find()
        .filter(brief_images::Column::BriefId.eq(brief_id))
        .order_by_asc(brief_images::Column::Position)
        .order_by_asc(brief_images::Column::Id)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    let mut files = Vec::new();
    for (n, row) in rows.iter().enumerate() {
        let names: BTreeMap<String, String> =
            serde_json::from_str(&row.variants).unwrap_or_default();
        for spec in variants::VARIANTS.iter() {
            if let Some(name) = names.get(spec.key) {
                let bytes = match store.read_named(name).await {
                    Ok(b) => b,
                    // Deleted or replaced while the zip was being built: left out.
                    Err(AppError::NotFound) => continue,
                    Err(e) => return Err(e),
                };
                files.push((
                    format!(
                        "brief-{brief_id}-{}-{}-{}x{}.jpg",
                        n + 1,
                        spec.key,
                        spec.width,
                        spec.height
                    ),
                    bytes,
                ));
            }
        }
    }
    if files.is_empty() {
        return Err(AppError::NotFound);
    }
    store
        .run_blocking(move || zip_of(&files))
        .await?
        .map_err(|e| AppError::internal(format!("cannot build the zip: {e:?}")))
}
