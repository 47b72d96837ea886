use super::m20261123_000003_create_users::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The programme's holiday calendar: weeks (their Monday) that are grace weeks for every
/// ambassador, kept by admins.
#[derive(DeriveIden)]
enum Holidays {
    Table,
    Id,
    WeekStart,
    Label,
    CreatedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Holidays::Table)
                    .col(big_pk_auto(Holidays::Id))
                    .col(date(Holidays::WeekStart).unique_key())
                    .col(string(Holidays::Label))
                    .col(big_integer_null(Holidays::CreatedBy))
                    .col(timestamp_with_time_zone(Holidays::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_holidays_created_by")
                            .from(Holidays::Table, Holidays::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Holidays::Table).to_owned())
            .await
    }
}
