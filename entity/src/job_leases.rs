use sea_orm::entity::prelude::*;

/// Which app node holds the current run of a background job, and until when; a node
/// whose lease has expired (it stopped mid-run) is replaced by the next one that asks.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_leases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub job: String,
    /// The random id an app node draws at start.
    pub holder: String,
    pub expires_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
