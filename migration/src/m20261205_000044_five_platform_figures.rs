use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::m20261204_000028_create_kept_stamps::{add_triggers, drop_triggers};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The stored statistics get TikTok and YouTube beside X, Instagram and Facebook: in the
/// weekly aggregate (`week_activity`: posts, interactions, followers), the figures per unit
/// and week (`unit_weeks`: posting, posts, reach, interactions, followers) and what each
/// share was computed with (`stat_people`: follower counts).
///
/// The new columns of existing rows are filled here, in the migration's transaction, the
/// way the application computes them (`crate::leaderboard::service::rebuild` and
/// `crate::leaderboard::participation`): the weekly aggregate from the verified
/// submissions, the follower counts from `ambassador_platforms`, and each unit's week from
/// both for the ambassadors who were members that week (by its Sunday, outside a
/// suspension or removal). An upgraded database shows the right figures from its first
/// request, without a rebuild.
///
/// The statistics also show a platform when the programme requires it, so writes to
/// `platform_settings` move the `stats` stamp.
pub const NEW_PLATFORMS: [&str; 2] = ["tiktok", "youtube"];

/// The new columns, per table: `{platform}_{figure}`.
const COLUMNS: [(&str, &[&str]); 3] = [
    ("week_activity", &["posts", "interactions", "followers"]),
    (
        "unit_weeks",
        &["posting", "posts", "reach", "interactions", "followers"],
    ),
    ("stat_people", &["followers"]),
];

/// Tables the statistics are read from, stamped like the others of the topic.
pub const STATS_TABLES: [(&str, &[&str]); 1] = [("stats", &["platform_settings"])];

/// A post counts for engagement when it has any count and a follower count above zero
/// (as in `crate::leaderboard::service::rebuild`).
const COUNTED: &str = "(s.likes IS NOT NULL OR s.comments IS NOT NULL OR s.shares IS NOT NULL \
     OR s.saves IS NOT NULL) AND s.followers > 0";
const INTERACTIONS: &str =
    "COALESCE(s.likes, 0) + COALESCE(s.comments, 0) + COALESCE(s.shares, 0) + COALESCE(s.saves, 0)";

fn sum(expr: &str) -> String {
    format!("CAST(SUM({expr}) AS BIGINT)")
}

/// Fills the new columns (all 0 when added) of the rows stored before them.
async fn backfill(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let postgres = manager.get_database_backend() == DbBackend::Postgres;
    let new = NEW_PLATFORMS
        .iter()
        .map(|p| format!("'{p}'"))
        .collect::<Vec<_>>()
        .join(", ");

    // The weekly aggregate, from the verified submissions.
    let mut exprs = Vec::new();
    let mut sets = Vec::new();
    for p in NEW_PLATFORMS {
        exprs.push(format!(
            "{} AS {p}_posts",
            sum(&format!("CASE WHEN s.platform = '{p}' THEN 1 ELSE 0 END"))
        ));
        exprs.push(format!(
            "{} AS {p}_interactions",
            sum(&format!(
                "CASE WHEN s.platform = '{p}' AND {COUNTED} THEN {INTERACTIONS} ELSE 0 END"
            ))
        ));
        exprs.push(format!(
            "{} AS {p}_followers",
            sum(&format!(
                "CASE WHEN s.platform = '{p}' AND {COUNTED} THEN s.followers ELSE 0 END"
            ))
        ));
        for f in ["posts", "interactions", "followers"] {
            sets.push(format!("{p}_{f} = t.{p}_{f}"));
        }
    }
    db.execute_unprepared(&format!(
        "UPDATE week_activity SET {} FROM (\
           SELECT s.ambassador_id AS ambassador_id, s.week_start AS week_start, {} \
           FROM submissions s WHERE s.status = 'verified' AND s.platform IN ({new}) \
           GROUP BY s.ambassador_id, s.week_start) t \
         WHERE week_activity.ambassador_id = t.ambassador_id \
           AND week_activity.week_start = t.week_start",
        sets.join(", "),
        exprs.join(", ")
    ))
    .await?;

    // The follower counts the shares are computed with: the latest known, 0 for none.
    let mut exprs = Vec::new();
    let mut sets = Vec::new();
    for p in NEW_PLATFORMS {
        exprs.push(format!(
            "CAST(MAX(CASE WHEN ap.platform = '{p}' AND ap.follower_count > 0 \
             THEN ap.follower_count ELSE 0 END) AS BIGINT) AS {p}_followers"
        ));
        sets.push(format!("{p}_followers = t.{p}_followers"));
    }
    db.execute_unprepared(&format!(
        "UPDATE stat_people SET {} FROM (\
           SELECT ap.ambassador_id AS ambassador_id, {} FROM ambassador_platforms ap \
           WHERE ap.platform IN ({new}) AND ap.follower_count IS NOT NULL \
           GROUP BY ap.ambassador_id) t \
         WHERE stat_people.ambassador_id = t.ambassador_id",
        sets.join(", "),
        exprs.join(", ")
    ))
    .await?;

    // Each unit's weeks: of its members that week, those who posted on the platform.
    let sunday = if postgres {
        "wa.week_start + 6"
    } else {
        "date(wa.week_start, '+6 days')"
    };
    let mut exprs = Vec::new();
    let mut sets = Vec::new();
    for p in NEW_PLATFORMS {
        let posted = format!("wa.{p}_posts > 0");
        for (figure, value) in [
            ("posting", "1".to_string()),
            ("posts", format!("wa.{p}_posts")),
            ("reach", format!("sp.{p}_followers")),
            ("interactions", format!("wa.{p}_interactions")),
            ("followers", format!("wa.{p}_followers")),
        ] {
            exprs.push(format!(
                "{} AS {p}_{figure}",
                sum(&format!("CASE WHEN {posted} THEN {value} ELSE 0 END"))
            ));
            sets.push(format!("{p}_{figure} = t.{p}_{figure}"));
        }
    }
    let any = NEW_PLATFORMS
        .iter()
        .map(|p| format!("wa.{p}_posts > 0"))
        .collect::<Vec<_>>()
        .join(" OR ");
    db.execute_unprepared(&format!(
        "UPDATE unit_weeks SET {} FROM (\
           SELECT sp.work_unit_id AS work_unit_id, wa.week_start AS week_start, {} \
           FROM week_activity wa JOIN stat_people sp ON sp.ambassador_id = wa.ambassador_id \
           WHERE ({any}) AND sp.member_since IS NOT NULL AND sp.member_since <= {sunday} \
             AND NOT EXISTS (SELECT 1 FROM membership_breaks b \
               WHERE b.ambassador_id = sp.ambassador_id AND b.from_week <= wa.week_start \
                 AND (b.until_week IS NULL OR wa.week_start < b.until_week)) \
           GROUP BY sp.work_unit_id, wa.week_start) t \
         WHERE unit_weeks.work_unit_id = t.work_unit_id \
           AND unit_weeks.week_start = t.week_start",
        sets.join(", "),
        exprs.join(", ")
    ))
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// Columns and figures together or not at all, on SQLite too.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Every column first: PostgreSQL alters no table with pending trigger events, and
        // the updates below move the stamps by deferred triggers. SQLite takes one column
        // per ALTER TABLE.
        for (table, figures) in COLUMNS {
            for p in NEW_PLATFORMS {
                for f in figures {
                    manager
                        .alter_table(
                            Table::alter()
                                .table(Alias::new(table))
                                .add_column(
                                    ColumnDef::new(Alias::new(format!("{p}_{f}")))
                                        .big_integer()
                                        .not_null()
                                        .default(0),
                                )
                                .to_owned(),
                        )
                        .await?;
                }
            }
        }
        for (topic, tables) in STATS_TABLES {
            add_triggers(manager, topic, tables).await?;
        }
        backfill(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (topic, tables) in STATS_TABLES {
            drop_triggers(manager, topic, tables).await?;
        }
        for (table, figures) in COLUMNS {
            for p in NEW_PLATFORMS {
                for f in figures {
                    manager
                        .alter_table(
                            Table::alter()
                                .table(Alias::new(table))
                                .drop_column(Alias::new(format!("{p}_{f}")))
                                .to_owned(),
                        )
                        .await?;
                }
            }
        }
        Ok(())
    }
}
