use sea_orm::entity::prelude::*;

/// Weeks an ambassador was out of the programme (`kind`: `suspended` or `removed`), from
/// the Monday `from_week` until the Monday `until_week` (exclusive; none while it lasts).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "membership_breaks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ambassador_id: i64,
    pub kind: String,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub from_week: Date,
    pub until_week: Option<Date>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub ended_by: Option<i64>,
    pub ended_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
