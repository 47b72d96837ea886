use sea_orm::entity::prelude::*;

/// Approved leave of an ambassador: grace weeks from `from_week` to `to_week` (Mondays).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "leaves")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ambassador_id: i64,
    pub from_week: Date,
    pub to_week: Date,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub recorded_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
