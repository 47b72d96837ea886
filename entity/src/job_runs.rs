use sea_orm::entity::prelude::*;

/// One run of a background job. `state` is `due` (waiting to be claimed), `running`
/// (claimed by `claimed_by` until `claimed_until`, which that node extends while it
/// runs), `done` or `failed` (given up after the last attempt). `error` is the last
/// attempt's error, `summary` what a finished run did.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub job: String,
    pub due_at: DateTimeUtc,
    pub state: String,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<DateTimeUtc>,
    pub attempts: i32,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub summary: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
