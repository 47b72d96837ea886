use sea_orm::entity::prelude::*;

/// When an ambassador first opened a brief addressed to them (written once).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "brief_reads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub brief_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub ambassador_id: i64,
    pub first_seen_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
