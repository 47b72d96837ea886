use super::m20261123_000001_create_institutions::Institutions;
use super::m20261123_000003_create_users::Users;
use super::m20261123_000008_create_ambassadors::Ambassadors;
use super::m20261204_000028_create_kept_stamps::{add_triggers, drop_triggers};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Recruitment: each institution's public programme page (`programme_pages`, at most one
/// per institution: the headline and text its coordinators write; without a row the page
/// shows Duta's own text), and who came through whose referral link (`referrals`: one row
/// per ambassador who signed up through an approved ambassador's link of the same
/// institution; `ambassador_id` is unique, so a person has one referrer). Referrals are
/// counted in the statistics, so they move the `stats` stamp.
#[derive(DeriveIden)]
enum ProgrammePages {
    Table,
    Id,
    InstitutionId,
    Headline,
    Body,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Referrals {
    Table,
    Id,
    AmbassadorId,
    ReferrerId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProgrammePages::Table)
                    .col(big_pk_auto(ProgrammePages::Id))
                    .col(big_integer(ProgrammePages::InstitutionId))
                    .col(string_len(ProgrammePages::Headline, 200))
                    .col(text(ProgrammePages::Body))
                    .col(big_integer_null(ProgrammePages::UpdatedBy))
                    .col(timestamp_with_time_zone(ProgrammePages::UpdatedAt))
                    .index(
                        Index::create()
                            .name("ux_programme_pages_institution_id")
                            .col(ProgrammePages::InstitutionId)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_programme_pages_institution_id")
                            .from(ProgrammePages::Table, ProgrammePages::InstitutionId)
                            .to(Institutions::Table, Institutions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_programme_pages_updated_by")
                            .from(ProgrammePages::Table, ProgrammePages::UpdatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Referrals::Table)
                    .col(big_pk_auto(Referrals::Id))
                    .col(big_integer(Referrals::AmbassadorId))
                    .col(big_integer(Referrals::ReferrerId))
                    .col(timestamp_with_time_zone(Referrals::CreatedAt))
                    .index(
                        Index::create()
                            .name("ux_referrals_ambassador_id")
                            .col(Referrals::AmbassadorId)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_referrals_ambassador_id")
                            .from(Referrals::Table, Referrals::AmbassadorId)
                            .to(Ambassadors::Table, Ambassadors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_referrals_referrer_id")
                            .from(Referrals::Table, Referrals::ReferrerId)
                            .to(Ambassadors::Table, Ambassadors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_referrals_referrer_id")
                    .table(Referrals::Table)
                    .col(Referrals::ReferrerId)
                    .to_owned(),
            )
            .await?;
        add_triggers(manager, "stats", &["referrals"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_triggers(manager, "stats", &["referrals"]).await?;
        manager
            .drop_table(Table::drop().table(Referrals::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ProgrammePages::Table).to_owned())
            .await
    }
}
