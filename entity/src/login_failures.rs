use sea_orm::entity::prelude::*;

/// A failed sign-in (or a password-reset request), kept for throttling; `bucket` is
/// `account:<email>`, `ip:<address>`, `reset-account:<email>` or `reset-ip:<address>`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_failures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub bucket: String,
    pub at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
