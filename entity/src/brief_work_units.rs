use sea_orm::entity::prelude::*;

/// A work unit (with its subtree) a brief is addressed to.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "brief_work_units")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub brief_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub work_unit_id: i64,
}

impl ActiveModelBehavior for ActiveModel {}
