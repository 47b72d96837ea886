use sea_orm::entity::prelude::*;

/// Per brief, work unit (the ambassador's when they sent it) and platform: submissions
/// received, verified, verified on time, and over the verified posts with counts their
/// interactions and followers. Changed in the same transaction as every submission and
/// decision; the participation statistics read it instead of the submissions.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "brief_activity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub brief_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub work_unit_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub platform: String,
    pub submitted: i64,
    pub verified: i64,
    pub on_time: i64,
    pub interactions: i64,
    pub followers: i64,
}

impl ActiveModelBehavior for ActiveModel {}
