//! The demo's living programme: 32 more approved ambassadors across the units (40 in
//! all), a brief or two in each of the last twelve weeks, and their posts — verified,
//! some rejected with a reason, this week's still waiting — in patterns that make
//! streaks, a lagging unit and a newcomer; two people on leave, a holiday week with fewer
//! posts, and a few integrity flags. The posts are written as rows (like history brought
//! in) and the aggregates rebuilt from them, so every page, chart and export shows
//! figures on first look. Deterministic: the same run gives the same programme.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    Set,
};

use crate::ambassadors::forms::{PlatformInput, SignupRequest, CONSENT_VERSION};
use crate::ambassadors::service::signup;
use crate::auth::guards::CurrentUser;
use crate::auth::passwords::Hasher;
use crate::auth::roles::Role;
use crate::briefs::forms::{BriefRequest, Fact};
use crate::briefs::rules::{local_midnight, IsoWeek};
use crate::error::{AppError, AppResult};
use crate::followers::FollowerSources;
use crate::http::client_ip::ClientIp;
use crate::notify::Mailer;
use crate::vetting::forms::{ApproveRequest, FollowersRequest};
use crate::vetting::service::{approve, set_followers};
use entity::{ambassadors, briefs, holidays, integrity_flags, leaves, submissions, users};

/// Weeks of history before this one.
pub const WEEKS: i64 = 12;

const FIRST: [&str; 16] = [
    "Ahmad", "Budi", "Citra", "Dian", "Eka", "Fitri", "Galih", "Hana", "Indra", "Joko", "Kartika",
    "Lina", "Maya", "Nanda", "Putri", "Rizky",
];
const LAST: [&str; 8] = [
    "Saputra",
    "Wulandari",
    "Pratama",
    "Handayani",
    "Kurniawan",
    "Permata",
    "Setiawan",
    "Nugraha",
];

/// The history's briefs, one per past week (two every third week), by title, category,
/// key message and platforms.
const TOPICS: [(&str, &str, &str); 8] = [
    (
        "Layanan paspor lewat aplikasi",
        "sosialisasi",
        "Paspor kini bisa diurus lewat aplikasi; antrean lebih singkat.",
    ),
    (
        "Cek fakta: bantuan sosial lewat tautan",
        "kontra_narasi",
        "Bantuan sosial tidak pernah dibagikan lewat tautan di pesan berantai.",
    ),
    (
        "Pekan literasi digital",
        "edukasi",
        "Kenali ciri hoaks: sumber tidak jelas, judul memancing emosi.",
    ),
    (
        "Hari Pelayanan Publik",
        "kampanye",
        "Ceritakan layanan publik yang memudahkan warga di sekitar Anda.",
    ),
    (
        "Jaga data pribadi di media sosial",
        "edukasi",
        "Jangan membagikan foto KTP, nomor rekening, atau kode OTP.",
    ),
    (
        "Kanal aduan konten negatif",
        "sosialisasi",
        "Warga bisa melaporkan konten negatif lewat aduankonten.id.",
    ),
    (
        "Klarifikasi: isu pemblokiran aplikasi pesan",
        "kontra_narasi",
        "Tidak ada rencana memblokir aplikasi pesan; kabar itu tidak benar.",
    ),
    (
        "Internet desa untuk sekolah",
        "sosialisasi",
        "Sekolah di desa kini terhubung internet lewat program pemerintah.",
    ),
];

/// A number from 0 to 99 fixed by its inputs (the demo has no randomness).
fn roll(a: i64, b: i64, salt: i64) -> i64 {
    let mut x = (a as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add((b as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F))
        .wrapping_add(salt as u64);
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    (x % 100) as i64
}

fn as_user(user: users::Model, role: Role) -> CurrentUser {
    CurrentUser {
        user,
        role,
        work_unit_path: None,
        two_factor_pending: false,
        stamps: None,
        opening_stamps: None,
    }
}

/// Adds the history once: skipped when the institution already has a brief of a past week.
pub async fn seed_history(
    db: &DatabaseConnection,
    hasher: &Hasher,
    key: &crate::nip::NipKey,
    institution_id: i64,
    units: &[i64],
) -> AppResult<()> {
    let tz = crate::settings::service::programme_timezone(db).await?;
    let now = Utc::now();
    let this_week = IsoWeek::of(now.with_timezone(&tz).date_naive()).monday();
    let done = briefs::Entity::find()
        .filter(briefs::Column::InstitutionId.eq(institution_id))
        .filter(briefs::Column::WeekStart.lt(this_week))
        .count(db)
        .await?
        > 0;
    if done {
        return Ok(());
    }
    let coordinator = users::Entity::find()
        .filter(users::Column::Email.eq("koordinator@demo.duta.id"))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let koor = as_user(coordinator.clone(), Role::Coordinator);
    let ip = ClientIp(None);
    let mailer = Mailer::default();
    let sources = FollowerSources::default();

    // The people: 32 more, approved at different times (three joined two weeks ago).
    for n in 0..32usize {
        let email = format!("duta{}@demo.duta.id", n + 9);
        if users::Entity::find()
            .filter(users::Column::Email.eq(email.as_str()))
            .one(db)
            .await?
            .is_some()
        {
            continue;
        }
        let (first, last) = (FIRST[n % FIRST.len()], LAST[(n + n / 16) % LAST.len()]);
        let slug = format!("{}{}", first.to_lowercase(), last.to_lowercase());
        let follows = |i: i64| 600 + ((n as i64 * 7_919 + i * 3_571) % 24_000);
        let input = SignupRequest {
            name: format!("{first} {last}"),
            display_name: first.to_string(),
            nip: demo_nip(n),
            employee_type: if n % 5 == 4 { "pppk" } else { "pns" }.into(),
            email: email.clone(),
            phone: format!("0813 7770 {:04}", n + 9),
            institution_id: Some(institution_id),
            work_unit_id: Some(units[n % units.len()]),
            password: super::DEMO_PASSWORD.into(),
            consent: true,
            consent_version: CONSENT_VERSION.into(),
            referral_code: None,
            platforms: ["facebook", "x", "instagram"]
                .iter()
                .enumerate()
                .map(|(i, p)| PlatformInput {
                    platform: p.to_string(),
                    handle: match *p {
                        "facebook" => format!("{slug}.{n}.fb"),
                        "x" => format!("{}_{n}", &slug[..slug.len().min(10)]),
                        _ => format!("{slug}.{n}.ig"),
                    },
                    method: "screenshot".into(),
                    count: Some(serde_json::json!(follows(i as i64))),
                })
                .collect(),
        };
        let (_, amb) = signup(db, None, None, hasher, &sources, key, &input, &ip).await?;
        for (i, platform) in ["facebook", "x", "instagram"].iter().enumerate() {
            let req = FollowersRequest {
                platform: platform.to_string(),
                count: Some(serde_json::json!(follows(i as i64))),
            };
            set_followers(db, &koor, amb.id, &req, &ip).await?;
        }
        let weeks_ago = if n % 11 == 5 {
            2
        } else {
            16 + (n as i64 % 9) * 3
        };
        let since = (now - Duration::weeks(weeks_ago))
            .with_timezone(&tz)
            .format("%Y-%m-%d")
            .to_string();
        approve(
            db,
            key,
            &mailer,
            &koor,
            amb.id,
            &ApproveRequest {
                member_since: Some(since),
            },
            &ip,
        )
        .await?;
    }

    // A holiday six weeks ago; leave for two people.
    let holiday_week = this_week - Duration::weeks(6);
    if holidays::Entity::find()
        .filter(holidays::Column::WeekStart.eq(holiday_week))
        .one(db)
        .await?
        .is_none()
    {
        holidays::ActiveModel {
            week_start: Set(holiday_week),
            label: Set("Cuti bersama (demo)".into()),
            created_by: Set(Some(coordinator.id)),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    let people: Vec<ambassadors::Model> = ambassadors::Entity::find()
        .filter(ambassadors::Column::InstitutionId.eq(institution_id))
        .filter(ambassadors::Column::Status.eq("approved"))
        .all(db)
        .await?;
    let on_leave: Vec<(i64, NaiveDate, NaiveDate)> = people
        .iter()
        .skip(4)
        .step_by(17)
        .take(2)
        .enumerate()
        .map(|(i, a)| {
            let from = this_week - Duration::weeks(3 + 5 * i as i64);
            (a.id, from, from + Duration::weeks(1))
        })
        .collect();
    for (id, from, to) in &on_leave {
        leaves::ActiveModel {
            ambassador_id: Set(*id),
            from_week: Set(*from),
            to_week: Set(*to),
            note: Set("Cuti tahunan (demo)".into()),
            recorded_by: Set(Some(coordinator.id)),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }

    // A brief or two in each past week, published on Monday, due on Friday.
    let shipped: Vec<i64> = entity::story_templates::Entity::find()
        .filter(entity::story_templates::Column::Slug.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    let mut past: Vec<(NaiveDate, i64, DateTime<Utc>, Vec<String>)> = Vec::new();
    for w in 1..=WEEKS {
        let monday = this_week - Duration::weeks(w);
        let count = if w % 3 == 0 { 2 } else { 1 };
        for k in 0..count {
            let (title, category, message) = TOPICS[((w + k * 5) % TOPICS.len() as i64) as usize];
            let platforms: Vec<String> = if k == 1 {
                vec!["instagram".into(), "facebook".into()]
            } else {
                vec!["x".into(), "instagram".into(), "facebook".into()]
            };
            let friday = monday + Duration::days(4);
            let req = BriefRequest {
                title: title.into(),
                week: IsoWeek::of(monday).to_string(),
                category: category.into(),
                priority: if category == "kontra_narasi" {
                    "urgent"
                } else {
                    "normal"
                }
                .into(),
                key_messages: message.into(),
                facts: vec![Fact {
                    text: message.into(),
                    source: "Komdigi".into(),
                }],
                hashtags: vec!["DutaASN".into(), "InfoResmi".into()],
                platforms: platforms.clone(),
                publish_at: Some(format!("{monday}T08:00")),
                deadline: format!("{friday}T17:00"),
                template_ids: shipped.iter().take(2).copied().collect(),
                status: "published".into(),
                ..Default::default()
            };
            let saved = crate::briefs::service::create_brief(db, &mailer, &koor, &req, &ip).await?;
            past.push((monday, saved.id, saved.deadline, platforms));
        }
    }
    let current: Vec<(NaiveDate, i64, DateTime<Utc>, Vec<String>)> = briefs::Entity::find()
        .filter(briefs::Column::InstitutionId.eq(institution_id))
        .filter(briefs::Column::WeekStart.eq(this_week))
        .filter(briefs::Column::Audience.eq("institution"))
        .all(db)
        .await?
        .into_iter()
        .map(|b| {
            let platforms: Vec<String> = serde_json::from_str(&b.platforms).unwrap_or_default();
            (this_week, b.id, b.deadline, platforms)
        })
        .collect();

    // The posts. Each person has a habit: most post nearly every week, some every other,
    // one unit lags; nobody posts on leave and few in the holiday week.
    let lagging = units.last().copied();
    let mut rows = Vec::new();
    let mut reads = Vec::new();
    for (i, a) in people.iter().enumerate() {
        let since = a.member_since.unwrap_or(this_week);
        let habit = match i % 10 {
            0..=3 => 92,
            4..=6 => 70,
            7 | 8 => 45,
            _ => 15,
        } - if Some(a.work_unit_id) == lagging {
            30
        } else {
            0
        };
        let follows = crate::ambassadors::service::platforms_of(db, a.id)
            .await?
            .into_iter()
            .map(|p| (p.platform.clone(), p.follower_count.unwrap_or(0)))
            .collect::<std::collections::HashMap<String, i64>>();
        let handle = format!("duta{}", a.id);
        for (monday, brief, deadline, platforms) in past.iter().chain(current.iter()) {
            if *monday < crate::leaderboard::rules::monday_of(since) {
                continue;
            }
            if on_leave
                .iter()
                .any(|(id, from, to)| *id == a.id && from <= monday && monday <= to)
            {
                continue;
            }
            let mut chance = habit;
            if *monday == holiday_week {
                chance /= 4;
            }
            let r = roll(a.id, *brief, 1);
            if r >= chance {
                if r % 3 == 0 && *monday == this_week {
                    reads.push((*brief, a.id));
                }
                continue;
            }
            // A platform of the brief the person has an account on.
            let theirs: Vec<&String> = platforms
                .iter()
                .filter(|p| follows.contains_key(*p))
                .collect();
            if theirs.is_empty() {
                continue;
            }
            reads.push((*brief, a.id));
            let platform = theirs[(roll(a.id, *brief, 2) as usize) % theirs.len()].clone();
            let day = roll(a.id, *brief, 3) % 5;
            let mut posted_at = local_midnight(*monday + Duration::days(day), &tz)
                + Duration::hours(8 + roll(a.id, *brief, 4) % 10);
            if posted_at > now - Duration::hours(1) {
                posted_at = now - Duration::hours(1 + roll(a.id, *brief, 5) % 5);
            }
            if posted_at < local_midnight(*monday, &tz) {
                continue;
            }
            // This week's posts, and last week's of the last four days (a Friday post
            // waits over the weekend), are partly still waiting for the coordinator: the
            // demo has a queue at any hour of the week.
            let recent = *monday == this_week
                || (*monday + Duration::weeks(1) == this_week
                    && posted_at > now - Duration::days(4));
            let status = if recent {
                match roll(a.id, *brief, 6) {
                    0..=44 => "pending",
                    45..=94 => "verified",
                    _ => "rejected",
                }
            } else if roll(a.id, *brief, 6) < 6 {
                "rejected"
            } else {
                "verified"
            };
            let id = 100_000 + a.id * 1_000 + *brief;
            let (url, key) = match platform.as_str() {
                "x" => (
                    format!("https://x.com/{handle}/status/18{id:016}"),
                    format!("x:18{id:016}"),
                ),
                "instagram" => (
                    format!("https://www.instagram.com/p/Cdemo{id}/"),
                    format!("instagram:Cdemo{id}"),
                ),
                _ => (
                    format!("https://www.facebook.com/{handle}/posts/9{id:014}"),
                    format!("facebook:9{id:014}"),
                ),
            };
            let followers = follows.get(&platform).copied().unwrap_or(0);
            let likes = followers * (2 + roll(a.id, *brief, 7) % 6) / 100;
            rows.push(submissions::ActiveModel {
                ambassador_id: Set(a.id),
                brief_id: Set(*brief),
                platform: Set(platform.clone()),
                url: Set(url),
                post_key: Set(key),
                slot: Set((status != "rejected").then(|| format!("{}:{brief}:{platform}", a.id))),
                posted_at: Set(posted_at),
                week_start: Set(*monday),
                screenshot_media_id: Set(None),
                likes: Set(Some(likes)),
                comments: Set(Some(likes / 8)),
                shares: Set(Some(likes / 15)),
                saves: Set(Some(likes / 20)),
                status: Set(status.into()),
                reason: Set((status == "rejected").then(|| {
                    "Tautan mengarah ke unggahan lain; kirim tautan unggahan brief ini.".into()
                })),
                auto_verified: Set(false),
                decided_by: Set((status != "pending").then_some(coordinator.id)),
                decided_at: Set((status != "pending")
                    .then(|| std::cmp::min(posted_at + Duration::hours(5), now))),
                work_unit_id: Set(Some(a.work_unit_id)),
                followers: Set(Some(followers)),
                on_time: Set(posted_at <= *deadline),
                created_at: Set(posted_at + Duration::minutes(20)),
                updated_at: Set(posted_at + Duration::hours(5)),
                ..Default::default()
            });
        }
    }
    // PostgreSQL: the past months' posts in their own partitions.
    if let Some(oldest) = rows
        .iter()
        .filter_map(|r| r.week_start.try_as_ref().copied())
        .min()
    {
        crate::db::ensure_partitions(db, oldest).await?;
    }
    for chunk in rows.chunks(200) {
        submissions::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    for chunk in reads.chunks(300) {
        entity::brief_reads::Entity::insert_many(chunk.iter().map(|(b, a)| {
            entity::brief_reads::ActiveModel {
                brief_id: Set(*b),
                ambassador_id: Set(*a),
                first_seen_at: Set(now - Duration::hours(2)),
            }
        }))
        .on_conflict_do_nothing_on([
            entity::brief_reads::Column::BriefId,
            entity::brief_reads::Column::AmbassadorId,
        ])
        .exec_without_returning(db)
        .await?;
    }

    // A few integrity flags for the coordinator to look at.
    for (n, a) in people.iter().skip(2).step_by(13).take(3).enumerate() {
        let (kind, detail) = if n == 1 {
            (
                "low_engagement",
                serde_json::json!({"platform": "instagram", "posts": 6, "rate": 0.04, "norm": 2.1}),
            )
        } else {
            (
                "follower_jump",
                serde_json::json!({"platform": "x", "from": 900, "to": 4_800, "percent": 433,
                                   "threshold": 50, "checked_at": now - Duration::days(n as i64 + 1)}),
            )
        };
        integrity_flags::ActiveModel {
            ambassador_id: Set(Some(a.id)),
            brief_id: Set(None),
            institution_id: Set(institution_id),
            kind: Set(kind.into()),
            detail: Set(detail.to_string()),
            dedup_key: Set(format!("demo:{kind}:{}", a.id)),
            raised_at: Set(now - Duration::days(n as i64 + 1)),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }

    // The stored figures from the rows written above.
    crate::leaderboard::service::rebuild(db).await?;
    Ok(())
}

/// A made-up but valid NIP (birth date, appointment month, sex, sequence) for the n-th
/// extra demo person.
fn demo_nip(n: usize) -> String {
    let year = 1975 + (n % 20);
    let month = 1 + (n % 12);
    let day = 1 + (n * 7 % 28);
    let appointed = year + 22 + (n % 5);
    let sex = 1 + (n % 2);
    format!(
        "{year}{month:02}{day:02}{appointed}{month:02}{sex}{:03}",
        100 + n
    )
}
