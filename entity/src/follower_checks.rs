use sea_orm::entity::prelude::*;

/// Every follower count ever recorded for a platform account, for history and integrity checks.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follower_checks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ambassador_platform_id: i64,
    pub method: String,
    pub follower_count: Option<i64>,
    /// ok, not_found, unavailable or rate_limited
    pub outcome: String,
    pub checked_by: Option<i64>,
    pub checked_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
