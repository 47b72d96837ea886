use super::m20261123_000003_create_users::Users;
use super::m20261123_000004_create_programme_settings::ProgrammeSettings;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Two-factor sign-in (TOTP, RFC 6238):
/// - `users.totp_secret`: the shared secret, sealed with the data key (set while setting
///   up, kept once enabled); `totp_enabled_at`; `totp_last_step`: the time step of the
///   last code accepted, so no code is accepted twice;
/// - `recovery_codes`: one-time codes, stored as SHA-256 hashes;
/// - `programme_settings.two_factor_required`: staff (admins, national, leadership,
///   coordinators) must use it.
#[derive(DeriveIden)]
enum Extra {
    TotpSecret,
    TotpEnabledAt,
    TotpLastStep,
    TwoFactorRequired,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    UsedAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            text_null(Extra::TotpSecret),
            timestamp_with_time_zone_null(Extra::TotpEnabledAt),
            big_integer_null(Extra::TotpLastStep),
        ];
        for mut col in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(&mut col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(ProgrammeSettings::Table)
                    .add_column(boolean(Extra::TwoFactorRequired).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .col(big_pk_auto(RecoveryCodes::Id))
                    .col(big_integer(RecoveryCodes::UserId))
                    .col(string(RecoveryCodes::CodeHash))
                    .col(timestamp_with_time_zone_null(RecoveryCodes::UsedAt))
                    .col(timestamp_with_time_zone(RecoveryCodes::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_recovery_codes_user_id")
                            .from(RecoveryCodes::Table, RecoveryCodes::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_recovery_codes_user_id")
                    .table(RecoveryCodes::Table)
                    .col(RecoveryCodes::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RecoveryCodes::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ProgrammeSettings::Table)
                    .drop_column(Extra::TwoFactorRequired)
                    .to_owned(),
            )
            .await?;
        for col in [Extra::TotpLastStep, Extra::TotpEnabledAt, Extra::TotpSecret] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
