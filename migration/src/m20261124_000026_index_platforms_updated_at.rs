use super::m20261123_000008_create_ambassadors::AmbassadorPlatforms;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The leaderboard checks every second whether members' accounts changed, by the latest
/// `updated_at` (as it does for ambassadors, indexed since migration 20): without this,
/// each check reads every platform account.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_ambassador_platforms_updated_at")
                    .table(AmbassadorPlatforms::Table)
                    .col(AmbassadorPlatforms::UpdatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_ambassador_platforms_updated_at")
                    .table(AmbassadorPlatforms::Table)
                    .to_owned(),
            )
            .await
    }
}
