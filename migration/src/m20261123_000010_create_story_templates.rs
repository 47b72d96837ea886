use super::m20261123_000001_create_institutions::Institutions;
use super::m20261123_000003_create_users::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Storytelling templates: shipped ones have no institution and a slug; coordinators'
/// own belong to their institution.
#[derive(DeriveIden)]
pub enum StoryTemplates {
    Table,
    Id,
    InstitutionId,
    Slug,
    Name,
    Description,
    Body,
    Guidance,
    Example,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StoryTemplates::Table)
                    .col(big_pk_auto(StoryTemplates::Id))
                    .col(big_integer_null(StoryTemplates::InstitutionId))
                    .col(string_null(StoryTemplates::Slug).unique_key())
                    .col(string(StoryTemplates::Name))
                    .col(text(StoryTemplates::Description))
                    .col(text(StoryTemplates::Body))
                    .col(text(StoryTemplates::Guidance))
                    .col(text(StoryTemplates::Example))
                    .col(big_integer_null(StoryTemplates::CreatedBy))
                    .col(timestamp_with_time_zone(StoryTemplates::CreatedAt))
                    .col(timestamp_with_time_zone(StoryTemplates::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_story_templates_institution_id")
                            .from(StoryTemplates::Table, StoryTemplates::InstitutionId)
                            .to(Institutions::Table, Institutions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_story_templates_created_by")
                            .from(StoryTemplates::Table, StoryTemplates::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_story_templates_institution_id")
                    .table(StoryTemplates::Table)
                    .col(StoryTemplates::InstitutionId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StoryTemplates::Table).to_owned())
            .await
    }
}
