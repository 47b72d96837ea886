use sea_orm::entity::prelude::*;

/// A storytelling template suggested with a brief.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "brief_templates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub brief_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub template_id: i64,
}

impl ActiveModelBehavior for ActiveModel {}
