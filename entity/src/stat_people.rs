use sea_orm::entity::prelude::*;

/// What an approved ambassador's share of `unit_weeks` was computed with.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stat_people")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub ambassador_id: i64,
    pub institution_id: i64,
    pub work_unit_id: i64,
    pub member_since: Option<Date>,
    pub x_followers: i64,
    pub instagram_followers: i64,
    pub facebook_followers: i64,
    pub tiktok_followers: i64,
    pub youtube_followers: i64,
    /// The membership breaks the share was computed with (`from/until` Mondays, comma
    /// separated, oldest first; `until` empty while the break lasts).
    #[sea_orm(column_type = "Text")]
    pub breaks: String,
    /// The member's last week with a verified post (kept with the share; the inactive
    /// list is found through it).
    pub last_verified_week: Option<Date>,
}

impl ActiveModelBehavior for ActiveModel {}
