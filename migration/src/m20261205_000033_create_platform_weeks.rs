use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The programme's engagement per platform and week of posting: the verified posts that
/// carry counts, their interactions and their followers. Verification reads the norm from
/// the latest twelve rows instead of summing every brief's aggregate of twelve weeks.
#[derive(DeriveIden)]
enum PlatformWeeks {
    Table,
    Platform,
    WeekStart,
    Posts,
    Interactions,
    Followers,
}

/// A post counts for engagement when it has any count and a follower count above zero.
const COUNTED: &str = "(likes IS NOT NULL OR comments IS NOT NULL OR shares IS NOT NULL \
     OR saves IS NOT NULL) AND followers > 0";
const INTERACTIONS: &str =
    "COALESCE(likes, 0) + COALESCE(comments, 0) + COALESCE(shares, 0) + COALESCE(saves, 0)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PlatformWeeks::Table)
                    .col(string_len(PlatformWeeks::Platform, 16))
                    .col(date(PlatformWeeks::WeekStart))
                    .col(big_integer(PlatformWeeks::Posts).default(0))
                    .col(big_integer(PlatformWeeks::Interactions).default(0))
                    .col(big_integer(PlatformWeeks::Followers).default(0))
                    .primary_key(
                        Index::create()
                            .col(PlatformWeeks::Platform)
                            .col(PlatformWeeks::WeekStart),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO platform_weeks (platform, week_start, posts, interactions, followers) \
                 SELECT platform, week_start, COUNT(*), SUM({INTERACTIONS}), SUM(followers) \
                 FROM submissions WHERE status = 'verified' AND {COUNTED} \
                 GROUP BY platform, week_start"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PlatformWeeks::Table).to_owned())
            .await
    }
}
