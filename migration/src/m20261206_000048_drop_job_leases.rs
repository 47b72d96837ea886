use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The lease rows of the background jobs are gone: each run is a row of `job_runs`
/// (migration 46), claimed there. A lease only said who ran a job for a while, so
/// nothing is lost; `down` brings the empty table back.
#[derive(DeriveIden)]
enum JobLeases {
    Table,
    Job,
    Holder,
    ExpiresAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(JobLeases::Table).if_exists().to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(JobLeases::Table)
                    .if_not_exists()
                    .col(string(JobLeases::Job).primary_key())
                    .col(string(JobLeases::Holder))
                    .col(timestamp_with_time_zone(JobLeases::ExpiresAt))
                    .col(timestamp_with_time_zone(JobLeases::UpdatedAt))
                    .to_owned(),
            )
            .await
    }
}
