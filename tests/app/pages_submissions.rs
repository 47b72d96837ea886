//! The pages of submissions and the leaderboard: what an ambassador and a coordinator
//! see and type, refusals shown beside the field with what was typed, and the weekly
//! reminder.

use chrono::{Datelike, Duration, TimeZone, Utc};
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;

use crate::support::{approve, json, text, TestApp};

struct World {
    coordinator: String,
    admin: String,
    amb: (i64, i64, String),
    other: (i64, i64, String),
    brief: i64,
}

async fn world(app: &TestApp) -> World {
    let inst = app.institution("Kementerian Satu").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@duta.test", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let admin = app.user("admin", "admin@duta.test", None, None).await;
    let (a, ua) = app.candidate(inst, unit, 1).await;
    approve(app, a).await;
    let (b, ub) = app.candidate(inst, unit, 2).await;
    approve(app, b).await;
    let brief = crate::briefs::published(app, &coordinator, &[], &[]).await;
    World {
        coordinator,
        admin: app.token(admin).await,
        amb: (a, ua, app.token(ua).await),
        other: (b, ub, app.token(ub).await),
        brief,
    }
}

fn local_now() -> String {
    (Utc::now() - Duration::minutes(5))
        .with_timezone(&chrono_tz::Asia::Jakarta)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

#[rocket::async_test]
async fn an_ambassador_submits_on_the_brief_page_and_a_coordinator_decides() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let page = format!("/briefs/{}", w.brief);
    let (status, body) = text(app.page(&page, Some(&w.amb.2)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(body.contains("Kirim unggahan Anda") && body.contains("name=\"url\""));

    // Hostile input: a script URL, a future time, a negative count and a file that is not
    // an image; every message at once, what was typed kept, nothing stored.
    let post = format!("/briefs/{}/submissions", w.brief);
    let future = (Utc::now() + Duration::days(2))
        .with_timezone(&chrono_tz::Asia::Jakarta)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let resp = app
        .page_multipart(
            &post,
            Some(&w.amb.2),
            &[
                ("platform", "instagram"),
                ("url", "javascript:alert('duta')"),
                ("posted_at", &future),
                ("likes", "-3"),
            ],
            &[("screenshot", "bukti.png", b"not an image at all")],
        )
        .await;
    let (status, body) = text(resp).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(body.contains("Ini bukan tautan web"), "url message");
    assert!(body.contains("tidak boleh di masa depan"), "time message");
    assert!(body.contains("tidak boleh negatif"), "count message");
    assert!(body.contains("bukan gambar"), "screenshot message");
    assert!(
        body.contains("value=\"javascript:alert(&#x27;duta&#x27;)\""),
        "typed URL kept"
    );
    assert!(
        body.contains(&format!("value=\"{future}\"")),
        "typed time kept"
    );
    assert_eq!(app.count("submissions").await, 0);
    assert_eq!(app.count("media").await, 0);

    // A real post with its screenshot.
    let png = crate::ambassadors::png(120, 200);
    let resp = app
        .page_multipart(
            &post,
            Some(&w.amb.2),
            &[
                ("platform", "instagram"),
                ("url", "instagram.com/p/CpageP0st1/?igsh=abc"),
                ("posted_at", &local_now()),
                ("likes", "1.250"),
                ("comments", "12"),
            ],
            &[("screenshot", "bukti.png", &png)],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (_, body) = text(app.follow(resp, Some(&w.amb.2)).await).await;
    let body = body.replace("&#x2F;", "/");
    assert!(body.contains("menunggu verifikasi koordinator"), "flash");
    assert!(body.contains("https://www.instagram.com/p/CpageP0st1/"));
    assert!(body.contains("Menunggu verifikasi"));
    let stored = entity::submissions::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.likes,
        Some(1250),
        "Indonesian thousands dots are read"
    );
    let shot = stored.screenshot_media_id.expect("screenshot stored");

    // The same post again from the other ambassador: 409 beside the URL, typed kept.
    let resp = app
        .page_multipart(
            &post,
            Some(&w.other.2),
            &[
                ("platform", "instagram"),
                (
                    "url",
                    "https://www.instagram.com/p/CpageP0st1/?utm_source=wa",
                ),
                ("posted_at", &local_now()),
            ],
            &[],
        )
        .await;
    let (status, body) = text(resp).await;
    assert_eq!(status, Status::Conflict);
    assert!(body.contains("sudah pernah dikirim"));
    assert_eq!(app.count("submissions").await, 1);

    // The coordinator's queue: the screenshot, followers and engagement.
    let (status, queue) = text(app.page("/submissions", Some(&w.coordinator)).await).await;
    assert_eq!(status, Status::Ok);
    let queue = queue.replace("&#x2F;", "/");
    assert!(queue.contains("Kandidat 1") && queue.contains(&format!("/media/{shot}/thumb")));
    assert!(queue.contains("640"), "follower count on Instagram");
    assert!(
        queue.contains("197,19 %"),
        "(1250 + 12) / 640 × 100, written the Indonesian way"
    );
    let (status, _) = text(
        app.page(&format!("/media/{shot}"), Some(&w.coordinator))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);

    // Rejecting without a reason: the message beside that item's reason field.
    let reject = format!("/submissions/{}/reject", stored.id);
    let (status, body) = text(
        app.form(&reject, Some(&w.coordinator), &[("reason", " ")])
            .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(body.contains(&format!("id=\"reason-{}-error\"", stored.id)));
    let resp = app
        .form(
            &reject,
            Some(&w.coordinator),
            &[("reason", "Tautan tidak bisa dibuka.")],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (_, body) = text(
        app.page(&format!("/briefs/{}", w.brief), Some(&w.amb.2))
            .await,
    )
    .await;
    assert!(body.contains("Ditolak") && body.contains("Tautan tidak bisa dibuka."));
    let (_, rejected) = text(
        app.page("/submissions?status=rejected", Some(&w.coordinator))
            .await,
    )
    .await;
    assert!(rejected.contains("Batalkan keputusan"));
    let (status, _) = text(
        app.page("/submissions?status=semua", Some(&w.coordinator))
            .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
}

#[rocket::async_test]
async fn the_board_and_progress_pages_in_both_languages() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let id = (((Utc::now() - Duration::minutes(20)).timestamp_millis() - 1_288_834_974_657) as u64)
        << 22;
    let (status, s) = json(
        app.send_api(
            "POST",
            "/api/v1/submissions",
            Some(&w.other.2),
            &json!({"brief_id": w.brief, "platform": "x",
                    "url": format!("https://x.com/kandidat_x2/status/{id}"),
                    "posted_at": (Utc::now() - Duration::minutes(20)).to_rfc3339()}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, s["status"].as_str()),
        (Status::Created, Some("verified"))
    );

    // Kandidat 1 has not posted: second, and their own row is marked.
    let (status, board) = text(app.page("/leaderboard", Some(&w.amb.2)).await).await;
    assert_eq!(status, Status::Ok);
    let table = &board[board.find("<tbody>").unwrap()..];
    let k2 = table.find("Kandidat 2").unwrap();
    let k1 = table.find("Kandidat 1").unwrap();
    assert!(k2 < k1, "the one who posted comes first");
    assert!(board.contains("class=\"me\""));
    assert!(board.contains("Cara menghitung skor"));
    assert!(!board.contains("19860926"), "no NIP on the board");
    let (status, body) = text(app.page("/leaderboard?weeks=99", Some(&w.amb.2)).await).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(body.contains("Isi bilangan dari 1 sampai 52"));

    // The own page: this week is current (not yet active) and the brief waits.
    let (status, progress) = text(app.page("/progress", Some(&w.amb.2)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(progress.contains("cell current"));
    assert!(progress.contains("Paspor lewat aplikasi"));
    assert!(progress
        .replace("&#x2F;", "/")
        .contains(&format!("/briefs/{}#submit", w.brief)));
    let (_, done) = text(app.page("/progress", Some(&w.other.2)).await).await;
    assert!(done.contains("cell active"));
    assert!(
        done.contains("Instagram, Facebook"),
        "X is done; two platforms wait"
    );

    // In English, for someone who chose it.
    let user = entity::users::Entity::find_by_id(w.amb.1)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut m: entity::users::ActiveModel = user.into();
    m.language = Set(Some("en".into()));
    m.update(&app.db).await.unwrap();
    let (_, board) = text(app.page("/leaderboard", Some(&w.amb.2)).await).await;
    assert!(board.contains("How the score works") && board.contains("Consistency"));
    let (_, progress) = text(app.page("/progress", Some(&w.amb.2)).await).await;
    assert!(progress.contains("Week by week") && progress.contains("This week"));
}

#[rocket::async_test]
async fn holidays_and_leave_are_kept_with_messages_beside_the_fields() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let (status, body) = text(
        app.form(
            "/admin/holidays",
            Some(&w.admin),
            &[("week", "2026-53"), ("label", "Libur")],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(body.contains("id=\"f-week-error\"") && body.contains("value=\"2026-53\""));
    let (status, body) = text(
        app.form(
            "/admin/holidays",
            Some(&w.admin),
            &[("week", "2027-W53"), ("label", "x")],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity, "2027 has no week 53");
    assert!(body.contains("id=\"f-week-error\""));
    let resp = app
        .form(
            "/admin/holidays",
            Some(&w.admin),
            &[("week", "2027-W13"), ("label", "Idulfitri")],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (_, body) = text(app.follow(resp, Some(&w.admin)).await).await;
    assert!(body.contains("2027-W13") && body.contains("Idulfitri"));

    let leave = format!("/ambassadors/{}/leave", w.amb.0);
    let (status, body) = text(app.page(&leave, Some(&w.coordinator)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(body.contains("Cuti Kandidat 1"));
    let (status, body) = text(
        app.form(
            &leave,
            Some(&w.coordinator),
            &[("from_week", "2026-W50"), ("to_week", "2026-W49")],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(body.contains("id=\"f-to_week-error\"") && body.contains("value=\"2026-W50\""));
    let resp = app
        .form(
            &leave,
            Some(&w.coordinator),
            &[
                ("from_week", "2026-W50"),
                ("to_week", "2026-W51"),
                ("note", "Cuti tahunan"),
            ],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (_, body) = text(app.follow(resp, Some(&w.coordinator)).await).await;
    assert!(body.contains("2026-W50 – 2026-W51: Cuti tahunan"));
    assert_eq!(app.count("leaves").await, 1);
}

#[rocket::async_test]
async fn the_weekly_reminder_reaches_who_has_not_posted_once_a_week() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let posted = Utc::now() - Duration::minutes(5);
    let (status, _) = json(
        app.send_api(
            "POST",
            "/api/v1/submissions",
            Some(&w.other.2),
            &json!({"brief_id": w.brief, "platform": "instagram",
                    "url": "https://www.instagram.com/p/Cremind01/", "posted_at": posted.to_rfc3339()}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Created);

    // The coordinator's list: only Kandidat 1, with a WhatsApp link to their number.
    let (status, body) = text(
        app.page("/submissions/reminders", Some(&w.coordinator))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    let body = body.replace("&#x2F;", "/");
    assert!(body.contains("Kandidat 1") && !body.contains("Kandidat 2"));
    assert!(body.contains("https://wa.me/62812345"), "{body}");

    // The job: nothing before Thursday 09:00; then once for the week.
    let tz = chrono_tz::Asia::Jakarta;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let monday = duta::leaderboard::rules::monday_of(today);
    let at = |days: i64, hour: u32| {
        tz.from_local_datetime(
            &(monday + Duration::days(days))
                .and_hms_opt(hour, 0, 0)
                .unwrap(),
        )
        .unwrap()
        .with_timezone(&Utc)
    };
    assert_eq!(at(3, 9).with_timezone(&tz).weekday(), chrono::Weekday::Thu);
    let mailer = duta::notify::Mailer::disabled();
    let run = |now| {
        let db = app.db.clone();
        let mailer = mailer.clone();
        async move {
            duta::jobs::remind_if_due(&db, &mailer, "node-a", now)
                .await
                .unwrap()
        }
    };
    assert_eq!(run(at(1, 12)).await, 0, "Tuesday");
    assert_eq!(run(at(3, 8)).await, 0, "Thursday before nine");
    assert_eq!(run(at(3, 9)).await, 1, "only Kandidat 1");
    assert_eq!(run(at(4, 10)).await, 0, "once a week");
    let n = entity::notifications::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.kind == "weekly_reminder")
        .collect::<Vec<_>>();
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].user_id, w.amb.1);
    let (_, page) = text(app.page("/notifications", Some(&w.amb.2)).await).await;
    assert!(page.contains("Anda belum mengirim unggahan minggu ini"));
}

/// The weekly reminder of a national programme: more ambassadors without a post than one
/// SQL statement takes values (SQLite's bound is 32,766). Every one of them is told once.
#[rocket::async_test]
async fn the_weekly_reminder_reaches_a_national_programme() {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set};
    const PEOPLE: usize = 33_000;
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Satu").await;
    // Ten units, so the reminder's list names many units too.
    let mut units = Vec::new();
    for u in 0..10 {
        units.push(app.work_unit(inst, None, &format!("Biro {u}")).await);
    }
    let now = Utc::now();
    let numbers: Vec<usize> = (0..PEOPLE).collect();
    for chunk in numbers.chunks(1_000) {
        entity::users::Entity::insert_many(chunk.iter().map(|n| entity::users::ActiveModel {
            email: Set(format!("massal{n}@duta.test")),
            name: Set(format!("Duta Massal {n}")),
            password_hash: Set("x".into()),
            role: Set("ambassador".into()),
            institution_id: Set(Some(inst)),
            work_unit_id: Set(Some(units[n % 10])),
            language: Set(None),
            security_stamp: Set(format!("s{n}")),
            is_active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            last_login_at: Set(None),
            ..Default::default()
        }))
        .exec_without_returning(&app.db)
        .await
        .unwrap();
    }
    let users: Vec<(i64, String)> = entity::users::Entity::find()
        .select_only()
        .columns([entity::users::Column::Id, entity::users::Column::Email])
        .filter(entity::users::Column::Email.starts_with("massal"))
        .into_tuple()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(users.len(), PEOPLE);
    for chunk in users.chunks(1_000) {
        entity::ambassadors::Entity::insert_many(chunk.iter().map(|(id, email)| {
            let n: usize = email
                .trim_start_matches("massal")
                .trim_end_matches("@duta.test")
                .parse()
                .unwrap();
            entity::ambassadors::ActiveModel {
                user_id: Set(*id),
                display_name: Set(format!("Duta Massal {n}")),
                nip: Set(format!("19860926201505{n:06}")),
                employee_type: Set("pns".into()),
                phone: Set("+6281234567890".into()),
                institution_id: Set(inst),
                work_unit_id: Set(units[n % 10]),
                status: Set("approved".into()),
                rejection_reason: Set(None),
                member_since: Set(Some(now.date_naive())),
                consent_version: Set("1".into()),
                consent_at: Set(now),
                submitted_at: Set(now),
                decided_at: Set(Some(now)),
                decided_by: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
        }))
        .exec_without_returning(&app.db)
        .await
        .unwrap();
    }

    // A brief to the whole institution this week: everyone is expected to post.
    let coordinator = app
        .user("coordinator", "koordinator@duta.test", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    crate::briefs::published(&app, &coordinator, &[], &[]).await;

    let tz = chrono_tz::Asia::Jakarta;
    let today = now.with_timezone(&tz).date_naive();
    let thursday = tz
        .from_local_datetime(
            &(duta::leaderboard::rules::monday_of(today) + Duration::days(3))
                .and_hms_opt(10, 0, 0)
                .unwrap(),
        )
        .unwrap()
        .with_timezone(&Utc);
    let mailer = duta::notify::Mailer::disabled();
    let told = duta::jobs::remind_if_due(&app.db, &mailer, "node-a", thursday)
        .await
        .expect("the reminder runs");
    assert_eq!(told, PEOPLE);
    let reminded = entity::notifications::Entity::find()
        .filter(entity::notifications::Column::Kind.eq("weekly_reminder"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(reminded, PEOPLE as u64);
}
