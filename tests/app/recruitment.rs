//! Recruitment: the public programme page (written by the institution's coordinators, with
//! its QR code), referral links that bring candidates, their referrer at vetting, and the
//! referral figures on the roster, the recruitment page and the statistics.

use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::ambassadors::png;
use crate::pages_ambassadors::signup_fields;
use crate::support::{approve, json, text, TestApp, PASSWORD};

async fn audit_rows(app: &TestApp, action: &str) -> usize {
    entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq(action))
        .all(&app.db)
        .await
        .unwrap()
        .len()
}

#[rocket::async_test]
async fn a_programme_page_is_public_written_by_its_coordinators_and_refuses_hostile_text() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Cerita").await;
    let other = app.institution("Kementerian Lain").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "humas@cerita.go.id", Some(inst), None)
        .await;
    let unit_coordinator = app
        .user("coordinator", "unit@cerita.go.id", Some(inst), Some(unit))
        .await;
    let outsider = app
        .user("coordinator", "humas@lain.go.id", Some(other), None)
        .await;
    let admin = app.user("admin", "admin@duta.go.id", None, None).await;
    let (_, ambassador) = app.candidate(inst, unit, 1).await;

    // Before anyone writes it: Duta's own text, the thresholds, the consent and the QR code.
    let (status, page) = text(app.page(&format!("/program/{inst}"), None).await).await;
    assert_eq!(status, Status::Ok);
    for expected in [
        "Kementerian Cerita",
        "Jadilah Duta ASN",
        "Akun X (Twitter) dengan paling sedikit 500 pengikut.",
        "pemrosesan data pribadi saya",
        &format!("href=\"&#x2F;signup?institution={inst}\""),
        &format!("src=\"&#x2F;program&#x2F;{inst}&#x2F;qr.svg\""),
    ] {
        assert!(page.contains(expected), "{expected} missing:\n{page}");
    }
    let english = app
        .client
        .get(format!("/program/{inst}"))
        .cookie(rocket::http::Cookie::new("duta_lang", "en"))
        .dispatch()
        .await;
    let (status, page) = text(english).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Become an ASN ambassador"), "{page}");
    assert!(page.contains("An account on X (Twitter) with at least 500 followers."));
    let qr = app.page(&format!("/program/{inst}/qr.svg"), None).await;
    assert_eq!(qr.status(), Status::Ok);
    assert_eq!(
        qr.content_type().map(|c| c.to_string()).as_deref(),
        Some("image/svg+xml")
    );
    assert!(qr.into_string().await.unwrap().contains("<svg"));
    assert_eq!(
        app.page("/program/999999", None).await.status(),
        Status::NotFound
    );
    assert_eq!(
        app.page("/program/999999/qr.svg", None).await.status(),
        Status::NotFound
    );
    let (status, body) = json(
        app.get_api(&format!("/api/v1/institutions/{inst}/programme"), None)
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["headline"], serde_json::Value::Null);
    assert_eq!(body["institution_name"], "Kementerian Cerita");
    assert_eq!(body["signup_path"], format!("/signup?institution={inst}"));

    // The coordinator of the whole institution writes it; script is shown as text.
    let token = app.token(coordinator).await;
    let written = json!({
        "headline": "Ceritakan kerja <b>kita</b>",
        "body": "Paragraf satu <script>alert(1)</script>\n\nParagraf dua.",
    });
    let path = format!("/api/v1/institutions/{inst}/programme");
    let (status, body) = json(app.send_api("PUT", &path, Some(&token), &written).await).await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["paragraphs"].as_array().unwrap().len(), 2);
    let (_, page) = text(app.page(&format!("/program/{inst}"), None).await).await;
    assert!(
        page.contains("Ceritakan kerja &lt;b&gt;kita&lt;&#x2F;b&gt;"),
        "{page}"
    );
    assert!(page.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"));
    assert!(!page.contains("<script>alert"));
    assert!(!page.contains("Jadilah Duta ASN"));
    assert_eq!(audit_rows(&app, "programme_page.updated").await, 1);

    // A 1 MB text: refused at its field, nothing changed; over the JSON limit: 413.
    let huge = json!({ "headline": "Judul baru", "body": "a".repeat(1_000_000) });
    let (status, body) = json(app.send_api("PUT", &path, Some(&token), &huge).await).await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert!(body["fields"]["body"][0]
        .as_str()
        .unwrap()
        .contains("5.000 karakter"));
    let over = json!({ "headline": "Judul baru", "body": "a".repeat(1_100_000) });
    let status = app
        .send_api("PUT", &path, Some(&token), &over)
        .await
        .status();
    assert_eq!(status, Status::PayloadTooLarge);
    for bad in [
        json!({ "headline": "ab", "body": "" }),
        json!({ "headline": "Dua\nbaris", "body": "" }),
        json!({ "headline": "Judul", "body": "x\u{0}y" }),
        json!({ "headline": "Judul", "body": "", "extra": 1 }),
    ] {
        let status = app
            .send_api("PUT", &path, Some(&token), &bad)
            .await
            .status();
        assert_eq!(status, Status::UnprocessableEntity, "{bad}");
    }
    let stored = entity::programme_pages::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.headline, "Ceritakan kerja <b>kita</b>");
    assert_eq!(audit_rows(&app, "programme_page.updated").await, 1);

    // The page form: a bad headline keeps what was typed; a 1 MB form is refused whole.
    let resp = app
        .form(
            "/recruitment",
            Some(&token),
            &[("headline", "x"), ("body", "Teks yang diketik tetap ada")],
        )
        .await;
    let (status, page) = text(resp).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("Tulis judul 3 sampai 200 karakter"), "{page}");
    assert!(page.contains("Teks yang diketik tetap ada"));
    let long = "b".repeat(1_000_000);
    let resp = app
        .form(
            "/recruitment",
            Some(&token),
            &[("headline", "Judul"), ("body", &long)],
        )
        .await;
    assert_eq!(resp.status(), Status::PayloadTooLarge);
    let resp = app
        .form(
            "/recruitment",
            Some(&token),
            &[("headline", "Jadi Duta, jadi pencerita"), ("body", "Baris")],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (_, page) = text(app.page(&format!("/program/{inst}"), None).await).await;
    assert!(page.contains("Jadi Duta, jadi pencerita"));

    // Who may write it: a unit's coordinator 403, another institution 404, admins yes.
    let same = json!({ "headline": "Judul lain", "body": "" });
    let unit_token = app.token(unit_coordinator).await;
    let status = app
        .send_api("PUT", &path, Some(&unit_token), &same)
        .await
        .status();
    assert_eq!(status, Status::Forbidden);
    let (status, page) = text(app.page("/recruitment", Some(&unit_token)).await).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("recruitment-read-only"));
    let outsider_token = app.token(outsider).await;
    let status = app
        .send_api("PUT", &path, Some(&outsider_token), &same)
        .await
        .status();
    assert_eq!(status, Status::NotFound);
    let status = app
        .page(
            &format!("/recruitment?institution={inst}"),
            Some(&outsider_token),
        )
        .await
        .status();
    assert_eq!(status, Status::NotFound);
    let amb_token = app.token(ambassador).await;
    let status = app
        .send_api("PUT", &path, Some(&amb_token), &same)
        .await
        .status();
    assert_eq!(status, Status::Forbidden);
    assert_eq!(
        app.send_api("PUT", &path, None, &same).await.status(),
        Status::Unauthorized
    );
    let admin_token = app.token(admin).await;
    let (status, body) = json(app.send_api("PUT", &path, Some(&admin_token), &same).await).await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["headline"], "Judul lain");
    let (status, page) = text(
        app.page(
            &format!("/recruitment?institution={other}"),
            Some(&admin_token),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Kementerian Lain"));
    assert_eq!(audit_rows(&app, "programme_page.updated").await, 3);
}

/// Signs a candidate up through the API with a referral code; the answer's status.
async fn sign_up_with(app: &TestApp, inst: i64, unit: i64, n: u32, code: &str) -> (Status, i64) {
    let mut body = app.signup_body(inst, unit, n);
    body["referral_code"] = json!(code);
    let (status, body) = json(app.send_api("POST", "/api/v1/signup", None, &body).await).await;
    (status, body["id"].as_i64().unwrap_or_default())
}

async fn referral_rows(app: &TestApp) -> Vec<entity::referrals::Model> {
    entity::referrals::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
}

#[rocket::async_test]
async fn referral_links_bring_candidates_who_show_their_referrer_and_are_counted() {
    let app = TestApp::spawn_with(&[("signup_max_per_ip", json!(1_000))]).await;
    let inst = app.institution("Kementerian Ajak").await;
    let other = app.institution("Kementerian Seberang").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let other_unit = app.work_unit(other, None, "Biro Umum").await;
    let coordinator = app
        .user("coordinator", "humas@ajak.go.id", Some(inst), None)
        .await;
    let (referrer, referrer_user) = app.candidate(inst, unit, 1).await;
    let referrer_token = app.token(referrer_user).await;

    // A candidate has no link yet; once approved they have one.
    let (status, body) = json(
        app.get_api("/api/v1/me/referral", Some(&referrer_token))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["code"], serde_json::Value::Null);
    let (_, page) = text(app.page("/me/referral", Some(&referrer_token)).await).await;
    assert!(page.contains("no-referral"));
    approve(&app, referrer).await;
    let (_, body) = json(
        app.get_api("/api/v1/me/referral", Some(&referrer_token))
            .await,
    )
    .await;
    let code = body["code"].as_str().unwrap().to_string();
    assert_eq!(code, app.nip_key().link_code("referral", referrer));
    assert_eq!(body["page_path"], format!("/program/{inst}?ref={code}"));
    let (_, page) = text(app.page("/me/referral", Some(&referrer_token)).await).await;
    assert!(
        page.contains(&format!("&#x2F;program&#x2F;{inst}?ref={code}")),
        "{page}"
    );

    // The link, opened 1,000 times by one client: the page names the referrer each time
    // and nothing is counted until someone signs up.
    let link = format!("/program/{inst}?ref={code}");
    for _ in 0..1_000 {
        assert_eq!(app.page(&link, None).await.status(), Status::Ok);
    }
    let (_, page) = text(app.page(&link, None).await).await;
    assert!(page.contains("Anda diajak oleh Kandidat 1"), "{page}");
    assert!(page.contains(&format!("&#x2F;signup?institution={inst}&amp;ref={code}")));
    assert!(referral_rows(&app).await.is_empty());

    // The sign-up page keeps the code and the institution for the form.
    let (_, page) = text(
        app.page(&format!("/signup?institution={inst}&ref={code}"), None)
            .await,
    )
    .await;
    assert!(page.contains(&format!("name=\"referral_code\" value=\"{code}\"")));
    assert!(page.contains(&format!("<option value=\"{inst}\" selected>")));
    assert!(page.contains("Anda diajak oleh Kandidat 1"));
    // Signed in, the referrer's own link does not offer them a second sign-up.
    let resp = app
        .page(
            &format!("/signup?institution={inst}&ref={code}"),
            Some(&referrer_token),
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);

    // Signing up through the link (the page form, with screenshots) records the referrer.
    let mut fields = signup_fields(&inst.to_string(), &unit.to_string());
    fields.push(("referral_code", code.clone()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let shot = png(300, 200);
    let resp = app
        .page_multipart(
            "/signup",
            None,
            &pairs,
            &[
                ("platforms[0].screenshot", "fb.png", &shot),
                ("platforms[1].screenshot", "x.png", &shot),
                ("platforms[2].screenshot", "ig.png", &shot),
            ],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let rows = referral_rows(&app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].referrer_id, referrer);
    let referred = rows[0].ambassador_id;

    // At vetting the candidate shows their referrer.
    let coord_token = app.token(coordinator).await;
    let (status, body) = json(
        app.get_api(
            &format!("/api/v1/vetting/candidates/{referred}"),
            Some(&coord_token),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["referred_by"]["id"], referrer);
    assert_eq!(body["referred_by"]["display_name"], "Kandidat 1");
    let (_, page) = text(
        app.page(
            &format!("/vetting/candidates/{referred}"),
            Some(&coord_token),
        )
        .await,
    )
    .await;
    assert!(
        page.contains(&format!(
            "href=\"/vetting/candidates/{referrer}\">Kandidat 1"
        )),
        "{page}"
    );

    // Hostile codes: nothing is recorded for any of them, and the sign-ups still work.
    let tag = code.split_once('-').unwrap().1;
    let last = if tag.ends_with('0') { '1' } else { '0' };
    let tampered = format!("{referrer}-{}{last}", &tag[..11]);
    let (outsider, _) = app.candidate(other, other_unit, 40).await;
    approve(&app, outsider).await;
    let outsider_code = app.nip_key().link_code("referral", outsider);
    let guessed = app.nip_key().link_code("referral", referred);
    for (n, c) in [
        (11, tampered.as_str()),
        (12, outsider_code.as_str()),
        (13, guessed.as_str()),
    ] {
        let (status, _) = sign_up_with(&app, inst, unit, n, c).await;
        assert_eq!(status, Status::Created, "{c}");
    }
    assert_eq!(referral_rows(&app).await.len(), 1);
    let (_, page) = text(
        app.page(&format!("/program/{inst}?ref={tampered}"), None)
            .await,
    )
    .await;
    assert!(!page.contains("invited-by"));
    assert!(page.contains(&format!("href=\"&#x2F;signup?institution={inst}\"")));
    // A malformed code is refused at its field (API), nothing stored.
    let before = app.count("ambassadors").await;
    let mut body = app.signup_body(inst, unit, 14);
    body["referral_code"] = json!("<script>");
    let (status, body) = json(app.send_api("POST", "/api/v1/signup", None, &body).await).await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert!(body["fields"]["referral_code"].is_array());
    assert_eq!(app.count("ambassadors").await, before);
    let status = app
        .get_api(
            &format!("/api/v1/institutions/{inst}/programme?ref=%3Cscript%3E"),
            None,
        )
        .await
        .status();
    assert_eq!(status, Status::UnprocessableEntity);
    let twice = format!("/api/v1/institutions/{inst}/programme?ref={code}&ref={code}");
    assert_eq!(
        app.get_api(&twice, None).await.status(),
        Status::UnprocessableEntity
    );
    for bad in ["9223372036854775808", "satu", ""] {
        let status = app
            .get_api(
                &format!("/api/v1/recruitment?institution={bad}"),
                Some(&coord_token),
            )
            .await
            .status();
        assert_eq!(status, Status::UnprocessableEntity, "{bad}");
    }
    // Oneself: the referrer signing up again with their own link is the same NIP: 409.
    let mut again = app.signup_body(inst, unit, 1);
    again["email"] = json!("lagi@instansi.go.id");
    again["referral_code"] = json!(code);
    let status = app
        .send_api("POST", "/api/v1/signup", None, &again)
        .await
        .status();
    assert_eq!(status, Status::Conflict);
    assert_eq!(referral_rows(&app).await.len(), 1);

    // A second sign-up through the link; then the referrer leaves: their link stops.
    let (status, second) = sign_up_with(&app, inst, unit, 15, &code).await;
    assert_eq!(status, Status::Created);
    assert_eq!(referral_rows(&app).await.len(), 2);

    // The figures: per referrer on the roster, the recruitment page, the statistics.
    approve(&app, second).await;
    let (_, body) = json(
        app.get_api("/api/v1/roster?q=Kandidat%201", Some(&coord_token))
            .await,
    )
    .await;
    let row = body["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == referrer)
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(row["referrals"], 2);
    let (status, body) = json(app.get_api("/api/v1/recruitment", Some(&coord_token)).await).await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["referred"], 2);
    assert_eq!(body["referred_approved"], 1);
    assert_eq!(body["top_referrers"][0]["id"], referrer);
    assert_eq!(body["top_referrers"][0]["signed_up"], 2);
    assert_eq!(body["top_referrers"][0]["approved"], 1);
    let (_, page) = text(app.page("/recruitment", Some(&coord_token)).await).await;
    assert!(
        page.contains("2 mendaftar lewat tautan ajakan seorang Duta; 1 di antaranya disetujui.")
    );
    let (status, body) = json(
        app.get_api("/api/v1/stats/participation", Some(&coord_token))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["funnel"]["referred"], 2);
    assert_eq!(body["funnel"]["referred_approved"], 1);
    let (_, body) = json(
        app.get_api("/api/v1/me/referral", Some(&referrer_token))
            .await,
    )
    .await;
    assert_eq!(body["signed_up"], 2);
    assert_eq!(body["approved"], 1);

    let status = app
        .send_api(
            "POST",
            "/api/v1/me/withdrawal",
            Some(&referrer_token),
            &json!({ "password": PASSWORD }),
        )
        .await
        .status();
    assert_eq!(status, Status::Ok);
    let (status, _) = sign_up_with(&app, inst, unit, 16, &code).await;
    assert_eq!(status, Status::Created);
    assert_eq!(
        referral_rows(&app).await.len(),
        2,
        "a withdrawn ambassador's link counts nobody"
    );
    let (_, page) = text(app.page(&link, None).await).await;
    assert!(!page.contains("invited-by"));
}

#[rocket::async_test]
async fn a_referral_link_cannot_sign_up_more_than_the_per_address_limit() {
    let app = TestApp::spawn_with(&[("signup_max_per_ip", json!(3))]).await;
    let inst = app.institution("Kementerian Batas").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let (referrer, _) = app.candidate(inst, unit, 1).await;
    approve(&app, referrer).await;
    let code = app.nip_key().link_code("referral", referrer);
    let mut statuses = Vec::new();
    for n in 2..8 {
        statuses.push(sign_up_with(&app, inst, unit, n, &code).await.0);
    }
    assert_eq!(
        statuses,
        [
            Status::Created,
            Status::Created,
            Status::TooManyRequests,
            Status::TooManyRequests,
            Status::TooManyRequests,
            Status::TooManyRequests
        ]
    );
    assert_eq!(referral_rows(&app).await.len(), 2);
}
