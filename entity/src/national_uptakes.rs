use sea_orm::entity::prelude::*;

/// What one institution did with a national brief: `waiting`, `adopted` (its own brief
/// `brief_id`) or `declined` (with `reason`).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "national_uptakes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub national_brief_id: i64,
    pub institution_id: i64,
    pub state: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub brief_id: Option<i64>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
