use super::m20261123_000004_create_programme_settings::ProgrammeSettings;
use super::m20261123_000008_create_ambassadors::Ambassadors;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Personal-data rights (UU PDP):
/// - `ambassadors.nip_sealed` holds the NIP encrypted with the configured key; the unique
///   `nip` column then holds a keyed hash of it instead of the digits (Duta seals the
///   existing rows at start, with the key it has; a migration has none);
/// - `withdrawn_at` and `erased_at` record when a person left the programme and when their
///   personal data was erased;
/// - `programme_settings.retention_days`: how long a withdrawn person's data is kept before
///   the job erases it.
#[derive(DeriveIden)]
enum Extra {
    NipSealed,
    WithdrawnAt,
    ErasedAt,
    RetentionDays,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        let columns = [
            text_null(Extra::NipSealed),
            timestamp_with_time_zone_null(Extra::WithdrawnAt),
            timestamp_with_time_zone_null(Extra::ErasedAt),
        ];
        for mut col in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Ambassadors::Table)
                        .add_column(&mut col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(ProgrammeSettings::Table)
                    .add_column(integer(Extra::RetentionDays).default(30))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_ambassadors_withdrawn_at")
                    .table(Ambassadors::Table)
                    .col(Extra::WithdrawnAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_ambassadors_withdrawn_at")
                    .table(Ambassadors::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ProgrammeSettings::Table)
                    .drop_column(Extra::RetentionDays)
                    .to_owned(),
            )
            .await?;
        for col in [Extra::ErasedAt, Extra::WithdrawnAt, Extra::NipSealed] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Ambassadors::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
