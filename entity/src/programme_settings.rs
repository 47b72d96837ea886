use sea_orm::entity::prelude::*;

/// The programme's single settings row (id 1).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programme_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub timezone: String,
    pub window_weeks: i32,
    pub updated_at: DateTimeUtc,
    pub updated_by: Option<i64>,
    /// Days a withdrawn person's data is kept before the retention job erases it.
    pub retention_days: i32,
    /// Admins, national users, leadership and coordinators must sign in with TOTP.
    pub two_factor_required: bool,
    /// A follower count rising by more than this share (%) between two checks is flagged.
    pub follower_jump_percent: i32,
    /// Words briefs and drafts must not contain during the neutrality period, one a line.
    #[sea_orm(column_type = "Text")]
    pub blocklist: String,
    /// The election-period neutrality mode: on from this day to that day (inclusive).
    pub neutrality_from: Option<Date>,
    pub neutrality_to: Option<Date>,
    /// The weekly reminder's day (ISO: 1 Monday … 7 Sunday) and hour, in the programme's zone.
    pub reminder_weekday: i32,
    pub reminder_hour: i32,
}

impl ActiveModelBehavior for ActiveModel {}
