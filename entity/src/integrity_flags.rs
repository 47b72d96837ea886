use sea_orm::entity::prelude::*;

/// A programme-integrity flag on an ambassador (or on a brief, for blocklisted words):
/// `kind` names the rule, `detail` holds the figures that explain it (JSON), and a
/// coordinator clears it with a note. `dedup_key` keeps one flag per cause.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "integrity_flags")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ambassador_id: Option<i64>,
    pub brief_id: Option<i64>,
    pub institution_id: i64,
    /// follower_jump, low_engagement, same_screenshot, foreign_handle or blocklist_word
    pub kind: String,
    #[sea_orm(column_type = "Text")]
    pub detail: String,
    #[sea_orm(unique)]
    pub dedup_key: String,
    pub raised_at: DateTimeUtc,
    pub cleared_at: Option<DateTimeUtc>,
    pub cleared_by: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub clear_note: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
