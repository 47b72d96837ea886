//! SeaORM entities of Duta: one module per table, nothing but the data shape.
//! Behaviour lives in the main crate's domain services.

/// Declares `WRITES`, a counter that moves before and after every write of the entity's
/// rows through its active model, so that caches of those rows on this node (the
/// signed-in user of a session, the organisation for filter forms) know to read again.
#[macro_export]
macro_rules! count_writes {
    () => {
        pub static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

        fn written() {
            WRITES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }

        #[async_trait::async_trait]
        impl ActiveModelBehavior for ActiveModel {
            async fn before_save<C>(self, _db: &C, _insert: bool) -> Result<Self, DbErr>
            where
                C: ConnectionTrait,
            {
                written();
                Ok(self)
            }

            async fn after_save<C>(model: Model, _db: &C, _insert: bool) -> Result<Model, DbErr>
            where
                C: ConnectionTrait,
            {
                written();
                Ok(model)
            }

            async fn before_delete<C>(self, _db: &C) -> Result<Self, DbErr>
            where
                C: ConnectionTrait,
            {
                written();
                Ok(self)
            }

            async fn after_delete<C>(self, _db: &C) -> Result<Self, DbErr>
            where
                C: ConnectionTrait,
            {
                written();
                Ok(self)
            }
        }
    };
}

pub mod ambassador_platforms;
pub mod ambassadors;
pub mod audit_log;
pub mod brief_activity;
pub mod brief_images;
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
pub mod notifications;
pub mod platform_settings;
pub mod programme_settings;
pub mod recovery_codes;
pub mod standing_weeks;
pub mod standings;
pub mod story_templates;
pub mod submissions;
pub mod users;
pub mod week_activity;
pub mod work_units;
