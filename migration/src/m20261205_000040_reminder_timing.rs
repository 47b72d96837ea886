use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// When the weekly reminder goes out, in the programme's zone: an ISO weekday (1 Monday
/// to 7 Sunday) and an hour (0–23). Thursday 09:00 until now, so that stays the default.
#[derive(DeriveIden)]
enum ProgrammeSettings {
    Table,
    ReminderWeekday,
    ReminderHour,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ProgrammeSettings::Table)
                    .add_column(integer(ProgrammeSettings::ReminderWeekday).default(4))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ProgrammeSettings::Table)
                    .add_column(integer(ProgrammeSettings::ReminderHour).default(9))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ProgrammeSettings::Table)
                    .drop_column(ProgrammeSettings::ReminderHour)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ProgrammeSettings::Table)
                    .drop_column(ProgrammeSettings::ReminderWeekday)
                    .to_owned(),
            )
            .await
    }
}
