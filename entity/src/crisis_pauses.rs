use sea_orm::entity::prelude::*;

/// A crisis pause of an institution's briefs; open while `ended_at` is empty.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "crisis_pauses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub institution_id: i64,
    #[sea_orm(column_type = "Text")]
    pub notice: String,
    pub started_at: DateTimeUtc,
    pub started_by: i64,
    pub ended_at: Option<DateTimeUtc>,
    pub ended_by: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
