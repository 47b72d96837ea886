//! `duta seed --bench --ambassadors N --weeks W`: a deterministic data set for the
//! benchmarks, on an empty database. Ten institutions, each with five directorates of
//! four units; N approved ambassadors spread over the leaf units; ten briefs a week per
//! institution for W weeks; and about two verified posts per ambassador in the weeks
//! they were active. Each ambassador has their own habit (from rarely to nearly every
//! week), 15 % joined during the window, and a few posts are pending or rejected, so the
//! board has gaps, ties and new people like a real programme. An active week has one to
//! three posts, two on average. The weekly aggregate is
//! written from the same numbers, so `duta leaderboard rebuild` finds nothing to correct.
//!
//! Rows are written with explicit ids in batches (one transaction per batch), so a
//! million rows take seconds on SQLite; on PostgreSQL the id sequences are moved past
//! them at the end.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait, Set, Statement,
};

use crate::auth::passwords::Hasher;
use crate::db::begin_write;
use crate::error::{AppError, AppResult};
use crate::leaderboard::rules::monday_of;
use crate::leaderboard::service::WEEK_FIGURES;
use crate::settings::service::programme_timezone;
use entity::{
    ambassador_platforms, ambassadors, brief_activity, briefs, institutions, platform_weeks,
    submissions, users, week_activity, work_units,
};

/// The password of every bench account (ambassadors `amb1@bench.duta.id` …, and
/// coordinators `coordinator1@bench.duta.id` …).
pub const BENCH_PASSWORD: &str = "duta-bench-2026";
pub const INSTITUTIONS: i64 = 10;
const TOP_UNITS: i64 = 5;
const SUB_UNITS: i64 = 4;
const BRIEFS_PER_WEEK: i64 = 10;
/// The platforms bench ambassadors post on: the first of the statistics' platforms
/// (`crate::leaderboard::participation::PLATFORMS`), in their order, so that an index
/// here is an index there. TikTok and YouTube stay at 0.
const PLATFORMS: [&str; 3] = ["x", "instagram", "facebook"];
/// Rows per INSERT statement (SQLite allows 32,766 parameters; submissions have 21).
const BATCH: usize = 1_000;
/// Ambassadors generated and written together.
const GROUP: i64 = 2_000;

/// What was written, for the command's report.
#[derive(Debug, Default, Clone)]
pub struct BenchReport {
    pub institutions: i64,
    pub work_units: i64,
    pub ambassadors: i64,
    pub briefs: i64,
    pub submissions: i64,
    pub verified: i64,
    pub week_rows: i64,
    pub seconds: f64,
}

/// A small, fixed pseudo-random generator (SplitMix64): the same data on every machine
/// and with every version of the `rand` crate.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Writes rows: on PostgreSQL with `COPY … FROM STDIN` (one statement per call, far faster
/// than INSERTs at a million ambassadors), elsewhere with multi-row INSERTs in one
/// transaction.
async fn insert_batches<A, E>(db: &DatabaseConnection, rows: Vec<A>) -> AppResult<()>
where
    E: EntityTrait<ActiveModel = A>,
    A: sea_orm::ActiveModelTrait<Entity = E> + Send,
{
    if db.get_database_backend() == DbBackend::Postgres {
        return copy_rows(db, rows).await;
    }
    let mut rows = rows.into_iter().peekable();
    let txn = begin_write(db).await?;
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(BATCH).collect();
        E::insert_many(chunk).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Bytes of CSV sent to PostgreSQL at a time.
const COPY_CHUNK: usize = 1 << 20;

/// `COPY table (columns) FROM STDIN (FORMAT csv)` of `rows`, the columns being those the
/// first row sets. The connection runs with `session_replication_role = replica` when it
/// may (a superuser's): the stamps' per-row triggers and the foreign-key checks are skipped
/// for generated rows, and [`seed_bench`] moves every stamp once at the end.
async fn copy_rows<A, E>(db: &DatabaseConnection, rows: Vec<A>) -> AppResult<()>
where
    E: EntityTrait<ActiveModel = A>,
    A: sea_orm::ActiveModelTrait<Entity = E> + Send,
{
    use sea_orm::{ActiveValue, Iterable};
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let columns: Vec<E::Column> = E::Column::iter()
        .filter(|c| !matches!(first.get(*c), ActiveValue::NotSet))
        .collect();
    let names: Vec<String> = columns
        .iter()
        .map(|c| format!("\"{}\"", sea_orm::IdenStatic::as_str(c)))
        .collect();
    let table = sea_orm::IdenStatic::as_str(&E::default()).to_string();
    let statement = format!(
        "COPY \"{table}\" ({}) FROM STDIN (FORMAT csv)",
        names.join(", ")
    );
    let mut conn = db
        .get_postgres_connection_pool()
        .acquire()
        .await
        .map_err(|e| AppError::internal(format!("COPY into {table}: {e}")))?;
    let fast = sea_orm::sqlx::query("SET session_replication_role = replica")
        .execute(&mut *conn)
        .await
        .is_ok();
    let result = async {
        let mut copy = conn.copy_in_raw(&statement).await?;
        let mut buf = String::with_capacity(COPY_CHUNK + 4096);
        for row in &rows {
            for (i, c) in columns.iter().enumerate() {
                if i > 0 {
                    buf.push(',');
                }
                match row.get(*c) {
                    ActiveValue::Set(v) | ActiveValue::Unchanged(v) => csv_field(&mut buf, &v)?,
                    ActiveValue::NotSet => {}
                }
            }
            buf.push('\n');
            if buf.len() >= COPY_CHUNK {
                copy.send(buf.as_bytes()).await?;
                buf.clear();
            }
        }
        if !buf.is_empty() {
            copy.send(buf.as_bytes()).await?;
        }
        copy.finish().await
    }
    .await;
    if fast {
        // The connection goes back to the pool as it came.
        if let Err(e) = sea_orm::sqlx::query("SET session_replication_role = origin")
            .execute(&mut *conn)
            .await
        {
            conn.close_on_drop();
            tracing::warn!(error = %e, "cannot reset session_replication_role; connection closed");
        }
    }
    result.map_err(|e| AppError::internal(format!("COPY into {table}: {e}")))?;
    Ok(())
}

/// One value as a CSV field for `COPY … (FORMAT csv)`: NULL as nothing, text always quoted
/// (so an empty text is not NULL).
fn csv_field(buf: &mut String, v: &sea_orm::Value) -> Result<(), sea_orm::sqlx::Error> {
    use sea_orm::Value as V;
    use std::fmt::Write;
    let quoted = |buf: &mut String, text: &str| {
        buf.push('"');
        buf.push_str(&text.replace('"', "\"\""));
        buf.push('"');
    };
    let written = match v {
        V::Bool(Some(b)) => write!(buf, "{}", if *b { "t" } else { "f" }),
        V::TinyInt(Some(n)) => write!(buf, "{n}"),
        V::SmallInt(Some(n)) => write!(buf, "{n}"),
        V::Int(Some(n)) => write!(buf, "{n}"),
        V::BigInt(Some(n)) => write!(buf, "{n}"),
        V::Float(Some(n)) => write!(buf, "{n}"),
        V::Double(Some(n)) => write!(buf, "{n}"),
        V::String(Some(t)) => {
            quoted(buf, t);
            Ok(())
        }
        V::Json(Some(j)) => {
            quoted(buf, &j.to_string());
            Ok(())
        }
        V::ChronoDate(Some(d)) => write!(buf, "{d}"),
        V::ChronoDateTimeUtc(Some(t)) => write!(buf, "{}", t.to_rfc3339()),
        V::ChronoDateTimeWithTimeZone(Some(t)) => write!(buf, "{}", t.to_rfc3339()),
        V::ChronoDateTime(Some(t)) => write!(buf, "{t}"),
        V::Bool(None)
        | V::TinyInt(None)
        | V::SmallInt(None)
        | V::Int(None)
        | V::BigInt(None)
        | V::Float(None)
        | V::Double(None)
        | V::String(None)
        | V::Json(None)
        | V::ChronoDate(None)
        | V::ChronoDateTimeUtc(None)
        | V::ChronoDateTimeWithTimeZone(None)
        | V::ChronoDateTime(None) => Ok(()),
        other => {
            return Err(sea_orm::sqlx::Error::Protocol(format!(
                "the bench seed cannot COPY a value like {other:?}"
            )))
        }
    };
    written.map_err(|e| sea_orm::sqlx::Error::Protocol(e.to_string()))
}

fn instant(tz: &chrono_tz::Tz, date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    tz.from_local_datetime(&date.and_hms_opt(hour, minute, 0).unwrap_or_default())
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default()))
}

/// An X status id posted at `t` (snowflake: milliseconds since 2010-11-04 above 22 low
/// bits). The low bits hold the submission id; what does not fit moves the time by that
/// many milliseconds, so no two posts share an id (posts are whole minutes apart).
fn status_id(t: DateTime<Utc>, id: i64) -> u64 {
    let ms = (t.timestamp_millis() - 1_288_834_974_657).max(0) as u64;
    let id = id.max(0) as u64;
    ((ms + (id >> 22)) << 22) | (id & 0x3F_FFFF)
}

/// Builds the bench data set; refuses a database that already holds ambassadors.
pub async fn seed_bench(
    db: &DatabaseConnection,
    hasher: &Hasher,
    ambassadors_wanted: i64,
    weeks: i64,
) -> AppResult<BenchReport> {
    seed_bench_in(db, hasher, ambassadors_wanted, weeks, INSTITUTIONS).await
}

/// The bench data set over `institutions` institutions (the ambassadors spread over
/// their units alike): one institution holds everyone, for a brief to 100,000 people.
pub async fn seed_bench_in(
    db: &DatabaseConnection,
    hasher: &Hasher,
    ambassadors_wanted: i64,
    weeks: i64,
    institutions_wanted: i64,
) -> AppResult<BenchReport> {
    let started = Instant::now();
    if ambassadors::Entity::find().count(db).await? > 0
        || institutions::Entity::find().count(db).await? > 0
    {
        return Err(AppError::BadRequest(
            "the bench data set needs an empty database (a fresh database_url)".into(),
        ));
    }
    let ambassadors_wanted = ambassadors_wanted.clamp(1, 2_000_000);
    let weeks = weeks.clamp(1, 260);
    let tz = programme_timezone(db).await?;
    let now = Utc::now();
    let this_monday = monday_of(now.with_timezone(&tz).date_naive());
    let first_monday = this_monday - Duration::weeks(weeks - 1);
    let hash = hasher.hash(BENCH_PASSWORD).await?;
    let mut report = BenchReport::default();
    // PostgreSQL: each month of generated posts in its own partition, not the default.
    crate::db::ensure_partitions(db, first_monday).await?;
    // PostgreSQL: the big tables load without their indexes, which are built afterwards.
    let rebuild_indexes = drop_indexes(db, &BIG_TABLES).await?;
    // A superuser's COPY skips the triggers and foreign-key checks (see `copy_rows`): then
    // the streams may run at once, and the post keys are claimed afterwards.
    let unchecked = superuser(db).await?;
    let rebuild_standings = drop_indexes(db, &["standings"]).await?;

    // Institutions and their unit trees.
    let mut insts = Vec::new();
    let mut units = Vec::new();
    let mut leaves: Vec<(i64, i64)> = Vec::new(); // (institution, unit)
    let mut next_unit = 1;
    for i in 1..=institutions_wanted {
        insts.push(institutions::ActiveModel {
            id: Set(i),
            name: Set(format!("Instansi Bench {i:02}")),
            short_name: Set(Some(format!("IB{i:02}"))),
            kind: Set("ministry".into()),
            region: Set(None),
            created_at: Set(now),
        });
        for t in 1..=TOP_UNITS {
            let top = next_unit;
            next_unit += 1;
            let top_path = format!("/{top}/");
            units.push(work_units::ActiveModel {
                id: Set(top),
                institution_id: Set(i),
                parent_id: Set(None),
                name: Set(format!("Direktorat {t}")),
                path: Set(top_path.clone()),
                created_at: Set(now),
            });
            for s in 1..=SUB_UNITS {
                let id = next_unit;
                next_unit += 1;
                units.push(work_units::ActiveModel {
                    id: Set(id),
                    institution_id: Set(i),
                    parent_id: Set(Some(top)),
                    name: Set(format!("Subdirektorat {t}.{s}")),
                    path: Set(format!("{top_path}{id}/")),
                    created_at: Set(now),
                });
                leaves.push((i, id));
            }
        }
    }
    report.institutions = insts.len() as i64;
    report.work_units = units.len() as i64;
    insert_batches(db, insts).await?;
    insert_batches(db, units).await?;

    // Coordinators (ids 1..=10), then ambassadors' users from id 1001.
    let coordinators = (1..=institutions_wanted)
        .map(|i| users::ActiveModel {
            id: Set(i),
            email: Set(format!("coordinator{i}@bench.duta.id")),
            name: Set(format!("Koordinator {i:02}")),
            password_hash: Set(hash.clone()),
            role: Set("coordinator".into()),
            institution_id: Set(Some(i)),
            work_unit_id: Set(None),
            language: Set(None),
            security_stamp: Set(format!("bench-coordinator-{i}")),
            is_active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            last_login_at: Set(None),
            totp_secret: Set(None),
            totp_enabled_at: Set(None),
            totp_last_step: Set(None),
            email_unconfirmed_since: Set(None),
            invitation_pending_since: Set(None),
        })
        .collect::<Vec<_>>();
    insert_batches(db, coordinators).await?;

    // Briefs: ten a week per institution.
    let mut brief_rows = Vec::new();
    let brief_id = |inst: i64, week: i64, k: i64| {
        (inst - 1) * weeks * BRIEFS_PER_WEEK + week * BRIEFS_PER_WEEK + k + 1
    };
    for inst in 1..=institutions_wanted {
        for w in 0..weeks {
            let monday = first_monday + Duration::weeks(w);
            let label = crate::briefs::rules::IsoWeek::of(monday).to_string();
            for k in 0..BRIEFS_PER_WEEK {
                brief_rows.push(briefs::ActiveModel {
                    id: Set(brief_id(inst, w, k)),
                    institution_id: Set(inst),
                    week: Set(label.clone()),
                    week_start: Set(monday),
                    title: Set(format!("Brief {label} nomor {}", k + 1)),
                    category: Set(crate::briefs::rules::CATEGORIES[(k % 5) as usize].into()),
                    key_messages: Set("Layanan publik makin mudah.".into()),
                    facts: Set("[]".into()),
                    hashtags: Set("[\"#ASNBerAKHLAK\"]".into()),
                    mentions: Set("[]".into()),
                    dos: Set(String::new()),
                    donts: Set(String::new()),
                    sample: Set(String::new()),
                    platforms: Set("[\"x\",\"instagram\",\"facebook\"]".into()),
                    deadline: Set(instant(&tz, monday + Duration::days(6), 20, 0)),
                    priority: Set(if k == 0 { "urgent" } else { "normal" }.into()),
                    audience: Set("institution".into()),
                    status: Set("published".into()),
                    publish_at: Set(Some(instant(&tz, monday, 6, 0))),
                    closed_at: Set(None),
                    notified_at: Set(Some(instant(&tz, monday, 6, 0))),
                    created_by: Set(inst),
                    created_at: Set(now),
                    updated_at: Set(now),
                });
            }
        }
    }
    report.briefs = brief_rows.len() as i64;
    insert_batches(db, brief_rows).await?;

    // Ambassadors, their platforms, submissions and weekly aggregate, group by group.
    let mut rng = Mix(0x0000_D07A_2026);
    let mut next_submission: i64 = 1;
    // Per brief, unit and platform: submitted, verified, on time, interactions, followers.
    let mut per_brief: HashMap<(i64, i64, usize), [i64; 5]> = HashMap::new();
    // Per platform and week of posting: verified posts with counts, interactions,
    // followers (as in `platform_weeks`).
    let mut per_platform: HashMap<(usize, NaiveDate), [i64; 3]> = HashMap::new();
    let mut n: i64 = 1;
    while n <= ambassadors_wanted {
        let last = (n + GROUP - 1).min(ambassadors_wanted);
        let mut user_rows = Vec::new();
        let mut amb_rows = Vec::new();
        let mut platform_rows = Vec::new();
        let mut sub_rows = Vec::new();
        // Per ambassador-week: verified posts, then per platform posts, interactions and
        // followers (as in `week_activity`).
        let mut activity: HashMap<(i64, NaiveDate), [i64; WEEK_FIGURES.len()]> = HashMap::new();
        for a in n..=last {
            let (inst, unit) = leaves[(a as usize - 1) % leaves.len()];
            let user_id = 1000 + a;
            // 85 % joined before the window; the others during it.
            let joined = if rng.unit() < 0.85 {
                first_monday - Duration::days(7 * 8 + rng.below(300) as i64)
            } else {
                first_monday + Duration::days(rng.below((weeks * 7) as u64) as i64)
            };
            let habit = match rng.below(10) {
                0 | 1 => 0.2 + 0.3 * rng.unit(),
                2..=6 => 0.5 + 0.35 * rng.unit(),
                _ => 0.85 + 0.14 * rng.unit(),
            };
            user_rows.push(users::ActiveModel {
                id: Set(user_id),
                email: Set(format!("amb{a}@bench.duta.id")),
                name: Set(format!("Duta Bench {a}")),
                password_hash: Set(hash.clone()),
                role: Set("ambassador".into()),
                institution_id: Set(Some(inst)),
                work_unit_id: Set(Some(unit)),
                language: Set(None),
                security_stamp: Set(format!("bench-{a}")),
                is_active: Set(true),
                created_at: Set(now),
                updated_at: Set(now),
                last_login_at: Set(None),
                totp_secret: Set(None),
                totp_enabled_at: Set(None),
                totp_last_step: Set(None),
                email_unconfirmed_since: Set(None),
                invitation_pending_since: Set(None),
            });
            amb_rows.push(ambassadors::ActiveModel {
                id: Set(a),
                user_id: Set(user_id),
                display_name: Set(format!("Duta Bench {a}")),
                nip: Set(format!("19{:02}0101{:08}", 70 + a % 30, a)),
                employee_type: Set("pns".into()),
                phone: Set(format!("0812{:08}", a)),
                institution_id: Set(inst),
                work_unit_id: Set(unit),
                status: Set("approved".into()),
                rejection_reason: Set(None),
                member_since: Set(Some(joined)),
                consent_version: Set(crate::ambassadors::forms::CONSENT_VERSION.into()),
                consent_at: Set(now),
                submitted_at: Set(now),
                decided_at: Set(Some(now)),
                decided_by: Set(Some(inst)),
                created_at: Set(now),
                updated_at: Set(now),
                // Sealed with the configured key once the rows are in (`seal_plain_nips`).
                nip_sealed: Set(None),
                nip_tail: Set(None),
                withdrawn_at: Set(None),
                erased_at: Set(None),
            });
            let mut followers = [0i64; 3];
            for (pi, p) in PLATFORMS.into_iter().enumerate() {
                followers[pi] = 500 + rng.below(20_000) as i64;
                platform_rows.push(ambassador_platforms::ActiveModel {
                    ambassador_id: Set(a),
                    platform: Set(p.into()),
                    handle: Set(format!("amb{a}")),
                    method: Set("screenshot".into()),
                    follower_count: Set(Some(followers[pi])),
                    checked_at: Set(Some(now)),
                    evidence_media_id: Set(None),
                    reviewed_by: Set(Some(inst)),
                    verdict: Set("meets".into()),
                    check_error: Set(None),
                    retry_after: Set(None),
                    below_since: Set(None),
                    updated_at: Set(now),
                    ..Default::default()
                });
            }
            for w in 0..weeks {
                let monday = first_monday + Duration::weeks(w);
                if monday < monday_of(joined) || rng.unit() >= habit {
                    continue;
                }
                let posts = 1 + u64::from(rng.unit() < 0.7) + u64::from(rng.unit() < 0.3);
                let first_brief = rng.below(BRIEFS_PER_WEEK as u64) as i64;
                for k in 0..posts as i64 {
                    let b = brief_id(inst, w, (first_brief + k) % BRIEFS_PER_WEEK);
                    let pi = ((a + k) % 3) as usize;
                    let platform = PLATFORMS[pi];
                    // Monday 07:00 to Sunday 23:59: a few come after Sunday's 20:00 deadline.
                    let posted_at = instant(&tz, monday, 7, 0)
                        + Duration::minutes(rng.below(7 * 24 * 60 - 7 * 60) as i64);
                    let deadline = instant(&tz, monday + Duration::days(6), 20, 0);
                    if posted_at > now {
                        continue;
                    }
                    let id = next_submission;
                    next_submission += 1;
                    // Recent weeks keep a few posts waiting; a few are rejected.
                    let roll = rng.unit();
                    let status = if w >= weeks - 2 && roll < 0.08 {
                        "pending"
                    } else if roll > 0.99 {
                        "rejected"
                    } else {
                        "verified"
                    };
                    let (url, key) = match platform {
                        "x" => {
                            let sid = status_id(posted_at, id);
                            (
                                format!("https://x.com/amb{a}/status/{sid}"),
                                format!("x:{sid}"),
                            )
                        }
                        "instagram" => (
                            format!("https://www.instagram.com/p/Bench{id:09}/"),
                            format!("instagram:Bench{id:09}"),
                        ),
                        _ => (
                            format!("https://www.facebook.com/amb{a}/posts/{id}"),
                            format!("facebook:amb{a}:{id}"),
                        ),
                    };
                    let (likes, comments, shares, saves) = (
                        rng.below(400) as i64,
                        rng.below(40) as i64,
                        rng.below(30) as i64,
                        rng.below(20) as i64,
                    );
                    let on_time = posted_at <= deadline;
                    let interactions = likes + comments + shares + saves;
                    let b_row = per_brief.entry((b, unit, pi)).or_default();
                    b_row[0] += 1;
                    if status == "verified" {
                        let w_row = activity.entry((a, monday)).or_default();
                        w_row[0] += 1;
                        w_row[1 + 3 * pi] += 1;
                        w_row[2 + 3 * pi] += interactions;
                        w_row[3 + 3 * pi] += followers[pi];
                        b_row[1] += 1;
                        b_row[2] += i64::from(on_time);
                        b_row[3] += interactions;
                        b_row[4] += followers[pi];
                        report.verified += 1;
                        if followers[pi] > 0 {
                            let p_row = per_platform.entry((pi, monday)).or_default();
                            p_row[0] += 1;
                            p_row[1] += interactions;
                            p_row[2] += followers[pi];
                        }
                    }
                    sub_rows.push(submissions::ActiveModel {
                        id: Set(id),
                        ambassador_id: Set(a),
                        brief_id: Set(b),
                        platform: Set(platform.into()),
                        url: Set(url),
                        post_key: Set(key),
                        slot: Set((status != "rejected").then(|| format!("{a}:{b}:{platform}"))),
                        posted_at: Set(posted_at),
                        week_start: Set(monday),
                        screenshot_media_id: Set(None),
                        likes: Set(Some(likes)),
                        comments: Set(Some(comments)),
                        shares: Set(Some(shares)),
                        saves: Set(Some(saves)),
                        status: Set(status.into()),
                        reason: Set(
                            (status == "rejected").then(|| "Tautan tidak bisa dibuka.".into())
                        ),
                        auto_verified: Set(platform == "x" && status == "verified"),
                        decided_by: Set((status != "pending").then_some(inst)),
                        decided_at: Set(
                            (status != "pending").then_some(posted_at + Duration::hours(3))
                        ),
                        work_unit_id: Set(Some(unit)),
                        followers: Set(Some(followers[pi])),
                        on_time: Set(on_time),
                        created_at: Set(posted_at + Duration::minutes(10)),
                        updated_at: Set(posted_at + Duration::hours(3)),
                    });
                }
            }
        }
        report.ambassadors += amb_rows.len() as i64;
        report.submissions += sub_rows.len() as i64;
        report.week_rows += activity.len() as i64;
        let week_rows: Vec<week_activity::ActiveModel> = activity
            .into_iter()
            .map(|((a, w), v)| week_activity::ActiveModel {
                ambassador_id: Set(a),
                week_start: Set(w),
                verified_posts: Set(v[0] as i32),
                x_posts: Set(v[1]),
                x_interactions: Set(v[2]),
                x_followers: Set(v[3]),
                instagram_posts: Set(v[4]),
                instagram_interactions: Set(v[5]),
                instagram_followers: Set(v[6]),
                facebook_posts: Set(v[7]),
                facebook_interactions: Set(v[8]),
                facebook_followers: Set(v[9]),
                tiktok_posts: Set(v[10]),
                tiktok_interactions: Set(v[11]),
                tiktok_followers: Set(v[12]),
                youtube_posts: Set(v[13]),
                youtube_interactions: Set(v[14]),
                youtube_followers: Set(v[15]),
                updated_at: Set(now),
            })
            .collect();
        if unchecked {
            // Three COPY streams at once: PostgreSQL spends a backend per stream, so the
            // load keeps more than one core busy (the foreign keys are not checked under
            // `session_replication_role = replica`, so the order does not matter).
            tokio::try_join!(
                async {
                    insert_batches(db, user_rows).await?;
                    insert_batches(db, amb_rows).await?;
                    insert_batches(db, platform_rows).await
                },
                insert_batches(db, sub_rows),
                insert_batches(db, week_rows),
            )?;
        } else {
            insert_batches(db, user_rows).await?;
            insert_batches(db, amb_rows).await?;
            insert_batches(db, platform_rows).await?;
            insert_batches(db, sub_rows).await?;
            insert_batches(db, week_rows).await?;
        }
        n = last + 1;
        if n % 20_000 == 1 {
            tracing::info!(ambassadors = n - 1, "bench data written");
        }
    }
    let brief_rows: Vec<brief_activity::ActiveModel> = per_brief
        .into_iter()
        .map(|((brief, unit, pi), v)| brief_activity::ActiveModel {
            brief_id: Set(brief),
            work_unit_id: Set(unit),
            platform: Set(PLATFORMS[pi].into()),
            submitted: Set(v[0]),
            verified: Set(v[1]),
            on_time: Set(v[2]),
            interactions: Set(v[3]),
            followers: Set(v[4]),
        })
        .collect();
    insert_batches(db, brief_rows).await?;
    let platform_rows: Vec<platform_weeks::ActiveModel> = per_platform
        .into_iter()
        .map(|((pi, week), v)| platform_weeks::ActiveModel {
            platform: Set(PLATFORMS[pi].into()),
            week_start: Set(week),
            posts: Set(v[0]),
            interactions: Set(v[1]),
            followers: Set(v[2]),
        })
        .collect();
    insert_batches(db, platform_rows).await?;
    move_sequences(db).await?;
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "bench rows copied; claiming the post keys"
    );
    if unchecked {
        claim_keys(db).await?;
    }
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "post keys claimed; building the indexes"
    );
    build_indexes(db, &rebuild_indexes).await?;
    // The counts per unit and status, kept by triggers the superuser's COPY skipped.
    db.execute_unprepared("DELETE FROM ambassador_counts")
        .await?;
    db.execute_unprepared(migration::m20261206_000051_ambassador_counts::FILL)
        .await?;
    // Rows written by COPY without the stamps' triggers: every kept answer starts afresh.
    db.execute_unprepared("UPDATE kept_stamps SET stamp = stamp + 1")
        .await?;
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "bench rows written; checking the aggregates"
    );
    crate::leaderboard::participation::check(db).await?;
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "aggregates checked; building the standings"
    );
    crate::leaderboard::standings::build_current(db, true).await?;
    build_indexes(db, &rebuild_standings).await?;
    weekly_jobs_done(db).await?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Marks this week's runs of the weekly roll-up check and the weekly reminder as done: the
/// seed has just checked every aggregate it wrote, and a made-up data set is not to be
/// reminded (at a million ambassadors either run would otherwise start with the first
/// node and take minutes of the database inside the benchmarks' measurements).
async fn weekly_jobs_done(db: &DatabaseConnection) -> AppResult<()> {
    use crate::jobs::{rules::due_run, runs::record_done, Kind};
    let now = Utc::now();
    for (kind, summary) in [
        (
            Kind::Rebuild,
            "bench seed: every aggregate checked as written",
        ),
        (Kind::WeeklyReminder, "bench seed: no one reminded"),
    ] {
        let schedule = kind.schedule(db, chrono::TimeDelta::hours(1)).await?;
        if let Some(due) = due_run(schedule, now) {
            record_done(db, kind.name(), due.due_at, summary, now).await?;
        }
    }
    Ok(())
}

/// Whether this is PostgreSQL and the connection's role a superuser.
async fn superuser(db: &DatabaseConnection) -> AppResult<bool> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(false);
    }
    Ok(db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
        ))
        .await?
        .and_then(|r| r.try_get_by_index::<bool>(0).ok())
        .unwrap_or(false))
}

/// The tables that grow with the posts: loaded without indexes on PostgreSQL.
const BIG_TABLES: [&str; 4] = [
    "submissions",
    "week_activity",
    "submission_post_keys",
    "submission_slots",
];

/// On PostgreSQL, drops the indexes, primary keys and unique constraints of `tables` and
/// answers the statements that make them again (foreign keys stay: COPY under
/// `session_replication_role = replica` does not check them). A sorted build after the
/// load is several times faster than keeping each index up row by row.
async fn drop_indexes(db: &DatabaseConnection, tables: &[&str]) -> AppResult<Vec<String>> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(Vec::new());
    }
    let mut again = Vec::new();
    for table in tables {
        let constraints = db
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint \
                 WHERE conrelid = CAST($1 AS regclass) AND contype IN ('p', 'u')",
                [(*table).into()],
            ))
            .await?;
        let indexes = db
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT CAST(i.indexrelid::regclass AS TEXT), pg_get_indexdef(i.indexrelid) \
                 FROM pg_index i WHERE i.indrelid = CAST($1 AS regclass) \
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                [(*table).into()],
            ))
            .await?;
        for row in &indexes {
            let name: String = row.try_get_by_index(0)?;
            let def: String = row.try_get_by_index(1)?;
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
            // A partitioned table's index reads `ON ONLY`: made again on every partition.
            again.push(def.replace(" ON ONLY ", " ON "));
        }
        for row in &constraints {
            let name: String = row.try_get_by_index(0)?;
            let def: String = row.try_get_by_index(1)?;
            db.execute_unprepared(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))
                .await?;
            again.push(format!("ALTER TABLE {table} ADD CONSTRAINT {name} {def}"));
        }
    }
    Ok(again)
}

/// Runs what [`drop_indexes`] answered, with the memory and workers a big build wants.
async fn build_indexes(db: &DatabaseConnection, statements: &[String]) -> AppResult<()> {
    if statements.is_empty() {
        return Ok(());
    }
    let txn = sea_orm::TransactionTrait::begin(db).await?;
    txn.execute_unprepared(
        "SET LOCAL maintenance_work_mem = '1GB'; SET LOCAL max_parallel_maintenance_workers = 2",
    )
    .await?;
    for sql in statements {
        txn.execute_unprepared(sql).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// On PostgreSQL, the posts' keys and open slots (kept by a trigger that COPY skipped
/// under `session_replication_role = replica`) from the rows written above (whose keys
/// are unique by construction: the tables have no index yet).
async fn claim_keys(db: &DatabaseConnection) -> AppResult<()> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for sql in [
        "INSERT INTO submission_post_keys (post_key, submission_id) \
         SELECT post_key, id FROM submissions",
        "INSERT INTO submission_slots (slot, submission_id) \
         SELECT slot, id FROM submissions WHERE slot IS NOT NULL",
    ] {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

/// On PostgreSQL, moves each id sequence past the explicit ids written above.
async fn move_sequences(db: &DatabaseConnection) -> AppResult<()> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for table in [
        "institutions",
        "work_units",
        "users",
        "briefs",
        "ambassadors",
        "ambassador_platforms",
        "submissions",
    ] {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        );
        db.execute_raw(Statement::from_string(DbBackend::Postgres, sql))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn status_ids_stay_unique_past_four_million_posts() {
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap();
        let a = status_id(t, 5);
        let b = status_id(t, 5 + (1 << 22));
        assert_ne!(a, b);
        // The time in the top bits stays within a day of the post.
        let ms = (b >> 22) as i64 + 1_288_834_974_657;
        assert!((ms - t.timestamp_millis()).abs() < 86_400_000);
        assert_ne!(status_id(t, 5), status_id(t + Duration::minutes(1), 5));
    }
}
