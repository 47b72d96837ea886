use super::m20261123_000001_create_institutions::Institutions;
use super::m20261123_000008_create_ambassadors::Ambassadors;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The training path. `lessons`: Duta's shipped lessons (`slug`, no institution: every
/// institution's path) and an institution's own; `questions` is their multiple-choice
/// questions as JSON with the right answers; `version` grows with each change, and an
/// attempt names the version it answers. `lesson_completions`: an ambassador passed a
/// lesson's questions (once per lesson and ambassador).
#[derive(DeriveIden)]
enum Lessons {
    Table,
    Id,
    InstitutionId,
    Slug,
    Topic,
    Title,
    Summary,
    Body,
    VideoUrl,
    Questions,
    Version,
    ArchivedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LessonCompletions {
    Table,
    Id,
    LessonId,
    AmbassadorId,
    Version,
    CompletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Lessons::Table)
                    .col(big_pk_auto(Lessons::Id))
                    .col(big_integer_null(Lessons::InstitutionId))
                    .col(string_len_null(Lessons::Slug, 80))
                    .col(string_len(Lessons::Topic, 20))
                    .col(string_len(Lessons::Title, 200))
                    .col(string_len(Lessons::Summary, 300))
                    .col(text(Lessons::Body))
                    .col(string_len_null(Lessons::VideoUrl, 500))
                    .col(text(Lessons::Questions))
                    .col(integer(Lessons::Version).default(1))
                    .col(timestamp_with_time_zone_null(Lessons::ArchivedAt))
                    .col(timestamp_with_time_zone(Lessons::CreatedAt))
                    .col(timestamp_with_time_zone(Lessons::UpdatedAt))
                    .index(
                        Index::create()
                            .name("ux_lessons_slug")
                            .col(Lessons::Slug)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lessons_institution_id")
                            .from(Lessons::Table, Lessons::InstitutionId)
                            .to(Institutions::Table, Institutions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LessonCompletions::Table)
                    .col(big_pk_auto(LessonCompletions::Id))
                    .col(big_integer(LessonCompletions::LessonId))
                    .col(big_integer(LessonCompletions::AmbassadorId))
                    .col(integer(LessonCompletions::Version))
                    .col(timestamp_with_time_zone(LessonCompletions::CompletedAt))
                    .index(
                        Index::create()
                            .name("ux_lesson_completions_lesson_id_ambassador_id")
                            .col(LessonCompletions::LessonId)
                            .col(LessonCompletions::AmbassadorId)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lesson_completions_lesson_id")
                            .from(LessonCompletions::Table, LessonCompletions::LessonId)
                            .to(Lessons::Table, Lessons::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lesson_completions_ambassador_id")
                            .from(LessonCompletions::Table, LessonCompletions::AmbassadorId)
                            .to(Ambassadors::Table, Ambassadors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_lesson_completions_ambassador_id")
                    .table(LessonCompletions::Table)
                    .col(LessonCompletions::AmbassadorId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LessonCompletions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Lessons::Table).to_owned())
            .await
    }
}
