use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Institutions {
    Table,
    Id,
    Name,
    ShortName,
    Kind,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Institutions::Table)
                    .col(big_pk_auto(Institutions::Id))
                    .col(string_uniq(Institutions::Name))
                    .col(string_null(Institutions::ShortName))
                    .col(string(Institutions::Kind))
                    .col(timestamp_with_time_zone(Institutions::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Institutions::Table).to_owned())
            .await
    }
}
