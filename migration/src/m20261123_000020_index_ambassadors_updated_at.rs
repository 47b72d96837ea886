use super::m20261123_000008_create_ambassadors::Ambassadors;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The leaderboard asks for the latest change to any ambassador every second.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_ambassadors_updated_at")
                    .table(Ambassadors::Table)
                    .col(Ambassadors::UpdatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_ambassadors_updated_at")
                    .table(Ambassadors::Table)
                    .to_owned(),
            )
            .await
    }
}
