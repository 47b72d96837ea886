use sea_orm::entity::prelude::*;

/// A certificate of participation: an ambassador, a period, and that period's figures
/// when it was issued.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ambassador_id: i64,
    pub institution_id: i64,
    pub period_from: Date,
    pub period_to: Date,
    pub active_weeks: i32,
    pub verified_posts: i32,
    pub lessons_completed: i32,
    pub issued_by: Option<i64>,
    pub issued_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
