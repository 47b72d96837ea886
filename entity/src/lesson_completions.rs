use sea_orm::entity::prelude::*;

/// An ambassador passed a lesson's questions (at `version`).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lesson_completions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub lesson_id: i64,
    pub ambassador_id: i64,
    pub version: i32,
    pub completed_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
