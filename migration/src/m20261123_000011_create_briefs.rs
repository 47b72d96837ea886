use super::m20261123_000001_create_institutions::Institutions;
use super::m20261123_000002_create_work_units::WorkUnits;
use super::m20261123_000003_create_users::Users;
use super::m20261123_000010_create_story_templates::StoryTemplates;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The week's content assignments. Lists (facts, hashtags, mentions, platforms) are JSON
/// arrays in text columns, read and written only by the briefs service.
#[derive(DeriveIden)]
pub enum Briefs {
    Table,
    Id,
    InstitutionId,
    Week,
    WeekStart,
    Title,
    Category,
    KeyMessages,
    Facts,
    Hashtags,
    Mentions,
    Dos,
    Donts,
    Sample,
    Platforms,
    Deadline,
    Priority,
    Audience,
    Status,
    PublishAt,
    ClosedAt,
    NotifiedAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

/// The work units a brief is addressed to (with their subtrees), when not the whole
/// institution.
#[derive(DeriveIden)]
enum BriefWorkUnits {
    Table,
    BriefId,
    WorkUnitId,
}

#[derive(DeriveIden)]
enum BriefTemplates {
    Table,
    BriefId,
    TemplateId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Briefs::Table)
                    .col(big_pk_auto(Briefs::Id))
                    .col(big_integer(Briefs::InstitutionId))
                    .col(string(Briefs::Week))
                    .col(date(Briefs::WeekStart))
                    .col(string(Briefs::Title))
                    .col(string(Briefs::Category))
                    .col(text(Briefs::KeyMessages))
                    .col(text(Briefs::Facts))
                    .col(text(Briefs::Hashtags))
                    .col(text(Briefs::Mentions))
                    .col(text(Briefs::Dos))
                    .col(text(Briefs::Donts))
                    .col(text(Briefs::Sample))
                    .col(text(Briefs::Platforms))
                    .col(timestamp_with_time_zone(Briefs::Deadline))
                    .col(string(Briefs::Priority))
                    .col(string(Briefs::Audience))
                    .col(string(Briefs::Status))
                    .col(timestamp_with_time_zone_null(Briefs::PublishAt))
                    .col(timestamp_with_time_zone_null(Briefs::ClosedAt))
                    .col(timestamp_with_time_zone_null(Briefs::NotifiedAt))
                    .col(big_integer(Briefs::CreatedBy))
                    .col(timestamp_with_time_zone(Briefs::CreatedAt))
                    .col(timestamp_with_time_zone(Briefs::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_briefs_institution_id")
                            .from(Briefs::Table, Briefs::InstitutionId)
                            .to(Institutions::Table, Institutions::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_briefs_created_by")
                            .from(Briefs::Table, Briefs::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_briefs_institution_id_week_start")
                    .table(Briefs::Table)
                    .col(Briefs::InstitutionId)
                    .col(Briefs::WeekStart)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_briefs_status_publish_at")
                    .table(Briefs::Table)
                    .col(Briefs::Status)
                    .col(Briefs::PublishAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BriefWorkUnits::Table)
                    .col(big_integer(BriefWorkUnits::BriefId))
                    .col(big_integer(BriefWorkUnits::WorkUnitId))
                    .primary_key(
                        Index::create()
                            .col(BriefWorkUnits::BriefId)
                            .col(BriefWorkUnits::WorkUnitId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_brief_work_units_brief_id")
                            .from(BriefWorkUnits::Table, BriefWorkUnits::BriefId)
                            .to(Briefs::Table, Briefs::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_brief_work_units_work_unit_id")
                            .from(BriefWorkUnits::Table, BriefWorkUnits::WorkUnitId)
                            .to(WorkUnits::Table, WorkUnits::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_brief_work_units_work_unit_id")
                    .table(BriefWorkUnits::Table)
                    .col(BriefWorkUnits::WorkUnitId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BriefTemplates::Table)
                    .col(big_integer(BriefTemplates::BriefId))
                    .col(big_integer(BriefTemplates::TemplateId))
                    .primary_key(
                        Index::create()
                            .col(BriefTemplates::BriefId)
                            .col(BriefTemplates::TemplateId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_brief_templates_brief_id")
                            .from(BriefTemplates::Table, BriefTemplates::BriefId)
                            .to(Briefs::Table, Briefs::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_brief_templates_template_id")
                            .from(BriefTemplates::Table, BriefTemplates::TemplateId)
                            .to(StoryTemplates::Table, StoryTemplates::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BriefTemplates::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(BriefWorkUnits::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Briefs::Table).to_owned())
            .await
    }
}
