use super::m20261123_000001_create_institutions::Institutions;
use super::m20261123_000003_create_users::Users;
use super::m20261123_000007_create_media::Media;
use super::m20261123_000011_create_briefs::Briefs;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Reports of a circulating hoax or rising issue, grouped into cases: one case per hoax,
/// however many people report it. A case lies in one triage list (`owner_institution_id`,
/// NULL for the national list), starts `new`, is decided `confirmed` or `not_hoax` (or moved
/// to another list: "not ours"), and becomes `answered` when the clarification brief made
/// from it comes out. `hoax_links` holds every link reported for a case, unique per
/// institution, so the same link reported again (or by two people at once) joins the case.
#[derive(DeriveIden)]
pub enum HoaxCases {
    Table,
    Id,
    OriginInstitutionId,
    OwnerInstitutionId,
    State,
    Summary,
    ReportCount,
    FirstReportedAt,
    LastReportedAt,
    DecidedBy,
    DecidedAt,
    DecisionNote,
    ForwardedBy,
    ForwardedAt,
    ForwardNote,
    BriefId,
    AnsweredAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum HoaxReports {
    Table,
    Id,
    CaseId,
    ReporterId,
    InstitutionId,
    WorkUnitId,
    Platform,
    SeenWhere,
    Note,
    Links,
    MediaId,
    Phash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum HoaxLinks {
    Table,
    InstitutionId,
    Url,
    CaseId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(HoaxCases::Table)
                    .col(big_pk_auto(HoaxCases::Id))
                    .col(big_integer(HoaxCases::OriginInstitutionId))
                    .col(big_integer_null(HoaxCases::OwnerInstitutionId))
                    .col(string_len(HoaxCases::State, 12).default("new"))
                    .col(string_len(HoaxCases::Summary, 200))
                    .col(integer(HoaxCases::ReportCount).default(0))
                    .col(timestamp_with_time_zone(HoaxCases::FirstReportedAt))
                    .col(timestamp_with_time_zone(HoaxCases::LastReportedAt))
                    .col(big_integer_null(HoaxCases::DecidedBy))
                    .col(timestamp_with_time_zone_null(HoaxCases::DecidedAt))
                    .col(text_null(HoaxCases::DecisionNote))
                    .col(big_integer_null(HoaxCases::ForwardedBy))
                    .col(timestamp_with_time_zone_null(HoaxCases::ForwardedAt))
                    .col(text_null(HoaxCases::ForwardNote))
                    .col(big_integer_null(HoaxCases::BriefId))
                    .col(timestamp_with_time_zone_null(HoaxCases::AnsweredAt))
                    .col(timestamp_with_time_zone(HoaxCases::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hoax_cases_origin_institution_id")
                            .from(HoaxCases::Table, HoaxCases::OriginInstitutionId)
                            .to(Institutions::Table, Institutions::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hoax_cases_owner_institution_id")
                            .from(HoaxCases::Table, HoaxCases::OwnerInstitutionId)
                            .to(Institutions::Table, Institutions::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hoax_cases_decided_by")
                            .from(HoaxCases::Table, HoaxCases::DecidedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hoax_cases_forwarded_by")
                            .from(HoaxCases::Table, HoaxCases::ForwardedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hoax_cases_brief_id")
                            .from(HoaxCases::Table, HoaxCases::BriefId)
                            .to(Briefs::Table, Briefs::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // A triage list: its cases by state, the latest reported first.
        manager
            .create_index(
                Index::create()
                    .name("ix_hoax_cases_owner_state_last")
                    .table(HoaxCases::Table)
                    .col(HoaxCases::OwnerInstitutionId)
                    .col(HoaxCases::State)
                    .col(HoaxCases::LastReportedAt)
                    .to_owned(),
            )
            .await?;
        // Publishing a brief answers the case it was made from.
        manager
            .create_index(
                Index::create()
                    .name("ix_hoax_cases_brief_id")
                    .table(HoaxCases::Table)
                    .col(HoaxCases::BriefId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HoaxReports::Table)
                    .col(big_pk_auto(HoaxReports::Id))
                    .col(big_integer(HoaxReports::CaseId))
                    .col(big_integer(HoaxReports::ReporterId))
                    .col(big_integer(HoaxReports::InstitutionId))
                    .col(big_integer_null(HoaxReports::WorkUnitId))
                    .col(string_len(HoaxReports::Platform, 20))
                    .col(string_len(HoaxReports::SeenWhere, 200))
                    .col(text(HoaxReports::Note))
                    .col(text(HoaxReports::Links))
                    .col(big_integer_null(HoaxReports::MediaId))
                    .col(big_integer_null(HoaxReports::Phash))
                    .col(timestamp_with_time_zone(HoaxReports::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hoax_reports_case_id")
                            .from(HoaxReports::Table, HoaxReports::CaseId)
                            .to(HoaxCases::Table, HoaxCases::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hoax_reports_reporter_id")
                            .from(HoaxReports::Table, HoaxReports::ReporterId)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hoax_reports_institution_id")
                            .from(HoaxReports::Table, HoaxReports::InstitutionId)
                            .to(Institutions::Table, Institutions::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hoax_reports_media_id")
                            .from(HoaxReports::Table, HoaxReports::MediaId)
                            .to(Media::Table, Media::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_hoax_reports_case_id")
                    .table(HoaxReports::Table)
                    .col(HoaxReports::CaseId)
                    .to_owned(),
            )
            .await?;
        // The reporter's own list, newest first.
        manager
            .create_index(
                Index::create()
                    .name("ix_hoax_reports_reporter_id_created_at")
                    .table(HoaxReports::Table)
                    .col(HoaxReports::ReporterId)
                    .col(HoaxReports::CreatedAt)
                    .to_owned(),
            )
            .await?;
        // The same screenshot again: the institution's recent reports with a picture.
        manager
            .create_index(
                Index::create()
                    .name("ix_hoax_reports_institution_id_created_at")
                    .table(HoaxReports::Table)
                    .col(HoaxReports::InstitutionId)
                    .col(HoaxReports::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HoaxLinks::Table)
                    .col(big_integer(HoaxLinks::InstitutionId))
                    .col(string_len(HoaxLinks::Url, 2048))
                    .col(big_integer(HoaxLinks::CaseId))
                    .primary_key(
                        Index::create()
                            .col(HoaxLinks::InstitutionId)
                            .col(HoaxLinks::Url),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hoax_links_case_id")
                            .from(HoaxLinks::Table, HoaxLinks::CaseId)
                            .to(HoaxCases::Table, HoaxCases::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_hoax_links_case_id")
                    .table(HoaxLinks::Table)
                    .col(HoaxLinks::CaseId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(HoaxLinks::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(HoaxReports::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(HoaxCases::Table).to_owned())
            .await?;
        Ok(())
    }
}
