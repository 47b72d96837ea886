use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub actor_id: Option<i64>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    pub institution_id: Option<i64>,
    /// JSON object with what changed; never passwords, tokens or whole NIPs.
    #[sea_orm(column_type = "Text")]
    pub detail: String,
    pub client_ip: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
