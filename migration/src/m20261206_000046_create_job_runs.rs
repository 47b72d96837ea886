use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One row per run of a background job: when it is due, which app node claimed it and
/// until when (the node extends that while it runs), how many attempts it took, and how
/// it ended. `(job, due_at)` is unique, so nodes that schedule the same run insert it
/// once.
#[derive(DeriveIden)]
enum JobRuns {
    Table,
    Id,
    Job,
    DueAt,
    State,
    ClaimedBy,
    ClaimedUntil,
    Attempts,
    StartedAt,
    FinishedAt,
    Error,
    Summary,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(JobRuns::Table)
                    .col(big_pk_auto(JobRuns::Id))
                    .col(string_len(JobRuns::Job, 60))
                    .col(timestamp_with_time_zone(JobRuns::DueAt))
                    .col(string_len(JobRuns::State, 10).default("due"))
                    .col(string_len_null(JobRuns::ClaimedBy, 100))
                    .col(timestamp_with_time_zone_null(JobRuns::ClaimedUntil))
                    .col(integer(JobRuns::Attempts).default(0))
                    .col(timestamp_with_time_zone_null(JobRuns::StartedAt))
                    .col(timestamp_with_time_zone_null(JobRuns::FinishedAt))
                    .col(text_null(JobRuns::Error))
                    .col(text_null(JobRuns::Summary))
                    // Scheduling inserts each run once (`ON CONFLICT (job, due_at)`). Part
                    // of the table itself: on SQLite a pooled connection that saw the new
                    // table must see its key too, or that `ON CONFLICT` fails to prepare.
                    .index(
                        Index::create()
                            .name("ux_job_runs_job_due_at")
                            .col(JobRuns::Job)
                            .col(JobRuns::DueAt)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        // Claiming: the oldest due run, or a running one whose node stopped.
        manager
            .create_index(
                Index::create()
                    .name("ix_job_runs_state_due_at")
                    .table(JobRuns::Table)
                    .col(JobRuns::State)
                    .col(JobRuns::DueAt)
                    .to_owned(),
            )
            .await?;
        // A job's last success, its failures of the week, and pruning its old runs.
        manager
            .create_index(
                Index::create()
                    .name("ix_job_runs_job_state_finished_at")
                    .table(JobRuns::Table)
                    .col(JobRuns::Job)
                    .col(JobRuns::State)
                    .col(JobRuns::FinishedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(JobRuns::Table).to_owned())
            .await
    }
}
