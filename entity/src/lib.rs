//! SeaORM entities of Duta: one module per table, nothing but the data shape.
//! Behaviour lives in the main crate's domain services.

pub mod ambassador_platforms;
pub mod ambassadors;
pub mod audit_log;
pub mod follower_checks;
pub mod institutions;
pub mod job_leases;
pub mod login_failures;
pub mod media;
pub mod platform_settings;
pub mod programme_settings;
pub mod users;
pub mod work_units;
