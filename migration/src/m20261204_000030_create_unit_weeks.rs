use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261204_000028_create_kept_stamps::add_triggers;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The participation statistics, stored per work unit and week: how many approved
/// ambassadors of the unit became members in the week (`joined`; a running sum gives the
/// active ambassadors of any week), and of the unit's active ambassadors those who posted,
/// in all and per platform, with their verified posts, their reach (latest follower
/// counts) and the interactions and followers of the posts that carry counts. Brought up
/// to date in the transaction of every write that changes them; leave and holidays are
/// applied when the figures are read.
#[derive(DeriveIden)]
enum UnitWeeks {
    Table,
    WorkUnitId,
    WeekStart,
    InstitutionId,
    Joined,
    Posting,
    XPosting,
    InstagramPosting,
    FacebookPosting,
    XPosts,
    InstagramPosts,
    FacebookPosts,
    XReach,
    InstagramReach,
    FacebookReach,
    XInteractions,
    InstagramInteractions,
    FacebookInteractions,
    XFollowers,
    InstagramFollowers,
    FacebookFollowers,
}

/// What each approved ambassador's share of `unit_weeks` was computed with: a write that
/// changes any of it takes the old share out and puts the new one in.
#[derive(DeriveIden)]
enum StatPeople {
    Table,
    AmbassadorId,
    InstitutionId,
    WorkUnitId,
    MemberSince,
    XFollowers,
    InstagramFollowers,
    FacebookFollowers,
}

/// Tables the statistics are read from, stamped like the others of the topic.
pub const STATS_TABLES: [(&str, &[&str]); 1] = [("stats", &["unit_weeks"])];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(UnitWeeks::Table)
            .col(big_integer(UnitWeeks::WorkUnitId))
            .col(date(UnitWeeks::WeekStart))
            .col(big_integer(UnitWeeks::InstitutionId));
        for c in [
            UnitWeeks::Joined,
            UnitWeeks::Posting,
            UnitWeeks::XPosting,
            UnitWeeks::InstagramPosting,
            UnitWeeks::FacebookPosting,
            UnitWeeks::XPosts,
            UnitWeeks::InstagramPosts,
            UnitWeeks::FacebookPosts,
            UnitWeeks::XReach,
            UnitWeeks::InstagramReach,
            UnitWeeks::FacebookReach,
            UnitWeeks::XInteractions,
            UnitWeeks::InstagramInteractions,
            UnitWeeks::FacebookInteractions,
            UnitWeeks::XFollowers,
            UnitWeeks::InstagramFollowers,
            UnitWeeks::FacebookFollowers,
        ] {
            t.col(big_integer(c).default(0));
        }
        t.primary_key(
            Index::create()
                .col(UnitWeeks::WorkUnitId)
                .col(UnitWeeks::WeekStart),
        );
        manager.create_table(t.to_owned()).await?;
        // The national figures, per institution and week.
        manager
            .create_index(
                Index::create()
                    .name("ix_unit_weeks_institution")
                    .table(UnitWeeks::Table)
                    .col(UnitWeeks::InstitutionId)
                    .col(UnitWeeks::WeekStart)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StatPeople::Table)
                    .col(big_integer(StatPeople::AmbassadorId).primary_key())
                    .col(big_integer(StatPeople::InstitutionId))
                    .col(big_integer(StatPeople::WorkUnitId))
                    .col(date_null(StatPeople::MemberSince))
                    .col(big_integer(StatPeople::XFollowers))
                    .col(big_integer(StatPeople::InstagramFollowers))
                    .col(big_integer(StatPeople::FacebookFollowers))
                    .to_owned(),
            )
            .await?;
        for (topic, tables) in STATS_TABLES {
            add_triggers(manager, topic, tables).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (topic, tables) in STATS_TABLES {
            crate::m20261204_000028_create_kept_stamps::drop_triggers(manager, topic, tables)
                .await?;
        }
        manager
            .drop_table(Table::drop().table(StatPeople::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(UnitWeeks::Table).to_owned())
            .await
    }
}
