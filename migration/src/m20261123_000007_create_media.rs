use super::m20261123_000001_create_institutions::Institutions;
use super::m20261123_000003_create_users::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Media {
    Table,
    Id,
    OwnerId,
    InstitutionId,
    Kind,
    StoredName,
    ThumbName,
    ContentType,
    Width,
    Height,
    Bytes,
    Sha256,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Media::Table)
                    .col(big_pk_auto(Media::Id))
                    .col(big_integer(Media::OwnerId))
                    .col(big_integer_null(Media::InstitutionId))
                    .col(string(Media::Kind))
                    .col(string_uniq(Media::StoredName))
                    .col(string(Media::ThumbName))
                    .col(string(Media::ContentType))
                    .col(integer(Media::Width))
                    .col(integer(Media::Height))
                    .col(big_integer(Media::Bytes))
                    .col(string(Media::Sha256))
                    .col(timestamp_with_time_zone(Media::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_media_owner_id")
                            .from(Media::Table, Media::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_media_institution_id")
                            .from(Media::Table, Media::InstitutionId)
                            .to(Institutions::Table, Institutions::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_media_owner_id")
                    .table(Media::Table)
                    .col(Media::OwnerId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Media::Table).to_owned())
            .await
    }
}
