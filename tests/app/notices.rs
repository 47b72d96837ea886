//! Brief images replaced and deleted (downloads never fail meanwhile), and the
//! notifications people expect: a new candidate for coordinators, a brief changed after
//! it came out, a rejected post by email, each kind of email turned off per person.

use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::briefs::{published, template};
use crate::support::{approve, json, text, TestApp};

async fn get_bytes(app: &TestApp, path: &str, token: &str) -> (Status, Vec<u8>) {
    let resp = app.page(path, Some(token)).await;
    let status = resp.status();
    (status, resp.into_bytes().await.unwrap_or_default())
}

/// Whether every one of `names` is stored (`true`) or none is (`false`).
async fn all_stored(app: &TestApp, names: &[String], stored: bool) -> bool {
    for name in names {
        if app.is_stored(name).await != stored {
            return false;
        }
    }
    true
}

async fn variant_files(app: &TestApp, image: i64) -> Vec<String> {
    let row = entity::brief_images::Entity::find_by_id(image)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let names: std::collections::BTreeMap<String, String> =
        serde_json::from_str(&row.variants).unwrap();
    let media = entity::media::Entity::find_by_id(row.media_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut all: Vec<String> = names.into_values().collect();
    all.push(media.stored_name);
    all.push(media.thumb_name);
    all
}

async fn image_ids(app: &TestApp, brief: i64, token: &str) -> Vec<i64> {
    let (status, b) = json(
        app.get_api(&format!("/api/v1/briefs/{brief}"), Some(token))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{b}");
    b["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

#[rocket::async_test]
async fn brief_images_are_replaced_and_deleted_and_a_download_never_fails() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Gambar").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@gambar.go.id", Some(inst), None)
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
    let tpl = template(&app, &coordinator).await;
    let brief = published(&app, &coordinator, &[], &[tpl]).await;
    let mut ids = Vec::new();
    for (w, h) in [(600, 400), (500, 500)] {
        let resp = app
            .upload_form(
                &format!("/api/v1/briefs/{brief}/images"),
                &coordinator,
                &[("alt", "Poster"), ("focal_x", "30")],
                Some(("poster.png", &crate::ambassadors::png(w, h))),
            )
            .await;
        let (status, v) = json(resp).await;
        assert_eq!(status, Status::Created, "{v}");
        ids.push(v["id"].as_i64().unwrap());
    }
    let (a, b) = (ids[0], ids[1]);
    let square = |id: i64| format!("/briefs/{brief}/images/{id}/instagram_square");
    let (status, before) = get_bytes(&app, &square(a), &ambassador).await;
    assert_eq!(status, Status::Ok);
    let old_files = variant_files(&app, a).await;
    assert!(all_stored(&app, &old_files, true).await);

    // Replaced: the same image, in the same place, a new picture; its old files gone.
    let replace = format!("/api/v1/briefs/{brief}/images/{a}/file");
    let resp = app
        .upload_form(
            &replace,
            &coordinator,
            &[("alt", "Poster baru")],
            Some(("baru.png", &crate::ambassadors::png(900, 700))),
        )
        .await;
    let (status, v) = json(resp).await;
    assert_eq!(status, Status::Ok, "{v}");
    assert_eq!(v["id"], a);
    assert_eq!(v["alt"], "Poster baru");
    assert_eq!(
        v["focal_x"], 300,
        "the focal point stays when none is given"
    );
    assert_eq!(image_ids(&app, brief, &coordinator).await, vec![a, b]);
    let (status, after) = get_bytes(&app, &square(a), &ambassador).await;
    assert_eq!(status, Status::Ok);
    assert_ne!(before, after, "the download is the new picture");
    assert!(all_stored(&app, &old_files, false).await);
    assert_eq!(app.count("media").await, 2, "the old original is gone too");

    // Refused replacements change nothing: not an image, a focal point out of range,
    // another institution's coordinator, an ambassador.
    let resp = app
        .upload_form(
            &replace,
            &coordinator,
            &[],
            Some(("x.png", b"not an image")),
        )
        .await;
    assert_eq!(resp.status(), Status::UnprocessableEntity);
    let resp = app
        .upload_form(
            &replace,
            &coordinator,
            &[("focal_x", "150")],
            Some(("p.png", &crate::ambassadors::png(300, 300))),
        )
        .await;
    let (status, v) = json(resp).await;
    assert_eq!(status, Status::UnprocessableEntity, "{v}");
    assert!(v["fields"]["focal_x"].is_array(), "{v}");
    let resp = app
        .upload_form(
            &replace,
            &stranger,
            &[],
            Some(("p.png", &crate::ambassadors::png(300, 300))),
        )
        .await;
    assert_eq!(resp.status(), Status::NotFound);
    let resp = app
        .upload_form(
            &replace,
            &ambassador,
            &[],
            Some(("p.png", &crate::ambassadors::png(300, 300))),
        )
        .await;
    assert_eq!(resp.status(), Status::Forbidden);
    assert_eq!(get_bytes(&app, &square(a), &ambassador).await.1, after);
    let (status, _) = json(
        app.send_api(
            "DELETE",
            &format!("/api/v1/briefs/{brief}/images/{a}"),
            Some(&stranger),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::NotFound);

    // Deleted while the ambassador downloads it: every download answers 200 (it got
    // there first) or 404 (it came after), never an error; the zip holds what is left.
    let files_a = variant_files(&app, a).await;
    let zip = format!("/briefs/{brief}/images.zip");
    let delete = async {
        app.send_api(
            "DELETE",
            &format!("/api/v1/briefs/{brief}/images/{a}"),
            Some(&coordinator),
            &json!({}),
        )
        .await
        .status()
    };
    let (p1, p2, p3) = (
        square(a),
        format!("/briefs/{brief}/images/{a}/x"),
        format!("/briefs/{brief}/images/{a}/thumb"),
    );
    let (deleted, d1, d2, d3, z1, z2) = tokio::join!(
        delete,
        get_bytes(&app, &p1, &ambassador),
        get_bytes(&app, &p2, &ambassador),
        get_bytes(&app, &p3, &ambassador),
        get_bytes(&app, &zip, &ambassador),
        get_bytes(&app, &zip, &ambassador),
    );
    assert_eq!(deleted, Status::NoContent);
    for (status, _) in [&d1, &d2, &d3] {
        assert!(
            *status == Status::Ok || *status == Status::NotFound,
            "a download during the delete: {status}"
        );
    }
    for (status, bytes) in [&z1, &z2] {
        assert_eq!(*status, Status::Ok, "the zip during the delete");
        zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).expect("a whole zip");
    }
    assert_eq!(
        get_bytes(&app, &square(a), &ambassador).await.0,
        Status::NotFound
    );
    let (status, bytes) = get_bytes(&app, &zip, &ambassador).await;
    assert_eq!(status, Status::Ok);
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(archive.len(), 4, "the four sizes of the one image left");
    assert!(all_stored(&app, &files_a, false).await);
    assert_eq!(image_ids(&app, brief, &ambassador).await, vec![b]);
    assert_eq!(app.count("media").await, 1);
    // A second delete of the same image: 404, nothing else touched.
    let (status, _) = json(
        app.send_api(
            "DELETE",
            &format!("/api/v1/briefs/{brief}/images/{a}"),
            Some(&coordinator),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::NotFound);

    // A new image goes after the one left, whatever gaps deletes made.
    let resp = app
        .upload_form(
            &format!("/api/v1/briefs/{brief}/images"),
            &coordinator,
            &[],
            Some(("c.png", &crate::ambassadors::png(400, 400))),
        )
        .await;
    let (_, c) = json(resp).await;
    let c = c["id"].as_i64().unwrap();
    assert_eq!(image_ids(&app, brief, &ambassador).await, vec![b, c]);

    // The page: replace with a picture that is not one keeps the page with the message
    // beside that image's field; delete by its button.
    let resp = app
        .page_multipart(
            &format!("/briefs/{brief}/images/{b}/file"),
            Some(&coordinator),
            &[("alt", "Tetap")],
            &[("file", "x.png", b"not an image")],
        )
        .await;
    let (status, page) = text(resp).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains(&format!(r#"id="rf-{b}-error""#)), "{page}");
    let resp = app
        .form(
            &format!("/briefs/{brief}/images/{b}/delete"),
            Some(&coordinator),
            &[],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    assert_eq!(image_ids(&app, brief, &ambassador).await, vec![c]);

    // Every change audited.
    let actions: Vec<String> = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::TargetType.eq("brief"))
        .filter(entity::audit_log::Column::TargetId.eq(brief))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    for want in ["brief.image_replace", "brief.image_delete"] {
        assert!(actions.iter().any(|a| a == want), "{want} in {actions:?}");
    }
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "brief.image_delete")
            .count(),
        2
    );
}

async fn notices(app: &TestApp, user: i64, kind: &str) -> Vec<entity::notifications::Model> {
    entity::notifications::Entity::find()
        .filter(entity::notifications::Column::UserId.eq(user))
        .filter(entity::notifications::Column::Kind.eq(kind))
        .all(&app.db)
        .await
        .unwrap()
}

#[rocket::async_test]
async fn coordinators_in_scope_are_told_once_of_new_candidates() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Calon").await;
    let north = app.work_unit(inst, None, "Kanwil Utara").await;
    let north_a = app.work_unit(inst, Some(north), "Kantor A").await;
    let south = app.work_unit(inst, None, "Kanwil Selatan").await;
    let whole = app
        .user("coordinator", "pusat@calon.go.id", Some(inst), None)
        .await;
    let north_coord = app
        .user("coordinator", "utara@calon.go.id", Some(inst), Some(north))
        .await;
    let south_coord = app
        .user(
            "coordinator",
            "selatan@calon.go.id",
            Some(inst),
            Some(south),
        )
        .await;
    let other = app.institution("Kementerian Lain").await;
    let stranger = app
        .user("coordinator", "lain@lain.go.id", Some(other), None)
        .await;

    app.candidate(inst, north_a, 1).await;
    assert_eq!(notices(&app, whole, "candidate_waiting").await.len(), 1);
    assert_eq!(
        notices(&app, north_coord, "candidate_waiting").await.len(),
        1
    );
    assert!(notices(&app, south_coord, "candidate_waiting")
        .await
        .is_empty());
    assert!(notices(&app, stranger, "candidate_waiting")
        .await
        .is_empty());

    // A second candidate while the first notice is unread: still one, brought to the top.
    let first = notices(&app, whole, "candidate_waiting").await.remove(0);
    app.candidate(inst, north, 2).await;
    let again = notices(&app, whole, "candidate_waiting").await;
    assert_eq!(again.len(), 1);
    assert!(again[0].created_at >= first.created_at);
    assert!(again[0].read_at.is_none());

    // Read it (the page), then a third candidate: a new notice.
    let token = app.token(whole).await;
    let (status, page) = text(app.page("/notifications", Some(&token)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains("Calon duta baru menunggu pemeriksaan"),
        "{page}"
    );
    assert!(page.contains(r#"href="/vetting""#));
    app.candidate(inst, south, 3).await;
    let list = notices(&app, whole, "candidate_waiting").await;
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|n| n.read_at.is_none()).count(), 1);
    assert_eq!(
        notices(&app, south_coord, "candidate_waiting").await.len(),
        1
    );
    assert_eq!(
        notices(&app, north_coord, "candidate_waiting").await.len(),
        1
    );
}

#[rocket::async_test]
async fn email_choices_are_per_person_per_kind_and_checked() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Pilihan").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@pilihan.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let (amb, user) = app.candidate(inst, unit, 1).await;
    approve(&app, amb).await;
    let ambassador = app.token(user).await;
    let path = "/api/v1/notifications/email";

    let (status, v) = json(app.get_api(path, Some(&ambassador)).await).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(
        v,
        json!({"brief_published": true, "brief_changed": true, "reminder": true, "post_rejected": true})
    );
    let (_, v) = json(app.get_api(path, Some(&coordinator)).await).await;
    assert_eq!(
        v,
        json!({"candidate_waiting": true, "hoax_reported": true, "national_brief": true})
    );

    let (status, v) = json(
        app.send_api("PUT", path, Some(&ambassador), &json!({"reminder": false}))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{v}");
    assert_eq!(v["reminder"], false);
    assert_eq!(v["brief_published"], true);
    // Hostile: a kind of another role, an unknown kind, a value that is not a boolean —
    // refused, nothing changed.
    for body in [
        json!({"candidate_waiting": false, "brief_published": false}),
        json!({"newsletter": false}),
        json!({"reminder": "no"}),
        json!({"reminder": null}),
        json!([]),
    ] {
        let (status, v) = json(app.send_api("PUT", path, Some(&ambassador), &body).await).await;
        assert_eq!(status, Status::UnprocessableEntity, "{body}: {v}");
    }
    let (_, v) = json(app.get_api(path, Some(&ambassador)).await).await;
    assert_eq!(
        v,
        json!({"brief_published": true, "brief_changed": true, "reminder": false, "post_rejected": true})
    );

    // The page: ticks as stored; what is not ticked is off; a forged kind is refused
    // beside the field with the ticks kept.
    let (_, page) = text(app.page("/notifications", Some(&ambassador)).await).await;
    assert!(
        page.contains(r#"value="brief_published" checked"#),
        "{page}"
    );
    assert!(page.contains(r#"value="reminder">"#), "{page}");
    let resp = app
        .form(
            "/notifications/email",
            Some(&ambassador),
            &[("on", "reminder"), ("on", "post_rejected")],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (_, v) = json(app.get_api(path, Some(&ambassador)).await).await;
    assert_eq!(
        v,
        json!({"brief_published": false, "brief_changed": false, "reminder": true, "post_rejected": true})
    );
    let resp = app
        .form(
            "/notifications/email",
            Some(&ambassador),
            &[("on", "brief_published"), ("on", "candidate_waiting")],
        )
        .await;
    let (status, page) = text(resp).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains(r#"id="f-on-error""#), "{page}");
    assert!(
        page.contains(r#"value="brief_published" checked"#),
        "{page}"
    );
    let (_, v) = json(app.get_api(path, Some(&ambassador)).await).await;
    assert_eq!(v["brief_published"], false, "nothing changed");
}

/// Waits a moment for emails that should not come, then returns what did.
async fn settled(smtp: &crate::smtp::SmtpServer) -> Vec<Value> {
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    smtp.received()
}

#[rocket::async_test]
async fn a_rejection_and_a_changed_brief_are_told_in_duta_and_by_email_unless_turned_off() {
    if crate::smtp::skip_without_aiosmtpd() {
        return;
    }
    let smtp = crate::smtp::SmtpServer::start().await;
    let app = TestApp::spawn_with(&[("smtp", smtp.config())]).await;
    let inst = app.institution("Kementerian Kabar").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@kabar.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let mut people = Vec::new();
    for n in 1..=2 {
        let (amb, user) = app.candidate(inst, unit, n).await;
        let row = entity::users::Entity::find_by_id(user)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let mut active: entity::users::ActiveModel = row.into();
        active.email_unconfirmed_since = sea_orm::Set(None);
        sea_orm::ActiveModelTrait::update(active, &app.db)
            .await
            .unwrap();
        approve(&app, amb).await;
        people.push((amb, user, app.token(user).await));
    }
    let to = |m: &Value| m["rcpt_tos"][0].as_str().unwrap().to_string();
    // The second person turns off emails about new briefs and about rejections.
    let (status, _) = json(
        app.send_api(
            "PUT",
            "/api/v1/notifications/email",
            Some(&people[1].2),
            &json!({"post_rejected": false, "brief_published": false}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    let tpl = template(&app, &coordinator).await;
    let brief = published(&app, &coordinator, &[], &[tpl]).await;
    // Two confirmations, then the brief to the first person alone (both told in Duta).
    let mails = smtp.wait_for(3).await;
    let inbox_after_publish = settled(&smtp).await.len();
    assert_eq!(inbox_after_publish, 3, "{mails:?}");
    let brief_subject = duta::web::i18n::t(duta::web::i18n::Lang::Id, "mail.brief_subject");
    let briefs_to: Vec<String> = smtp
        .received()
        .iter()
        .filter(|m| m["subject"] == brief_subject.as_str())
        .map(to)
        .collect();
    assert_eq!(briefs_to, vec!["kandidat1@instansi.go.id"]);
    for (_, user, _) in &people {
        assert_eq!(notices(&app, *user, "brief_published").await.len(), 1);
    }
    let mut posts = Vec::new();
    for (n, (_, _, token)) in people.iter().enumerate() {
        let (status, s) = json(
            app.send_api(
                "POST",
                "/api/v1/submissions",
                Some(token),
                &json!({"brief_id": brief, "platform": "instagram",
                        "url": format!("https://www.instagram.com/p/Ckabar{n}x/"),
                        "posted_at": (chrono::Utc::now() - chrono::Duration::minutes(5)).to_rfc3339()}),
            )
            .await,
        )
        .await;
        assert_eq!(status, Status::Created, "{s}");
        posts.push(s["id"].as_i64().unwrap());
    }
    let reason = "Tautan {url} mengarah ke unggahan lain.";
    let (status, v) = json(
        app.send_api(
            "POST",
            "/api/v1/submissions/bulk/reject",
            Some(&coordinator),
            &json!({"ids": posts, "reason": reason}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{v}");
    let mails = smtp.wait_for(inbox_after_publish + 1).await;
    let mails = &mails[inbox_after_publish..];
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(to(&mails[0]), "kandidat1@instansi.go.id");
    let body = mails[0]["body"].as_str().unwrap();
    assert!(body.contains(reason), "the reason as written: {body}");
    assert!(body.contains(&format!("https://duta.uji.go.id/briefs/{brief}#submit")));
    // Both read it in Duta, with the reason.
    for (_, user, _) in &people {
        let n = notices(&app, *user, "post_rejected").await;
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].detail.as_deref(), Some(reason));
    }
    let seen = settled(&smtp).await.len();
    assert_eq!(
        seen,
        inbox_after_publish + 1,
        "no email to who turned it off"
    );

    // The weekly reminder (both are due: their posts were rejected): the first person
    // turned its email off, the second gets it; both are reminded in Duta.
    let (status, _) = json(
        app.send_api(
            "PUT",
            "/api/v1/notifications/email",
            Some(&people[0].2),
            &json!({"reminder": false}),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    let mailer = duta::state::part::<duta::notify::Mailer>(app.client.rocket()).unwrap();
    let tz = chrono_tz::Asia::Jakarta;
    let monday =
        duta::leaderboard::rules::monday_of(chrono::Utc::now().with_timezone(&tz).date_naive());
    let sunday_evening = chrono::TimeZone::from_local_datetime(
        &tz,
        &(monday + chrono::Duration::days(6))
            .and_hms_opt(20, 0, 0)
            .unwrap(),
    )
    .unwrap()
    .with_timezone(&chrono::Utc);
    let reminded = duta::jobs::remind_if_due(&app.db, mailer, "node-a", sunday_evening)
        .await
        .unwrap();
    assert_eq!(reminded, 2);
    let mails = smtp.wait_for(seen + 1).await;
    let after = settled(&smtp).await;
    assert_eq!(after.len(), seen + 1, "{:?}", &after[seen..]);
    assert_eq!(to(&mails[seen]), "kandidat2@instansi.go.id");
    let seen = after.len();

    // The brief changes after it came out. Told (in Duta and by email) are those who have
    // looked at it — here the first person opened it; the second has not and will read it
    // as it is. A second change while that notice is unread emails nobody again.
    let put = |body: Value| {
        let coordinator = coordinator.clone();
        let app = &app;
        async move {
            let (status, v) = json(
                app.send_api(
                    "PUT",
                    &format!("/api/v1/briefs/{brief}"),
                    Some(&coordinator),
                    &body,
                )
                .await,
            )
            .await;
            assert_eq!(status, Status::Ok, "{v}");
        }
    };
    let open = |token: String| {
        let app = &app;
        async move {
            let r = app
                .get_api(&format!("/api/v1/briefs/{brief}"), Some(&token))
                .await;
            assert_eq!(r.status(), Status::Ok);
        }
    };
    open(people[0].2.clone()).await;
    let changed = duta::web::i18n::t(duta::web::i18n::Lang::Id, "mail.brief_changed_subject");
    let told = |mails: &[Value]| {
        let mut to: Vec<String> = mails
            .iter()
            .filter(|m| m["subject"] == changed.as_str())
            .map(to)
            .collect();
        to.sort();
        to
    };
    let mut body = crate::briefs::brief_body("Paspor lewat aplikasi (diperbarui)", &[], &[tpl]);
    put(body.clone()).await;
    let mails = smtp.wait_for(seen + 1).await;
    let after = settled(&smtp).await;
    assert_eq!(after.len(), seen + 1, "{:?}", &after[seen..]);
    assert_eq!(told(&mails[seen..]), vec!["kandidat1@instansi.go.id"]);
    let first = notices(&app, people[0].1, "brief_changed").await;
    assert_eq!(first.len(), 1);
    assert!(first[0].read_at.is_none());
    assert!(notices(&app, people[1].1, "brief_changed").await.is_empty());
    body["key_messages"] = json!("Pesan kunci yang diperbaiki lagi.");
    put(body.clone()).await;
    let seen = settled(&smtp).await.len();
    assert_eq!(
        seen,
        mails.len(),
        "no second email while the notice is unread"
    );
    assert_eq!(notices(&app, people[0].1, "brief_changed").await.len(), 1);

    // The first person reads it, the second opens the brief: the next change emails both.
    let (_, page) = text(app.page("/notifications", Some(&people[0].2)).await).await;
    assert!(page.contains("Brief diubah setelah terbit"), "{page}");
    open(people[1].2.clone()).await;
    body["hashtags"] = json!(["#PasporMudah"]);
    put(body.clone()).await;
    let mails = smtp.wait_for(seen + 2).await;
    let after = settled(&smtp).await;
    assert_eq!(after.len(), seen + 2, "{:?}", &after[seen..]);
    assert_eq!(
        told(&mails[seen..]),
        vec!["kandidat1@instansi.go.id", "kandidat2@instansi.go.id"]
    );
    let n = notices(&app, people[0].1, "brief_changed").await;
    assert_eq!(n.len(), 1);
    assert!(n[0].read_at.is_none(), "unread again");
    // Saved again as it is: nothing the reader sees changed, nobody is told.
    put(body.clone()).await;
    assert_eq!(notices(&app, people[0].1, "brief_changed").await, n);
    assert_eq!(settled(&smtp).await.len(), seen + 2);
}
