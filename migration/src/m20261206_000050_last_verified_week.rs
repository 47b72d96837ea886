use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum StatPeople {
    Table,
    LastVerifiedWeek,
}

/// Each member's last week with a verified post, beside what their share of the
/// statistics was computed with, so that the inactive ambassadors are found through an
/// index instead of a probe per member into the weekly aggregate (about 3 s of queries
/// nationally at 200,000 ambassadors, growing with them). Kept by `crate::leaderboard::participation` in the transaction
/// of every verification and its reversal; filled here from `week_activity`.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(StatPeople::Table)
                    .add_column(ColumnDef::new(StatPeople::LastVerifiedWeek).date().null())
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE stat_people SET last_verified_week = (\
                   SELECT MAX(wa.week_start) FROM week_activity wa \
                   WHERE wa.ambassador_id = stat_people.ambassador_id AND wa.verified_posts > 0)",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_stat_people_last_verified_week")
                    .table(StatPeople::Table)
                    .col(StatPeople::LastVerifiedWeek)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_stat_people_last_verified_week")
                    .table(StatPeople::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(StatPeople::Table)
                    .drop_column(StatPeople::LastVerifiedWeek)
                    .to_owned(),
            )
            .await
    }
}
