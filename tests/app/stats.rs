//! Participation statistics on hand-made data: the API, the dashboard page and both
//! exports agree on the same figures; scopes (institution, work-unit subtree, platform,
//! national) and windows; grace weeks, a member who joined mid-window, a reversed
//! verification; who sees names; bad filters; nothing personal in any download; TikTok
//! and YouTube wherever the programme has them, also in a database from before them.

use std::io::Read;

use chrono::Duration;
use rocket::http::{Cookie, Status};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{json, Value};

use crate::submissions::{
    decide, jakarta_monday, member_since, past_brief, posted_in, rebuild_corrections, submit,
};
use crate::support::{approve, json, text, TestApp};

struct Scene {
    inst: i64,
    other: i64,
    unit_a: i64,
    unit_a1: i64,
    coordinator: String,
    leadership: String,
    outsider_leadership: String,
    national: String,
    ambassador: String,
}

/// Kandidat 1 (Direktorat A1 under Ditjen A), 2 and 5 (Ditjen B) are members for six
/// weeks, Kandidat 3 (Ditjen A) joined last week, Kandidat 4 is still pending. Over the
/// last three weeks: Kandidat 1 posts every week on Instagram; Kandidat 2 posts on
/// Facebook three weeks back, and two weeks back on Instagram, which is verified and then
/// reversed; Kandidat 2 is on leave last week; Kandidat 3 posts last week; Kandidat 5
/// never posts.
async fn scene(app: &TestApp) -> Scene {
    let inst = app.institution("Kementerian Satu").await;
    let other = app.institution("Kementerian Dua").await;
    let unit_a = app.work_unit(inst, None, "Ditjen A").await;
    let unit_a1 = app.work_unit(inst, Some(unit_a), "Direktorat A1").await;
    let unit_b = app.work_unit(inst, None, "Ditjen B").await;
    let token_of = |id| app.token(id);
    let coordinator = token_of(
        app.user("coordinator", "koordinator@duta.test", Some(inst), None)
            .await,
    )
    .await;
    let leadership = token_of(
        app.user("leadership", "pimpinan@duta.test", Some(inst), None)
            .await,
    )
    .await;
    let outsider_leadership = token_of(
        app.user("leadership", "pimpinan2@duta.test", Some(other), None)
            .await,
    )
    .await;
    let national = token_of(app.user("national", "nasional@duta.test", None, None).await).await;

    let mut people = Vec::new();
    for (n, unit) in [
        (1, unit_a1),
        (2, unit_b),
        (3, unit_a),
        (4, unit_a),
        (5, unit_b),
    ] {
        let (amb, user) = app.candidate(inst, unit, n).await;
        if n != 4 {
            approve(app, amb).await;
        }
        people.push((amb, app.token(user).await));
    }
    for i in [0, 1, 4] {
        member_since(app, people[i].0, jakarta_monday(6)).await;
    }
    member_since(app, people[2].0, jakarta_monday(1) + Duration::days(2)).await;
    let briefs: Vec<i64> = {
        let mut v = Vec::new();
        for weeks_ago in [3, 2, 1] {
            v.push(past_brief(app, &coordinator, weeks_ago).await);
        }
        v
    };
    let brief = |weeks_ago: i64| briefs[(3 - weeks_ago) as usize];
    let leave = duta::briefs::rules::IsoWeek::of(jakarta_monday(1)).to_string();
    let (status, l) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/ambassadors/{}/leaves", people[1].0),
            Some(&coordinator),
            &json!({"from_week": leave, "note": "Cuti"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{l}");

    let mut n = 0;
    let mut post = |who: usize, weeks_ago: i64, platform: &str, likes: Option<i64>| {
        n += 1;
        let url = match platform {
            "facebook" => format!("https://www.facebook.com/kandidat.fb.{}/posts/{n}", who + 1),
            _ => format!("https://www.instagram.com/p/Stat{n:05}/"),
        };
        let token = people[who].1.clone();
        let mut body = json!({"brief_id": brief(weeks_ago), "platform": platform, "url": url,
                              "posted_at": posted_in(weeks_ago).to_rfc3339()});
        if let Some(likes) = likes {
            body["likes"] = json!(likes);
        }
        let coordinator = coordinator.clone();
        async move {
            let (status, s) = submit(app, &token, body).await;
            assert_eq!(status, Status::Created, "{s}");
            let id = s["id"].as_i64().unwrap();
            let (status, v) = decide(app, &coordinator, id, "verify", "").await;
            assert_eq!(status, Status::Ok, "{v}");
            id
        }
    };
    // 16, 64 and 32 likes on 640 Instagram followers: 2.5 %, 10 % and 5 %.
    post(0, 3, "instagram", Some(16)).await;
    post(0, 2, "instagram", Some(64)).await;
    post(0, 1, "instagram", Some(64)).await;
    post(1, 3, "facebook", None).await;
    let reversed = post(1, 2, "instagram", Some(32)).await;
    post(2, 1, "instagram", Some(32)).await;
    let (status, v) = decide(app, &coordinator, reversed, "revert", "Unggahan dihapus").await;
    assert_eq!(status, Status::Ok, "{v}");

    Scene {
        inst,
        other,
        unit_a,
        unit_a1,
        coordinator,
        leadership,
        outsider_leadership,
        national,
        ambassador: people[0].1.clone(),
    }
}

async fn stats(app: &TestApp, token: &str, query: &str) -> Value {
    let (status, body) = json(
        app.get_api(&format!("/api/v1/stats/participation{query}"), Some(token))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{query}: {body}");
    body
}

fn column(body: &Value, field: &str) -> Vec<Value> {
    body["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w[field].clone())
        .collect()
}

fn unit_row<'a>(body: &'a Value, name: &str) -> &'a Value {
    body["work_units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == name)
        .unwrap_or_else(|| panic!("no row {name} in {body}"))
}

/// The text of every entry of an XLSX file (it is a zip of XML parts).
fn xlsx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        all.push_str(&s);
    }
    all
}

#[rocket::async_test]
async fn the_figures_follow_the_definitions_and_every_view_agrees() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    assert_eq!(rebuild_corrections(&app).await, 0);

    let body = stats(&app, &s.coordinator, "?weeks=4").await;
    assert_eq!(body["window"]["weeks"], 4);
    let weeks: Vec<String> = (0..4)
        .rev()
        .map(|k| duta::briefs::rules::IsoWeek::of(jakarta_monday(k)).to_string())
        .collect();
    assert_eq!(
        column(&body, "week"),
        weeks.iter().map(|w| json!(w)).collect::<Vec<_>>()
    );
    // Kandidat 3 counts from the week they joined; Kandidat 2's leave week is not expected.
    assert_eq!(
        column(&body, "active_ambassadors"),
        [3, 3, 4, 4].map(|n| json!(n))
    );
    assert_eq!(
        column(&body, "expected_ambassadors"),
        [3, 3, 3, 4].map(|n| json!(n))
    );
    // The reversed verification leaves Kandidat 2 without a post two weeks back.
    assert_eq!(
        column(&body, "posting_ambassadors"),
        [2, 1, 2, 0].map(|n| json!(n))
    );
    assert_eq!(
        column(&body, "participation_rate"),
        [0.6667, 0.3333, 0.6667, 0.0].map(|n| json!(n))
    );
    assert_eq!(
        body["weeks"][0]["posts"],
        json!({"x": 0, "instagram": 1, "facebook": 1, "tiktok": 0, "youtube": 0})
    );
    assert_eq!(
        body["weeks"][2]["posts"],
        json!({"x": 0, "instagram": 2, "facebook": 0, "tiktok": 0, "youtube": 0})
    );
    // Reach: the latest follower counts (640 on Instagram, 812 on Facebook) of who posted.
    assert_eq!(
        body["weeks"][0]["reach"],
        json!({"x": 0, "instagram": 640, "facebook": 812, "tiktok": 0, "youtube": 0})
    );
    assert_eq!(body["weeks"][2]["reach"]["instagram"], 1280);

    let ig = body["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["platform"] == "instagram")
        .unwrap();
    assert_eq!(ig["posts"], 4);
    assert_eq!(ig["reach_this_week"], 0);
    assert_eq!(ig["reach_weekly_average"], 640);
    // 16 + 64 + 64 + 32 = 176 interactions on 4 × 640 followers: 6.875 %, to two
    // decimals.
    let rate = ig["engagement_rate"].as_f64().unwrap();
    assert!((rate - 6.875).abs() <= 0.005 + 1e-9, "{rate}");
    let fb = body["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["platform"] == "facebook")
        .unwrap();
    assert_eq!(
        (fb["posts"].as_i64(), fb["engagement_rate"].is_null()),
        (Some(1), true)
    );

    assert_eq!(
        body["funnel"],
        json!({"signed_up": 5, "pending": 1, "approved": 4, "active_this_week": 0, "inactive": 1,
               "referred": 0, "referred_approved": 0})
    );
    // Coordinators follow up the inactive by name.
    assert_eq!(body["inactive"].as_array().unwrap().len(), 1);
    assert_eq!(body["inactive"][0]["display_name"], "Kandidat 5");
    assert!(body["inactive"][0]["last_active_week"].is_null());

    // Units in tree order, each with its subtree.
    let names: Vec<&str> = body["work_units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ditjen A", "Direktorat A1", "Ditjen B"]);
    let a = unit_row(&body, "Ditjen A");
    assert_eq!(
        (a["ambassadors"].as_i64(), a["depth"].as_i64()),
        (Some(2), Some(0))
    );
    assert_eq!(a["rate_window"], 0.6667, "4 of 6 expected weeks");
    assert_eq!(a["rate_previous_window"], 0.0);
    assert_eq!(a["change_points"], 66.7);
    assert_eq!(a["rate_this_week"], 0.0);
    assert_eq!(a["trend"], json!([1.0, 1.0, 1.0, 0.0]));
    assert_eq!(unit_row(&body, "Direktorat A1")["rate_window"], 0.75);
    assert_eq!(unit_row(&body, "Direktorat A1")["depth"], 1);
    assert_eq!(unit_row(&body, "Ditjen B")["rate_window"], 0.1429, "1 of 7");

    // Brief performance: every brief's submissions, the reversal still counted as sent.
    let briefs = body["briefs"].as_array().unwrap();
    assert_eq!(briefs.len(), 3);
    let two_back = briefs
        .iter()
        .find(|b| b["week"] == json!(weeks[1]))
        .unwrap();
    assert_eq!(
        (
            two_back["submitted"].as_i64(),
            two_back["verified"].as_i64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(two_back["on_time_rate"], 1.0);
    assert_eq!(two_back["engagement_rate"], 10.0);
    let last = briefs
        .iter()
        .find(|b| b["week"] == json!(weeks[2]))
        .unwrap();
    assert_eq!(
        last["engagement_rate"], 7.5,
        "96 interactions on 1,280 followers"
    );
    let category = body["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "sosialisasi")
        .unwrap();
    assert_eq!(
        (
            category["briefs"].as_i64(),
            category["submitted"].as_i64(),
            category["verified"].as_i64()
        ),
        (Some(3), Some(6), Some(5))
    );
    assert_eq!(body["most_consistent"][0]["display_name"], "Kandidat 1");

    // A work unit with its subtree, and one platform.
    let a_only = stats(
        &app,
        &s.coordinator,
        &format!("?weeks=4&work_unit_id={}", s.unit_a),
    )
    .await;
    assert_eq!(
        column(&a_only, "participation_rate"),
        [1.0, 1.0, 1.0, 0.0].map(|n| json!(n))
    );
    assert_eq!(a_only["scope"]["work_unit"], "Ditjen A");
    assert_eq!(a_only["funnel"]["signed_up"], 3, "Kandidat 1, 3 and 4");
    let a1_only = stats(
        &app,
        &s.coordinator,
        &format!("?weeks=4&work_unit_id={}", s.unit_a1),
    )
    .await;
    assert_eq!(a1_only["work_units"].as_array().unwrap().len(), 1);
    let facebook = stats(&app, &s.coordinator, "?weeks=4&platform=facebook").await;
    assert_eq!(
        column(&facebook, "participation_rate"),
        [0.3333, 0.0, 0.0, 0.0].map(|n| json!(n))
    );
    assert_eq!(facebook["platforms"].as_array().unwrap().len(), 1);
    let fb_briefs: i64 = facebook["briefs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["submitted"].as_i64().unwrap())
        .sum();
    assert_eq!(fb_briefs, 1);

    // Leadership gets the same figures, and the count of inactive people without names.
    let lead = stats(&app, &s.leadership, "?weeks=4").await;
    assert_eq!(lead["weeks"], body["weeks"]);
    assert_eq!(lead["funnel"]["inactive"], 1);
    assert_eq!(lead["inactive"], json!([]));

    // The page shows the same figures, in Indonesian by default.
    let (status, html) = text(app.page("/stats?weeks=4", Some(&s.leadership)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("Statistik partisipasi"));
    assert!(html.contains(&format!(
        "<tr><th scope=\"row\">{}</th><td class=\"num\" data-label=\"Diharapkan\">3</td><td class=\"num\" data-label=\"Mengunggah\">2</td><td class=\"num\" data-label=\"Partisipasi\" data-rate=\"0.6667\">66,7 %</td></tr>",
        weeks[0]
    )), "the weekly table");
    assert!(html.contains("<svg"), "the charts are drawn on the server");
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script src=\"/assets/js/menu.js\"></script>")
            .count()
            + html
                .matches("<script src=\"/assets/js/app.js\" defer></script>")
                .count(),
        "no chart library: the only scripts are the ones every page has (the phone menu, the installable app)"
    );
    assert!(
        !html.contains("Kandidat 5"),
        "leadership does not get the names of the inactive"
    );
    let (_, coordinator_html) = text(app.page("/stats?weeks=4", Some(&s.coordinator)).await).await;
    assert!(coordinator_html.contains("Kandidat 5"));

    // The CSV of the weekly table: the same figures, named after the scope and window.
    let resp = app
        .page("/stats/export/weeks.csv?weeks=4", Some(&s.leadership))
        .await;
    assert_eq!(resp.status(), Status::Ok);
    let disposition = resp
        .headers()
        .get_one("Content-Disposition")
        .unwrap()
        .to_string();
    assert!(
        disposition.contains("partisipasi_kementerian-satu_4-minggu_"),
        "{disposition}"
    );
    assert!(disposition.ends_with("_weeks.csv\""), "{disposition}");
    let csv = resp.into_string().await.unwrap();
    assert!(csv.starts_with('\u{feff}'), "a BOM for Excel");
    assert!(
        csv.contains(&format!("{},3,3,2,66.7,0,1,1,0,640,812", weeks[0])),
        "{csv}"
    );
    let (_, units_csv) = text(
        app.page("/stats/export/work_units.csv?weeks=4", Some(&s.leadership))
            .await,
    )
    .await;
    assert!(
        units_csv.contains("Ditjen A,2,0.0,66.7,0.0,66.70"),
        "{units_csv}"
    );
    let resp = app
        .page("/stats/export/inactive.csv?weeks=4", Some(&s.leadership))
        .await;
    assert_eq!(
        resp.status(),
        Status::NotFound,
        "no names of the inactive for leadership"
    );

    // The XLSX workbook: one sheet per table, with the same numbers.
    let resp = app
        .page(
            "/stats/export/participation.xlsx?weeks=4",
            Some(&s.leadership),
        )
        .await;
    assert_eq!(resp.status(), Status::Ok);
    assert!(resp
        .headers()
        .get_one("Content-Disposition")
        .unwrap()
        .contains(".xlsx"));
    let bytes = resp.into_bytes().await.unwrap();
    let xml = xlsx_text(&bytes);
    assert!(xml.contains("<v>66.7</v>"), "the rate of three weeks back");
    assert!(xml.contains("Ditjen A") && xml.contains("Per minggu"));
    // Nothing personal in any download: no email, NIP or phone.
    let (_, briefs_csv) = text(
        app.page(
            "/stats/export/most_consistent.csv?weeks=4",
            Some(&s.leadership),
        )
        .await,
    )
    .await;
    for hay in [
        &xml,
        &csv,
        &units_csv,
        &briefs_csv,
        &serde_json::to_string(&lead).unwrap(),
    ] {
        for secret in ["@instansi.go.id", "19860926", "0812"] {
            assert!(!hay.contains(secret), "{secret} leaked");
        }
    }
    assert!(briefs_csv.contains("Kandidat 1"));
    // Names that are no download: not found, whatever the extension.
    for wrong in [
        "/stats/export/inactive.xlsx?weeks=4",
        "/stats/export/other.xlsx?weeks=4",
        "/stats/export/participation.pdf?weeks=4",
        "/stats/export/nothing.csv?weeks=4",
        "/stats/export/participation?weeks=4",
    ] {
        let resp = app.page(wrong, Some(&s.leadership)).await;
        assert_eq!(resp.status(), Status::NotFound, "{wrong}");
    }

    // National: each institution is a row.
    let national = stats(&app, &s.national, "?weeks=4").await;
    let rows: Vec<&str> = national["work_units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["kind"].as_str().unwrap())
        .collect();
    assert_eq!(rows, ["institution", "institution"]);
    assert_eq!(
        national["weeks"], body["weeks"],
        "the other institution has no one"
    );
    assert!(national["scope"]["institution_id"].is_null());
    let one = stats(
        &app,
        &s.national,
        &format!("?weeks=4&institution_id={}", s.inst),
    )
    .await;
    assert_eq!(one["weeks"], body["weeks"]);

    // The rebuild agrees, and repairs a tampered brief aggregate.
    assert_eq!(rebuild_corrections(&app).await, 0);
    let row = entity::brief_activity::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut tampered: entity::brief_activity::ActiveModel = row.into();
    tampered.submitted = Set(99);
    tampered.update(&app.db).await.unwrap();
    assert_eq!(rebuild_corrections(&app).await, 1);
    assert_eq!(rebuild_corrections(&app).await, 0);
}

#[rocket::async_test]
async fn scopes_roles_and_bad_filters() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;

    // Another institution's leadership: that scope is not found, on every view.
    for path in [
        format!("/api/v1/stats/participation?institution_id={}", s.inst),
        format!("/api/v1/stats/participation?work_unit_id={}", s.unit_a),
    ] {
        let resp = app.get_api(&path, Some(&s.outsider_leadership)).await;
        assert_eq!(resp.status(), Status::NotFound, "{path}");
    }
    for path in [
        format!("/stats?work_unit_id={}", s.unit_a),
        format!("/stats/report?work_unit_id={}", s.unit_a),
        format!("/stats/export/participation.xlsx?work_unit_id={}", s.unit_a),
        format!("/stats/export/weeks.csv?work_unit_id={}", s.unit_a),
    ] {
        let resp = app.page(&path, Some(&s.outsider_leadership)).await;
        assert_eq!(resp.status(), Status::NotFound, "{path}");
    }
    // Their own figures hold none of the first institution's people.
    let own = stats(&app, &s.outsider_leadership, "").await;
    assert_eq!(own["funnel"]["signed_up"], 0);
    assert_eq!(own["scope"]["institution_id"], s.other);
    // Leadership of an institution cannot widen to national.
    let lead = stats(&app, &s.leadership, "").await;
    assert_eq!(lead["scope"]["institution_id"], s.inst);
    assert_eq!(lead["window"]["weeks"], 12, "12 weeks by default");

    // Ambassadors do not read statistics.
    let resp = app
        .get_api("/api/v1/stats/participation", Some(&s.ambassador))
        .await;
    assert_eq!(resp.status(), Status::Forbidden);
    let resp = app.page("/stats", Some(&s.ambassador)).await;
    assert_eq!(resp.status(), Status::Forbidden);

    // Bad filters: field messages, in the reader's language.
    for (query, field) in [
        ("?weeks=7", "weeks"),
        ("?weeks=banyak", "weeks"),
        ("?weeks=99999999999999999999", "weeks"),
        ("?platform=myspace", "platform"),
        ("?platform=%3Cscript%3E", "platform"),
    ] {
        let (status, body) = json(
            app.get_api(
                &format!("/api/v1/stats/participation{query}"),
                Some(&s.leadership),
            )
            .await,
        )
        .await;
        assert_eq!(status, Status::UnprocessableEntity, "{query}: {body}");
        assert!(
            body["fields"][field][0].as_str().unwrap().len() > 5,
            "{body}"
        );
    }
    let (status, html) = text(
        app.page("/stats?weeks=7&platform=x", Some(&s.leadership))
            .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(html.contains("Pilih rentang 4, 12, 26 atau 52 minggu."));
    assert!(
        html.contains("<option value=\"x\" selected>"),
        "the form keeps the choice"
    );
    assert!(
        html.contains("Tingkat partisipasi per minggu"),
        "figures for the default window"
    );
    let resp = app
        .page("/stats/export/secrets.csv", Some(&s.leadership))
        .await;
    assert_eq!(resp.status(), Status::NotFound);
    let resp = app
        .page("/stats/export/weeks.exe", Some(&s.leadership))
        .await;
    assert_eq!(resp.status(), Status::NotFound);
    let resp = app
        .page(
            "/stats/export/participation.xlsx?weeks=3",
            Some(&s.leadership),
        )
        .await;
    assert_eq!(resp.status(), Status::UnprocessableEntity);

    // The printable report: the figures without the navigation, in English on request.
    let (status, report) = text(
        app.page("/stats/report?weeks=4", Some(&s.coordinator))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(report.contains("Laporan partisipasi duta"));
    assert!(!report.contains("main-nav"));
}

/// A brief for the week `weeks_ago` weeks back aimed at every platform.
async fn five_platform_brief(app: &TestApp, token: &str, weeks_ago: i64) -> i64 {
    let monday = jakarta_monday(weeks_ago);
    let week = duta::briefs::rules::IsoWeek::of(monday).to_string();
    let start = posted_in(weeks_ago) - Duration::hours(9);
    let mut body = crate::briefs::brief_body(&format!("Video {week}"), &[], &[]);
    body["week"] = json!(week);
    body["platforms"] = json!(["x", "instagram", "facebook", "tiktok", "youtube"]);
    body["publish_at"] = json!(start.to_rfc3339());
    body["deadline"] = json!((start + Duration::days(6))
        .max(chrono::Utc::now() + Duration::hours(1))
        .to_rfc3339());
    let (status, b) = json(
        app.send_api("POST", "/api/v1/briefs", Some(token), &body)
            .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{b}");
    b["id"].as_i64().unwrap()
}

fn platform_names(body: &Value) -> Vec<String> {
    body["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["platform"].as_str().unwrap().to_string())
        .collect()
}

fn platform_row<'a>(body: &'a Value, name: &str) -> &'a Value {
    body["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["platform"] == name)
        .unwrap_or_else(|| panic!("no platform {name} in {body}"))
}

/// The stored aggregates, row by row: what the statistics are read from (without the
/// time each weekly row was last written).
async fn aggregates(
    app: &TestApp,
) -> (
    Vec<entity::week_activity::Model>,
    Vec<entity::unit_weeks::Model>,
    Vec<entity::stat_people::Model>,
) {
    use sea_orm::QueryOrder;
    (
        entity::week_activity::Entity::find()
            .order_by_asc(entity::week_activity::Column::AmbassadorId)
            .order_by_asc(entity::week_activity::Column::WeekStart)
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|mut r| {
                r.updated_at = chrono::DateTime::UNIX_EPOCH;
                r
            })
            .collect(),
        entity::unit_weeks::Entity::find()
            .order_by_asc(entity::unit_weeks::Column::WorkUnitId)
            .order_by_asc(entity::unit_weeks::Column::WeekStart)
            .all(&app.db)
            .await
            .unwrap(),
        entity::stat_people::Entity::find()
            .order_by_asc(entity::stat_people::Column::AmbassadorId)
            .all(&app.db)
            .await
            .unwrap(),
    )
}

/// TikTok and YouTube count like the other platforms: verified posts, reach (the latest
/// follower counts of who posted), engagement, the platform filter. The pages and
/// downloads show them when the programme requires them or has a figure for them; the
/// rebuild agrees with what the writes stored; and a database migrated from before they
/// were stored holds their figures at once.
#[rocket::async_test]
async fn tiktok_and_youtube_count_wherever_the_programme_has_them() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Video").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .token(
            app.user("coordinator", "koordinator@duta.test", Some(inst), None)
                .await,
        )
        .await;
    let leadership = app
        .token(
            app.user("leadership", "pimpinan@duta.test", Some(inst), None)
                .await,
        )
        .await;
    let admin = app
        .token(app.user("admin", "admin@duta.test", None, None).await)
        .await;
    // Two members with TikTok (1,500 followers) and YouTube (700) accounts, and the
    // three platforms every programme requires by default.
    let mut people = Vec::new();
    for n in [1, 2] {
        let mut body = app.signup_body(inst, unit, n);
        let platforms = body["platforms"].as_array_mut().unwrap();
        platforms.push(
            json!({"platform": "tiktok", "handle": format!("kandidat.tt{n}"),
                              "method": "screenshot", "count": 1500}),
        );
        platforms.push(
            json!({"platform": "youtube", "handle": format!("kandidat-yt{n}"),
                              "method": "screenshot", "count": 700}),
        );
        let (status, b) = json(app.send_api("POST", "/api/v1/signup", None, &body).await).await;
        assert_eq!(status, Status::Created, "{b}");
        let amb = b["id"].as_i64().unwrap();
        approve(&app, amb).await;
        member_since(&app, amb, jakarta_monday(6)).await;
        let user = entity::ambassadors::Entity::find_by_id(amb)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .user_id;
        people.push((amb, app.token(user).await));
    }

    // Nothing posted on them and not required: the figures keep to X, Instagram and
    // Facebook, though the JSON has every platform's numbers.
    let before = stats(&app, &leadership, "?weeks=4").await;
    assert_eq!(platform_names(&before), ["x", "instagram", "facebook"]);
    assert_eq!(
        before["weeks"][3]["posts"],
        json!({"x": 0, "instagram": 0, "facebook": 0, "tiktok": 0, "youtube": 0})
    );
    let (_, html) = text(app.page("/stats?weeks=4", Some(&leadership)).await).await;
    assert!(
        !html.contains("<th scope=\"row\">TikTok</th>"),
        "no TikTok row"
    );
    assert!(!html.contains("<th scope=\"col\" class=\"num\">TikTok</th>"));
    assert!(
        html.contains("<option value=\"youtube\">YouTube</option>"),
        "every platform can be chosen"
    );
    let (_, csv) = text(
        app.page("/stats/export/weeks.csv?weeks=4", Some(&leadership))
            .await,
    )
    .await;
    assert!(
        csv.contains("Unggahan Facebook") && !csv.contains("TikTok"),
        "{csv}"
    );

    // The programme requires TikTok: its column shows, YouTube's not yet.
    let (status, body) = json(
        app.send_api(
            "PUT",
            "/api/v1/settings",
            Some(&admin),
            &json!({"timezone": "Asia/Jakarta", "window_weeks": 12,
                    "platforms": [{"platform": "tiktok", "required": true, "threshold": 500}]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    let required = stats(&app, &leadership, "?weeks=4").await;
    assert_eq!(
        platform_names(&required),
        ["x", "instagram", "facebook", "tiktok"]
    );

    // A TikTok video this week (30 interactions) and a YouTube one last week (14 on
    // 700), each verified by the coordinator.
    let this_week = five_platform_brief(&app, &coordinator, 0).await;
    let last_week = five_platform_brief(&app, &coordinator, 1).await;
    for (who, brief, weeks_ago, platform, url, likes) in [
        (
            0,
            this_week,
            0,
            "tiktok",
            "https://www.tiktok.com/@kandidat.tt1/video/7301234567890123456",
            30,
        ),
        (
            1,
            last_week,
            1,
            "youtube",
            "https://youtu.be/dQw4w9WgXcQ",
            14,
        ),
    ] {
        let body = json!({"brief_id": brief, "platform": platform, "url": url,
                          "posted_at": posted_in(weeks_ago).to_rfc3339(), "likes": likes});
        let (status, sub) = submit(&app, &people[who].1, body).await;
        assert_eq!(status, Status::Created, "{sub}");
        let id = sub["id"].as_i64().unwrap();
        let (status, v) = decide(&app, &coordinator, id, "verify", "").await;
        assert_eq!(status, Status::Ok, "{v}");
    }

    // The API: posts, reach and engagement per platform; YouTube shows by its figures.
    let body = stats(&app, &leadership, "?weeks=4").await;
    assert_eq!(
        platform_names(&body),
        ["x", "instagram", "facebook", "tiktok", "youtube"]
    );
    assert_eq!(
        body["weeks"][3]["posts"],
        json!({"x": 0, "instagram": 0, "facebook": 0, "tiktok": 1, "youtube": 0})
    );
    assert_eq!(
        body["weeks"][3]["reach"],
        json!({"x": 0, "instagram": 0, "facebook": 0, "tiktok": 1500, "youtube": 0})
    );
    assert_eq!(
        body["weeks"][2]["reach"],
        json!({"x": 0, "instagram": 0, "facebook": 0, "tiktok": 0, "youtube": 700})
    );
    assert_eq!(
        column(&body, "posting_ambassadors"),
        [0, 0, 1, 1].map(|n| json!(n))
    );
    let tiktok = platform_row(&body, "tiktok");
    assert_eq!(
        (
            tiktok["posts"].as_i64(),
            tiktok["reach_this_week"].as_i64(),
            tiktok["reach_weekly_average"].as_i64()
        ),
        (Some(1), Some(1500), Some(375))
    );
    assert_eq!(tiktok["engagement_rate"], 2.0, "30 on 1,500 followers");
    let youtube = platform_row(&body, "youtube");
    assert_eq!(
        (
            youtube["posts"].as_i64(),
            youtube["reach_this_week"].as_i64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(youtube["engagement_rate"], 2.0, "14 on 700 followers");

    // The platform filter takes them.
    let only = stats(&app, &leadership, "?weeks=4&platform=youtube").await;
    assert_eq!(platform_names(&only), ["youtube"]);
    assert_eq!(only["scope"]["platform"], "youtube");
    assert_eq!(
        column(&only, "participation_rate"),
        [0.0, 0.0, 0.5, 0.0].map(|n| json!(n))
    );
    assert_eq!(only["weeks"][3]["posts"]["tiktok"], 0);
    let (status, html) = text(
        app.page("/stats?weeks=4&platform=tiktok", Some(&leadership))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("<option value=\"tiktok\" selected>"));

    // The page: a column in the weekly posts, a row in the platform table, in the
    // reader's number format.
    let (status, html) = text(app.page("/stats?weeks=4", Some(&leadership)).await).await;
    assert_eq!(status, Status::Ok);
    for name in ["TikTok", "YouTube"] {
        assert!(
            html.contains(&format!("<th scope=\"col\" class=\"num\">{name}</th>")),
            "a {name} column"
        );
    }
    assert!(
        html.contains("<tr><th scope=\"row\">TikTok</th><td class=\"num\" data-label=\"Unggahan\">1</td><td class=\"num\" data-label=\"Jangkauan minggu ini\">1.500</td><td class=\"num\" data-label=\"Rata-rata jangkauan mingguan\">375</td>"),
        "the TikTok row"
    );
    assert!(html.contains(
        "<tr><th scope=\"row\">YouTube</th><td class=\"num\" data-label=\"Unggahan\">1</td>"
    ));
    let english = app
        .client
        .get("/stats?weeks=4")
        .cookie(Cookie::new("duta_session", leadership.clone()))
        .cookie(Cookie::new("duta_lang", "en"))
        .dispatch()
        .await;
    let (_, english) = text(english).await;
    assert!(english.contains("<td class=\"num\" data-label=\"Reach this week\">1,500</td>"));

    // The downloads: posts and reach per platform in the weekly table, a row each in the
    // platform table.
    let (_, csv) = text(
        app.page("/stats/export/weeks.csv?weeks=4", Some(&leadership))
            .await,
    )
    .await;
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with("Unggahan X,Unggahan Instagram,Unggahan Facebook,Unggahan TikTok,Unggahan YouTube,Jangkauan X,Jangkauan Instagram,Jangkauan Facebook,Jangkauan TikTok,Jangkauan YouTube"),
        "{header}"
    );
    let week = |k: i64| duta::briefs::rules::IsoWeek::of(jakarta_monday(k)).to_string();
    let line = |w: String| {
        csv.lines()
            .find(|l| l.starts_with(&w))
            .unwrap_or_else(|| panic!("no {w} in {csv}"))
            .to_string()
    };
    assert!(line(week(0)).ends_with(",0,0,0,1,0,0,0,0,1500,0"), "{csv}");
    assert!(line(week(1)).ends_with(",0,0,0,0,1,0,0,0,0,700"), "{csv}");
    let (_, platforms_csv) = text(
        app.page("/stats/export/platforms.csv?weeks=4", Some(&leadership))
            .await,
    )
    .await;
    assert!(
        platforms_csv.contains("TikTok,1,1500,375,2.00"),
        "{platforms_csv}"
    );
    assert!(
        platforms_csv.contains("YouTube,1,0,175,2.00"),
        "{platforms_csv}"
    );
    let resp = app
        .page(
            "/stats/export/participation.xlsx?weeks=4",
            Some(&leadership),
        )
        .await;
    assert_eq!(resp.status(), Status::Ok);
    let xml = xlsx_text(&resp.into_bytes().await.unwrap());
    for label in [
        "Unggahan TikTok",
        "Jangkauan YouTube",
        "<v>1500</v>",
        "<v>700</v>",
    ] {
        assert!(xml.contains(label), "{label} in the workbook");
    }

    // The OpenAPI document says the same.
    let (_, doc) = json(app.get_api("/api/openapi.json", None).await).await;
    let per = &doc["components"]["schemas"]["PerPlatform"]["properties"];
    assert!(
        per["tiktok"].is_object() && per["youtube"].is_object(),
        "{per}"
    );
    let param = doc["paths"]["/api/v1/stats/participation"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "platform")
        .unwrap();
    let pattern = param["schema"]["pattern"].as_str().unwrap();
    assert!(
        pattern.contains("tiktok") && pattern.contains("youtube"),
        "{pattern}"
    );

    // Posts count while their author is a member: Kandidat 3 posts on TikTok two weeks
    // back (when Kandidat 2 posts on Instagram) and becomes a member only last week, then
    // on YouTube this week and is suspended from this week on. Both posts are in the
    // weekly aggregate, neither in the figures.
    let mut signup = app.signup_body(inst, unit, 3);
    let platforms = signup["platforms"].as_array_mut().unwrap();
    platforms.push(json!({"platform": "tiktok", "handle": "kandidat.tt3",
                          "method": "screenshot", "count": 1500}));
    platforms.push(json!({"platform": "youtube", "handle": "kandidat-yt3",
                          "method": "screenshot", "count": 700}));
    let (status, b) = json(app.send_api("POST", "/api/v1/signup", None, &signup).await).await;
    assert_eq!(status, Status::Created, "{b}");
    let late = b["id"].as_i64().unwrap();
    approve(&app, late).await;
    let late_user = entity::ambassadors::Entity::find_by_id(late)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .user_id;
    let late_token = app.token(late_user).await;
    let two_back = five_platform_brief(&app, &coordinator, 2).await;
    for (token, brief, weeks_ago, platform, url) in [
        (
            &late_token,
            two_back,
            2,
            "tiktok",
            "https://www.tiktok.com/@kandidat.tt3/video/7301234567890123999",
        ),
        (
            &people[1].1,
            two_back,
            2,
            "instagram",
            "https://www.instagram.com/p/Video00002/",
        ),
        (
            &late_token,
            this_week,
            0,
            "youtube",
            "https://youtu.be/aBcDeFgHiJ3",
        ),
    ] {
        let post = json!({"brief_id": brief, "platform": platform, "url": url,
                          "posted_at": posted_in(weeks_ago).to_rfc3339()});
        let (status, sub) = submit(&app, token, post).await;
        assert_eq!(status, Status::Created, "{sub}");
        let (status, v) = decide(
            &app,
            &coordinator,
            sub["id"].as_i64().unwrap(),
            "verify",
            "",
        )
        .await;
        assert_eq!(status, Status::Ok, "{v}");
    }
    member_since(&app, late, jakarta_monday(1) + Duration::days(2)).await;
    let (status, v) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/vetting/candidates/{late}/suspend"),
            Some(&coordinator),
            &json!({"reason": "Mengunggah konten politik praktis."}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{v}");
    let late_body = stats(&app, &leadership, "?weeks=4").await;
    assert_eq!(
        late_body["weeks"][1]["posts"],
        json!({"x": 0, "instagram": 1, "facebook": 0, "tiktok": 0, "youtube": 0})
    );
    assert_eq!(late_body["weeks"][3]["posts"], body["weeks"][3]["posts"]);
    assert_eq!(late_body["weeks"][3]["reach"], body["weeks"][3]["reach"]);

    // What the writes stored is what the rebuild computes from the submissions, and the
    // rebuild repairs a tampered TikTok or YouTube figure.
    assert_eq!(rebuild_corrections(&app).await, 0);
    let stored = aggregates(&app).await;
    let total = |f: fn(&entity::week_activity::Model) -> i64| stored.0.iter().map(f).sum::<i64>();
    assert_eq!(
        (total(|r| r.tiktok_posts), total(|r| r.youtube_posts)),
        (2, 2)
    );
    let counted = |f: fn(&entity::unit_weeks::Model) -> i64| stored.1.iter().map(f).sum::<i64>();
    assert_eq!(
        (counted(|r| r.tiktok_posts), counted(|r| r.youtube_posts)),
        (1, 1)
    );
    let week_row = stored
        .0
        .iter()
        .find(|r| r.tiktok_posts == 1)
        .expect("the TikTok week")
        .clone();
    assert_eq!(
        (week_row.tiktok_interactions, week_row.tiktok_followers),
        (30, 1500)
    );
    let mut tampered: entity::week_activity::ActiveModel = week_row.into();
    tampered.tiktok_posts = Set(3);
    tampered.update(&app.db).await.unwrap();
    let unit_row = stored
        .1
        .iter()
        .find(|r| r.youtube_posts == 1)
        .expect("the YouTube week")
        .clone();
    assert_eq!((unit_row.youtube_posting, unit_row.youtube_reach), (1, 700));
    let mut tampered: entity::unit_weeks::ActiveModel = unit_row.into();
    tampered.youtube_reach = Set(1);
    tampered.update(&app.db).await.unwrap();
    assert_eq!(rebuild_corrections(&app).await, 2);
    assert_eq!(aggregates(&app).await, stored);
    assert!(stored
        .2
        .iter()
        .all(|p| p.tiktok_followers == 1500 && p.youtube_followers == 700));

    // A database from before: undo this change's migration (and any after it), which
    // drops the TikTok and YouTube columns, and migrate again on a connection of its own,
    // as an upgraded node does at start. The figures are back without a rebuild.
    use migration::{Migrator, MigratorTrait};
    let all = Migrator::migrations();
    let at = all
        .iter()
        .position(|m| m.name() == "m20261205_000044_five_platform_figures")
        .expect("the migration");
    let undo = u32::try_from(all.len() - at).unwrap();
    let node = duta::db::connect_pool(&app.url, Some(1)).await.unwrap();
    Migrator::down(&node, Some(undo)).await.unwrap();
    assert!(
        entity::unit_weeks::Entity::find().all(&node).await.is_err(),
        "the columns are gone"
    );
    duta::db::migrate(&node).await.unwrap();
    node.close().await.unwrap();
    assert_eq!(aggregates(&app).await, stored, "filled by the migration");
    assert_eq!(rebuild_corrections(&app).await, 0);
    let after = stats(&app, &leadership, "?weeks=4").await;
    assert_eq!(after["weeks"], late_body["weeks"]);
    assert_eq!(after["platforms"], late_body["platforms"]);
}

/// A scope with more inactive ambassadors than the statistics list: the API and the page
/// list the 100 longest inactive (never posted first, then by their last verified week,
/// then by name), the funnel counts every one, the CSV lists every one. A verified post
/// this week brings an ambassador back; a reversed verification puts one back with the
/// week before. The funnel's counts per unit and status follow approval, a move to another
/// unit and a status written by plain SQL.
#[rocket::async_test]
async fn the_statistics_list_the_longest_inactive_and_the_download_every_one() {
    let app = TestApp::spawn_with(&[("signup_max_per_ip", json!(1_000))]).await;
    let inst = app.institution("Kementerian Tiga").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let unit2 = app.work_unit(inst, None, "Biro Umum").await;
    let coordinator = app
        .token(
            app.user("coordinator", "koordinator3@duta.test", Some(inst), None)
                .await,
        )
        .await;
    let mut people = Vec::new();
    for n in 1..=104 {
        let (amb, user) = app.candidate(inst, unit, n).await;
        approve(&app, amb).await;
        member_since(&app, amb, jakarta_monday(8)).await;
        people.push((amb, app.token(user).await));
    }
    app.candidate(inst, unit, 105).await; // pending
    let four_ago = past_brief(&app, &coordinator, 4).await;
    let two_ago = past_brief(&app, &coordinator, 2).await;
    let this_week = past_brief(&app, &coordinator, 0).await;
    let mut n = 0;
    let mut post = |who: usize, brief: i64, weeks_ago: i64| {
        n += 1;
        let token = people[who].1.clone();
        let body = json!({"brief_id": brief, "platform": "instagram",
                          "url": format!("https://www.instagram.com/p/Idle{n:05}/"),
                          "posted_at": posted_in(weeks_ago).to_rfc3339()});
        let coordinator = coordinator.clone();
        let app = &app;
        async move {
            let (status, s) = submit(app, &token, body).await;
            assert_eq!(status, Status::Created, "{s}");
            let id = s["id"].as_i64().unwrap();
            let (status, v) = decide(app, &coordinator, id, "verify", "").await;
            assert_eq!(status, Status::Ok, "{v}");
            id
        }
    };
    // Kandidat 1: four weeks back only. Kandidat 2: this week only. Kandidat 3: two weeks
    // back. Kandidat 4: four weeks back, and two weeks back reversed.
    post(0, four_ago, 4).await;
    post(1, this_week, 0).await;
    post(2, two_ago, 2).await;
    post(3, four_ago, 4).await;
    let reversed = post(3, two_ago, 2).await;
    let (status, v) = decide(&app, &coordinator, reversed, "revert", "Unggahan dihapus").await;
    assert_eq!(status, Status::Ok, "{v}");
    assert_eq!(
        rebuild_corrections(&app).await,
        0,
        "the stored figures hold"
    );
    // A last verified week stored wrong is found and mended by the rebuild.
    use sea_orm::ConnectionTrait;
    app.db
        .execute_unprepared(&format!(
            "UPDATE stat_people SET last_verified_week = NULL WHERE ambassador_id = {}",
            people[2].0
        ))
        .await
        .unwrap();
    assert_eq!(rebuild_corrections(&app).await, 1, "Kandidat 3 mended");

    let body = stats(&app, &coordinator, "?weeks=4").await;
    assert_eq!(
        body["funnel"],
        json!({"signed_up": 105, "pending": 1, "approved": 104,
               "active_this_week": 1, "inactive": 102, "referred": 0, "referred_approved": 0})
    );
    let listed = body["inactive"].as_array().unwrap();
    assert_eq!(listed.len(), 100, "the longest inactive only");
    assert!(listed.iter().all(|r| r["last_active_week"].is_null()));
    let names: Vec<&str> = listed
        .iter()
        .map(|r| r["display_name"].as_str().unwrap())
        .collect();
    for back in ["Kandidat 1", "Kandidat 2", "Kandidat 3", "Kandidat 4"] {
        assert!(!names.contains(&back), "{back} posted: {names:?}");
    }
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "by name among those who never posted");

    // The page counts them all and lists 100.
    let (status, html) = text(app.page("/stats?weeks=4", Some(&coordinator)).await).await;
    assert_eq!(status, Status::Ok);
    let table = html.split("id=\"t-inactive\"").nth(1).unwrap();
    let table = table.split("</table>").next().unwrap();
    assert_eq!(table.matches("<tr><th scope=\"row\">").count(), 100);
    assert!(html.contains(">102</span>"), "the count beside the title");

    // The download lists every one, the two who posted four weeks back last.
    let (status, csv) = text(
        app.page("/stats/export/inactive.csv?weeks=4", Some(&coordinator))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    let lines: Vec<&str> = csv.trim_end().lines().collect();
    assert_eq!(lines.len(), 1 + 102, "{csv}");
    let week = duta::briefs::rules::IsoWeek::of(jakarta_monday(4)).to_string();
    assert_eq!(lines[101], format!("Kandidat 1,Biro Humas,{week}"));
    assert_eq!(lines[102], format!("Kandidat 4,Biro Humas,{week}"));

    // A database from before the stored figures: the next node to start fills them.
    app.db
        .execute_unprepared("DELETE FROM stat_people")
        .await
        .unwrap();
    let node = app.another_node().await;
    assert_eq!(app.count("stat_people").await, 104);
    assert_eq!(rebuild_corrections(&node).await, 0);
    let again = stats(&node, &coordinator, "?weeks=4").await;
    assert_eq!(again["funnel"]["inactive"], 102);

    // A move to another unit and a status written directly: the funnel follows both.
    let amb = entity::ambassadors::Entity::find_by_id(people[103].0)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut m: entity::ambassadors::ActiveModel = amb.into();
    m.work_unit_id = Set(unit2);
    m.update(&app.db).await.unwrap();
    app.db
        .execute_unprepared(&format!(
            "UPDATE ambassadors SET status = 'withdrawn' WHERE id = {}",
            people[102].0
        ))
        .await
        .unwrap();
    let body = stats(&app, &coordinator, "?weeks=4").await;
    assert_eq!(body["funnel"]["signed_up"], 105);
    assert_eq!(body["funnel"]["approved"], 103);
    let moved = stats(
        &app,
        &coordinator,
        &format!("?weeks=4&work_unit_id={unit2}"),
    )
    .await;
    assert_eq!(moved["funnel"]["signed_up"], 1);
    assert_eq!(moved["funnel"]["approved"], 1);
}
