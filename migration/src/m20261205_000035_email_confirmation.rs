use super::m20261123_000003_create_users::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `users.email_unconfirmed_since`: set when a candidate signs up while Duta sends email,
/// cleared when they open the confirmation link. Until then the application stays out of
/// the vetting queue. Empty for everyone else (accounts made before, staff, imports).
#[derive(DeriveIden)]
enum Extra {
    EmailUnconfirmedSince,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(timestamp_with_time_zone_null(Extra::EmailUnconfirmedSince))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Extra::EmailUnconfirmedSince)
                    .to_owned(),
            )
            .await
    }
}
