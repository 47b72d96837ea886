use sea_orm_migration::prelude::*;

use crate::m20261204_000028_create_kept_stamps::{add_topic, drop_topic};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The other things a node keeps, each stamped by the tables it is read from (see
/// migration 28): the statistics, the organisation tree, the programme's settings, the
/// briefs addressed to a unit, and signed-in sessions.
pub const TOPICS: [(&str, &[&str]); 5] = [
    (
        "stats",
        &[
            "standings",
            "standing_weeks",
            "ambassadors",
            "ambassador_platforms",
            "institutions",
            "work_units",
            "week_activity",
            "brief_activity",
            "briefs",
            "leaves",
            "holidays",
            "programme_settings",
        ],
    ),
    ("org", &["institutions", "work_units"]),
    ("settings", &["programme_settings"]),
    ("briefs", &["briefs", "brief_work_units"]),
    ("sessions", &["users", "work_units", "programme_settings"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (topic, tables) in TOPICS {
            add_topic(manager, topic, tables).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (topic, tables) in TOPICS {
            drop_topic(manager, topic, tables).await?;
        }
        Ok(())
    }
}
