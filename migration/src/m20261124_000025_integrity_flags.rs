use super::m20261123_000004_create_programme_settings::ProgrammeSettings;
use super::m20261123_000007_create_media::Media;
use super::m20261123_000008_create_ambassadors::Ambassadors;
use super::m20261123_000011_create_briefs::Briefs;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Programme integrity:
/// - `integrity_flags`: a flag on an ambassador (or on a brief, for blocklisted words),
///   with its kind, the figures that explain it, and how it was cleared; `dedup_key`
///   keeps one flag per cause;
/// - `media.phash`: a 64-bit perceptual hash (dHash) of each image, to find the same
///   screenshot sent by two people;
/// - programme settings: the follower jump that raises a flag, the blocklist, and the
///   dates of the election-period neutrality mode.
#[derive(DeriveIden)]
enum IntegrityFlags {
    Table,
    Id,
    AmbassadorId,
    BriefId,
    InstitutionId,
    Kind,
    Detail,
    DedupKey,
    RaisedAt,
    ClearedAt,
    ClearedBy,
    ClearNote,
}

#[derive(DeriveIden)]
enum Extra {
    Phash,
    FollowerJumpPercent,
    Blocklist,
    NeutralityFrom,
    NeutralityTo,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IntegrityFlags::Table)
                    .col(big_pk_auto(IntegrityFlags::Id))
                    .col(big_integer_null(IntegrityFlags::AmbassadorId))
                    .col(big_integer_null(IntegrityFlags::BriefId))
                    .col(big_integer(IntegrityFlags::InstitutionId))
                    .col(string(IntegrityFlags::Kind))
                    .col(text(IntegrityFlags::Detail))
                    .col(string(IntegrityFlags::DedupKey))
                    .col(timestamp_with_time_zone(IntegrityFlags::RaisedAt))
                    .col(timestamp_with_time_zone_null(IntegrityFlags::ClearedAt))
                    .col(big_integer_null(IntegrityFlags::ClearedBy))
                    .col(text_null(IntegrityFlags::ClearNote))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_integrity_flags_ambassador_id")
                            .from(IntegrityFlags::Table, IntegrityFlags::AmbassadorId)
                            .to(Ambassadors::Table, Ambassadors::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_integrity_flags_brief_id")
                            .from(IntegrityFlags::Table, IntegrityFlags::BriefId)
                            .to(Briefs::Table, Briefs::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ux_integrity_flags_dedup", vec![IntegrityFlags::DedupKey]),
            (
                "ix_integrity_flags_institution",
                vec![IntegrityFlags::InstitutionId, IntegrityFlags::ClearedAt],
            ),
            (
                "ix_integrity_flags_ambassador",
                vec![IntegrityFlags::AmbassadorId],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(IntegrityFlags::Table);
            if name.starts_with("ux_") {
                index.unique();
            }
            for c in cols {
                index.col(c);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Media::Table)
                    .add_column(big_integer_null(Extra::Phash))
                    .to_owned(),
            )
            .await?;
        let columns = [
            integer(Extra::FollowerJumpPercent).default(50).to_owned(),
            text(Extra::Blocklist).default("").to_owned(),
            date_null(Extra::NeutralityFrom),
            date_null(Extra::NeutralityTo),
        ];
        for mut col in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(ProgrammeSettings::Table)
                        .add_column(&mut col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            Extra::NeutralityTo,
            Extra::NeutralityFrom,
            Extra::Blocklist,
            Extra::FollowerJumpPercent,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ProgrammeSettings::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Media::Table)
                    .drop_column(Extra::Phash)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(IntegrityFlags::Table).to_owned())
            .await
    }
}
