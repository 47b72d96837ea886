use sea_orm::entity::prelude::*;

/// How many runs of a job ended one way (`done`, `failed`) or were tried again
/// (`retried`); counted when they end, never lowered.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_run_totals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub job: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub outcome: String,
    pub runs: i64,
}

impl ActiveModelBehavior for ActiveModel {}
