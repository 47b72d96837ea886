//! Required platforms that change: a raised threshold or a newly required platform leaves
//! approved ambassadors short; they stay approved, are told once, add the account and
//! evidence from their status page, and show as "needs attention" to coordinators until a
//! coordinator's review makes every required platform meet again.

use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::ambassadors::png;
use crate::standings::{approve_through_vetting, get};
use crate::submissions::jakarta_monday;
use crate::support::{json, text, TestApp};

async fn settings(app: &TestApp, admin: &str, change: impl Fn(&mut Value)) {
    let mut s = get(app, "/api/v1/settings", admin).await;
    change(&mut s);
    let (status, body) = json(
        app.send_api("PUT", "/api/v1/settings", Some(admin), &s)
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
}

fn set_platform(s: &mut Value, platform: &str, required: bool, threshold: i64) {
    let list = s["platforms"].as_array_mut().unwrap();
    if let Some(p) = list.iter_mut().find(|p| p["platform"] == platform) {
        p["required"] = json!(required);
        p["threshold"] = json!(threshold);
    } else {
        list.push(json!({"platform": platform, "required": required, "threshold": threshold}));
    }
}

async fn told(app: &TestApp, user: i64) -> u64 {
    entity::notifications::Entity::find()
        .filter(entity::notifications::Column::UserId.eq(user))
        .filter(entity::notifications::Column::Kind.eq("needs_attention"))
        .count(&app.db)
        .await
        .unwrap()
}

async fn attention(app: &TestApp, coordinator: &str) -> Vec<(String, bool)> {
    let list = get(
        app,
        "/api/v1/vetting/candidates?status=approved",
        coordinator,
    )
    .await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["needs_attention"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[rocket::async_test]
async fn tighter_rules_leave_people_approved_told_and_able_to_catch_up() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Aturan").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@aturan.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let admin = app.user("admin", "admin@pusat.go.id", None, None).await;
    let admin = app.token(admin).await;
    // Kandidat 1: Instagram 640; Kandidat 2 the same, both approved.
    let (a, a_user) = app.candidate(inst, unit, 1).await;
    approve_through_vetting(&app, &coordinator, a, &jakarta_monday(3).to_string()).await;
    let (b, b_user) = app.candidate(inst, unit, 2).await;
    approve_through_vetting(&app, &coordinator, b, &jakarta_monday(3).to_string()).await;
    assert_eq!(
        attention(&app, &coordinator).await,
        [("Kandidat 1".into(), false), ("Kandidat 2".into(), false)]
    );
    let token_a = app.token(a_user).await;
    let shot = png(400, 300);
    // Approved and meeting every rule: the evidence is locked.
    let (status, _) = json(
        app.upload(
            "/api/v1/me/platforms/instagram/screenshot",
            &token_a,
            "ig.png",
            &shot,
            Some("900"),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Conflict);

    // Instagram's threshold rises to 700: both fall short, stay approved, are told once.
    settings(&app, &admin, |s| set_platform(s, "instagram", true, 700)).await;
    assert_eq!((told(&app, a_user).await, told(&app, b_user).await), (1, 1));
    assert_eq!(
        attention(&app, &coordinator).await,
        [("Kandidat 1".into(), true), ("Kandidat 2".into(), true)]
    );
    let detail = get(
        &app,
        &format!("/api/v1/vetting/candidates/{a}"),
        &coordinator,
    )
    .await;
    assert_eq!(detail["candidate"]["status"], "approved");
    let ig = detail["candidate"]["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["platform"] == "instagram")
        .unwrap()
        .clone();
    assert_eq!(
        (ig["verdict"].as_str(), ig["threshold"].as_i64()),
        (Some("below"), Some(700))
    );
    // The same settings saved again tell nobody again.
    settings(&app, &admin, |_| {}).await;
    assert_eq!(told(&app, a_user).await, 1);

    // Kandidat 1 catches up from the status page: new evidence on Instagram only.
    let (_, page) = text(app.page("/me/status", Some(&token_a)).await).await;
    assert!(page.contains(r#"id="needs-attention""#), "{page}");
    assert!(page.contains(r#"action="/me/platforms/instagram/screenshot""#));
    assert!(!page.contains(r#"action="/me/platforms/facebook/screenshot""#));
    let (status, body) = json(
        app.upload(
            "/api/v1/me/platforms/instagram/screenshot",
            &token_a,
            "ig.png",
            &shot,
            Some("1.200"),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["status"], "approved", "still approved while reviewed");
    let (status, _) = json(
        app.upload(
            "/api/v1/me/platforms/facebook/screenshot",
            &token_a,
            "fb.png",
            &shot,
            Some("999"),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Conflict, "facebook meets: locked");
    // The coordinator reviews it: every required platform meets again.
    let (status, body) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/vetting/candidates/{a}/followers"),
            Some(&coordinator),
            &json!({"platform": "instagram", "count": 1200}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(
        attention(&app, &coordinator).await,
        [("Kandidat 1".into(), false), ("Kandidat 2".into(), true)]
    );

    // TikTok becomes required: Kandidat 1 (newly short) is told; Kandidat 2 was short
    // already and is not told twice.
    settings(&app, &admin, |s| set_platform(s, "tiktok", true, 500)).await;
    assert_eq!((told(&app, a_user).await, told(&app, b_user).await), (2, 1));
    let add = |token: String, handle: &'static str| {
        let app = &app;
        async move {
            json(
                app.send_api(
                    "POST",
                    "/api/v1/me/platforms/tiktok/account",
                    Some(&token),
                    &json!({ "handle": handle }),
                )
                .await,
            )
            .await
        }
    };
    let (status, body) = add(token_a.clone(), "bukan handle!!").await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert!(
        body["fields"]["platforms.tiktok.handle"].is_array(),
        "{body}"
    );
    let (status, body) = add(token_a.clone(), "@kandidat.satu").await;
    assert_eq!(status, Status::Created, "{body}");
    let tiktok = body["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["platform"] == "tiktok")
        .unwrap()
        .clone();
    assert_eq!(
        (tiktok["handle"].as_str(), tiktok["verdict"].as_str()),
        (Some("kandidat.satu"), Some("unverified"))
    );
    let (status, _) = add(token_a.clone(), "@kandidat.satu.lagi").await;
    assert_eq!(status, Status::Conflict, "one account per platform");
    let token_b = app.token(b_user).await;
    let (status, body) = add(token_b.clone(), "@kandidat.satu").await;
    assert_eq!(status, Status::Conflict, "someone else's handle: {body}");
    let (status, _) = json(
        app.send_api(
            "POST",
            "/api/v1/me/platforms/youtube/account",
            Some(&token_b),
            &json!({"handle": "kandidatdua"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Conflict, "YouTube is not required");
    let (status, _) = json(
        app.upload(
            "/api/v1/me/platforms/tiktok/screenshot",
            &token_a,
            "tt.png",
            &shot,
            Some("2.000"),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);

    // The threshold goes back down: stored verdicts follow, Kandidat 2 meets Instagram.
    settings(&app, &admin, |s| {
        set_platform(s, "instagram", true, 500);
        set_platform(s, "tiktok", false, 500);
    })
    .await;
    assert_eq!(
        attention(&app, &coordinator).await,
        [("Kandidat 1".into(), false), ("Kandidat 2".into(), false)]
    );
    let (_, queue) = text(
        app.page("/vetting?status=approved", Some(&coordinator))
            .await,
    )
    .await;
    assert!(!queue.contains("Perlu perhatian"), "{queue}");
}
