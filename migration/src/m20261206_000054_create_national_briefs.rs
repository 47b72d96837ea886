use super::m20261123_000001_create_institutions::Institutions;
use super::m20261123_000003_create_users::Users;
use super::m20261123_000011_create_briefs::Briefs;
use super::m20261206_000052_create_hoax_reports::HoaxCases;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The national narrative that cascades: each institution gets a region (a province, or
/// none for the central government); a national brief (`national_briefs`) is written once
/// by the national role for all institutions or chosen kinds and regions, and each
/// institution it reaches has one `national_uptakes` row: `waiting`, then `adopted` (the
/// institution's own brief `brief_id`, with local facts and wording) or `declined` (with a
/// reason). `(national_brief_id, institution_id)` is unique: an institution answers once.
/// A national brief may answer a case of the national hoax list (`hoax_case_id`, unique).
#[derive(DeriveIden)]
enum NationalBriefs {
    Table,
    Id,
    Title,
    Week,
    WeekStart,
    Category,
    KeyMessages,
    Facts,
    Hashtags,
    Mentions,
    Dos,
    Donts,
    Sample,
    Platforms,
    Deadline,
    Priority,
    TemplateIds,
    Kinds,
    Regions,
    HoaxCaseId,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum NationalUptakes {
    Table,
    Id,
    NationalBriefId,
    InstitutionId,
    State,
    Reason,
    BriefId,
    DecidedBy,
    DecidedAt,
}

#[derive(DeriveIden)]
enum Region {
    Region,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Institutions::Table)
                    .add_column(string_len_null(Region::Region, 40))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NationalBriefs::Table)
                    .col(big_pk_auto(NationalBriefs::Id))
                    .col(string_len(NationalBriefs::Title, 200))
                    .col(string_len(NationalBriefs::Week, 10))
                    .col(date(NationalBriefs::WeekStart))
                    .col(string_len(NationalBriefs::Category, 40))
                    .col(text(NationalBriefs::KeyMessages))
                    .col(text(NationalBriefs::Facts))
                    .col(text(NationalBriefs::Hashtags))
                    .col(text(NationalBriefs::Mentions))
                    .col(text(NationalBriefs::Dos))
                    .col(text(NationalBriefs::Donts))
                    .col(text(NationalBriefs::Sample))
                    .col(text(NationalBriefs::Platforms))
                    .col(timestamp_with_time_zone(NationalBriefs::Deadline))
                    .col(string_len(NationalBriefs::Priority, 10))
                    .col(text(NationalBriefs::TemplateIds))
                    .col(text(NationalBriefs::Kinds))
                    .col(text(NationalBriefs::Regions))
                    .col(big_integer_null(NationalBriefs::HoaxCaseId))
                    .col(big_integer(NationalBriefs::CreatedBy))
                    .col(timestamp_with_time_zone(NationalBriefs::CreatedAt))
                    .index(
                        Index::create()
                            .name("ux_national_briefs_hoax_case_id")
                            .col(NationalBriefs::HoaxCaseId)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_national_briefs_hoax_case_id")
                            .from(NationalBriefs::Table, NationalBriefs::HoaxCaseId)
                            .to(HoaxCases::Table, HoaxCases::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_national_briefs_created_by")
                            .from(NationalBriefs::Table, NationalBriefs::CreatedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NationalUptakes::Table)
                    .col(big_pk_auto(NationalUptakes::Id))
                    .col(big_integer(NationalUptakes::NationalBriefId))
                    .col(big_integer(NationalUptakes::InstitutionId))
                    .col(string_len(NationalUptakes::State, 10).default("waiting"))
                    .col(text_null(NationalUptakes::Reason))
                    .col(big_integer_null(NationalUptakes::BriefId))
                    .col(big_integer_null(NationalUptakes::DecidedBy))
                    .col(timestamp_with_time_zone_null(NationalUptakes::DecidedAt))
                    .index(
                        Index::create()
                            .name("ux_national_uptakes_brief_institution")
                            .col(NationalUptakes::NationalBriefId)
                            .col(NationalUptakes::InstitutionId)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_national_uptakes_national_brief_id")
                            .from(NationalUptakes::Table, NationalUptakes::NationalBriefId)
                            .to(NationalBriefs::Table, NationalBriefs::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_national_uptakes_institution_id")
                            .from(NationalUptakes::Table, NationalUptakes::InstitutionId)
                            .to(Institutions::Table, Institutions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_national_uptakes_brief_id")
                            .from(NationalUptakes::Table, NationalUptakes::BriefId)
                            .to(Briefs::Table, Briefs::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_national_uptakes_decided_by")
                            .from(NationalUptakes::Table, NationalUptakes::DecidedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // A coordinator's inbox: the institution's national briefs, newest first.
        manager
            .create_index(
                Index::create()
                    .name("ix_national_uptakes_institution_id")
                    .table(NationalUptakes::Table)
                    .col(NationalUptakes::InstitutionId)
                    .col(NationalUptakes::State)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_national_uptakes_brief_id")
                    .table(NationalUptakes::Table)
                    .col(NationalUptakes::BriefId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(NationalUptakes::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(NationalBriefs::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Institutions::Table)
                    .drop_column(Region::Region)
                    .to_owned(),
            )
            .await
    }
}
