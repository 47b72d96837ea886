use sea_orm::entity::prelude::*;

/// One person's report of a hoax: where and on which platform they saw it, their note,
/// the links (a JSON array of normalised URLs) and an optional screenshot with its
/// perceptual hash. `work_unit_id` is the reporter's unit then, for sub-unit coordinators.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hoax_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub reporter_id: i64,
    pub institution_id: i64,
    pub work_unit_id: Option<i64>,
    pub platform: String,
    pub seen_where: String,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    #[sea_orm(column_type = "Text")]
    pub links: String,
    pub media_id: Option<i64>,
    pub phash: Option<i64>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
