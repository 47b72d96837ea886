use sea_orm::entity::prelude::*;

/// Per platform and week of posting: the verified posts that carry counts, their
/// interactions and their followers when posted. The programme's engagement norm on a
/// platform is read from the latest twelve rows. Changed in the same transaction as every
/// verification and reversal.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "platform_weeks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub platform: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub week_start: Date,
    pub posts: i64,
    pub interactions: i64,
    pub followers: i64,
}

impl ActiveModelBehavior for ActiveModel {}
