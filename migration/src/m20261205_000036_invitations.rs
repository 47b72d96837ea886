use super::m20261123_000003_create_users::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `users.invitation_pending_since`: set when an account is made with an invitation (a staff
/// account or an imported ambassador), cleared when its password is first set (the
/// invitation accepted, or a reset link used). Empty for everyone else.
#[derive(DeriveIden)]
enum Extra {
    InvitationPendingSince,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(timestamp_with_time_zone_null(Extra::InvitationPendingSince))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Extra::InvitationPendingSince)
                    .to_owned(),
            )
            .await
    }
}
