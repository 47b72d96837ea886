//! Submissions on PostgreSQL sit in monthly partitions: the rules that span every month
//! (a post is submitted once; one open submission per brief and platform) still hold
//! between rows of different months, each row lives in its own month, and the daily job
//! makes the months ahead. On SQLite the same journey runs on its one table.

use chrono::{Datelike, Duration, TimeDelta, Utc};
use rocket::http::Status;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement};
use serde_json::json;

use crate::submissions::{decide, jakarta_monday, posted_in, submit};
use crate::support::{approve, TestApp};
use duta::jobs::Kind;

async fn rows(app: &TestApp, sql: &str) -> Vec<(String, String)> {
    app.db
        .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.try_get_by_index::<String>(0).unwrap(),
                r.try_get_by_index::<String>(1).unwrap(),
            )
        })
        .collect()
}

#[rocket::async_test]
async fn posts_keep_their_rules_across_the_monthly_partitions() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Satu").await;
    let unit = app.work_unit(inst, None, "Ditjen A").await;
    let coordinator = app
        .user("coordinator", "koordinator@duta.test", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let (amb_a, user_a) = app.candidate(inst, unit, 1).await;
    approve(&app, amb_a).await;
    let (amb_b, user_b) = app.candidate(inst, unit, 2).await;
    approve(&app, amb_b).await;
    let (a, b) = (app.token(user_a).await, app.token(user_b).await);
    let brief = crate::briefs::published(&app, &coordinator, &[], &[]).await;
    // The brief's week six weeks back, so a post from five weeks ago (another month: 35
    // days apart) and one from today both belong to it.
    entity::briefs::Entity::update_many()
        .col_expr(
            entity::briefs::Column::WeekStart,
            Expr::value(jakarta_monday(6)),
        )
        .filter(entity::briefs::Column::Id.eq(brief))
        .exec(&app.db)
        .await
        .unwrap();
    let now = (Utc::now() - Duration::minutes(10)).to_rfc3339();
    let post = "https://www.instagram.com/p/CmonthOld1/";

    let (status, old) = submit(
        &app,
        &a,
        json!({"brief_id": brief, "platform": "instagram", "url": post,
               "posted_at": posted_in(5).to_rfc3339()}),
    )
    .await;
    assert_eq!(status, Status::Created, "{old}");
    let old_id = old["id"].as_i64().unwrap();

    // The same post, dated this month by someone else: still the same post.
    let (status, body) = submit(
        &app,
        &b,
        json!({"brief_id": brief, "platform": "instagram", "url": post, "posted_at": now}),
    )
    .await;
    assert_eq!(status, Status::Conflict, "{body}");
    assert!(body["fields"]["url"].is_array(), "{body}");

    // Rejected, the slot is free for a new post this month…
    let (status, body) = decide(&app, &coordinator, old_id, "reject", "Tautan salah").await;
    assert_eq!(status, Status::Ok, "{body}");
    let (status, new) = submit(
        &app,
        &a,
        json!({"brief_id": brief, "platform": "instagram",
               "url": "https://www.instagram.com/p/CmonthNew1/", "posted_at": now}),
    )
    .await;
    assert_eq!(status, Status::Created, "{new}");
    // …and the old one cannot be reopened over it, though it sits in another month.
    let (status, body) = decide(&app, &coordinator, old_id, "revert", "Salah tolak").await;
    assert_eq!(status, Status::Conflict, "{body}");
    assert!(body["fields"]["platform"].is_array(), "{body}");
    assert_eq!(app.count("submissions").await, 2);

    if app.db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    // Each row in the partition of its week's month.
    let placed = rows(
        &app,
        "SELECT tableoid::regclass::text, to_char(week_start, 'YYYY_MM') \
         FROM submissions ORDER BY id",
    )
    .await;
    assert_eq!(placed.len(), 2);
    for (partition, month) in &placed {
        assert_eq!(partition, &format!("submissions_{month}"), "{placed:?}");
    }
    assert_ne!(placed[0].0, placed[1].0, "{placed:?}");

    // The daily job makes a month that is missing ahead (here: one dropped), and nothing
    // on a second run.
    let ahead = Utc::now().date_naive() + TimeDelta::days(400);
    let name = format!("submissions_{:04}_{:02}", ahead.year(), ahead.month());
    app.db
        .execute_unprepared(&format!("DROP TABLE {name}"))
        .await
        .unwrap();
    let node = crate::jobs::runner(&app, "node-a", &[Kind::Partitions]);
    let done = node.run_due(Utc::now()).await.unwrap();
    assert_eq!(done.len(), 1, "{done:?}");
    assert_eq!(
        done[0].result.as_ref().unwrap().summary,
        "made=1",
        "{done:?}"
    );
    let exists = rows(
        &app,
        &format!("SELECT '{name}', COALESCE(to_regclass('{name}')::text, 'missing')"),
    )
    .await;
    assert_eq!(exists[0].1, name);
    assert_eq!(
        duta::db::ensure_partitions(&app.db, Utc::now().date_naive())
            .await
            .unwrap(),
        0
    );
}
