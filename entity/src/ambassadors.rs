use sea_orm::entity::prelude::*;

/// An ambassador (or candidate): the programme side of a user with role `ambassador`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ambassadors")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub user_id: i64,
    pub display_name: String,
    /// A keyed hash of the NIP (unique: one account per NIP); the digits are in `nip_sealed`.
    #[sea_orm(unique)]
    pub nip: String,
    pub employee_type: String,
    pub phone: String,
    pub institution_id: i64,
    pub work_unit_id: i64,
    /// pending, approved, rejected, suspended, removed or withdrawn
    pub status: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub rejection_reason: Option<String>,
    pub member_since: Option<Date>,
    pub consent_version: String,
    pub consent_at: DateTimeUtc,
    /// When the candidate last (re)submitted; the vetting queue is ordered by it.
    pub submitted_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The NIP, encrypted with the configured key (AES-256-GCM, base64 of nonce and text).
    #[sea_orm(column_type = "Text", nullable)]
    pub nip_sealed: Option<String>,
    /// The NIP's last four digits (gender and sequence), for finding a person on the roster.
    pub nip_tail: Option<String>,
    /// When the person withdrew from the programme.
    pub withdrawn_at: Option<DateTimeUtc>,
    /// When their personal data was erased.
    pub erased_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
