//! Programme integrity: flags raised, and not raised, on hand-made cases (a follower jump,
//! the same screenshot from two people, a post under another ambassador's account,
//! engagement far below the norm, a blocklisted word in the neutrality period), and
//! clearing a flag with a note, in scope.

use chrono::{Duration, Utc};
use rocket::http::Status;
use serde_json::{json, Value};

use crate::submissions::{decide, posted_in, submit};
use crate::support::{approve, json, text, TestApp};

struct World {
    inst: i64,
    unit: i64,
    coordinator: String,
    admin: String,
    outsider: String,
}

async fn world(app: &TestApp) -> World {
    let inst = app.institution("Kementerian Jujur").await;
    let other = app.institution("Kementerian Lain").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@jujur.test", Some(inst), None)
        .await;
    let outsider = app
        .user("coordinator", "koordinator@lain.test", Some(other), None)
        .await;
    let admin = app.user("admin", "admin@jujur.test", None, None).await;
    World {
        inst,
        unit,
        coordinator: app.token(coordinator).await,
        admin: app.token(admin).await,
        outsider: app.token(outsider).await,
    }
}

async fn flags(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let (status, body) = json(
        app.get_api(&format!("/api/v1/integrity{query}"), Some(token))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    body.as_array().unwrap().clone()
}

fn of_kind<'a>(all: &'a [Value], kind: &str) -> Vec<&'a Value> {
    all.iter().filter(|f| f["kind"] == kind).collect()
}

async fn set_followers(app: &TestApp, token: &str, amb: i64, platform: &str, count: i64) {
    let (status, body) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/vetting/candidates/{amb}/followers"),
            Some(token),
            &json!({"platform": platform, "count": count}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
}

#[rocket::async_test]
async fn a_follower_jump_is_flagged_explained_and_cleared_with_a_note() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let (amb, _) = app.candidate(w.inst, w.unit, 1).await;
    // Sign-up said 812 on Facebook: 1,000 (+23 %) and 1,400 (+40 %) stay under 50 %.
    set_followers(&app, &w.coordinator, amb, "facebook", 1000).await;
    set_followers(&app, &w.coordinator, amb, "facebook", 1400).await;
    set_followers(&app, &w.coordinator, amb, "facebook", 1100).await;
    assert!(
        flags(&app, &w.coordinator, "").await.is_empty(),
        "no jump yet"
    );
    set_followers(&app, &w.coordinator, amb, "facebook", 2500).await;
    let open = flags(&app, &w.coordinator, "").await;
    let jumps = of_kind(&open, "follower_jump");
    assert_eq!(jumps.len(), 1, "{open:?}");
    let f = jumps[0];
    assert_eq!(f["ambassador_id"], amb);
    assert_eq!(f["detail"]["from"], 1100);
    assert_eq!(f["detail"]["to"], 2500);
    assert_eq!(f["detail"]["percent"], 127);
    let id = f["id"].as_i64().unwrap();

    // The page explains it in Indonesian.
    let (status, page) = text(app.page("/integrity", Some(&w.coordinator)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains("Pengikut Facebook naik 127% dari 1100 menjadi 2500"),
        "{page}"
    );
    // Another institution's coordinator cannot see or clear it.
    assert!(flags(&app, &w.outsider, "").await.is_empty());
    let (status, _) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/integrity/{id}/clear"),
            Some(&w.outsider),
            &json!({"note": "bukan urusan saya"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::NotFound);
    // A note is needed: empty, too short, too long, control characters.
    for note in ["", "ok", &"x".repeat(501), "catatan\u{7}bel"] {
        let (status, err) = json(
            app.send_api(
                "POST",
                &format!("/api/v1/integrity/{id}/clear"),
                Some(&w.coordinator),
                &json!({ "note": note }),
            )
            .await,
        )
        .await;
        assert_eq!(status, Status::UnprocessableEntity, "{note:?}: {err}");
        assert!(err["fields"]["note"].is_array());
    }
    // On the page, the typed note stays and the message is at the field.
    let (status, page) = text(
        app.form(
            &format!("/integrity/{id}/clear"),
            Some(&w.coordinator),
            &[("note", "ok")],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains(&format!("id=\"f-note-{id}-error\"")));
    let resp = app
        .form(
            &format!("/integrity/{id}/clear"),
            Some(&w.coordinator),
            &[(
                "note",
                "Halaman instansi memuat kampanye resmi; kenaikan wajar.",
            )],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    assert!(flags(&app, &w.coordinator, "").await.is_empty());
    let cleared = flags(&app, &w.coordinator, "?status=cleared").await;
    assert_eq!(cleared.len(), 1);
    assert!(cleared[0]["clear_note"]
        .as_str()
        .unwrap()
        .contains("kenaikan wajar"));
    let (status, _) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/integrity/{id}/clear"),
            Some(&w.coordinator),
            &json!({"note": "sekali lagi"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Conflict, "already cleared");
    // The same change does not raise it again; a drop raises nothing.
    set_followers(&app, &w.coordinator, amb, "facebook", 900).await;
    assert!(flags(&app, &w.coordinator, "").await.is_empty());
    let rows = <entity::audit_log::Entity as sea_orm::EntityTrait>::find()
        .all(&app.db)
        .await
        .unwrap();
    assert!(rows.iter().any(|r| r.action == "integrity.cleared"));
}

pub fn picture(kind: u8, width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x * 64 / width, y * 64 / height);
        let v = match kind {
            // Bright on the left and dark on the right, in bands.
            0 => 255 - (fx * 4) as u8,
            // A checkerboard.
            _ => {
                if (fx / 8 + fy / 8) % 2 == 0 {
                    230
                } else {
                    20
                }
            }
        };
        image::Rgb([v, v, v])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

#[rocket::async_test]
async fn the_same_screenshot_from_two_people_flags_both_and_a_different_one_nothing() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let mut people = Vec::new();
    for (n, bytes) in [
        (1, picture(0, 640, 480, image::ImageFormat::Png)),
        // The same picture, smaller and as a JPEG.
        (2, picture(0, 320, 240, image::ImageFormat::Jpeg)),
        (3, picture(1, 640, 480, image::ImageFormat::Png)),
    ] {
        let (amb, user) = app.candidate(w.inst, w.unit, n).await;
        let token = app.token(user).await;
        let resp = app
            .upload(
                "/api/v1/me/platforms/instagram/screenshot",
                &token,
                "p.png",
                &bytes,
                Some("700"),
            )
            .await;
        assert_eq!(resp.status(), Status::Ok);
        people.push(amb);
    }
    let open = flags(&app, &w.coordinator, "").await;
    let same = of_kind(&open, "same_screenshot");
    let mut flagged: Vec<i64> = same
        .iter()
        .map(|f| f["ambassador_id"].as_i64().unwrap())
        .collect();
    flagged.sort();
    assert_eq!(flagged, vec![people[0], people[1]], "{open:?}");
    let first = same
        .iter()
        .find(|f| f["ambassador_id"] == people[0])
        .unwrap();
    assert_eq!(first["detail"]["other_ambassador_id"], people[1]);
    assert_eq!(first["other_name"], "Kandidat 2");
    assert!(
        first["detail"].get("other_name").is_none(),
        "no name stored in the flag"
    );
}

#[rocket::async_test]
async fn a_post_under_another_ambassadors_account_is_flagged_and_ones_own_is_not() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let (a, ua) = app.candidate(w.inst, w.unit, 1).await;
    let (b, ub) = app.candidate(w.inst, w.unit, 2).await;
    approve(&app, a).await;
    approve(&app, b).await;
    let brief = crate::briefs::published(&app, &w.coordinator, &[], &[]).await;
    let posted = posted_in(0);
    let (ta, tb) = (app.token(ua).await, app.token(ub).await);
    for (token, url) in [
        (&ta, "https://x.com/kandidat_x1/status/1800000000000000001"),
        (&tb, "https://x.com/Kandidat_X1/status/1800000000000000002"),
    ] {
        let (status, body) = submit(
            &app,
            token,
            json!({"brief_id": brief, "platform": "x", "url": url, "posted_at": posted.to_rfc3339()}),
        )
        .await;
        assert_eq!(status, Status::Created, "{body}");
    }
    let open = flags(&app, &w.coordinator, "").await;
    let foreign = of_kind(&open, "foreign_handle");
    assert_eq!(foreign.len(), 1, "{open:?}");
    assert_eq!(foreign[0]["ambassador_id"], b);
    assert_eq!(foreign[0]["detail"]["handle"], "kandidat_x1");
    assert_eq!(foreign[0]["detail"]["other_ambassador_id"], a);
    let only_b = flags(&app, &w.coordinator, &format!("?ambassador_id={a}")).await;
    assert!(only_b.is_empty());
}

#[rocket::async_test]
async fn engagement_far_below_the_norm_is_flagged_after_three_posts() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let (a, ua) = app.candidate(w.inst, w.unit, 1).await;
    let (b, ub) = app.candidate(w.inst, w.unit, 2).await;
    approve(&app, a).await;
    approve(&app, b).await;
    let (ta, tb) = (app.token(ua).await, app.token(ub).await);
    for week in 0..3 {
        let brief = crate::briefs::published(&app, &w.coordinator, &[], &[]).await;
        for (token, n, likes) in [(&tb, 2, 300), (&ta, 1, 0)] {
            let (status, s) = submit(
                &app,
                token,
                json!({"brief_id": brief, "platform": "instagram",
                       "url": format!("https://www.instagram.com/p/Eng{n}x{week}Post/"),
                       "posted_at": (Utc::now() - Duration::minutes(30 + week)).to_rfc3339(),
                       "likes": likes, "comments": 1}),
            )
            .await;
            assert_eq!(status, Status::Created, "{s}");
            let (status, v) = decide(
                &app,
                &w.coordinator,
                s["id"].as_i64().unwrap(),
                "verify",
                "",
            )
            .await;
            assert_eq!(status, Status::Ok, "{v}");
        }
        let low = of_kind(&flags(&app, &w.coordinator, "").await, "low_engagement")
            .into_iter()
            .cloned()
            .collect::<Vec<_>>();
        if week < 2 {
            assert!(low.is_empty(), "not before three posts: {low:?}");
        } else {
            assert_eq!(low.len(), 1, "{low:?}");
            assert_eq!(low[0]["ambassador_id"], a);
            assert_eq!(low[0]["detail"]["posts"], 3);
            assert!(low[0]["detail"]["rate"].as_f64().unwrap() < 1.0);
        }
    }
}

#[rocket::async_test]
async fn blocklisted_words_are_flagged_only_in_the_neutrality_period() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let (a, ua) = app.candidate(w.inst, w.unit, 1).await;
    approve(&app, a).await;
    let today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Jakarta)
        .date_naive();
    let set_period = |from: chrono::NaiveDate, to: chrono::NaiveDate| {
        let app = &app;
        let admin = w.admin.clone();
        async move {
            let (_, mut s) = json(app.get_api("/api/v1/settings", Some(&admin)).await).await;
            s["blocklist"] = json!("Paslon\npilih nomor\n");
            s["neutrality_from"] = json!(from.to_string());
            s["neutrality_to"] = json!(to.to_string());
            let (status, body) = json(
                app.send_api("PUT", "/api/v1/settings", Some(&admin), &s)
                    .await,
            )
            .await;
            assert_eq!(status, Status::Ok, "{body}");
        }
    };
    // Hostile settings: an end before the start, one end only, an absurd jump.
    let (_, mut s) = json(app.get_api("/api/v1/settings", Some(&w.admin)).await).await;
    for (field, value, bad_field) in [
        ("neutrality_from", json!("2026-12-10"), "neutrality_to"),
        ("follower_jump_percent", json!(0), "follower_jump_percent"),
        ("blocklist", json!("x".repeat(61)), "blocklist"),
    ] {
        let mut bad = s.clone();
        bad[field] = value;
        if field == "neutrality_from" {
            bad["neutrality_to"] = json!("2026-12-01");
        }
        let (status, err) = json(
            app.send_api("PUT", "/api/v1/settings", Some(&w.admin), &bad)
                .await,
        )
        .await;
        assert_eq!(status, Status::UnprocessableEntity, "{field}: {err}");
        assert!(err["fields"][bad_field].is_array(), "{err}");
    }
    s["neutrality_from"] = json!("2026-12-01");
    let (status, err) = json(
        app.send_api("PUT", "/api/v1/settings", Some(&w.admin), &s)
            .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity, "one end only: {err}");

    // Outside the period: nothing.
    set_period(today - Duration::days(10), today - Duration::days(1)).await;
    let mut body = crate::briefs::brief_body("Ayo pilih nomor 2 di pemilu", &[], &[]);
    body["status"] = json!("published");
    let (status, brief) = json(
        app.send_api("POST", "/api/v1/briefs", Some(&w.coordinator), &body)
            .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{brief}");
    assert!(flags(&app, &w.coordinator, "").await.is_empty());
    // Inside it: the brief is flagged, and so is an ambassador's draft.
    set_period(today - Duration::days(1), today + Duration::days(1)).await;
    let (status, brief) = json(
        app.send_api("POST", "/api/v1/briefs", Some(&w.coordinator), &body)
            .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{brief}");
    let source = duta::integrity::service::TextSource::Draft {
        id: 77,
        user_id: ua,
    };
    duta::integrity::service::after_text(&app.db, source, "Dukung PASLON kita!").await;
    let source = duta::integrity::service::TextSource::Draft {
        id: 78,
        user_id: ua,
    };
    duta::integrity::service::after_text(
        &app.db,
        source,
        "Imunisasi di puskesmas (paslonnya tidak ada)",
    )
    .await;
    let open = flags(&app, &w.coordinator, "").await;
    let words = of_kind(&open, "blocklist_word");
    assert_eq!(words.len(), 2, "{open:?}");
    let on_brief = words.iter().find(|f| f["brief_id"] == brief["id"]).unwrap();
    assert_eq!(on_brief["detail"]["word"], "pilih nomor");
    assert!(on_brief["ambassador_id"].is_null());
    let on_draft = words.iter().find(|f| f["ambassador_id"] == a).unwrap();
    assert_eq!(on_draft["detail"]["word"], "paslon");
}

/// The programme's engagement per platform and week, as the stored `platform_weeks`
/// rows say and as the verified posts with counts say.
async fn norms(app: &TestApp) -> (Vec<(String, i64, i64, i64)>, Vec<(String, i64, i64, i64)>) {
    use sea_orm::EntityTrait;
    let mut stored: Vec<_> = entity::platform_weeks::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.posts != 0 || r.interactions != 0 || r.followers != 0)
        .map(|r| (r.platform, r.posts, r.interactions, r.followers))
        .collect();
    stored.sort();
    let mut from_posts = std::collections::BTreeMap::<String, (i64, i64, i64)>::new();
    for s in entity::submissions::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
    {
        let counts = [s.likes, s.comments, s.shares, s.saves];
        let counted = counts.iter().any(Option::is_some) && s.followers.unwrap_or(0) > 0;
        if s.status == "verified" && counted {
            let e = from_posts.entry(s.platform).or_default();
            e.0 += 1;
            e.1 += counts.iter().map(|c| c.unwrap_or(0)).sum::<i64>();
            e.2 += s.followers.unwrap_or(0);
        }
    }
    let computed = from_posts
        .into_iter()
        .map(|(p, (n, i, f))| (p, n, i, f))
        .collect();
    (stored, computed)
}

#[rocket::async_test]
async fn the_engagement_norm_is_stored_with_every_decision_and_rebuilt() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let (a, ua) = app.candidate(w.inst, w.unit, 1).await;
    let (b, ub) = app.candidate(w.inst, w.unit, 2).await;
    approve(&app, a).await;
    approve(&app, b).await;
    let (ta, tb) = (app.token(ua).await, app.token(ub).await);
    let brief = crate::briefs::published(&app, &w.coordinator, &[], &[]).await;
    let mut ids = Vec::new();
    for (token, n, platform, url, counts) in [
        (
            &ta,
            1,
            "instagram",
            "https://www.instagram.com/p/Norm1Post/",
            json!({"likes": 120, "comments": 4}),
        ),
        (
            &tb,
            2,
            "instagram",
            "https://www.instagram.com/p/Norm2Post/",
            json!({"likes": 30, "saves": 2}),
        ),
        (
            &ta,
            1,
            "facebook",
            "https://www.facebook.com/kandidat.fb.1/posts/501",
            json!({"shares": 7}),
        ),
        // No counts: verified, but not part of the norm.
        (
            &tb,
            2,
            "facebook",
            "https://www.facebook.com/kandidat.fb.2/posts/502",
            json!({}),
        ),
    ] {
        let mut body = json!({"brief_id": brief, "platform": platform, "url": url,
                              "posted_at": posted_in(0).to_rfc3339()});
        for (k, v) in counts.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, s) = submit(&app, token, body).await;
        assert_eq!(status, Status::Created, "{n} {platform}: {s}");
        ids.push(s["id"].as_i64().unwrap());
    }
    let (stored, computed) = norms(&app).await;
    assert!(stored.is_empty(), "nothing verified yet: {stored:?}");
    assert!(computed.is_empty());
    for id in &ids {
        let (status, v) = decide(&app, &w.coordinator, *id, "verify", "").await;
        assert_eq!(status, Status::Ok, "{v}");
    }
    let (stored, computed) = norms(&app).await;
    assert_eq!(stored, computed);
    assert_eq!(stored.len(), 2, "instagram and facebook: {stored:?}");
    assert_eq!(stored[1].0, "instagram");
    assert_eq!((stored[1].1, stored[1].2), (2, 120 + 4 + 30 + 2));
    assert_eq!(
        (stored[0].1, stored[0].2),
        (1, 7),
        "the post without counts is left out"
    );

    // A reversal takes the post out; a rejection of a pending one changes nothing.
    let (status, v) = decide(&app, &w.coordinator, ids[0], "revert", "Unggahan dihapus").await;
    assert_eq!(status, Status::Ok, "{v}");
    let (stored, computed) = norms(&app).await;
    assert_eq!(stored, computed);
    assert_eq!((stored[1].1, stored[1].2), (1, 32), "{stored:?}");
    assert_eq!(crate::submissions::rebuild_corrections(&app).await, 0);

    // The rebuild finds a tampered and a missing row and puts them right.
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let rows = entity::platform_weeks::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    let ig = rows
        .iter()
        .find(|r| r.platform == "instagram")
        .unwrap()
        .clone();
    let fb = rows
        .iter()
        .find(|r| r.platform == "facebook")
        .unwrap()
        .clone();
    let mut tampered: entity::platform_weeks::ActiveModel = ig.into();
    tampered.interactions = Set(9_999);
    tampered.update(&app.db).await.unwrap();
    entity::platform_weeks::Entity::delete_by_id((fb.platform.clone(), fb.week_start))
        .exec(&app.db)
        .await
        .unwrap();
    let fixed = duta::leaderboard::service::rebuild(&app.db).await.unwrap();
    let mut tables: Vec<_> = fixed.iter().map(|c| (c.table, c.row.clone())).collect();
    tables.sort();
    let week = duta::briefs::rules::IsoWeek::of(fb.week_start).to_string();
    assert_eq!(
        tables,
        vec![
            ("platform_weeks", format!("facebook week {week}")),
            ("platform_weeks", format!("instagram week {week}")),
        ],
        "{fixed:?}"
    );
    let (stored, computed) = norms(&app).await;
    assert_eq!(stored, computed);
    assert_eq!(crate::submissions::rebuild_corrections(&app).await, 0);
}
