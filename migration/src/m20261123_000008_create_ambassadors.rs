use super::m20261123_000001_create_institutions::Institutions;
use super::m20261123_000002_create_work_units::WorkUnits;
use super::m20261123_000003_create_users::Users;
use super::m20261123_000007_create_media::Media;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Ambassadors {
    Table,
    Id,
    UserId,
    DisplayName,
    Nip,
    EmployeeType,
    Phone,
    InstitutionId,
    WorkUnitId,
    Status,
    RejectionReason,
    MemberSince,
    ConsentVersion,
    ConsentAt,
    SubmittedAt,
    DecidedAt,
    DecidedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum AmbassadorPlatforms {
    Table,
    Id,
    AmbassadorId,
    Platform,
    Handle,
    Method,
    FollowerCount,
    CheckedAt,
    EvidenceMediaId,
    ReviewedBy,
    Verdict,
    CheckError,
    RetryAfter,
    BelowSince,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FollowerChecks {
    Table,
    Id,
    AmbassadorPlatformId,
    Method,
    FollowerCount,
    Outcome,
    CheckedBy,
    CheckedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Ambassadors::Table)
                    .col(big_pk_auto(Ambassadors::Id))
                    .col(big_integer_uniq(Ambassadors::UserId))
                    .col(string(Ambassadors::DisplayName))
                    .col(string_uniq(Ambassadors::Nip))
                    .col(string(Ambassadors::EmployeeType))
                    .col(string(Ambassadors::Phone))
                    .col(big_integer(Ambassadors::InstitutionId))
                    .col(big_integer(Ambassadors::WorkUnitId))
                    .col(string(Ambassadors::Status))
                    .col(text_null(Ambassadors::RejectionReason))
                    .col(date_null(Ambassadors::MemberSince))
                    .col(string(Ambassadors::ConsentVersion))
                    .col(timestamp_with_time_zone(Ambassadors::ConsentAt))
                    .col(timestamp_with_time_zone(Ambassadors::SubmittedAt))
                    .col(timestamp_with_time_zone_null(Ambassadors::DecidedAt))
                    .col(big_integer_null(Ambassadors::DecidedBy))
                    .col(timestamp_with_time_zone(Ambassadors::CreatedAt))
                    .col(timestamp_with_time_zone(Ambassadors::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_ambassadors_user_id")
                            .from(Ambassadors::Table, Ambassadors::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_ambassadors_institution_id")
                            .from(Ambassadors::Table, Ambassadors::InstitutionId)
                            .to(Institutions::Table, Institutions::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_ambassadors_work_unit_id")
                            .from(Ambassadors::Table, Ambassadors::WorkUnitId)
                            .to(WorkUnits::Table, WorkUnits::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_ambassadors_decided_by")
                            .from(Ambassadors::Table, Ambassadors::DecidedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // Phones are not unique (a shared office phone happens); the vetting page shows them.
        manager
            .create_index(
                Index::create()
                    .name("ix_ambassadors_phone")
                    .table(Ambassadors::Table)
                    .col(Ambassadors::Phone)
                    .to_owned(),
            )
            .await?;
        // The vetting queue: an institution's candidates by status, oldest first.
        manager
            .create_index(
                Index::create()
                    .name("ix_ambassadors_institution_status_submitted")
                    .table(Ambassadors::Table)
                    .col(Ambassadors::InstitutionId)
                    .col(Ambassadors::Status)
                    .col(Ambassadors::SubmittedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AmbassadorPlatforms::Table)
                    .col(big_pk_auto(AmbassadorPlatforms::Id))
                    .col(big_integer(AmbassadorPlatforms::AmbassadorId))
                    .col(string(AmbassadorPlatforms::Platform))
                    .col(string(AmbassadorPlatforms::Handle))
                    .col(string(AmbassadorPlatforms::Method))
                    .col(big_integer_null(AmbassadorPlatforms::FollowerCount))
                    .col(timestamp_with_time_zone_null(
                        AmbassadorPlatforms::CheckedAt,
                    ))
                    .col(big_integer_null(AmbassadorPlatforms::EvidenceMediaId))
                    .col(big_integer_null(AmbassadorPlatforms::ReviewedBy))
                    .col(string(AmbassadorPlatforms::Verdict))
                    .col(string_null(AmbassadorPlatforms::CheckError))
                    .col(timestamp_with_time_zone_null(
                        AmbassadorPlatforms::RetryAfter,
                    ))
                    .col(timestamp_with_time_zone_null(
                        AmbassadorPlatforms::BelowSince,
                    ))
                    .col(timestamp_with_time_zone(AmbassadorPlatforms::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_ambassador_platforms_ambassador_id")
                            .from(
                                AmbassadorPlatforms::Table,
                                AmbassadorPlatforms::AmbassadorId,
                            )
                            .to(Ambassadors::Table, Ambassadors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_ambassador_platforms_evidence_media_id")
                            .from(
                                AmbassadorPlatforms::Table,
                                AmbassadorPlatforms::EvidenceMediaId,
                            )
                            .to(Media::Table, Media::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_ambassador_platforms_reviewed_by")
                            .from(AmbassadorPlatforms::Table, AmbassadorPlatforms::ReviewedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // One account per platform and person, and a handle belongs to one person in Duta.
        for (name, cols) in [
            (
                "ux_ambassador_platforms_ambassador_platform",
                [
                    AmbassadorPlatforms::AmbassadorId,
                    AmbassadorPlatforms::Platform,
                ],
            ),
            (
                "ux_ambassador_platforms_platform_handle",
                [AmbassadorPlatforms::Platform, AmbassadorPlatforms::Handle],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(AmbassadorPlatforms::Table).unique();
            for c in cols {
                index.col(c);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(FollowerChecks::Table)
                    .col(big_pk_auto(FollowerChecks::Id))
                    .col(big_integer(FollowerChecks::AmbassadorPlatformId))
                    .col(string(FollowerChecks::Method))
                    .col(big_integer_null(FollowerChecks::FollowerCount))
                    .col(string(FollowerChecks::Outcome))
                    .col(big_integer_null(FollowerChecks::CheckedBy))
                    .col(timestamp_with_time_zone(FollowerChecks::CheckedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_follower_checks_ambassador_platform_id")
                            .from(FollowerChecks::Table, FollowerChecks::AmbassadorPlatformId)
                            .to(AmbassadorPlatforms::Table, AmbassadorPlatforms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_follower_checks_platform_at")
                    .table(FollowerChecks::Table)
                    .col(FollowerChecks::AmbassadorPlatformId)
                    .col(FollowerChecks::CheckedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FollowerChecks::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AmbassadorPlatforms::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Ambassadors::Table).to_owned())
            .await
    }
}
