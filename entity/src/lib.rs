//! SeaORM entities of Duta: one module per table, nothing but the data shape.
//! Behaviour lives in the main crate's domain services.

pub mod account_tokens;
pub mod ambassador_platforms;
pub mod ambassadors;
pub mod audit_log;
pub mod brief_activity;
pub mod brief_images;
pub mod brief_reads;
pub mod brief_templates;
pub mod brief_work_units;
pub mod briefs;
pub mod crisis_pauses;
pub mod drafts;
pub mod follower_checks;
pub mod holidays;
pub mod institutions;
pub mod integrity_flags;
pub mod job_leases;
pub mod leaves;
pub mod login_failures;
pub mod media;
pub mod membership_breaks;
pub mod notifications;
pub mod platform_settings;
pub mod platform_weeks;
pub mod programme_settings;
pub mod recovery_codes;
pub mod standing_weeks;
pub mod standings;
pub mod stat_people;
pub mod story_templates;
pub mod submissions;
pub mod unit_weeks;
pub mod users;
pub mod week_activity;
pub mod work_units;
