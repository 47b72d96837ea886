use sea_orm::entity::prelude::*;

/// A brief written once by the national role for many institutions: the content each
/// institution's coordinators adopt (with local facts and wording) or decline. `kinds`
/// and `regions` (JSON lists; empty for every one) choose the institutions it reaches;
/// `facts`, `hashtags`, `mentions`, `platforms` and `template_ids` are JSON as in `briefs`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "national_briefs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    pub week: String,
    pub week_start: Date,
    pub category: String,
    #[sea_orm(column_type = "Text")]
    pub key_messages: String,
    #[sea_orm(column_type = "Text")]
    pub facts: String,
    #[sea_orm(column_type = "Text")]
    pub hashtags: String,
    #[sea_orm(column_type = "Text")]
    pub mentions: String,
    #[sea_orm(column_type = "Text")]
    pub dos: String,
    #[sea_orm(column_type = "Text")]
    pub donts: String,
    #[sea_orm(column_type = "Text")]
    pub sample: String,
    #[sea_orm(column_type = "Text")]
    pub platforms: String,
    pub deadline: DateTimeUtc,
    pub priority: String,
    #[sea_orm(column_type = "Text")]
    pub template_ids: String,
    #[sea_orm(column_type = "Text")]
    pub kinds: String,
    #[sea_orm(column_type = "Text")]
    pub regions: String,
    /// The case of the national hoax list it answers, if any.
    pub hoax_case_id: Option<i64>,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
