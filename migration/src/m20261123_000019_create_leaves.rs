use super::m20261123_000003_create_users::Users;
use super::m20261123_000008_create_ambassadors::Ambassadors;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Approved leave of an ambassador, recorded by a coordinator: the weeks from `from_week`
/// to `to_week` (Mondays, both included) are grace weeks for that person.
#[derive(DeriveIden)]
enum Leaves {
    Table,
    Id,
    AmbassadorId,
    FromWeek,
    ToWeek,
    Note,
    RecordedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Leaves::Table)
                    .col(big_pk_auto(Leaves::Id))
                    .col(big_integer(Leaves::AmbassadorId))
                    .col(date(Leaves::FromWeek))
                    .col(date(Leaves::ToWeek))
                    .col(text(Leaves::Note))
                    .col(big_integer_null(Leaves::RecordedBy))
                    .col(timestamp_with_time_zone(Leaves::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_leaves_ambassador_id")
                            .from(Leaves::Table, Leaves::AmbassadorId)
                            .to(Ambassadors::Table, Ambassadors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_leaves_recorded_by")
                            .from(Leaves::Table, Leaves::RecordedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_leaves_ambassador_id")
                    .table(Leaves::Table)
                    .col(Leaves::AmbassadorId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Leaves::Table).to_owned())
            .await
    }
}
