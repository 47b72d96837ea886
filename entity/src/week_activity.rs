use sea_orm::entity::prelude::*;

/// Verified submissions of one ambassador posted in one ISO week: the leaderboard's
/// stored aggregate.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "week_activity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub ambassador_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub week_start: Date,
    pub verified_posts: i32,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
