//! Suspension, removal and reinstatement of approved ambassadors: from the week it happens
//! they leave the board, the reminders and the "expected to post" figures and cannot
//! submit, while their earlier weeks stay; reinstated, the weeks out are not held against
//! them. Hostile reasons, wrong states, scope, the pages, and the stored figures equal
//! their recomputation throughout.

use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};

use crate::standings::{approve_through_vetting, figures, get, row_of, stats_week};
use crate::submissions::{
    decide, jakarta_monday, past_brief, posted_in, rebuild_corrections, submit,
};
use crate::support::{json, text, TestApp};

async fn step(
    app: &TestApp,
    token: &str,
    id: i64,
    what: &str,
    reason: Option<&str>,
) -> (Status, Value) {
    let body = match reason {
        Some(r) => json!({ "reason": r }),
        None => json!(null),
    };
    json(
        app.send_api(
            "POST",
            &format!("/api/v1/vetting/candidates/{id}/{what}"),
            Some(token),
            &body,
        )
        .await,
    )
    .await
}

async fn audit_actions(app: &TestApp, id: i64) -> Vec<String> {
    entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::TargetId.eq(id))
        .filter(entity::audit_log::Column::TargetType.eq("ambassador"))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect()
}

#[rocket::async_test]
async fn a_suspended_ambassador_leaves_the_figures_from_that_week_and_keeps_the_weeks_before() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Jeda").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let other = app.institution("Kementerian Lain").await;
    let coordinator = app
        .user("coordinator", "koordinator@jeda.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let stranger = app
        .user("coordinator", "koordinator@lain.go.id", Some(other), None)
        .await;
    let stranger = app.token(stranger).await;
    let leadership = app
        .user("leadership", "pimpinan@jeda.go.id", Some(inst), None)
        .await;
    let leadership = app.token(leadership).await;

    let (amb_a, user_a) = app.candidate(inst, unit, 1).await;
    approve_through_vetting(&app, &coordinator, amb_a, &jakarta_monday(10).to_string()).await;
    let (amb_b, _) = app.candidate(inst, unit, 2).await;
    approve_through_vetting(&app, &coordinator, amb_b, &jakarta_monday(10).to_string()).await;
    let token_a = app.token(user_a).await;
    // Kandidat 1 posted five weeks ago.
    let brief = past_brief(&app, &coordinator, 5).await;
    let (status, s) = submit(
        &app,
        &token_a,
        json!({"brief_id": brief, "platform": "instagram",
               "url": "https://www.instagram.com/p/Cjeda0001/",
               "posted_at": posted_in(5).to_rfc3339()}),
    )
    .await;
    assert_eq!(status, Status::Created, "{s}");
    let (status, _) = decide(&app, &coordinator, s["id"].as_i64().unwrap(), "verify", "").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(stats_week(&app, &coordinator, 0).await, (2, 2, 0));
    assert_eq!(stats_week(&app, &coordinator, 5).await, (2, 2, 1));
    let before = row_of(&app, &coordinator, "", "Kandidat 1").await.unwrap();
    assert_eq!(figures(&before), (11, 1, 0, 1), "{before}");

    // Hostile and wrong: no reason, a reason too long, the wrong role, another
    // institution's coordinator, a status the step does not start from, nobody.
    for reason in ["", "  ", "abc", &"x".repeat(1001)] {
        let (status, body) = step(&app, &coordinator, amb_a, "suspend", Some(reason)).await;
        assert_eq!(status, Status::UnprocessableEntity, "{reason:.10}: {body}");
        assert!(body["fields"]["reason"].is_array(), "{body}");
    }
    let (status, body) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/vetting/candidates/{amb_a}/suspend"),
            Some(&coordinator),
            &json!({"reason": "Tidak aktif", "alasan": "salah ketik"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity, "unknown field: {body}");
    let reason = "Mengunggah konten politik praktis pada masa kampanye.";
    let (status, _) = step(&app, &leadership, amb_a, "suspend", Some(reason)).await;
    assert_eq!(status, Status::Forbidden);
    for (token, id) in [(&stranger, amb_a), (&coordinator, 999_999)] {
        let (status, _) = step(&app, token, id, "suspend", Some(reason)).await;
        assert_eq!(status, Status::NotFound);
    }
    let (status, body) = step(&app, &coordinator, amb_a, "reinstate", None).await;
    assert_eq!(status, Status::Conflict, "{body}");
    assert_eq!(
        audit_actions(&app, amb_a)
            .await
            .iter()
            .filter(|a| *a == "ambassador.suspended")
            .count(),
        0
    );

    // Suspended: off the board and this week's figures at once; the weeks before stay.
    let (status, detail) = step(&app, &coordinator, amb_a, "suspend", Some(reason)).await;
    assert_eq!(status, Status::Ok, "{detail}");
    assert_eq!(detail["candidate"]["status"], "suspended");
    assert_eq!(detail["candidate"]["membership_break"]["reason"], reason);
    assert_eq!(
        detail["candidate"]["membership_break"]["from_week"],
        jakarta_monday(0).to_string()
    );
    assert!(row_of(&app, &coordinator, "", "Kandidat 1").await.is_none());
    assert_eq!(
        get(&app, "/api/v1/leaderboard", &coordinator).await["total"],
        1
    );
    assert_eq!(stats_week(&app, &coordinator, 0).await, (1, 1, 0));
    assert_eq!(
        stats_week(&app, &coordinator, 5).await,
        (2, 2, 1),
        "history stays"
    );
    // Not on this week's list of who has not posted (the reminders' list), which has
    // those with a brief this week.
    crate::briefs::published(&app, &coordinator, &[], &[]).await;
    let (status, reminders) =
        text(app.page("/submissions/reminders", Some(&coordinator)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(
        reminders.contains("Kandidat 2") && !reminders.contains("Kandidat 1"),
        "{reminders}"
    );
    // They can sign in and read their status with the reason, and their own data; they
    // cannot submit.
    let token_a = app.token(user_a).await;
    let me = get(&app, "/api/v1/me", &token_a).await;
    assert_eq!(me["ambassador"]["status"], "suspended", "{me}");
    assert_eq!(me["ambassador"]["membership_break"]["reason"], reason);
    let (status, _) = json(app.get_api("/api/v1/me/export", Some(&token_a)).await).await;
    assert_eq!(status, Status::Ok);
    let (_, page) = text(app.page("/me/status", Some(&token_a)).await).await;
    assert!(
        page.contains(reason) && page.contains("Ditangguhkan"),
        "{page}"
    );
    let (_, page) = text(app.page("/notifications", Some(&token_a)).await).await;
    assert!(
        page.contains("Keanggotaan Duta Anda ditangguhkan"),
        "{page}"
    );
    let this_week = past_brief(&app, &coordinator, 0).await;
    let (status, body) = submit(
        &app,
        &token_a,
        json!({"brief_id": this_week, "platform": "instagram",
               "url": "https://www.instagram.com/p/Cjeda0002/",
               "posted_at": posted_in(0).to_rfc3339()}),
    )
    .await;
    assert_eq!(
        status,
        Status::NotFound,
        "no submissions while suspended: {body}"
    );
    assert_eq!(
        rebuild_corrections(&app).await,
        0,
        "stored figures equal their recomputation"
    );

    // Removed while suspended; then, as if three weeks had passed, reinstated.
    let (status, body) = step(&app, &coordinator, amb_a, "suspend", Some(reason)).await;
    assert_eq!(status, Status::Conflict, "{body}");
    let why = "Pindah tugas ke instansi lain.";
    let (status, detail) = step(&app, &coordinator, amb_a, "remove", Some(why)).await;
    assert_eq!(status, Status::Ok, "{detail}");
    assert_eq!(detail["candidate"]["status"], "removed");
    assert_eq!(detail["candidate"]["membership_break"]["kind"], "removed");
    assert_eq!(detail["candidate"]["membership_break"]["reason"], why);
    let open = entity::membership_breaks::Entity::find()
        .filter(entity::membership_breaks::Column::AmbassadorId.eq(amb_a))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut earlier: entity::membership_breaks::ActiveModel = open.into();
    earlier.from_week = Set(jakarta_monday(3));
    earlier.update(&app.db).await.unwrap();
    let (status, detail) = step(&app, &coordinator, amb_a, "reinstate", None).await;
    assert_eq!(status, Status::Ok, "{detail}");
    assert_eq!(detail["candidate"]["status"], "approved");
    assert_eq!(detail["candidate"]["membership_break"], Value::Null);
    let past = &detail["breaks"][0];
    assert_eq!(past["from_week"], jakarta_monday(3).to_string());
    assert_eq!(past["until_week"], jakarta_monday(0).to_string());
    // Back on the board, the three weeks out not held against them.
    let a = row_of(&app, &coordinator, "", "Kandidat 1").await.unwrap();
    assert_eq!(figures(&a), (8, 1, 0, 1), "{a}");
    for weeks_ago in 1..=3 {
        assert_eq!(
            stats_week(&app, &coordinator, weeks_ago).await,
            (1, 1, 0),
            "out in the week {weeks_ago} ago"
        );
    }
    assert_eq!(stats_week(&app, &coordinator, 0).await, (2, 2, 0));
    assert_eq!(stats_week(&app, &coordinator, 5).await, (2, 2, 1));
    assert_eq!(rebuild_corrections(&app).await, 0);
    let actions = audit_actions(&app, amb_a).await;
    for action in [
        "ambassador.suspended",
        "ambassador.removed",
        "ambassador.reinstated",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
    // Reinstated in the week it began: no week lost, nothing left behind.
    let (status, _) = step(&app, &coordinator, amb_b, "suspend", Some(reason)).await;
    assert_eq!(status, Status::Ok);
    let (status, detail) = step(&app, &coordinator, amb_b, "reinstate", None).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(detail["breaks"], json!([]));
    assert_eq!(stats_week(&app, &coordinator, 0).await, (2, 2, 0));
    assert_eq!(rebuild_corrections(&app).await, 0);
}

#[rocket::async_test]
async fn the_candidate_page_suspends_with_the_reason_at_its_field() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Halaman").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@halaman.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let (amb, _) = app.candidate(inst, unit, 1).await;
    approve_through_vetting(&app, &coordinator, amb, &jakarta_monday(2).to_string()).await;
    let path = format!("/vetting/candidates/{amb}");
    let (_, page) = text(app.page(&path, Some(&coordinator)).await).await;
    assert!(page.contains(r#"id="membership""#), "{page}");
    assert!(page.contains(&format!(r#"action="/vetting/candidates/{amb}/suspend""#)));
    let (status, page) = text(
        app.form(
            &format!("{path}/suspend"),
            Some(&coordinator),
            &[("suspend_reason", "ab")],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains(r#"id="f-suspend_reason-error""#), "{page}");
    assert!(page.contains(">ab</textarea>"), "what was typed is kept");
    let resp = app
        .form(
            &format!("{path}/suspend"),
            Some(&coordinator),
            &[("suspend_reason", "Tidak mengunggah selama dua bulan.")],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (_, page) = text(app.follow(resp, Some(&coordinator)).await).await;
    assert!(
        page.contains("Keanggotaan ditangguhkan mulai minggu ini"),
        "{page}"
    );
    assert!(page.contains("Tidak mengunggah selama dua bulan."));
    assert!(page.contains(&format!(r#"action="/vetting/candidates/{amb}/reinstate""#)));
    let (_, list) = text(
        app.page("/vetting?status=suspended", Some(&coordinator))
            .await,
    )
    .await;
    assert!(list.contains("Kandidat 1"), "{list}");
    let resp = app
        .form(&format!("{path}/reinstate"), Some(&coordinator), &[])
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (status, page) = text(
        app.form(&format!("{path}/reinstate"), Some(&coordinator), &[])
            .await,
    )
    .await;
    assert_eq!(status, Status::Conflict, "already approved");
    assert!(
        page.contains("Hanya Duta yang ditangguhkan atau dikeluarkan"),
        "{page}"
    );
}
