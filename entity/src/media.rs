use sea_orm::entity::prelude::*;

/// An uploaded image, re-encoded; the files live under the upload folder by random names.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "media")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub owner_id: i64,
    pub institution_id: Option<i64>,
    pub kind: String,
    #[sea_orm(unique)]
    pub stored_name: String,
    pub thumb_name: String,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub sha256: String,
    pub created_at: DateTimeUtc,
    /// A 64-bit perceptual hash (dHash) of the image, to find the same picture again.
    pub phash: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
