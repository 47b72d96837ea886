use super::m20261123_000008_create_ambassadors::Ambassadors;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The leaderboard's standings, stored: per approved ambassador, window length (the
/// windows the pages offer) and the week the window ends in, the figures of the board and
/// one sort key that orders them as PRODUCT.md ranks them (smaller is better). Brought up
/// to date in the same transaction as every write that changes them; a rank is the number
/// of rows in the same board with a smaller key, plus one.
#[derive(DeriveIden)]
enum Standings {
    Table,
    AmbassadorId,
    Weeks,
    WeekOf,
    InstitutionId,
    WorkUnitId,
    SortName,
    EligibleWeeks,
    ActiveWeeks,
    CurrentStreak,
    BestStreak,
    VerifiedPosts,
    SortKey,
}

/// The weeks whose standings are complete: every approved ambassador has their rows.
#[derive(DeriveIden)]
enum StandingWeeks {
    Table,
    WeekOf,
    CompletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Standings::Table)
                    .col(big_integer(Standings::AmbassadorId))
                    .col(integer(Standings::Weeks))
                    .col(date(Standings::WeekOf))
                    .col(big_integer(Standings::InstitutionId))
                    .col(big_integer(Standings::WorkUnitId))
                    .col(string(Standings::SortName))
                    .col(integer(Standings::EligibleWeeks))
                    .col(integer(Standings::ActiveWeeks))
                    .col(integer(Standings::CurrentStreak))
                    .col(integer(Standings::BestStreak))
                    .col(integer(Standings::VerifiedPosts))
                    .col(big_integer(Standings::SortKey))
                    .primary_key(
                        Index::create()
                            .col(Standings::AmbassadorId)
                            .col(Standings::Weeks)
                            .col(Standings::WeekOf),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_standings_ambassador_id")
                            .from(Standings::Table, Standings::AmbassadorId)
                            .to(Ambassadors::Table, Ambassadors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The national board in rank order, and the count before a row.
        manager
            .create_index(
                Index::create()
                    .name("ix_standings_board")
                    .table(Standings::Table)
                    .col(Standings::WeekOf)
                    .col(Standings::Weeks)
                    .col(Standings::SortKey)
                    .col(Standings::SortName)
                    .col(Standings::AmbassadorId)
                    .to_owned(),
            )
            .await?;
        // An institution's board in rank order.
        manager
            .create_index(
                Index::create()
                    .name("ix_standings_institution_board")
                    .table(Standings::Table)
                    .col(Standings::WeekOf)
                    .col(Standings::Weeks)
                    .col(Standings::InstitutionId)
                    .col(Standings::SortKey)
                    .col(Standings::SortName)
                    .col(Standings::AmbassadorId)
                    .to_owned(),
            )
            .await?;
        // A work unit's board (its subtree is a few units).
        manager
            .create_index(
                Index::create()
                    .name("ix_standings_unit_board")
                    .table(Standings::Table)
                    .col(Standings::WeekOf)
                    .col(Standings::Weeks)
                    .col(Standings::WorkUnitId)
                    .col(Standings::SortKey)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StandingWeeks::Table)
                    .col(date(StandingWeeks::WeekOf).primary_key())
                    .col(timestamp_with_time_zone(StandingWeeks::CompletedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StandingWeeks::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Standings::Table).to_owned())
            .await
    }
}
