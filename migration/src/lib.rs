//! Database migrations, one change per file, run at start by `duta serve` and by `duta migrate`.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_institutions;
mod m20261123_000002_create_work_units;
mod m20261123_000003_create_users;
mod m20261123_000004_create_programme_settings;
mod m20261123_000005_create_audit_log;
mod m20261123_000006_create_login_failures;
mod m20261123_000007_create_media;
mod m20261123_000008_create_ambassadors;
mod m20261123_000009_create_job_leases;
mod m20261123_000010_create_story_templates;
mod m20261123_000011_create_briefs;
mod m20261123_000012_create_brief_images;
mod m20261123_000013_create_crisis_pauses;
mod m20261123_000014_create_drafts;
mod m20261123_000015_create_notifications;
mod m20261123_000016_create_submissions;
mod m20261123_000017_create_week_activity;
mod m20261123_000018_create_holidays;
mod m20261123_000019_create_leaves;
mod m20261123_000020_index_ambassadors_updated_at;
mod m20261123_000021_stats_aggregates;
mod m20261124_000022_personal_data;
mod m20261124_000023_two_factor;
mod m20261124_000024_index_audit_log;
mod m20261124_000025_integrity_flags;
mod m20261124_000026_index_platforms_updated_at;
mod m20261204_000027_create_standings;
pub mod m20261204_000028_create_kept_stamps;
pub mod m20261204_000029_more_kept_topics;
pub mod m20261204_000030_create_unit_weeks;
pub mod m20261204_000031_week_stamps;
mod m20261204_000032_own_notifications;
mod m20261205_000033_create_platform_weeks;
mod m20261205_000034_create_account_tokens;
mod m20261205_000035_email_confirmation;
mod m20261205_000036_invitations;
mod m20261205_000037_membership_breaks;
mod m20261205_000038_nip_tail;
mod m20261205_000039_create_brief_reads;
mod m20261205_000040_reminder_timing;
mod m20261205_000041_archive_story_templates;
mod m20261205_000042_notification_detail;
mod m20261205_000043_email_opt_outs;
pub mod m20261205_000044_five_platform_figures;
mod m20261205_000045_index_pending_invitations;
mod m20261206_000046_create_job_runs;
mod m20261206_000047_create_job_run_totals;
mod m20261206_000048_drop_job_leases;
mod m20261206_000049_partition_submissions;
mod m20261206_000050_last_verified_week;
pub mod m20261206_000051_ambassador_counts;
mod m20261206_000052_create_hoax_reports;
mod m20261206_000053_create_push;
mod m20261206_000054_create_national_briefs;
mod m20261206_000055_own_notifications_per_statement;
mod m20261206_000056_create_recruitment;
mod m20261206_000057_create_draft_reviews;
mod m20261206_000058_create_lessons;
mod m20261206_000059_create_lesson_requirements;
mod m20261206_000060_create_earned_badges;
mod m20261206_000061_create_certificates;
mod m20261206_000062_create_lesson_images;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_institutions::Migration),
            Box::new(m20261123_000002_create_work_units::Migration),
            Box::new(m20261123_000003_create_users::Migration),
            Box::new(m20261123_000004_create_programme_settings::Migration),
            Box::new(m20261123_000005_create_audit_log::Migration),
            Box::new(m20261123_000006_create_login_failures::Migration),
            Box::new(m20261123_000007_create_media::Migration),
            Box::new(m20261123_000008_create_ambassadors::Migration),
            Box::new(m20261123_000009_create_job_leases::Migration),
            Box::new(m20261123_000010_create_story_templates::Migration),
            Box::new(m20261123_000011_create_briefs::Migration),
            Box::new(m20261123_000012_create_brief_images::Migration),
            Box::new(m20261123_000013_create_crisis_pauses::Migration),
            Box::new(m20261123_000014_create_drafts::Migration),
            Box::new(m20261123_000015_create_notifications::Migration),
            Box::new(m20261123_000016_create_submissions::Migration),
            Box::new(m20261123_000017_create_week_activity::Migration),
            Box::new(m20261123_000018_create_holidays::Migration),
            Box::new(m20261123_000019_create_leaves::Migration),
            Box::new(m20261123_000020_index_ambassadors_updated_at::Migration),
            Box::new(m20261123_000021_stats_aggregates::Migration),
            Box::new(m20261124_000022_personal_data::Migration),
            Box::new(m20261124_000023_two_factor::Migration),
            Box::new(m20261124_000024_index_audit_log::Migration),
            Box::new(m20261124_000025_integrity_flags::Migration),
            Box::new(m20261124_000026_index_platforms_updated_at::Migration),
            Box::new(m20261204_000027_create_standings::Migration),
            Box::new(m20261204_000028_create_kept_stamps::Migration),
            Box::new(m20261204_000029_more_kept_topics::Migration),
            Box::new(m20261204_000030_create_unit_weeks::Migration),
            Box::new(m20261204_000031_week_stamps::Migration),
            Box::new(m20261204_000032_own_notifications::Migration),
            Box::new(m20261205_000033_create_platform_weeks::Migration),
            Box::new(m20261205_000034_create_account_tokens::Migration),
            Box::new(m20261205_000035_email_confirmation::Migration),
            Box::new(m20261205_000036_invitations::Migration),
            Box::new(m20261205_000037_membership_breaks::Migration),
            Box::new(m20261205_000038_nip_tail::Migration),
            Box::new(m20261205_000039_create_brief_reads::Migration),
            Box::new(m20261205_000040_reminder_timing::Migration),
            Box::new(m20261205_000041_archive_story_templates::Migration),
            Box::new(m20261205_000042_notification_detail::Migration),
            Box::new(m20261205_000043_email_opt_outs::Migration),
            Box::new(m20261205_000044_five_platform_figures::Migration),
            Box::new(m20261205_000045_index_pending_invitations::Migration),
            Box::new(m20261206_000046_create_job_runs::Migration),
            Box::new(m20261206_000047_create_job_run_totals::Migration),
            Box::new(m20261206_000048_drop_job_leases::Migration),
            Box::new(m20261206_000049_partition_submissions::Migration),
            Box::new(m20261206_000050_last_verified_week::Migration),
            Box::new(m20261206_000051_ambassador_counts::Migration),
            Box::new(m20261206_000052_create_hoax_reports::Migration),
            Box::new(m20261206_000053_create_push::Migration),
            Box::new(m20261206_000054_create_national_briefs::Migration),
            Box::new(m20261206_000055_own_notifications_per_statement::Migration),
            Box::new(m20261206_000056_create_recruitment::Migration),
            Box::new(m20261206_000057_create_draft_reviews::Migration),
            Box::new(m20261206_000058_create_lessons::Migration),
            Box::new(m20261206_000059_create_lesson_requirements::Migration),
            Box::new(m20261206_000060_create_earned_badges::Migration),
            Box::new(m20261206_000061_create_certificates::Migration),
            Box::new(m20261206_000062_create_lesson_images::Migration),
        ]
    }
}
