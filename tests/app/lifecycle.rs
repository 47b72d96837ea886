//! Nothing create-only: storytelling templates are changed and archived (archived ones
//! stay with the briefs that chose them), every change audited, on the API and the pages.

use rocket::http::Status;
use serde_json::{json, Value};

use crate::briefs::{published, template};
use crate::support::{approve, json, text, TestApp};

async fn audit_actions(app: &TestApp, target: i64) -> Vec<String> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::TargetType.eq("story_template"))
        .filter(entity::audit_log::Column::TargetId.eq(target))
        .order_by_asc(entity::audit_log::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect()
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

#[rocket::async_test]
async fn templates_are_changed_and_archived_and_stay_with_their_briefs() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Cerita").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@cerita.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let other = app.institution("Kementerian Lain").await;
    let stranger = app
        .user("coordinator", "koordinator@lain.go.id", Some(other), None)
        .await;
    let stranger = app.token(stranger).await;
    let (amb, user) = app.candidate(inst, unit, 1).await;
    approve(&app, amb).await;
    let ambassador = app.token(user).await;
    let id = template(&app, &coordinator).await;
    let brief = published(&app, &coordinator, &[], &[id]).await;
    let path = format!("/api/v1/story-templates/{id}");

    // Changed: the brief shows the new text.
    let change = json!({
        "name": "Pengalaman layanan (baru)",
        "description": "Cerita singkat.",
        "body": "{{hook}}\n\n{{cerita}}",
        "guidance": {"hook": "Kalimat pembuka.", "cerita": "Apa yang Anda alami."},
        "example": ""
    });
    let (status, saved) = json(
        app.send_api("PUT", &path, Some(&coordinator), &change)
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{saved}");
    assert_eq!(saved["name"], "Pengalaman layanan (baru)");
    assert_eq!(saved["blanks"], json!(["hook", "cerita"]));
    let (_, compose) = text(
        app.page(
            &format!("/briefs/{brief}/compose?template={id}"),
            Some(&ambassador),
        )
        .await,
    )
    .await;
    assert!(compose.contains("Pengalaman layanan (baru)"), "{compose}");

    // Hostile changes: nothing stored.
    let mut missing = change.clone();
    missing["guidance"] = json!({"hook": "Kalimat pembuka."});
    let mut unknown = change.clone();
    unknown["slug"] = json!("curian");
    for body in [missing, unknown] {
        let (status, b) = json(app.send_api("PUT", &path, Some(&coordinator), &body).await).await;
        assert_eq!(status, Status::UnprocessableEntity, "{b}");
    }
    let (status, _) = json(app.send_api("PUT", &path, Some(&stranger), &change).await).await;
    assert_eq!(status, Status::NotFound, "another institution's template");
    let (_, all) = json(
        app.get_api("/api/v1/story-templates", Some(&coordinator))
            .await,
    )
    .await;
    let shipped = all
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["shipped"] == true)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, b) = json(
        app.send_api(
            "PUT",
            &format!("/api/v1/story-templates/{shipped}"),
            Some(&coordinator),
            &change,
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Conflict, "a shipped template: {b}");
    let (status, _) = json(
        app.send_api(
            "POST",
            &format!("/api/v1/story-templates/{shipped}/archive"),
            Some(&coordinator),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Conflict);

    // Archived ("deleted" while a published brief uses it): out of the library, still with
    // the brief, and ambassadors still compose from it.
    let (status, archived) = json(
        app.send_api(
            "POST",
            &format!("{path}/archive"),
            Some(&coordinator),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{archived}");
    assert_eq!(archived["archived"], true);
    let (status, _) = json(
        app.send_api(
            "POST",
            &format!("{path}/archive"),
            Some(&coordinator),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Conflict, "twice");
    let (_, library) = json(
        app.get_api("/api/v1/story-templates", Some(&coordinator))
            .await,
    )
    .await;
    assert!(!names(&library).contains(&"Pengalaman layanan (baru)".to_string()));
    let (_, old) = json(
        app.get_api("/api/v1/story-templates?archived=true", Some(&coordinator))
            .await,
    )
    .await;
    assert_eq!(names(&old), ["Pengalaman layanan (baru)"]);
    assert_eq!(
        app.count("story_templates").await,
        all.as_array().unwrap().len() as i64
    );
    let (status, page) = text(
        app.page(&format!("/briefs/{brief}"), Some(&ambassador))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains("Pengalaman layanan (baru)"),
        "the brief still shows it"
    );
    let (status, compose) = text(
        app.page(
            &format!("/briefs/{brief}/compose?template={id}"),
            Some(&ambassador),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(compose.contains("Kalimat pembuka."), "{compose}");
    let (_, form) = text(app.page("/briefs/new", Some(&coordinator)).await).await;
    assert!(
        !form.contains("Pengalaman layanan (baru)"),
        "not offered for a new brief"
    );
    let (_, edit_brief) = text(
        app.page(&format!("/briefs/{brief}/edit"), Some(&coordinator))
            .await,
    )
    .await;
    assert!(
        edit_brief.contains("Pengalaman layanan (baru)"),
        "kept on the brief that chose it"
    );

    // Restored from the page; then changed on the page, where a refusal keeps what was typed.
    let resp = app
        .form(&format!("/templates/{id}/restore"), Some(&coordinator), &[])
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (_, library) = json(
        app.get_api("/api/v1/story-templates", Some(&coordinator))
            .await,
    )
    .await;
    assert!(names(&library).contains(&"Pengalaman layanan (baru)".to_string()));
    let (status, edit) = text(
        app.page(&format!("/templates/{id}/edit"), Some(&coordinator))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(edit.contains("hook: Kalimat pembuka."), "{edit}");
    let (status, page) = text(
        app.form(
            &format!("/templates/{id}"),
            Some(&coordinator),
            &[
                ("name", ""),
                ("body", "{{hook}} dan {{penutup}}"),
                ("guidance", "hook: Pembuka."),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        page.contains("{{hook}} dan {{penutup}}"),
        "what was typed is kept"
    );
    assert!(page.contains("id=\"f-name-error\"") && page.contains("id=\"f-guidance-error\""));
    let resp = app
        .form(
            &format!("/templates/{id}"),
            Some(&coordinator),
            &[
                ("name", "Pengalaman layanan v3"),
                ("body", "{{hook}} dan {{penutup}}"),
                ("guidance", "hook: Pembuka.\npenutup: Ajakan."),
            ],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (status, _) = text(
        app.page(&format!("/templates/{shipped}/edit"), Some(&coordinator))
            .await,
    )
    .await;
    assert_eq!(status, Status::NotFound);
    assert_eq!(
        audit_actions(&app, id).await,
        [
            "template.create",
            "template.update",
            "template.archive",
            "template.restore",
            "template.update"
        ]
    );
}

#[rocket::async_test]
async fn briefs_are_copied_to_another_week_and_drafts_deleted() {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Salin").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@salin.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let other = app.institution("Kementerian Lain").await;
    let stranger = app
        .user("coordinator", "koordinator@lain.go.id", Some(other), None)
        .await;
    let stranger = app.token(stranger).await;
    let tpl = template(&app, &coordinator).await;
    let brief = published(&app, &coordinator, &[unit], &[tpl]).await;
    let (_, original) = json(
        app.get_api(&format!("/api/v1/briefs/{brief}"), Some(&coordinator))
            .await,
    )
    .await;
    let next = {
        let w = duta::briefs::rules::IsoWeek::parse(original["week"].as_str().unwrap()).unwrap();
        duta::briefs::rules::IsoWeek::of(w.monday() + chrono::Duration::weeks(1)).to_string()
    };

    // Copied to next week: a draft with the same text, audience and templates, the
    // deadline a week later.
    let path = format!("/api/v1/briefs/{brief}/copy");
    let (status, copy) = json(
        app.send_api("POST", &path, Some(&coordinator), &json!({ "week": next }))
            .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{copy}");
    assert_eq!(copy["status"], "draft");
    assert_eq!(copy["week"], next.as_str());
    for field in [
        "title",
        "key_messages",
        "facts",
        "hashtags",
        "platforms",
        "work_unit_ids",
        "template_ids",
        "priority",
    ] {
        assert_eq!(copy[field], original[field], "{field}");
    }
    let deadline =
        |v: &Value| chrono::DateTime::parse_from_rfc3339(v["deadline"].as_str().unwrap()).unwrap();
    assert_eq!(
        deadline(&copy) - deadline(&original),
        chrono::Duration::weeks(1)
    );
    for (body, want) in [
        (json!({ "week": "2026-W99" }), Status::UnprocessableEntity),
        (json!({ "week": "" }), Status::UnprocessableEntity),
        (
            json!({ "week": next, "status": "published" }),
            Status::UnprocessableEntity,
        ),
    ] {
        let (status, b) = json(app.send_api("POST", &path, Some(&coordinator), &body).await).await;
        assert_eq!(status, want, "{body}: {b}");
    }
    let (status, _) = json(
        app.send_api("POST", &path, Some(&stranger), &json!({ "week": next }))
            .await,
    )
    .await;
    assert_eq!(status, Status::NotFound);

    // A published brief is not deleted; the draft copy is, with its links and image.
    let copy_id = copy["id"].as_i64().unwrap();
    let resp = app
        .upload_form(
            &format!("/api/v1/briefs/{copy_id}/images"),
            &coordinator,
            &[("alt", "Poster")],
            Some(("poster.png", &crate::ambassadors::png(600, 400))),
        )
        .await;
    assert_eq!(resp.status(), Status::Created);
    let media_before = app.count("media").await;
    let (status, _) = json(
        app.send_api(
            "DELETE",
            &format!("/api/v1/briefs/{brief}"),
            Some(&coordinator),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Conflict);
    let (status, _) = json(
        app.send_api(
            "DELETE",
            &format!("/api/v1/briefs/{copy_id}"),
            Some(&stranger),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::NotFound);
    let resp = app
        .send_api(
            "DELETE",
            &format!("/api/v1/briefs/{copy_id}"),
            Some(&coordinator),
            &json!({}),
        )
        .await;
    assert_eq!(resp.status(), Status::NoContent);
    let (status, _) = json(
        app.get_api(&format!("/api/v1/briefs/{copy_id}"), Some(&coordinator))
            .await,
    )
    .await;
    assert_eq!(status, Status::NotFound);
    assert_eq!(
        app.count("media").await,
        media_before - 1,
        "the image went with it"
    );
    let links = entity::brief_work_units::Entity::find()
        .filter(entity::brief_work_units::Column::BriefId.eq(copy_id))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(links, 0);
    let actions: Vec<String> = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::TargetType.eq("brief"))
        .filter(entity::audit_log::Column::TargetId.eq(copy_id))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(
        actions,
        [
            "brief.create",
            "brief.copy",
            "brief.image_add",
            "brief.delete"
        ]
    );

    // The page: a week that cannot be read is refused beside its field, kept as typed;
    // then the copy opens to be changed, and the draft is deleted from its page.
    let (status, page) = text(
        app.form(
            &format!("/briefs/{brief}/copy"),
            Some(&coordinator),
            &[("week", "pekan depan")],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        page.contains("id=\"f-copy-week-error\"") && page.contains("value=\"pekan depan\""),
        "{page}"
    );
    let resp = app
        .form(
            &format!("/briefs/{brief}/copy"),
            Some(&coordinator),
            &[("week", &next)],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let location = resp.headers().get_one("Location").unwrap().to_string();
    assert!(location.ends_with("/edit"), "{location}");
    let new_id: i64 = location.split('/').nth(2).unwrap().parse().unwrap();
    let (_, page) = text(
        app.page(&format!("/briefs/{new_id}"), Some(&coordinator))
            .await,
    )
    .await;
    assert!(page.contains("Hapus draf ini"));
    let resp = app
        .form(&format!("/briefs/{new_id}/delete"), Some(&coordinator), &[])
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (status, _) = text(
        app.page(&format!("/briefs/{new_id}"), Some(&coordinator))
            .await,
    )
    .await;
    assert_eq!(status, Status::NotFound);
    let (_, page) = text(
        app.page(&format!("/briefs/{brief}"), Some(&coordinator))
            .await,
    )
    .await;
    assert!(
        !page.contains("Hapus draf ini"),
        "no delete button on a published brief"
    );
}

#[rocket::async_test]
async fn leave_is_changed_and_cancelled_never_overlapping() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Cuti").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@cuti.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let other = app.institution("Kementerian Lain").await;
    let stranger = app
        .user("coordinator", "koordinator@lain.go.id", Some(other), None)
        .await;
    let stranger = app.token(stranger).await;
    let (amb, _) = app.candidate(inst, unit, 1).await;
    approve(&app, amb).await;
    let (amb2, _) = app.candidate(inst, unit, 2).await;
    approve(&app, amb2).await;
    let week = |k: i64| {
        duta::briefs::rules::IsoWeek::of(crate::submissions::jakarta_monday(-k)).to_string()
    };
    let leaves = format!("/api/v1/ambassadors/{amb}/leaves");
    let add = |from: String, to: String| {
        let (app, token, path) = (&app, &coordinator, &leaves);
        async move {
            json(
                app.send_api(
                    "POST",
                    path,
                    Some(token),
                    &json!({"from_week": from, "to_week": to, "note": "Cuti tahunan"}),
                )
                .await,
            )
            .await
        }
    };
    let (status, first) = add(week(0), week(1)).await;
    assert_eq!(status, Status::Created, "{first}");
    let (status, second) = add(week(4), week(4)).await;
    assert_eq!(status, Status::Created, "{second}");
    // A new leave sharing a week with another: refused at its first week.
    let (status, b) = add(week(1), week(2)).await;
    assert_eq!(status, Status::Conflict, "{b}");
    assert!(b["fields"]["from_week"].is_array(), "{b}");

    let one = format!("{leaves}/{}", first["id"]);
    for (body, want) in [
        (
            json!({"from_week": week(3), "to_week": week(5)}),
            Status::Conflict,
        ),
        (
            json!({"from_week": week(2), "to_week": week(1)}),
            Status::UnprocessableEntity,
        ),
        (json!({"from_week": "kemarin"}), Status::UnprocessableEntity),
        (
            json!({"from_week": week(1), "until": week(2)}),
            Status::UnprocessableEntity,
        ),
    ] {
        let (status, b) = json(app.send_api("PUT", &one, Some(&coordinator), &body).await).await;
        assert_eq!(status, want, "{body}: {b}");
    }
    let (status, changed) = json(
        app.send_api(
            "PUT",
            &one,
            Some(&coordinator),
            &json!({"from_week": week(1), "to_week": week(2), "note": "Diundur"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{changed}");
    assert_eq!(
        (changed["from_week"].as_str(), changed["note"].as_str()),
        (Some(week(1).as_str()), Some("Diundur"))
    );
    // Out of reach: another institution's coordinator, another person's leave id.
    let (status, _) = json(
        app.send_api("PUT", &one, Some(&stranger), &json!({"from_week": week(1)}))
            .await,
    )
    .await;
    assert_eq!(status, Status::NotFound);
    let (status, _) = json(
        app.send_api(
            "DELETE",
            &format!("/api/v1/ambassadors/{amb2}/leaves/{}", first["id"]),
            Some(&coordinator),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::NotFound);
    let resp = app
        .send_api("DELETE", &one, Some(&coordinator), &json!({}))
        .await;
    assert_eq!(resp.status(), Status::NoContent);
    let (_, list) = json(app.get_api(&leaves, Some(&coordinator)).await).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(crate::submissions::rebuild_corrections(&app).await, 0);

    // The page: the form filled with a leave to change; a bad week refused and kept; cancel.
    let lid = second["id"].as_i64().unwrap();
    let (status, page) = text(
        app.page(
            &format!("/ambassadors/{amb}/leave?edit={lid}"),
            Some(&coordinator),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains(&format!("value=\"{}\"", week(4))) && page.contains("Ubah cuti"));
    let (status, page) = text(
        app.form(
            &format!("/ambassadors/{amb}/leave/{lid}"),
            Some(&coordinator),
            &[
                ("from_week", "minggu depan"),
                ("to_week", ""),
                ("note", "x"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("value=\"minggu depan\""), "kept as typed");
    let resp = app
        .form(
            &format!("/ambassadors/{amb}/leave/{lid}/cancel"),
            Some(&coordinator),
            &[],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    assert_eq!(app.count("leaves").await, 0);
    let (status, _) = text(
        app.page(
            &format!("/ambassadors/{amb}/leave?edit={lid}"),
            Some(&coordinator),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::NotFound);
}
