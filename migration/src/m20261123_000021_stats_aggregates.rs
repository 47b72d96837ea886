use super::m20261123_000011_create_briefs::Briefs;
use super::m20261123_000016_create_submissions::Submissions;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What the participation statistics need, kept as aggregates so they never scan the
/// submissions:
/// - each submission remembers, from the moment it was sent, the ambassador's work unit,
///   their follower count on the platform and whether it was posted before the brief's
///   deadline, so the aggregates can always be recomputed from the submissions alone;
/// - the weekly aggregate gets verified posts, interactions (likes, comments, shares and
///   saves) and followers per platform;
/// - `brief_activity` counts, per brief, work unit and platform, what was submitted,
///   verified and verified on time, with interactions and followers of verified posts.
///
/// Existing rows are filled from the submissions.
#[derive(DeriveIden)]
enum WeekActivity {
    Table,
}

#[derive(DeriveIden)]
enum BriefActivity {
    Table,
    BriefId,
    WorkUnitId,
    Platform,
    Submitted,
    Verified,
    OnTime,
    Interactions,
    Followers,
}

#[derive(DeriveIden)]
enum Extra {
    WorkUnitId,
    Followers,
    OnTime,
}

pub const PLATFORMS: [&str; 3] = ["x", "instagram", "facebook"];

/// A post counts for engagement when it has any count and a follower count above zero.
const COUNTED: &str = "(s.likes IS NOT NULL OR s.comments IS NOT NULL OR s.shares IS NOT NULL \
     OR s.saves IS NOT NULL) AND s.followers > 0";
const INTERACTIONS: &str =
    "COALESCE(s.likes, 0) + COALESCE(s.comments, 0) + COALESCE(s.shares, 0) + COALESCE(s.saves, 0)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        let columns = [
            big_integer_null(Extra::WorkUnitId),
            big_integer_null(Extra::Followers),
            boolean(Extra::OnTime).default(false).to_owned(),
        ];
        for mut col in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Submissions::Table)
                        .add_column(&mut col)
                        .to_owned(),
                )
                .await?;
        }
        for p in PLATFORMS {
            for suffix in ["posts", "interactions", "followers"] {
                manager
                    .alter_table(
                        Table::alter()
                            .table(WeekActivity::Table)
                            .add_column(
                                ColumnDef::new(Alias::new(format!("{p}_{suffix}")))
                                    .big_integer()
                                    .not_null()
                                    .default(0),
                            )
                            .to_owned(),
                    )
                    .await?;
            }
        }
        manager
            .create_table(
                Table::create()
                    .table(BriefActivity::Table)
                    .col(big_integer(BriefActivity::BriefId))
                    .col(big_integer(BriefActivity::WorkUnitId))
                    .col(string_len(BriefActivity::Platform, 16))
                    .col(big_integer(BriefActivity::Submitted).default(0))
                    .col(big_integer(BriefActivity::Verified).default(0))
                    .col(big_integer(BriefActivity::OnTime).default(0))
                    .col(big_integer(BriefActivity::Interactions).default(0))
                    .col(big_integer(BriefActivity::Followers).default(0))
                    .primary_key(
                        Index::create()
                            .col(BriefActivity::BriefId)
                            .col(BriefActivity::WorkUnitId)
                            .col(BriefActivity::Platform),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_brief_activity_brief_id")
                            .from(BriefActivity::Table, BriefActivity::BriefId)
                            .to(Briefs::Table, Briefs::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE submissions SET \
               work_unit_id = (SELECT a.work_unit_id FROM ambassadors a \
                               WHERE a.id = submissions.ambassador_id), \
               followers = (SELECT p.follower_count FROM ambassador_platforms p \
                            WHERE p.ambassador_id = submissions.ambassador_id \
                              AND p.platform = submissions.platform), \
               on_time = COALESCE((SELECT submissions.posted_at <= b.deadline FROM briefs b \
                                   WHERE b.id = submissions.brief_id), FALSE)",
        )
        .await?;
        let mut sets = Vec::new();
        for p in PLATFORMS {
            let from = "FROM submissions s WHERE s.ambassador_id = week_activity.ambassador_id \
                        AND s.week_start = week_activity.week_start AND s.status = 'verified'";
            sets.push(format!(
                "{p}_posts = (SELECT COUNT(*) {from} AND s.platform = '{p}')"
            ));
            sets.push(format!(
                "{p}_interactions = (SELECT COALESCE(SUM({INTERACTIONS}), 0) {from} \
                 AND s.platform = '{p}' AND {COUNTED})"
            ));
            sets.push(format!(
                "{p}_followers = (SELECT COALESCE(SUM(s.followers), 0) {from} \
                 AND s.platform = '{p}' AND {COUNTED})"
            ));
        }
        db.execute_unprepared(&format!("UPDATE week_activity SET {}", sets.join(", ")))
            .await?;
        db.execute_unprepared(&format!(
            "INSERT INTO brief_activity \
               (brief_id, work_unit_id, platform, submitted, verified, on_time, interactions, \
                followers) \
             SELECT s.brief_id, s.work_unit_id, s.platform, COUNT(*), \
               SUM(CASE WHEN s.status = 'verified' THEN 1 ELSE 0 END), \
               SUM(CASE WHEN s.status = 'verified' AND s.on_time THEN 1 ELSE 0 END), \
               SUM(CASE WHEN s.status = 'verified' AND {COUNTED} THEN {INTERACTIONS} ELSE 0 END), \
               SUM(CASE WHEN s.status = 'verified' AND {COUNTED} THEN s.followers ELSE 0 END) \
             FROM submissions s WHERE s.work_unit_id IS NOT NULL \
             GROUP BY s.brief_id, s.work_unit_id, s.platform"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BriefActivity::Table).to_owned())
            .await?;
        for p in PLATFORMS {
            for suffix in ["posts", "interactions", "followers"] {
                manager
                    .alter_table(
                        Table::alter()
                            .table(WeekActivity::Table)
                            .drop_column(Alias::new(format!("{p}_{suffix}")))
                            .to_owned(),
                    )
                    .await?;
            }
        }
        for col in [Extra::WorkUnitId, Extra::Followers, Extra::OnTime] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Submissions::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
