use sea_orm::entity::prelude::*;

/// Verified submissions of one ambassador posted in one ISO week: the stored aggregate of
/// the leaderboard and the participation statistics. Per platform: verified posts, and
/// over those with counts their interactions (likes + comments + shares + saves) and the
/// followers they were sent with.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "week_activity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub ambassador_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub week_start: Date,
    pub verified_posts: i32,
    pub x_posts: i64,
    pub x_interactions: i64,
    pub x_followers: i64,
    pub instagram_posts: i64,
    pub instagram_interactions: i64,
    pub instagram_followers: i64,
    pub facebook_posts: i64,
    pub facebook_interactions: i64,
    pub facebook_followers: i64,
    pub tiktok_posts: i64,
    pub tiktok_interactions: i64,
    pub tiktok_followers: i64,
    pub youtube_posts: i64,
    pub youtube_interactions: i64,
    pub youtube_followers: i64,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
