use sea_orm::entity::prelude::*;

/// An ambassador (`ambassador_id`) who signed up through the referral link of another
/// (`referrer_id`) of the same institution.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "referrals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub ambassador_id: i64,
    pub referrer_id: i64,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
