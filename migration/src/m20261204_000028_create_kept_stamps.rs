use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What a node may keep in memory is stamped by the database itself: `kept_stamps` holds
/// one counter per topic, and triggers on every table a topic is read from move that
/// counter in the writing transaction, whatever wrote (a service, a bulk update, raw SQL,
/// another node). A node keeps an answer with the stamp it read before computing it and
/// uses it only while the stamp is unchanged.
pub const TOPICS: [(&str, &[&str]); 1] = [(
    "board",
    &[
        "standings",
        "standing_weeks",
        "ambassadors",
        "work_units",
        "week_activity",
        "leaves",
        "holidays",
        "programme_settings",
    ],
)];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE kept_stamps (topic VARCHAR(40) NOT NULL PRIMARY KEY, stamp BIGINT NOT NULL)",
        )
        .await?;
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        if postgres {
            // Run at commit (a deferred constraint trigger), once per transaction and
            // topic: the stamp row is locked last, after every other lock the transaction
            // takes, so two writers never wait on each other through it.
            db.execute_unprepared(
                "CREATE FUNCTION kept_bump() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN \
                 IF current_setting('duta.kept_' || TG_ARGV[0], true) IS DISTINCT FROM 'moved' THEN \
                 PERFORM set_config('duta.kept_' || TG_ARGV[0], 'moved', true); \
                 UPDATE kept_stamps SET stamp = stamp + 1 WHERE topic = TG_ARGV[0]; \
                 END IF; \
                 RETURN NULL; END $$",
            )
            .await?;
        }
        for (topic, tables) in TOPICS {
            add_topic(manager, topic, tables).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        for (topic, tables) in TOPICS {
            drop_topic(manager, topic, tables).await?;
        }
        if postgres {
            db.execute_unprepared("DROP FUNCTION IF EXISTS kept_bump()")
                .await?;
        }
        db.execute_unprepared("DROP TABLE kept_stamps").await?;
        Ok(())
    }
}

/// Adds a topic's stamp row and the triggers that move it on every write to its tables.
pub async fn add_topic(
    manager: &SchemaManager<'_>,
    topic: &str,
    tables: &[&str],
) -> Result<(), DbErr> {
    manager
        .get_connection()
        .execute_unprepared(&format!(
            "INSERT INTO kept_stamps (topic, stamp) VALUES ('{topic}', 0)"
        ))
        .await?;
    add_triggers(manager, topic, tables).await
}

/// The triggers that move a topic's stamp on every write to these tables.
pub async fn add_triggers(
    manager: &SchemaManager<'_>,
    topic: &str,
    tables: &[&str],
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let postgres = manager.get_database_backend() == DbBackend::Postgres;
    for table in tables {
        if postgres {
            db.execute_unprepared(&format!(
                "CREATE CONSTRAINT TRIGGER kept_{topic}_{table} \
                 AFTER INSERT OR UPDATE OR DELETE ON {table} \
                 DEFERRABLE INITIALLY DEFERRED FOR EACH ROW \
                 EXECUTE FUNCTION kept_bump('{topic}')"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER kept_{topic}_{table}_truncate AFTER TRUNCATE ON {table} \
                 FOR EACH STATEMENT EXECUTE FUNCTION kept_bump('{topic}')"
            ))
            .await?;
        } else {
            for op in ["INSERT", "UPDATE", "DELETE"] {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER kept_{topic}_{table}_{} AFTER {op} ON {table} \
                     BEGIN UPDATE kept_stamps SET stamp = stamp + 1 \
                     WHERE topic = '{topic}'; END",
                    op.to_lowercase()
                ))
                .await?;
            }
        }
    }
    Ok(())
}

/// Drops a topic's triggers and its stamp row.
pub async fn drop_topic(
    manager: &SchemaManager<'_>,
    topic: &str,
    tables: &[&str],
) -> Result<(), DbErr> {
    drop_triggers(manager, topic, tables).await?;
    manager
        .get_connection()
        .execute_unprepared(&format!("DELETE FROM kept_stamps WHERE topic = '{topic}'"))
        .await?;
    Ok(())
}

/// Drops the triggers of a topic on these tables.
pub async fn drop_triggers(
    manager: &SchemaManager<'_>,
    topic: &str,
    tables: &[&str],
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let postgres = manager.get_database_backend() == DbBackend::Postgres;
    for table in tables {
        if postgres {
            for suffix in ["", "_truncate"] {
                db.execute_unprepared(&format!(
                    "DROP TRIGGER IF EXISTS kept_{topic}_{table}{suffix} ON {table}"
                ))
                .await?;
            }
        } else {
            for op in ["insert", "update", "delete"] {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS kept_{topic}_{table}_{op}"))
                    .await?;
            }
        }
    }
    Ok(())
}
