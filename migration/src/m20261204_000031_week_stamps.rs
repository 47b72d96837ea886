use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::m20261204_000028_create_kept_stamps::{add_topic, drop_topic};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The ambassador's week of briefs (their home page, `/progress`, `GET /api/v1/briefs/week`)
/// is kept per user by two stamps: the `week` topic, moved by any write to the briefs and
/// what a brief shows, the crisis pauses, the ambassadors and units, the settings; and the
/// user's own stamp in `own_stamps`, moved by any write to their drafts and submissions
/// (one user's post does not end everyone's kept week).
pub const TOPICS: [(&str, &[&str]); 1] = [(
    "week",
    &[
        "briefs",
        "brief_work_units",
        "brief_templates",
        "brief_images",
        "story_templates",
        "crisis_pauses",
        "ambassadors",
        "work_units",
        "programme_settings",
    ],
)];

/// Tables whose rows belong to one user, and how a row names its user.
const OWN: [(&str, &str); 2] = [
    ("drafts", "{row}.user_id"),
    (
        "submissions",
        "(SELECT user_id FROM ambassadors WHERE id = {row}.ambassador_id)",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (topic, tables) in TOPICS {
            add_topic(manager, topic, tables).await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE own_stamps (user_id BIGINT NOT NULL PRIMARY KEY, stamp BIGINT NOT NULL)",
        )
        .await?;
        for (table, user) in OWN {
            add_own(manager, table, user).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, _) in OWN {
            drop_own(manager, table).await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared("DROP TABLE own_stamps").await?;
        for (topic, tables) in TOPICS {
            drop_topic(manager, topic, tables).await?;
        }
        Ok(())
    }
}

/// The triggers that move a user's own stamp on every write to `table`, whose rows name
/// their user with `user` (`{row}` stands for the new or old row).
pub async fn add_own(manager: &SchemaManager<'_>, table: &str, user: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let bump = |user: &str| {
        format!(
            "INSERT INTO own_stamps (user_id, stamp) SELECT u, 1 FROM (SELECT {user} AS u) AS o \
             WHERE u IS NOT NULL \
             ON CONFLICT (user_id) DO UPDATE SET stamp = own_stamps.stamp + 1"
        )
    };
    if manager.get_database_backend() == DbBackend::Postgres {
        let new = bump(&user.replace("{row}", "NEW"));
        let old = bump(&user.replace("{row}", "OLD"));
        db.execute_unprepared(&format!(
            "CREATE FUNCTION own_bump_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN \
             IF TG_OP <> 'DELETE' THEN {new}; END IF; \
             IF TG_OP <> 'INSERT' THEN {old}; END IF; \
             RETURN NULL; END $$"
        ))
        .await?;
        db.execute_unprepared(&format!(
            "CREATE TRIGGER own_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} \
             FOR EACH ROW EXECUTE FUNCTION own_bump_{table}()"
        ))
        .await?;
    } else {
        for (op, rows) in [
            ("INSERT", &["NEW"][..]),
            ("UPDATE", &["NEW", "OLD"][..]),
            ("DELETE", &["OLD"][..]),
        ] {
            let body: String = rows
                .iter()
                .map(|r| format!("{};", bump(&user.replace("{row}", r))))
                .collect();
            db.execute_unprepared(&format!(
                "CREATE TRIGGER own_{table}_{} AFTER {op} ON {table} BEGIN {body} END",
                op.to_lowercase()
            ))
            .await?;
        }
    }
    Ok(())
}

/// Drops what [`add_own`] made.
pub async fn drop_own(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    if manager.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS own_{table} ON {table}"))
            .await?;
        db.execute_unprepared(&format!("DROP FUNCTION IF EXISTS own_bump_{table}()"))
            .await?;
    } else {
        for op in ["insert", "update", "delete"] {
            db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS own_{table}_{op}"))
                .await?;
        }
    }
    Ok(())
}
