use super::m20261123_000008_create_ambassadors::Ambassadors;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The weeks an approved ambassador was out of the programme: suspended (with a reason
/// shown to them) or removed. From a Monday until a Monday (exclusive; none while it
/// lasts: reinstatement sets it). Those weeks leave the board, the reminders and the
/// "expected to post" figures; the weeks before stay as they were.
///
/// `stat_people.breaks` records the breaks an ambassador's share of `unit_weeks` was
/// computed with, so a suspension or reinstatement moves the share like any other change.
#[derive(DeriveIden)]
enum MembershipBreaks {
    Table,
    Id,
    AmbassadorId,
    Kind,
    Reason,
    FromWeek,
    UntilWeek,
    CreatedBy,
    CreatedAt,
    EndedBy,
    EndedAt,
}

#[derive(DeriveIden)]
enum StatPeople {
    Table,
    Breaks,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MembershipBreaks::Table)
                    .col(big_pk_auto(MembershipBreaks::Id))
                    .col(big_integer(MembershipBreaks::AmbassadorId))
                    .col(string_len(MembershipBreaks::Kind, 16))
                    .col(text(MembershipBreaks::Reason))
                    .col(date(MembershipBreaks::FromWeek))
                    .col(date_null(MembershipBreaks::UntilWeek))
                    .col(big_integer_null(MembershipBreaks::CreatedBy))
                    .col(timestamp_with_time_zone(MembershipBreaks::CreatedAt))
                    .col(big_integer_null(MembershipBreaks::EndedBy))
                    .col(timestamp_with_time_zone_null(MembershipBreaks::EndedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_membership_breaks_ambassador_id")
                            .from(MembershipBreaks::Table, MembershipBreaks::AmbassadorId)
                            .to(Ambassadors::Table, Ambassadors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_membership_breaks_ambassador")
                    .table(MembershipBreaks::Table)
                    .col(MembershipBreaks::AmbassadorId)
                    .col(MembershipBreaks::FromWeek)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(StatPeople::Table)
                    .add_column(text(StatPeople::Breaks).default(""))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(StatPeople::Table)
                    .drop_column(StatPeople::Breaks)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(MembershipBreaks::Table).to_owned())
            .await
    }
}
