use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Images of a lesson written by an institution: the stored upload (`media`), its
/// description for screen readers, and its place after the text.
#[derive(DeriveIden)]
enum LessonImages {
    Table,
    Id,
    LessonId,
    MediaId,
    Alt,
    Position,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Lessons {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Media {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LessonImages::Table)
                    .col(big_pk_auto(LessonImages::Id))
                    .col(big_integer(LessonImages::LessonId))
                    .col(big_integer(LessonImages::MediaId))
                    .col(string_len(LessonImages::Alt, 300))
                    .col(integer(LessonImages::Position))
                    .col(timestamp_with_time_zone(LessonImages::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lesson_images_lesson_id")
                            .from(LessonImages::Table, LessonImages::LessonId)
                            .to(Lessons::Table, Lessons::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_lesson_images_media_id")
                            .from(LessonImages::Table, LessonImages::MediaId)
                            .to(Media::Table, Media::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_lesson_images_lesson_id")
                    .table(LessonImages::Table)
                    .col(LessonImages::LessonId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LessonImages::Table).to_owned())
            .await
    }
}
