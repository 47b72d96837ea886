use super::m20261123_000003_create_users::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The kinds of email a person turned off (every kind is on until they do): one row per
/// person and kind, gone with the person.
#[derive(DeriveIden)]
enum EmailOptOuts {
    Table,
    UserId,
    Kind,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EmailOptOuts::Table)
                    .col(big_integer(EmailOptOuts::UserId))
                    .col(string_len(EmailOptOuts::Kind, 40))
                    .col(timestamp_with_time_zone(EmailOptOuts::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(EmailOptOuts::UserId)
                            .col(EmailOptOuts::Kind),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_email_opt_outs_user_id")
                            .from(EmailOptOuts::Table, EmailOptOuts::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EmailOptOuts::Table).to_owned())
            .await
    }
}
