use super::m20261123_000003_create_users::Users;
use super::m20261123_000007_create_media::Media;
use super::m20261123_000008_create_ambassadors::Ambassadors;
use super::m20261123_000011_create_briefs::Briefs;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A post an ambassador made for a brief on one platform. `post_key` (platform and the
/// post's own id) is unique across Duta; `slot` holds `ambassador:brief:platform` while
/// the submission is pending or verified and is empty once rejected, so its unique index
/// allows one open submission per brief and platform and a new try after a rejection.
#[derive(DeriveIden)]
pub enum Submissions {
    Table,
    Id,
    AmbassadorId,
    BriefId,
    Platform,
    Url,
    PostKey,
    Slot,
    PostedAt,
    WeekStart,
    ScreenshotMediaId,
    Likes,
    Comments,
    Shares,
    Saves,
    Status,
    Reason,
    AutoVerified,
    DecidedBy,
    DecidedAt,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Submissions::Table)
                    .col(big_pk_auto(Submissions::Id))
                    .col(big_integer(Submissions::AmbassadorId))
                    .col(big_integer(Submissions::BriefId))
                    .col(string(Submissions::Platform))
                    .col(text(Submissions::Url))
                    .col(string_uniq(Submissions::PostKey))
                    .col(string_null(Submissions::Slot).unique_key())
                    .col(timestamp_with_time_zone(Submissions::PostedAt))
                    .col(date(Submissions::WeekStart))
                    .col(big_integer_null(Submissions::ScreenshotMediaId))
                    .col(big_integer_null(Submissions::Likes))
                    .col(big_integer_null(Submissions::Comments))
                    .col(big_integer_null(Submissions::Shares))
                    .col(big_integer_null(Submissions::Saves))
                    .col(string(Submissions::Status))
                    .col(text_null(Submissions::Reason))
                    .col(boolean(Submissions::AutoVerified).default(false))
                    .col(big_integer_null(Submissions::DecidedBy))
                    .col(timestamp_with_time_zone_null(Submissions::DecidedAt))
                    .col(timestamp_with_time_zone(Submissions::CreatedAt))
                    .col(timestamp_with_time_zone(Submissions::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_submissions_ambassador_id")
                            .from(Submissions::Table, Submissions::AmbassadorId)
                            .to(Ambassadors::Table, Ambassadors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_submissions_brief_id")
                            .from(Submissions::Table, Submissions::BriefId)
                            .to(Briefs::Table, Briefs::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_submissions_screenshot_media_id")
                            .from(Submissions::Table, Submissions::ScreenshotMediaId)
                            .to(Media::Table, Media::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_submissions_decided_by")
                            .from(Submissions::Table, Submissions::DecidedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "ix_submissions_status_created_at",
                vec![Submissions::Status, Submissions::CreatedAt],
            ),
            (
                "ix_submissions_ambassador_id_created_at",
                vec![Submissions::AmbassadorId, Submissions::CreatedAt],
            ),
            (
                "ix_submissions_status_ambassador_id_week_start",
                vec![
                    Submissions::Status,
                    Submissions::AmbassadorId,
                    Submissions::WeekStart,
                ],
            ),
            ("ix_submissions_brief_id", vec![Submissions::BriefId]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Submissions::Table);
            for c in cols {
                index.col(c);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Submissions::Table).to_owned())
            .await
    }
}
