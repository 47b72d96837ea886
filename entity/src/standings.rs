use sea_orm::entity::prelude::*;

/// One ambassador's figures on the board of one window (its length in weeks and the
/// Monday of its last week), with the key that ranks them: smaller is better.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "standings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub ambassador_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub weeks: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub week_of: Date,
    pub institution_id: i64,
    pub work_unit_id: i64,
    pub sort_name: String,
    pub eligible_weeks: i32,
    pub active_weeks: i32,
    pub current_streak: i32,
    pub best_streak: i32,
    pub verified_posts: i32,
    pub sort_key: i64,
}

impl ActiveModelBehavior for ActiveModel {}
