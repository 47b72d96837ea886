use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// How many ambassadors each work unit has in each status, kept by triggers on
/// `ambassadors` in the statement that inserts, deletes or changes one (so every writer,
/// bulk or not, keeps it): the statistics' funnel (signed up → pending → approved) reads
/// one row per unit and status instead of counting every ambassador (a third of a second
/// nationally at a million). Filled here from `ambassadors`.
///
/// A change of status or unit takes one from the old row and adds one to the new; the two
/// rows are always written in the order of (unit, status), so two writers never wait on
/// each other (PostgreSQL).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE ambassador_counts (\
               work_unit_id BIGINT NOT NULL, \
               status VARCHAR(32) NOT NULL, \
               institution_id BIGINT NOT NULL, \
               n BIGINT NOT NULL, \
               PRIMARY KEY (work_unit_id, status))",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_ambassador_counts_institution_id ON ambassador_counts (institution_id)",
        )
        .await?;
        db.execute_unprepared(FILL).await?;
        let statements: &[&str] = if manager.get_database_backend() == DbBackend::Postgres {
            &POSTGRES
        } else {
            &SQLITE
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("DROP TABLE ambassador_counts")
                .await?;
            db.execute_unprepared("DROP FUNCTION ambassador_counts_keep() CASCADE")
                .await?;
        } else {
            for name in ["insert", "delete", "update"] {
                db.execute_unprepared(&format!("DROP TRIGGER ambassador_counts_{name}"))
                    .await?;
            }
            db.execute_unprepared("DROP TABLE ambassador_counts")
                .await?;
        }
        Ok(())
    }
}

/// Counts every ambassador (also what a bulk load without triggers runs afterwards).
pub const FILL: &str = "INSERT INTO ambassador_counts (work_unit_id, status, institution_id, n) \
     SELECT work_unit_id, status, MIN(institution_id), COUNT(*) FROM ambassadors \
     GROUP BY work_unit_id, status";

const POSTGRES: [&str; 3] = [
    "CREATE FUNCTION ambassador_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$ \
     DECLARE \
       take BOOLEAN := TG_OP <> 'INSERT'; \
       add BOOLEAN := TG_OP <> 'DELETE'; \
       add_first BOOLEAN := TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' \
         AND (NEW.work_unit_id, NEW.status) < (OLD.work_unit_id, OLD.status)); \
     BEGIN \
       IF add AND add_first THEN \
         INSERT INTO ambassador_counts (work_unit_id, status, institution_id, n) \
         VALUES (NEW.work_unit_id, NEW.status, NEW.institution_id, 1) \
         ON CONFLICT (work_unit_id, status) DO UPDATE SET n = ambassador_counts.n + 1; \
       END IF; \
       IF take THEN \
         UPDATE ambassador_counts SET n = n - 1 \
         WHERE work_unit_id = OLD.work_unit_id AND status = OLD.status; \
       END IF; \
       IF add AND NOT add_first THEN \
         INSERT INTO ambassador_counts (work_unit_id, status, institution_id, n) \
         VALUES (NEW.work_unit_id, NEW.status, NEW.institution_id, 1) \
         ON CONFLICT (work_unit_id, status) DO UPDATE SET n = ambassador_counts.n + 1; \
       END IF; \
       RETURN NULL; \
     END $$",
    "CREATE TRIGGER ambassador_counts_keep AFTER INSERT OR DELETE ON ambassadors \
     FOR EACH ROW EXECUTE FUNCTION ambassador_counts_keep()",
    "CREATE TRIGGER ambassador_counts_change AFTER UPDATE OF work_unit_id, status ON ambassadors \
     FOR EACH ROW WHEN (OLD.work_unit_id IS DISTINCT FROM NEW.work_unit_id \
       OR OLD.status IS DISTINCT FROM NEW.status) \
     EXECUTE FUNCTION ambassador_counts_keep()",
];

/// SQLite has one writer at a time: the order of the two rows does not matter there.
const SQLITE: [&str; 3] = [
    "CREATE TRIGGER ambassador_counts_insert AFTER INSERT ON ambassadors BEGIN \
       INSERT INTO ambassador_counts (work_unit_id, status, institution_id, n) \
       VALUES (NEW.work_unit_id, NEW.status, NEW.institution_id, 1) \
       ON CONFLICT (work_unit_id, status) DO UPDATE SET n = n + 1; \
     END",
    "CREATE TRIGGER ambassador_counts_delete AFTER DELETE ON ambassadors BEGIN \
       UPDATE ambassador_counts SET n = n - 1 \
       WHERE work_unit_id = OLD.work_unit_id AND status = OLD.status; \
     END",
    "CREATE TRIGGER ambassador_counts_update AFTER UPDATE OF work_unit_id, status ON ambassadors \
     WHEN OLD.work_unit_id IS NOT NEW.work_unit_id OR OLD.status IS NOT NEW.status BEGIN \
       UPDATE ambassador_counts SET n = n - 1 \
       WHERE work_unit_id = OLD.work_unit_id AND status = OLD.status; \
       INSERT INTO ambassador_counts (work_unit_id, status, institution_id, n) \
       VALUES (NEW.work_unit_id, NEW.status, NEW.institution_id, 1) \
       ON CONFLICT (work_unit_id, status) DO UPDATE SET n = n + 1; \
     END",
];
