use sea_orm::entity::prelude::*;

/// One circulating hoax or rising issue, however many people reported it. It lies in one
/// triage list: `owner_institution_id`'s, or the national list when NULL; `state` is
/// `new`, `confirmed`, `not_hoax` or `answered` (the clarification brief `brief_id` came
/// out). A case moved to another list ("not ours") keeps `origin_institution_id`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hoax_cases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub origin_institution_id: i64,
    pub owner_institution_id: Option<i64>,
    pub state: String,
    /// The first report's note (or first link), shortened: the case's name in lists.
    pub summary: String,
    pub report_count: i32,
    pub first_reported_at: DateTimeUtc,
    pub last_reported_at: DateTimeUtc,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    /// What the coordinator told the reporters with the decision.
    #[sea_orm(column_type = "Text", nullable)]
    pub decision_note: Option<String>,
    pub forwarded_by: Option<i64>,
    pub forwarded_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub forward_note: Option<String>,
    pub brief_id: Option<i64>,
    pub answered_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
