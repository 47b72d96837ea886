use sea_orm::entity::prelude::*;

/// A message to a user inside Duta; `kind` names the catalogue text.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub brief_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
    /// What it says beyond its kind: the reason a post was rejected.
    #[sea_orm(column_type = "Text", nullable)]
    pub detail: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
