use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// How many runs of each job ended each way (`done`, `failed`, `retried`), counted in the
/// transaction that ends them: `job_runs` forgets old runs, these counters never go back
/// (they are Prometheus counters on `/metrics`).
#[derive(DeriveIden)]
enum JobRunTotals {
    Table,
    Job,
    Outcome,
    Runs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(JobRunTotals::Table)
                    .col(string_len(JobRunTotals::Job, 60))
                    .col(string_len(JobRunTotals::Outcome, 10))
                    .col(big_integer(JobRunTotals::Runs).default(0))
                    .primary_key(
                        Index::create()
                            .col(JobRunTotals::Job)
                            .col(JobRunTotals::Outcome),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(JobRunTotals::Table).to_owned())
            .await
    }
}
