use super::m20261123_000008_create_ambassadors::Ambassadors;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Recognition. `earned_badges`: a badge an ambassador earned, kept from the first time
/// Duta saw its rule met (a streak badge stays when the streak leaves the 52-week window).
/// `badge_settings`: whether the ambassador shows their badges on the board (off unless
/// they turn it on).
#[derive(DeriveIden)]
enum EarnedBadges {
    Table,
    Id,
    AmbassadorId,
    Badge,
    EarnedAt,
}

#[derive(DeriveIden)]
enum BadgeSettings {
    Table,
    AmbassadorId,
    ShowOnBoard,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EarnedBadges::Table)
                    .col(big_pk_auto(EarnedBadges::Id))
                    .col(big_integer(EarnedBadges::AmbassadorId))
                    .col(string_len(EarnedBadges::Badge, 40))
                    .col(timestamp_with_time_zone(EarnedBadges::EarnedAt))
                    .index(
                        Index::create()
                            .name("ux_earned_badges_ambassador_id_badge")
                            .col(EarnedBadges::AmbassadorId)
                            .col(EarnedBadges::Badge)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_earned_badges_ambassador_id")
                            .from(EarnedBadges::Table, EarnedBadges::AmbassadorId)
                            .to(Ambassadors::Table, Ambassadors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BadgeSettings::Table)
                    .col(big_integer(BadgeSettings::AmbassadorId).primary_key())
                    .col(boolean(BadgeSettings::ShowOnBoard).default(false))
                    .col(timestamp_with_time_zone(BadgeSettings::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_badge_settings_ambassador_id")
                            .from(BadgeSettings::Table, BadgeSettings::AmbassadorId)
                            .to(Ambassadors::Table, Ambassadors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BadgeSettings::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(EarnedBadges::Table).to_owned())
            .await
    }
}
