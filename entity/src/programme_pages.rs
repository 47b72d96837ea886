use sea_orm::entity::prelude::*;

/// An institution's public programme page as its coordinators wrote it.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programme_pages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub institution_id: i64,
    pub headline: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub updated_by: Option<i64>,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
