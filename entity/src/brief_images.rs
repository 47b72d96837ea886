use sea_orm::entity::prelude::*;

/// An image of a brief: the stored original, the focal point (thousandths of width and
/// height) and the stored names of its platform variants as a JSON object.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "brief_images")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub brief_id: i64,
    #[sea_orm(unique)]
    pub media_id: i64,
    pub focal_x: i32,
    pub focal_y: i32,
    pub alt: String,
    #[sea_orm(column_type = "Text")]
    pub variants: String,
    pub position: i32,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
