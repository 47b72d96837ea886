use sea_orm::entity::prelude::*;

/// A lesson of the training path: shipped (`slug`, no institution) or an institution's;
/// `questions` is JSON; `version` grows with each change.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lessons")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub institution_id: Option<i64>,
    #[sea_orm(unique)]
    pub slug: Option<String>,
    pub topic: String,
    pub title: String,
    pub summary: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub video_url: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub questions: String,
    pub version: i32,
    pub archived_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
