use sea_orm::entity::prelude::*;

/// One platform account of an ambassador, with its latest follower evidence and verdict.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ambassador_platforms")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ambassador_id: i64,
    pub platform: String,
    pub handle: String,
    /// api, screenshot or coordinator
    pub method: String,
    pub follower_count: Option<i64>,
    pub checked_at: Option<DateTimeUtc>,
    pub evidence_media_id: Option<i64>,
    pub reviewed_by: Option<i64>,
    /// meets, below or unverified
    pub verdict: String,
    /// not_found, unavailable or rate_limited when the last API check failed
    pub check_error: Option<String>,
    pub retry_after: Option<DateTimeUtc>,
    /// Set when a periodic re-check found an approved ambassador below the threshold.
    pub below_since: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
