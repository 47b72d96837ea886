use super::m20261123_000001_create_institutions::Institutions;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// An institution requires a lesson before its ambassadors submit posts for briefs of a
/// category (`kontra_narasi`, …): one row per institution, lesson and category.
#[derive(DeriveIden)]
enum LessonRequirements {
    Table,
    Id,
    InstitutionId,
    LessonId,
    Category,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Lessons {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LessonRequirements::Table)
                    .col(big_pk_auto(LessonRequirements::Id))
                    .col(big_integer(LessonRequirements::InstitutionId))
                    .col(big_integer(LessonRequirements::LessonId))
                    .col(string_len(LessonRequirements::Category, 40))
                    .col(big_integer_null(LessonRequirements::CreatedBy))
                    .col(timestamp_with_time_zone(LessonRequirements::CreatedAt))
                    .index(
                        Index::create()
                            .name("ux_lesson_requirements_institution_lesson_category")
                            .col(LessonRequirements::InstitutionId)
                            .col(LessonRequirements::LessonId)
                            .col(LessonRequirements::Category)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lesson_requirements_institution_id")
                            .from(LessonRequirements::Table, LessonRequirements::InstitutionId)
                            .to(Institutions::Table, Institutions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lesson_requirements_lesson_id")
                            .from(LessonRequirements::Table, LessonRequirements::LessonId)
                            .to(Lessons::Table, Lessons::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LessonRequirements::Table).to_owned())
            .await
    }
}
