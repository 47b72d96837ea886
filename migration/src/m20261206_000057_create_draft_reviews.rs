use super::m20261123_000001_create_institutions::Institutions;
use super::m20261123_000003_create_users::Users;
use super::m20261123_000008_create_ambassadors::Ambassadors;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Mentoring on drafts. `mentors`: approved ambassadors a coordinator named to review
/// their institution's drafts (one row each). `draft_reviews`: an ambassador's request for
/// a review of one saved draft (one per draft), `waiting` for a reviewer, `answered` once
/// commented, `accepted` when a reviewer says it is ready; `draft_versions` are its texts
/// (1 is the draft as asked, each revision the next number) and `draft_comments` what the
/// reviewers wrote on a version: overall, or on a passage of it with suggested wording.
#[derive(DeriveIden)]
enum Mentors {
    Table,
    Id,
    AmbassadorId,
    InstitutionId,
    NamedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Drafts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum DraftReviews {
    Table,
    Id,
    DraftId,
    AmbassadorId,
    InstitutionId,
    BriefId,
    Platform,
    State,
    RequestedAt,
    UpdatedAt,
    AcceptedAt,
    AcceptedBy,
}

#[derive(DeriveIden)]
enum DraftVersions {
    Table,
    Id,
    ReviewId,
    Number,
    Text,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DraftComments {
    Table,
    Id,
    ReviewId,
    VersionNumber,
    AuthorId,
    Body,
    Passage,
    Suggestion,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Mentors::Table)
                    .col(big_pk_auto(Mentors::Id))
                    .col(big_integer(Mentors::AmbassadorId))
                    .col(big_integer(Mentors::InstitutionId))
                    .col(big_integer_null(Mentors::NamedBy))
                    .col(timestamp_with_time_zone(Mentors::CreatedAt))
                    .index(
                        Index::create()
                            .name("ux_mentors_ambassador_id")
                            .col(Mentors::AmbassadorId)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mentors_ambassador_id")
                            .from(Mentors::Table, Mentors::AmbassadorId)
                            .to(Ambassadors::Table, Ambassadors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mentors_institution_id")
                            .from(Mentors::Table, Mentors::InstitutionId)
                            .to(Institutions::Table, Institutions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mentors_named_by")
                            .from(Mentors::Table, Mentors::NamedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DraftReviews::Table)
                    .col(big_pk_auto(DraftReviews::Id))
                    .col(big_integer(DraftReviews::DraftId))
                    .col(big_integer(DraftReviews::AmbassadorId))
                    .col(big_integer(DraftReviews::InstitutionId))
                    .col(big_integer_null(DraftReviews::BriefId))
                    .col(string_len(DraftReviews::Platform, 20))
                    .col(string_len(DraftReviews::State, 12))
                    .col(timestamp_with_time_zone(DraftReviews::RequestedAt))
                    .col(timestamp_with_time_zone(DraftReviews::UpdatedAt))
                    .col(timestamp_with_time_zone_null(DraftReviews::AcceptedAt))
                    .col(big_integer_null(DraftReviews::AcceptedBy))
                    .index(
                        Index::create()
                            .name("ux_draft_reviews_draft_id")
                            .col(DraftReviews::DraftId)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_draft_reviews_draft_id")
                            .from(DraftReviews::Table, DraftReviews::DraftId)
                            .to(Drafts::Table, Drafts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_draft_reviews_ambassador_id")
                            .from(DraftReviews::Table, DraftReviews::AmbassadorId)
                            .to(Ambassadors::Table, Ambassadors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_draft_reviews_institution_id")
                            .from(DraftReviews::Table, DraftReviews::InstitutionId)
                            .to(Institutions::Table, Institutions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_draft_reviews_accepted_by")
                            .from(DraftReviews::Table, DraftReviews::AcceptedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "ix_draft_reviews_institution_id_state",
                vec![DraftReviews::InstitutionId, DraftReviews::State],
            ),
            (
                "ix_draft_reviews_ambassador_id",
                vec![DraftReviews::AmbassadorId],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(DraftReviews::Table);
            for c in cols {
                index.col(c);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(DraftVersions::Table)
                    .col(big_pk_auto(DraftVersions::Id))
                    .col(big_integer(DraftVersions::ReviewId))
                    .col(integer(DraftVersions::Number))
                    .col(text(DraftVersions::Text))
                    .col(timestamp_with_time_zone(DraftVersions::CreatedAt))
                    .index(
                        Index::create()
                            .name("ux_draft_versions_review_id_number")
                            .col(DraftVersions::ReviewId)
                            .col(DraftVersions::Number)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_draft_versions_review_id")
                            .from(DraftVersions::Table, DraftVersions::ReviewId)
                            .to(DraftReviews::Table, DraftReviews::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DraftComments::Table)
                    .col(big_pk_auto(DraftComments::Id))
                    .col(big_integer(DraftComments::ReviewId))
                    .col(integer(DraftComments::VersionNumber))
                    .col(big_integer_null(DraftComments::AuthorId))
                    .col(text(DraftComments::Body))
                    .col(text_null(DraftComments::Passage))
                    .col(text_null(DraftComments::Suggestion))
                    .col(timestamp_with_time_zone(DraftComments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_draft_comments_review_id")
                            .from(DraftComments::Table, DraftComments::ReviewId)
                            .to(DraftReviews::Table, DraftReviews::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_draft_comments_author_id")
                            .from(DraftComments::Table, DraftComments::AuthorId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_draft_comments_review_id")
                    .table(DraftComments::Table)
                    .col(DraftComments::ReviewId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            DraftComments::Table.into_iden(),
            DraftVersions::Table.into_iden(),
            DraftReviews::Table.into_iden(),
            Mentors::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
