use sea_orm_migration::prelude::*;

use crate::m20261204_000031_week_stamps::{add_own, drop_own};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A user's notifications move their own stamp too, so the count of unread ones on every
/// page can be kept per user.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_own(manager, "notifications", "{row}.user_id").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_own(manager, "notifications").await
    }
}
