use sea_orm::entity::prelude::*;

/// An ambassador's request for a review of a saved draft: `waiting`, `answered` or
/// `accepted`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "draft_reviews")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub draft_id: i64,
    pub ambassador_id: i64,
    pub institution_id: i64,
    pub brief_id: Option<i64>,
    pub platform: String,
    pub state: String,
    pub requested_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub accepted_at: Option<DateTimeUtc>,
    pub accepted_by: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
