use sea_orm::entity::prelude::*;

/// A post an ambassador submitted for a brief on one platform: pending, verified or
/// rejected. `post_key` is unique across Duta; `slot` is set while pending or verified.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "submissions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ambassador_id: i64,
    pub brief_id: i64,
    pub platform: String,
    #[sea_orm(column_type = "Text")]
    pub url: String,
    #[sea_orm(unique)]
    pub post_key: String,
    #[sea_orm(unique)]
    pub slot: Option<String>,
    pub posted_at: DateTimeUtc,
    /// The Monday of `posted_at`'s ISO week in the programme's time zone.
    pub week_start: Date,
    pub screenshot_media_id: Option<i64>,
    pub likes: Option<i64>,
    pub comments: Option<i64>,
    pub shares: Option<i64>,
    pub saves: Option<i64>,
    /// pending, verified or rejected
    pub status: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub auto_verified: bool,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    /// The ambassador's work unit when they sent it (the statistics count it there).
    pub work_unit_id: Option<i64>,
    /// The ambassador's follower count on the platform when they sent it.
    pub followers: Option<i64>,
    /// Posted before the brief's deadline (as it was when sent).
    pub on_time: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
