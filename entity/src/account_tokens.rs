use sea_orm::entity::prelude::*;

/// A single-use link for a person: `purpose` is `password_reset` (later `invitation`,
/// `email_confirmation`). Only the SHA-256 (hex) of the link's random token is stored.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub purpose: String,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    /// Set when a newer link of the same purpose was made, or the link was revoked.
    pub revoked_at: Option<DateTimeUtc>,
    /// Who made the link for the person (an admin or coordinator); none when the person
    /// asked for it.
    pub created_by: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
