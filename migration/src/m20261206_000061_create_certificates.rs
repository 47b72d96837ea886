use super::m20261123_000001_create_institutions::Institutions;
use super::m20261123_000008_create_ambassadors::Ambassadors;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Certificates of participation: one per ambassador and period (first and last day),
/// with the figures of that period as they stood when it was issued. The verification
/// code is made from the id with the link key (nothing to store); the holder's name is
/// read from the ambassador at each showing, so an erased person's certificate shows
/// nothing personal.
#[derive(DeriveIden)]
enum Certificates {
    Table,
    Id,
    AmbassadorId,
    InstitutionId,
    PeriodFrom,
    PeriodTo,
    ActiveWeeks,
    VerifiedPosts,
    LessonsCompleted,
    IssuedBy,
    IssuedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Certificates::Table)
                    .col(big_pk_auto(Certificates::Id))
                    .col(big_integer(Certificates::AmbassadorId))
                    .col(big_integer(Certificates::InstitutionId))
                    .col(date(Certificates::PeriodFrom))
                    .col(date(Certificates::PeriodTo))
                    .col(integer(Certificates::ActiveWeeks))
                    .col(integer(Certificates::VerifiedPosts))
                    .col(integer(Certificates::LessonsCompleted))
                    .col(big_integer_null(Certificates::IssuedBy))
                    .col(timestamp_with_time_zone(Certificates::IssuedAt))
                    .index(
                        Index::create()
                            .name("ux_certificates_ambassador_period")
                            .col(Certificates::AmbassadorId)
                            .col(Certificates::PeriodFrom)
                            .col(Certificates::PeriodTo)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_certificates_ambassador_id")
                            .from(Certificates::Table, Certificates::AmbassadorId)
                            .to(Ambassadors::Table, Ambassadors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_certificates_institution_id")
                            .from(Certificates::Table, Certificates::InstitutionId)
                            .to(Institutions::Table, Institutions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_certificates_institution_period")
                    .table(Certificates::Table)
                    .col(Certificates::InstitutionId)
                    .col(Certificates::PeriodTo)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Certificates::Table).to_owned())
            .await
    }
}
