use sea_orm::entity::prelude::*;

/// Whether an ambassador shows their badges on the board.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "badge_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub ambassador_id: i64,
    pub show_on_board: bool,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
