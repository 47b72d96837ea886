use super::m20261123_000003_create_users::Users;
use super::m20261123_000010_create_story_templates::StoryTemplates;
use super::m20261123_000011_create_briefs::Briefs;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// An ambassador's saved draft: the template's blanks as filled (a JSON object) and the
/// text rendered for one platform.
#[derive(DeriveIden)]
enum Drafts {
    Table,
    Id,
    UserId,
    BriefId,
    TemplateId,
    Platform,
    Fields,
    Text,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Drafts::Table)
                    .col(big_pk_auto(Drafts::Id))
                    .col(big_integer(Drafts::UserId))
                    .col(big_integer_null(Drafts::BriefId))
                    .col(big_integer_null(Drafts::TemplateId))
                    .col(string(Drafts::Platform))
                    .col(text(Drafts::Fields))
                    .col(text(Drafts::Text))
                    .col(timestamp_with_time_zone(Drafts::CreatedAt))
                    .col(timestamp_with_time_zone(Drafts::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_drafts_user_id")
                            .from(Drafts::Table, Drafts::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_drafts_brief_id")
                            .from(Drafts::Table, Drafts::BriefId)
                            .to(Briefs::Table, Briefs::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_drafts_template_id")
                            .from(Drafts::Table, Drafts::TemplateId)
                            .to(StoryTemplates::Table, StoryTemplates::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_drafts_user_id_brief_id")
                    .table(Drafts::Table)
                    .col(Drafts::UserId)
                    .col(Drafts::BriefId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Drafts::Table).to_owned())
            .await
    }
}
