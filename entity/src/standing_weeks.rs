use sea_orm::entity::prelude::*;

/// A week whose standings are complete: every approved ambassador has their rows.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "standing_weeks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub week_of: Date,
    pub completed_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
