use super::m20261123_000003_create_users::Users;
use super::m20261123_000011_create_briefs::Briefs;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Web Push: each browser a person allowed to notify them (`push_subscriptions`, one row
/// per endpoint), and each message of a brief to each of them (`push_deliveries`): queued
/// when the brief comes out, claimed by one node's sender, then sent, gone (the
/// subscription ended), or failed. `(brief_id, subscription_id)` is unique: a brief is
/// pushed to a browser once.
#[derive(DeriveIden)]
enum PushSubscriptions {
    Table,
    Id,
    UserId,
    Endpoint,
    P256dh,
    Auth,
    CreatedAt,
    LastSentAt,
}

#[derive(DeriveIden)]
enum PushDeliveries {
    Table,
    Id,
    BriefId,
    SubscriptionId,
    UserId,
    State,
    Attempts,
    NotBefore,
    ClaimedUntil,
    LastStatus,
    QueuedAt,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PushSubscriptions::Table)
                    .col(big_pk_auto(PushSubscriptions::Id))
                    .col(big_integer(PushSubscriptions::UserId))
                    .col(string_len(PushSubscriptions::Endpoint, 1000))
                    .col(string_len(PushSubscriptions::P256dh, 100))
                    .col(string_len(PushSubscriptions::Auth, 50))
                    .col(timestamp_with_time_zone(PushSubscriptions::CreatedAt))
                    .col(timestamp_with_time_zone_null(PushSubscriptions::LastSentAt))
                    .index(
                        Index::create()
                            .name("ux_push_subscriptions_endpoint")
                            .col(PushSubscriptions::Endpoint)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_push_subscriptions_user_id")
                            .from(PushSubscriptions::Table, PushSubscriptions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_push_subscriptions_user_id")
                    .table(PushSubscriptions::Table)
                    .col(PushSubscriptions::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PushDeliveries::Table)
                    .col(big_pk_auto(PushDeliveries::Id))
                    .col(big_integer(PushDeliveries::BriefId))
                    .col(big_integer_null(PushDeliveries::SubscriptionId))
                    .col(big_integer(PushDeliveries::UserId))
                    .col(string_len(PushDeliveries::State, 10).default("queued"))
                    .col(integer(PushDeliveries::Attempts).default(0))
                    .col(timestamp_with_time_zone(PushDeliveries::NotBefore))
                    .col(timestamp_with_time_zone_null(PushDeliveries::ClaimedUntil))
                    .col(integer_null(PushDeliveries::LastStatus))
                    .col(timestamp_with_time_zone(PushDeliveries::QueuedAt))
                    .col(timestamp_with_time_zone_null(PushDeliveries::SentAt))
                    // Queuing inserts each delivery once (`ON CONFLICT DO NOTHING`).
                    .index(
                        Index::create()
                            .name("ux_push_deliveries_brief_subscription")
                            .col(PushDeliveries::BriefId)
                            .col(PushDeliveries::SubscriptionId)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_push_deliveries_brief_id")
                            .from(PushDeliveries::Table, PushDeliveries::BriefId)
                            .to(Briefs::Table, Briefs::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_push_deliveries_subscription_id")
                            .from(PushDeliveries::Table, PushDeliveries::SubscriptionId)
                            .to(PushSubscriptions::Table, PushSubscriptions::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_push_deliveries_user_id")
                            .from(PushDeliveries::Table, PushDeliveries::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The senders: what is due, oldest first.
        manager
            .create_index(
                Index::create()
                    .name("ix_push_deliveries_state_not_before")
                    .table(PushDeliveries::Table)
                    .col(PushDeliveries::State)
                    .col(PushDeliveries::NotBefore)
                    .to_owned(),
            )
            .await?;
        // A brief's pushed figure, and a person's deliveries at erasure.
        manager
            .create_index(
                Index::create()
                    .name("ix_push_deliveries_user_id")
                    .table(PushDeliveries::Table)
                    .col(PushDeliveries::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PushDeliveries::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(PushSubscriptions::Table).to_owned())
            .await
    }
}
