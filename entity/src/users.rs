use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: String,
    pub institution_id: Option<i64>,
    pub work_unit_id: Option<i64>,
    pub language: Option<String>,
    pub security_stamp: String,
    pub is_active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub last_login_at: Option<DateTimeUtc>,
    /// The TOTP secret, sealed with the data key (while setting up, and once enabled).
    #[sea_orm(column_type = "Text", nullable)]
    pub totp_secret: Option<String>,
    pub totp_enabled_at: Option<DateTimeUtc>,
    /// The time step of the last accepted code: a code is never accepted twice.
    pub totp_last_step: Option<i64>,
    /// Set while a candidate who signed up has not opened the email confirmation link.
    pub email_unconfirmed_since: Option<DateTimeUtc>,
    pub invitation_pending_since: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
