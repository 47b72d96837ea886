use sea_orm::entity::prelude::*;

/// One push message of a brief to one browser. `state`: `queued` (due from
/// `not_before`), `sending` (a node's sender holds it until `claimed_until`), `sent`,
/// `gone` (the subscription ended) or `failed`; `last_status` is the push service's last
/// answer.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "push_deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub brief_id: i64,
    pub subscription_id: Option<i64>,
    pub user_id: i64,
    pub state: String,
    pub attempts: i32,
    pub not_before: DateTimeUtc,
    pub claimed_until: Option<DateTimeUtc>,
    pub last_status: Option<i32>,
    pub queued_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
