use sea_orm::entity::prelude::*;

/// A weekly content brief. `facts`, `hashtags`, `mentions` and `platforms` hold JSON
/// arrays; `status` is draft, scheduled, published or closed.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "briefs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub institution_id: i64,
    /// Like `2026-W48`.
    pub week: String,
    /// The Monday of `week`, for ordering and ranges.
    pub week_start: Date,
    pub title: String,
    pub category: String,
    #[sea_orm(column_type = "Text")]
    pub key_messages: String,
    #[sea_orm(column_type = "Text")]
    pub facts: String,
    #[sea_orm(column_type = "Text")]
    pub hashtags: String,
    #[sea_orm(column_type = "Text")]
    pub mentions: String,
    #[sea_orm(column_type = "Text")]
    pub dos: String,
    #[sea_orm(column_type = "Text")]
    pub donts: String,
    #[sea_orm(column_type = "Text")]
    pub sample: String,
    #[sea_orm(column_type = "Text")]
    pub platforms: String,
    pub deadline: DateTimeUtc,
    /// normal or urgent
    pub priority: String,
    /// institution or units
    pub audience: String,
    pub status: String,
    pub publish_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    /// When the audience was told; set once, by whoever claims the telling.
    pub notified_at: Option<DateTimeUtc>,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
