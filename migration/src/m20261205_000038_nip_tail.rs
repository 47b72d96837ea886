use super::m20261123_000008_create_ambassadors::Ambassadors;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `ambassadors.nip_tail`: the last four digits of the NIP (the gender digit and the
/// sequence number), in clear, so the roster finds a person by them; the NIP itself stays
/// sealed. Filled at start for the rows written before (the key opens them).
#[derive(DeriveIden)]
enum Extra {
    NipTail,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Ambassadors::Table)
                    .add_column(string_len_null(Extra::NipTail, 4))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_ambassadors_nip_tail")
                    .table(Ambassadors::Table)
                    .col(Extra::NipTail)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_ambassadors_nip_tail")
                    .table(Ambassadors::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Ambassadors::Table)
                    .drop_column(Extra::NipTail)
                    .to_owned(),
            )
            .await
    }
}
