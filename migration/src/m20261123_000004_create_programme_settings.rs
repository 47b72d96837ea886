use super::m20261123_000003_create_users::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum ProgrammeSettings {
    Table,
    Id,
    Timezone,
    WindowWeeks,
    UpdatedAt,
    UpdatedBy,
}

#[derive(DeriveIden)]
enum PlatformSettings {
    Table,
    Platform,
    Required,
    Threshold,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProgrammeSettings::Table)
                    .col(big_integer(ProgrammeSettings::Id).primary_key())
                    .col(string(ProgrammeSettings::Timezone))
                    .col(integer(ProgrammeSettings::WindowWeeks))
                    .col(timestamp_with_time_zone(ProgrammeSettings::UpdatedAt))
                    .col(big_integer_null(ProgrammeSettings::UpdatedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_programme_settings_updated_by")
                            .from(ProgrammeSettings::Table, ProgrammeSettings::UpdatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PlatformSettings::Table)
                    .col(string(PlatformSettings::Platform).primary_key())
                    .col(boolean(PlatformSettings::Required))
                    .col(integer(PlatformSettings::Threshold))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PlatformSettings::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ProgrammeSettings::Table).to_owned())
            .await
    }
}
