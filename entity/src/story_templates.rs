use sea_orm::entity::prelude::*;

/// A storytelling template: a body with `{{blank}}`s and guidance for each (a JSON object
/// in `guidance`). Shipped templates have a slug and no institution.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "story_templates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub institution_id: Option<i64>,
    #[sea_orm(unique)]
    pub slug: Option<String>,
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    #[sea_orm(column_type = "Text")]
    pub guidance: String,
    #[sea_orm(column_type = "Text")]
    pub example: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Taken out of the library (still shown with the briefs that chose it).
    pub archived_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
