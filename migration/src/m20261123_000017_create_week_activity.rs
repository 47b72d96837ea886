use super::m20261123_000008_create_ambassadors::Ambassadors;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The leaderboard's stored aggregate: per ambassador and ISO week (its Monday in the
/// programme's time zone), how many verified submissions were posted in it. Written in
/// the same transaction as every verification and reversal; a week with a count above
/// zero is an active week.
#[derive(DeriveIden)]
enum WeekActivity {
    Table,
    AmbassadorId,
    WeekStart,
    VerifiedPosts,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WeekActivity::Table)
                    .col(big_integer(WeekActivity::AmbassadorId))
                    .col(date(WeekActivity::WeekStart))
                    .col(integer(WeekActivity::VerifiedPosts))
                    .col(timestamp_with_time_zone(WeekActivity::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(WeekActivity::AmbassadorId)
                            .col(WeekActivity::WeekStart),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_week_activity_ambassador_id")
                            .from(WeekActivity::Table, WeekActivity::AmbassadorId)
                            .to(Ambassadors::Table, Ambassadors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_week_activity_week_start")
                    .table(WeekActivity::Table)
                    .col(WeekActivity::WeekStart)
                    .to_owned(),
            )
            .await?;
        // The leaderboard reads what changed since it last looked.
        manager
            .create_index(
                Index::create()
                    .name("ix_week_activity_updated_at")
                    .table(WeekActivity::Table)
                    .col(WeekActivity::UpdatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WeekActivity::Table).to_owned())
            .await
    }
}
