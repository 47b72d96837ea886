use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A template taken out of the library: not offered for new briefs any more, still shown
/// with the briefs that chose it. Set when archived, cleared when restored.
#[derive(DeriveIden)]
enum StoryTemplates {
    Table,
    ArchivedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(StoryTemplates::Table)
                    .add_column(timestamp_with_time_zone_null(StoryTemplates::ArchivedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(StoryTemplates::Table)
                    .drop_column(StoryTemplates::ArchivedAt)
                    .to_owned(),
            )
            .await
    }
}
