use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// On PostgreSQL, `submissions` becomes a table partitioned by month of `week_start`
/// (50 million posts a year nationally: a month is a partition of a few million rows that
/// the pages' queries reach through their own indexes, and old months can be moved to
/// cheaper disks or dropped whole). SQLite keeps its one table unchanged.
///
/// A partitioned table's unique indexes must hold the partition column, so the two rules
/// that span every month move to narrow tables of their own, kept by a trigger in the
/// same statement as the row: `submission_post_keys` (a post is submitted once across
/// Duta) and `submission_slots` (one open submission per ambassador, brief and platform).
/// A second row with a taken key or slot fails with a unique violation, as before.
///
/// Months are made by `duta_submission_partitions(back, ahead)`: the months from `back`
/// months before the current one to `ahead` after it that do not exist yet. The migration
/// makes them from the oldest stored post (and at least three months back) to two years
/// ahead; the `database.partitions` job keeps the same from three months back. A row outside every month (a post dated before the oldest)
/// lands in `submissions_default`, so no insert ever fails for want of a partition; a
/// month whose rows already sit there is not made (PostgreSQL would refuse it).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        // Months from the oldest stored post's to the current one (at most twenty years),
        // and at least three: this week may have begun last month, and a late post
        // belongs to an earlier week.
        let back: i32 = db
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT CAST(COALESCE(LEAST(240, GREATEST(3, \
                 (EXTRACT(YEAR FROM current_date) - EXTRACT(YEAR FROM MIN(week_start))) * 12 \
                 + EXTRACT(MONTH FROM current_date) - EXTRACT(MONTH FROM MIN(week_start)))), 3) \
                 AS INT) FROM submissions",
            ))
            .await?
            .map(|r| r.try_get_by_index(0))
            .transpose()?
            .unwrap_or(0);
        for sql in [
            // The old table keeps its id sequence (an identity's, or a serial's after a
            // down migration) until it goes; the new one numbers on from its own.
            "ALTER TABLE submissions RENAME TO submissions_unpartitioned",
            "ALTER SEQUENCE submissions_id_seq RENAME TO submissions_unpartitioned_id_seq",
            "CREATE TABLE submissions (LIKE submissions_unpartitioned INCLUDING CONSTRAINTS) \
             PARTITION BY RANGE (week_start)",
            "ALTER TABLE submissions ALTER COLUMN auto_verified SET DEFAULT FALSE, \
             ALTER COLUMN on_time SET DEFAULT FALSE",
            "CREATE SEQUENCE submissions_id_seq OWNED BY submissions.id",
            "ALTER TABLE submissions ALTER COLUMN id SET DEFAULT nextval('submissions_id_seq')",
            "CREATE TABLE submissions_default PARTITION OF submissions DEFAULT",
            PARTITIONS_FUNCTION,
        ] {
            db.execute_unprepared(sql).await?;
        }
        db.execute_unprepared(&format!(
            "SELECT duta_submission_partitions({back}, {AHEAD})"
        ))
        .await?;
        for sql in [
            "INSERT INTO submissions SELECT * FROM submissions_unpartitioned",
            "SELECT setval('submissions_id_seq', COALESCE((SELECT MAX(id) FROM submissions), 0) + 1, false)",
            "DROP TABLE submissions_unpartitioned",
            "ALTER TABLE submissions ADD CONSTRAINT submissions_pkey PRIMARY KEY (id, week_start)",
            "ALTER TABLE submissions ADD CONSTRAINT fk_submissions_ambassador_id \
             FOREIGN KEY (ambassador_id) REFERENCES ambassadors (id) ON DELETE CASCADE",
            "ALTER TABLE submissions ADD CONSTRAINT fk_submissions_brief_id \
             FOREIGN KEY (brief_id) REFERENCES briefs (id) ON DELETE CASCADE",
            "ALTER TABLE submissions ADD CONSTRAINT fk_submissions_screenshot_media_id \
             FOREIGN KEY (screenshot_media_id) REFERENCES media (id) ON DELETE SET NULL",
            "ALTER TABLE submissions ADD CONSTRAINT fk_submissions_decided_by \
             FOREIGN KEY (decided_by) REFERENCES users (id) ON DELETE SET NULL",
            "CREATE INDEX ix_submissions_status_created_at ON submissions (status, created_at)",
            "CREATE INDEX ix_submissions_ambassador_id_created_at \
             ON submissions (ambassador_id, created_at)",
            "CREATE INDEX ix_submissions_status_ambassador_id_week_start \
             ON submissions (status, ambassador_id, week_start)",
            "CREATE INDEX ix_submissions_brief_id ON submissions (brief_id)",
            "CREATE TABLE submission_post_keys (post_key VARCHAR NOT NULL PRIMARY KEY, \
             submission_id BIGINT NOT NULL)",
            "CREATE TABLE submission_slots (slot VARCHAR NOT NULL PRIMARY KEY, \
             submission_id BIGINT NOT NULL)",
            "INSERT INTO submission_post_keys (post_key, submission_id) \
             SELECT post_key, id FROM submissions",
            "INSERT INTO submission_slots (slot, submission_id) \
             SELECT slot, id FROM submissions WHERE slot IS NOT NULL",
            CLAIMS_FUNCTION,
            "CREATE TRIGGER submission_claims AFTER INSERT OR UPDATE OF post_key, slot \
             OR DELETE ON submissions FOR EACH ROW EXECUTE FUNCTION submission_claims()",
            // The user's own stamp (migration 31) went with the old table.
            "CREATE TRIGGER own_submissions AFTER INSERT OR UPDATE OR DELETE ON submissions \
             FOR EACH ROW EXECUTE FUNCTION own_bump_submissions()",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        for sql in [
            "ALTER TABLE submissions RENAME TO submissions_partitioned",
            "ALTER SEQUENCE submissions_id_seq RENAME TO submissions_partitioned_id_seq",
            "CREATE TABLE submissions (LIKE submissions_partitioned INCLUDING CONSTRAINTS)",
            "ALTER TABLE submissions ALTER COLUMN auto_verified SET DEFAULT FALSE, \
             ALTER COLUMN on_time SET DEFAULT FALSE",
            "CREATE SEQUENCE submissions_id_seq OWNED BY submissions.id",
            "ALTER TABLE submissions ALTER COLUMN id SET DEFAULT nextval('submissions_id_seq')",
            "INSERT INTO submissions SELECT * FROM submissions_partitioned",
            "SELECT setval('submissions_id_seq', COALESCE((SELECT MAX(id) FROM submissions), 0) + 1, false)",
            "DROP TABLE submissions_partitioned",
            "DROP TABLE submission_post_keys",
            "DROP TABLE submission_slots",
            "DROP FUNCTION submission_claims()",
            "DROP FUNCTION duta_submission_partitions(INT, INT)",
            "ALTER TABLE submissions ADD PRIMARY KEY (id)",
            "ALTER TABLE submissions ADD CONSTRAINT submissions_post_key_key UNIQUE (post_key)",
            "ALTER TABLE submissions ADD CONSTRAINT submissions_slot_key UNIQUE (slot)",
            "ALTER TABLE submissions ADD CONSTRAINT fk_submissions_ambassador_id \
             FOREIGN KEY (ambassador_id) REFERENCES ambassadors (id) ON DELETE CASCADE",
            "ALTER TABLE submissions ADD CONSTRAINT fk_submissions_brief_id \
             FOREIGN KEY (brief_id) REFERENCES briefs (id) ON DELETE CASCADE",
            "ALTER TABLE submissions ADD CONSTRAINT fk_submissions_screenshot_media_id \
             FOREIGN KEY (screenshot_media_id) REFERENCES media (id) ON DELETE SET NULL",
            "ALTER TABLE submissions ADD CONSTRAINT fk_submissions_decided_by \
             FOREIGN KEY (decided_by) REFERENCES users (id) ON DELETE SET NULL",
            "CREATE INDEX ix_submissions_status_created_at ON submissions (status, created_at)",
            "CREATE INDEX ix_submissions_ambassador_id_created_at \
             ON submissions (ambassador_id, created_at)",
            "CREATE INDEX ix_submissions_status_ambassador_id_week_start \
             ON submissions (status, ambassador_id, week_start)",
            "CREATE INDEX ix_submissions_brief_id ON submissions (brief_id)",
            "CREATE TRIGGER own_submissions AFTER INSERT OR UPDATE OR DELETE ON submissions \
             FOR EACH ROW EXECUTE FUNCTION own_bump_submissions()",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}

/// Months made ahead of the current one.
const AHEAD: i32 = 24;

/// Makes the missing months from `back` months before the current one to `ahead` after
/// it; answers how many it made.
const PARTITIONS_FUNCTION: &str = "\
CREATE FUNCTION duta_submission_partitions(back INT, ahead INT) RETURNS INT \
LANGUAGE plpgsql AS $$ \
DECLARE \
  first DATE := (date_trunc('month', current_date) - make_interval(months => back))::date; \
  m DATE; \
  n DATE; \
  made INT := 0; \
  name TEXT; \
BEGIN \
  FOR i IN 0 .. back + ahead LOOP \
    m := (first + make_interval(months => i))::date; \
    n := (m + interval '1 month')::date; \
    name := 'submissions_' || to_char(m, 'YYYY_MM'); \
    IF to_regclass(name) IS NULL AND NOT EXISTS ( \
        SELECT 1 FROM submissions_default WHERE week_start >= m AND week_start < n) THEN \
      EXECUTE format('CREATE TABLE %I PARTITION OF submissions FOR VALUES FROM (%L) TO (%L)', \
                     name, m, n); \
      made := made + 1; \
    END IF; \
  END LOOP; \
  RETURN made; \
END $$";

/// Keeps `submission_post_keys` and `submission_slots` equal to the rows' keys and open
/// slots; a taken one fails the statement with a unique violation.
const CLAIMS_FUNCTION: &str = "\
CREATE FUNCTION submission_claims() RETURNS trigger LANGUAGE plpgsql AS $$ \
BEGIN \
  IF TG_OP <> 'INSERT' THEN \
    IF TG_OP = 'DELETE' OR NEW.post_key IS DISTINCT FROM OLD.post_key THEN \
      DELETE FROM submission_post_keys WHERE post_key = OLD.post_key AND submission_id = OLD.id; \
    END IF; \
    IF OLD.slot IS NOT NULL AND (TG_OP = 'DELETE' OR NEW.slot IS DISTINCT FROM OLD.slot) THEN \
      DELETE FROM submission_slots WHERE slot = OLD.slot AND submission_id = OLD.id; \
    END IF; \
  END IF; \
  IF TG_OP <> 'DELETE' THEN \
    IF TG_OP = 'INSERT' OR NEW.post_key IS DISTINCT FROM OLD.post_key THEN \
      INSERT INTO submission_post_keys (post_key, submission_id) VALUES (NEW.post_key, NEW.id); \
    END IF; \
    IF NEW.slot IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.slot IS DISTINCT FROM OLD.slot) THEN \
      INSERT INTO submission_slots (slot, submission_id) VALUES (NEW.slot, NEW.id); \
    END IF; \
  END IF; \
  RETURN NULL; \
END $$";
