use sea_orm::entity::prelude::*;

/// A badge an ambassador earned, kept from the first time its rule was met.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "earned_badges")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ambassador_id: i64,
    pub badge: String,
    pub earned_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
