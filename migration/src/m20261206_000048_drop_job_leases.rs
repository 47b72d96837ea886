use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The lease rows of the background jobs are gone: each run is a row of `job_runs`
/// (migration 46), claimed there. A lease only said who ran a job for a while; the one
/// thing it still knows is which weeks' reminders went out (`submissions.reminder.<week>`,
/// claimed when it was sent), so those become done runs of `submissions.reminder`, and
/// this week's reminder is not sent a second time after the upgrade. `down` brings the
/// empty table back.
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
            .get_connection()
            .execute_unprepared(
                "INSERT INTO job_runs \
                   (job, due_at, state, claimed_by, attempts, started_at, finished_at, summary) \
                 SELECT 'submissions.reminder', updated_at, 'done', SUBSTR(holder, 1, 100), 1, updated_at, \
                   updated_at, 'sent before job_runs (' || job || ')' \
                 FROM job_leases WHERE job LIKE 'submissions.reminder.%' \
                 ON CONFLICT (job, due_at) DO NOTHING",
            )
            .await?;
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
