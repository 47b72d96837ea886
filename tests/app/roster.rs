//! The roster: everyone in the caller's scope, searched by name, email, handle or a whole
//! NIP, filtered by status, unit (with its subtree), verdict, invitation, needs attention
//! and weeks without a post, sorted and paged with the total (no cap); NIPs only for
//! coordinators and admins, on the page, in the API and in the CSV and XLSX downloads.

use rocket::http::Status;
use serde_json::Value;

use crate::standings::approve_through_vetting;
use crate::submissions::{decide, jakarta_monday, past_brief, posted_in, submit};
use crate::support::{json, text, TestApp};

async fn roster(app: &TestApp, token: &str, query: &str) -> (Status, Value) {
    json(
        app.get_api(&format!("/api/v1/roster{query}"), Some(token))
            .await,
    )
    .await
}

fn names(page: &Value) -> Vec<String> {
    page["people"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

#[rocket::async_test]
async fn the_roster_finds_filters_sorts_and_pages_everyone_in_scope() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Daftar").await;
    let humas = app.work_unit(inst, None, "Biro Humas").await;
    let media = app.work_unit(inst, Some(humas), "Bagian Media").await;
    let hukum = app.work_unit(inst, None, "Biro Hukum").await;
    let other = app.institution("Kementerian Lain").await;
    let far = app.work_unit(other, None, "Biro Jauh").await;
    let coordinator = app
        .user("coordinator", "koordinator@daftar.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let leadership = app
        .user("leadership", "pimpinan@daftar.go.id", Some(inst), None)
        .await;
    let leadership = app.token(leadership).await;
    let (one, one_user) = app.candidate(inst, humas, 1).await;
    approve_through_vetting(&app, &coordinator, one, &jakarta_monday(4).to_string()).await;
    let (two, _) = app.candidate(inst, media, 2).await;
    approve_through_vetting(&app, &coordinator, two, &jakarta_monday(4).to_string()).await;
    app.candidate(inst, hukum, 3).await;
    app.candidate(other, far, 4).await;
    // Kandidat 1 posted last week.
    let token_one = app.token(one_user).await;
    let brief = past_brief(&app, &coordinator, 1).await;
    let (status, s) = submit(
        &app,
        &token_one,
        serde_json::json!({"brief_id": brief, "platform": "instagram",
               "url": "https://www.instagram.com/p/Cdaftar01/",
               "posted_at": posted_in(1).to_rfc3339()}),
    )
    .await;
    assert_eq!(status, Status::Created, "{s}");
    let (status, _) = decide(&app, &coordinator, s["id"].as_i64().unwrap(), "verify", "").await;
    assert_eq!(status, Status::Ok);

    let (status, all) = roster(&app, &coordinator, "").await;
    assert_eq!(status, Status::Ok, "{all}");
    assert_eq!(all["total"], 3, "the own institution only: {all}");
    assert_eq!(names(&all), ["Kandidat 1", "Kandidat 2", "Kandidat 3"]);
    let first = &all["people"][0];
    assert_eq!(first["nip"], "198609262015052002", "{first}");
    assert_eq!(first["last_post_week"], jakarta_monday(1).to_string());
    assert_eq!(first["platforms"].as_array().unwrap().len(), 3);
    let (_, seen) = roster(&app, &leadership, "").await;
    assert_eq!(seen["total"], 3);
    assert_eq!(
        seen["people"][0]["nip"],
        Value::Null,
        "no NIP for leadership"
    );

    for (query, expected) in [
        ("?q=kandidat%202", vec!["Kandidat 2"]),
        ("?q=KANDIDAT3%40instansi", vec!["Kandidat 3"]),
        ("?q=kandidat.ig1", vec!["Kandidat 1"]),
        ("?q=19860926%20201505%202%20004", vec!["Kandidat 3"]),
        ("?q=198609262015052", vec![]),
        ("?q=2004", vec!["Kandidat 3"]),
        ("?q=%202%20003", vec!["Kandidat 2"]),
        ("?q=kandidat%204", vec![]),
        ("?status=approved", vec!["Kandidat 1", "Kandidat 2"]),
        (
            &format!("?work_unit_id={humas}"),
            vec!["Kandidat 1", "Kandidat 2"],
        ),
        (&format!("?work_unit_id={media}"), vec!["Kandidat 2"]),
        ("?verdict=meets", vec!["Kandidat 1", "Kandidat 2"]),
        ("?verdict=unverified", vec!["Kandidat 3"]),
        ("?invitation=pending", vec![]),
        (
            "?invitation=accepted",
            vec!["Kandidat 1", "Kandidat 2", "Kandidat 3"],
        ),
        ("?attention=true", vec![]),
        ("?no_post_weeks=4", vec!["Kandidat 2", "Kandidat 3"]),
        (
            "?no_post_weeks=1",
            vec!["Kandidat 1", "Kandidat 2", "Kandidat 3"],
        ),
        (
            "?sort=newest",
            vec!["Kandidat 3", "Kandidat 2", "Kandidat 1"],
        ),
        ("?sort=newest&limit=1&offset=1", vec!["Kandidat 2"]),
    ] {
        let (status, page) = roster(&app, &coordinator, query).await;
        assert_eq!(status, Status::Ok, "{query}: {page}");
        assert_eq!(names(&page), expected, "{query}");
    }
    // Rows from before the last digits were kept get them at the next start.
    <entity::ambassadors::Entity as sea_orm::EntityTrait>::update_many()
        .col_expr(
            entity::ambassadors::Column::NipTail,
            sea_orm::sea_query::Expr::value(Option::<String>::None),
        )
        .exec(&app.db)
        .await
        .unwrap();
    let (_, none) = roster(&app, &coordinator, "?q=2004").await;
    assert_eq!(names(&none), Vec::<String>::new());
    duta::privacy::service::seal_plain_nips(&app.db, app.nip_key())
        .await
        .unwrap();
    let (_, again) = roster(&app, &coordinator, "?q=2004").await;
    assert_eq!(names(&again), ["Kandidat 3"]);
    let (_, paged) = roster(&app, &coordinator, "?limit=2").await;
    assert_eq!((paged["total"].as_i64(), names(&paged).len()), (Some(3), 2));

    // Hostile filters are refused at their field.
    for (query, status) in [
        ("?status=hilang", Status::UnprocessableEntity),
        ("?verdict=bagus", Status::UnprocessableEntity),
        ("?invitation=mungkin", Status::UnprocessableEntity),
        ("?sort=acak", Status::UnprocessableEntity),
        ("?no_post_weeks=0", Status::UnprocessableEntity),
        ("?no_post_weeks=53", Status::UnprocessableEntity),
        ("?limit=0", Status::UnprocessableEntity),
        ("?limit=501", Status::UnprocessableEntity),
        ("?offset=-1", Status::UnprocessableEntity),
        (
            &format!("?q={}", "a".repeat(121)),
            Status::UnprocessableEntity,
        ),
        (&format!("?work_unit_id={far}"), Status::Conflict),
        ("?work_unit_id=abc", Status::UnprocessableEntity),
    ] {
        let (s, body) = roster(&app, &coordinator, query).await;
        assert_eq!(s, status, "{query}: {body}");
    }
    let amb_token = app.token(one_user).await;
    let (s, _) = roster(&app, &amb_token, "").await;
    assert_eq!(s, Status::Forbidden, "ambassadors have no roster");
}

#[rocket::async_test]
async fn the_roster_page_and_its_downloads() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Unduh").await;
    let humas = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@unduh.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let leadership = app
        .user("leadership", "pimpinan@unduh.go.id", Some(inst), None)
        .await;
    let leadership = app.token(leadership).await;
    let (one, _) = app.candidate(inst, humas, 1).await;
    approve_through_vetting(&app, &coordinator, one, &jakarta_monday(2).to_string()).await;
    app.candidate(inst, humas, 2).await;

    let (status, page) = text(
        app.page("/roster?status=approved", Some(&coordinator))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains("Kandidat 1") && !page.contains("Kandidat 2"),
        "{page}"
    );
    assert!(
        page.contains("198609262015052002"),
        "coordinators see the NIP"
    );
    assert!(page.contains("Menampilkan 1–1 dari 1 orang"), "{page}");
    let (status, page) = text(
        app.page("/roster?status=hilang&q=cari", Some(&coordinator))
            .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        page.contains(r#"id="f-status-error""#) && page.contains(r#"value="cari""#),
        "{page}"
    );
    let (_, page) = text(app.page("/roster", Some(&leadership)).await).await;
    assert!(
        page.contains("Kandidat 2") && !page.contains("198609262015052002"),
        "{page}"
    );

    let (status, csv) = text(
        app.page(
            "/roster/export/roster.csv?status=approved",
            Some(&coordinator),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(
        header.contains("NIP") && header.contains("Pengikut Instagram"),
        "{header}"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 1, "{csv}");
    assert!(
        rows[0].contains("198609262015052002") && rows[0].contains("640"),
        "{csv}"
    );
    let (_, csv) = text(
        app.page("/roster/export/roster.csv", Some(&leadership))
            .await,
    )
    .await;
    assert!(
        !csv.contains("NIP") && !csv.contains("198609262015052"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 3, "a header and two people: {csv}");
    let resp = app
        .page("/roster/export/roster.xlsx", Some(&coordinator))
        .await;
    assert_eq!(resp.status(), Status::Ok);
    let bytes = resp.into_bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX file is a zip");
    let resp = app
        .page("/roster/export/roster.pdf", Some(&coordinator))
        .await;
    assert_eq!(resp.status(), Status::NotFound);
}
