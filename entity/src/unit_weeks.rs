use sea_orm::entity::prelude::*;

/// The participation figures of one work unit's approved ambassadors in one ISO week:
/// those who became members in it, and of the active ones those who posted (in all and
/// per platform), their verified posts, reach (latest follower counts) and the
/// interactions and followers of their posts with counts.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "unit_weeks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub work_unit_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub week_start: Date,
    pub institution_id: i64,
    pub joined: i64,
    pub posting: i64,
    pub x_posting: i64,
    pub instagram_posting: i64,
    pub facebook_posting: i64,
    pub tiktok_posting: i64,
    pub youtube_posting: i64,
    pub x_posts: i64,
    pub instagram_posts: i64,
    pub facebook_posts: i64,
    pub tiktok_posts: i64,
    pub youtube_posts: i64,
    pub x_reach: i64,
    pub instagram_reach: i64,
    pub facebook_reach: i64,
    pub tiktok_reach: i64,
    pub youtube_reach: i64,
    pub x_interactions: i64,
    pub instagram_interactions: i64,
    pub facebook_interactions: i64,
    pub tiktok_interactions: i64,
    pub youtube_interactions: i64,
    pub x_followers: i64,
    pub instagram_followers: i64,
    pub facebook_followers: i64,
    pub tiktok_followers: i64,
    pub youtube_followers: i64,
}

impl ActiveModelBehavior for ActiveModel {}
