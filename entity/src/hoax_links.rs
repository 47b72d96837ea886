use sea_orm::entity::prelude::*;

/// A link reported for a hoax case, once per institution: the same link reported again
/// finds its case here.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hoax_links")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub institution_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub url: String,
    pub case_id: i64,
}

impl ActiveModelBehavior for ActiveModel {}
