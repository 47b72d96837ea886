use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::m20261204_000031_week_stamps::{add_own, drop_own};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// On PostgreSQL, a user's notifications move their own stamp once per statement, not
/// once per row: telling 100,000 people of a brief wrote 100,000 upserts of `own_stamps`
/// from a row trigger (15 s of a publish at that size); a statement trigger reads the rows
/// it wrote from its transition table and moves each user's stamp once, in user order.
/// Transition tables allow one event per trigger, hence three. SQLite keeps its row
/// triggers (there the same publish takes about a second).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        drop_own(manager, "notifications").await?;
        let db = manager.get_connection();
        let bump = |rows: &str| {
            format!(
                "INSERT INTO own_stamps (user_id, stamp) \
                 SELECT DISTINCT user_id, 1 FROM ({rows}) AS changed \
                 WHERE user_id IS NOT NULL ORDER BY user_id \
                 ON CONFLICT (user_id) DO UPDATE SET stamp = own_stamps.stamp + 1"
            )
        };
        for (op, referencing, rows) in [
            (
                "INSERT",
                "NEW TABLE AS new_rows",
                "SELECT user_id FROM new_rows",
            ),
            (
                "UPDATE",
                "NEW TABLE AS new_rows OLD TABLE AS old_rows",
                "SELECT user_id FROM new_rows UNION SELECT user_id FROM old_rows",
            ),
            (
                "DELETE",
                "OLD TABLE AS old_rows",
                "SELECT user_id FROM old_rows",
            ),
        ] {
            let name = op.to_lowercase();
            db.execute_unprepared(&format!(
                "CREATE FUNCTION own_bump_notifications_{name}() RETURNS trigger LANGUAGE plpgsql \
                 AS $$ BEGIN {}; RETURN NULL; END $$",
                bump(rows)
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER own_notifications_{name} AFTER {op} ON notifications \
                 REFERENCING {referencing} FOR EACH STATEMENT \
                 EXECUTE FUNCTION own_bump_notifications_{name}()"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        for name in ["insert", "update", "delete"] {
            db.execute_unprepared(&format!(
                "DROP TRIGGER IF EXISTS own_notifications_{name} ON notifications"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "DROP FUNCTION IF EXISTS own_bump_notifications_{name}()"
            ))
            .await?;
        }
        add_own(manager, "notifications", "{row}.user_id").await
    }
}
