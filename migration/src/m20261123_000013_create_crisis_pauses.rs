use super::m20261123_000001_create_institutions::Institutions;
use super::m20261123_000003_create_users::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The crisis switch: while an institution has a pause without `ended_at`, every open
/// brief of it is paused and ambassadors see the holding notice instead.
#[derive(DeriveIden)]
enum CrisisPauses {
    Table,
    Id,
    InstitutionId,
    Notice,
    StartedAt,
    StartedBy,
    EndedAt,
    EndedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CrisisPauses::Table)
                    .col(big_pk_auto(CrisisPauses::Id))
                    .col(big_integer(CrisisPauses::InstitutionId))
                    .col(text(CrisisPauses::Notice))
                    .col(timestamp_with_time_zone(CrisisPauses::StartedAt))
                    .col(big_integer(CrisisPauses::StartedBy))
                    .col(timestamp_with_time_zone_null(CrisisPauses::EndedAt))
                    .col(big_integer_null(CrisisPauses::EndedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_crisis_pauses_institution_id")
                            .from(CrisisPauses::Table, CrisisPauses::InstitutionId)
                            .to(Institutions::Table, Institutions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_crisis_pauses_started_by")
                            .from(CrisisPauses::Table, CrisisPauses::StartedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_crisis_pauses_institution_id_ended_at")
                    .table(CrisisPauses::Table)
                    .col(CrisisPauses::InstitutionId)
                    .col(CrisisPauses::EndedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CrisisPauses::Table).to_owned())
            .await
    }
}
