use sea_orm::entity::prelude::*;

/// One row per platform the programme knows: whether it is required and its follower threshold.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "platform_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub platform: String,
    pub required: bool,
    pub threshold: i32,
}

impl ActiveModelBehavior for ActiveModel {}
