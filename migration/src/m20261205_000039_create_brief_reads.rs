use super::m20261123_000008_create_ambassadors::Ambassadors;
use super::m20261123_000011_create_briefs::Briefs;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// When an ambassador first opened a brief addressed to them: the "seen" of the brief's
/// audience list (seen → draft → submitted → verified). One row per brief and person,
/// written once; erasure deletes the person's rows. Also an index of drafts by brief.
#[derive(DeriveIden)]
enum BriefReads {
    Table,
    BriefId,
    AmbassadorId,
    FirstSeenAt,
}

#[derive(DeriveIden)]
enum Drafts {
    Table,
    BriefId,
    UserId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BriefReads::Table)
                    .col(big_integer(BriefReads::BriefId))
                    .col(big_integer(BriefReads::AmbassadorId))
                    .col(timestamp_with_time_zone(BriefReads::FirstSeenAt))
                    .primary_key(
                        Index::create()
                            .col(BriefReads::BriefId)
                            .col(BriefReads::AmbassadorId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_brief_reads_brief_id")
                            .from(BriefReads::Table, BriefReads::BriefId)
                            .to(Briefs::Table, Briefs::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_brief_reads_ambassador_id")
                            .from(BriefReads::Table, BriefReads::AmbassadorId)
                            .to(Ambassadors::Table, Ambassadors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_brief_reads_ambassador_id")
                    .table(BriefReads::Table)
                    .col(BriefReads::AmbassadorId)
                    .to_owned(),
            )
            .await?;
        // The audience list reads a brief's drafts by brief.
        manager
            .create_index(
                Index::create()
                    .name("ix_drafts_brief_id_user_id")
                    .table(Drafts::Table)
                    .col(Drafts::BriefId)
                    .col(Drafts::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_drafts_brief_id_user_id")
                    .table(Drafts::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(BriefReads::Table).to_owned())
            .await
    }
}
