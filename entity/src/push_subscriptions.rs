use sea_orm::entity::prelude::*;

/// A browser a person allowed to notify them: the push service's `endpoint` and the keys
/// messages are encrypted with (`p256dh`, `auth`, base64url).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "push_subscriptions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    #[sea_orm(unique)]
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub created_at: DateTimeUtc,
    pub last_sent_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
