use sea_orm_migration::prelude::*;

use super::m20261123_000003_create_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Extra {
    InvitationPendingSince,
}

/// The people whose invitation is not accepted yet are found through an index: the
/// coordinator's home counts them on every visit and the roster filters by them, and
/// without it both read every user.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_users_invitation_pending_since")
                    .table(Users::Table)
                    .col(Extra::InvitationPendingSince)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_users_invitation_pending_since")
                    .table(Users::Table)
                    .to_owned(),
            )
            .await
    }
}
