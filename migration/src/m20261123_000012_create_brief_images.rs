use super::m20261123_000007_create_media::Media;
use super::m20261123_000011_create_briefs::Briefs;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A brief's images: the stored original (a media row), the focal point the variants are
/// cropped around (in thousandths of width and height), and the variants' stored names
/// as a JSON object `{variant: name}`.
#[derive(DeriveIden)]
enum BriefImages {
    Table,
    Id,
    BriefId,
    MediaId,
    FocalX,
    FocalY,
    Alt,
    Variants,
    Position,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BriefImages::Table)
                    .col(big_pk_auto(BriefImages::Id))
                    .col(big_integer(BriefImages::BriefId))
                    .col(big_integer_uniq(BriefImages::MediaId))
                    .col(integer(BriefImages::FocalX))
                    .col(integer(BriefImages::FocalY))
                    .col(string(BriefImages::Alt))
                    .col(text(BriefImages::Variants))
                    .col(integer(BriefImages::Position))
                    .col(timestamp_with_time_zone(BriefImages::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_brief_images_brief_id")
                            .from(BriefImages::Table, BriefImages::BriefId)
                            .to(Briefs::Table, Briefs::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_brief_images_media_id")
                            .from(BriefImages::Table, BriefImages::MediaId)
                            .to(Media::Table, Media::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_brief_images_brief_id")
                    .table(BriefImages::Table)
                    .col(BriefImages::BriefId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BriefImages::Table).to_owned())
            .await
    }
}
