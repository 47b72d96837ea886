//! The candidate's and the coordinator's pages, as a browser would use them.

use rocket::http::Status;

use crate::ambassadors::png;
use crate::support::{text, TestApp, PASSWORD};

pub fn signup_fields(inst: &str, unit: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", "Dewi Lestari".into()),
        ("display_name", "Dewi L.".into()),
        ("employee_type", "pns".into()),
        ("nip", "19860926 201505 2 001".into()),
        ("email", "dewi@instansi.go.id".into()),
        ("phone", "0812 1111 2222".into()),
        ("institution_id", inst.into()),
        ("work_unit_id", unit.into()),
        ("password", PASSWORD.into()),
        ("consent", "true".into()),
        ("platforms[0].platform", "facebook".into()),
        ("platforms[0].handle", "dewi.lestari.88".into()),
        ("platforms[0].method", "screenshot".into()),
        ("platforms[0].count", "812".into()),
        ("platforms[1].platform", "x".into()),
        ("platforms[1].handle", "@dewi_l".into()),
        ("platforms[1].method", "screenshot".into()),
        ("platforms[1].count", "1.250".into()),
        ("platforms[2].platform", "instagram".into()),
        ("platforms[2].handle", "dewi.l".into()),
        ("platforms[2].method", "screenshot".into()),
        ("platforms[2].count", "640".into()),
    ]
}

#[rocket::async_test]
async fn signup_page_keeps_values_refuses_a_fake_screenshot_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Sosial").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let (s, page) = text(app.page("/signup", None).await).await;
    assert_eq!(s, Status::Ok);
    assert!(page.contains("Daftar sebagai Duta ASN") && page.contains("Biro Humas"));
    let fields = signup_fields(&inst.to_string(), &unit.to_string());
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let good = png(300, 200);
    let fake: &[u8] = b"GIF? no, a text file";
    let resp = app
        .page_multipart(
            "/signup",
            None,
            &pairs,
            &[
                ("platforms[0].screenshot", "fb.png", &good),
                ("platforms[1].screenshot", "x.png", fake),
                ("platforms[2].screenshot", "ig.png", &good),
            ],
        )
        .await;
    let (s, page) = text(resp).await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert!(
        page.contains("Berkas ini bukan gambar"),
        "the error sits by the X screenshot field"
    );
    assert!(
        page.contains("value=\"Dewi Lestari\"") && page.contains("value=\"@dewi_l\""),
        "typed values kept"
    );
    assert!(!page.contains(PASSWORD));
    assert_eq!(app.count("users").await, 0);
    assert_eq!(app.count("media").await, 0);
}

#[rocket::async_test]
async fn a_candidate_signs_up_on_the_page_and_a_coordinator_approves_on_the_page() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Sosial").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let fields = signup_fields(&inst.to_string(), &unit.to_string());
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
    if resp.status() != Status::SeeOther {
        let body = resp.into_string().await.unwrap_or_default();
        let errors: Vec<&str> = body
            .lines()
            .filter(|l| l.contains("field-error") || l.contains("flash-error"))
            .collect();
        panic!("sign-up refused: {errors:#?}");
    }
    assert_eq!(resp.headers().get_one("Location"), Some("/me/status"));
    let session = resp
        .headers()
        .get("Set-Cookie")
        .find_map(|c| {
            c.strip_prefix("duta_session=")
                .map(|v| v.split(';').next().unwrap_or("").to_string())
        })
        .expect("signed in after sign-up");
    assert_eq!(app.count("media").await, 3);
    let (_, status) = text(app.follow(resp, Some(&session)).await).await;
    assert!(
        status.contains("Pendaftaran terkirim") && status.contains("Menunggu"),
        "{status}"
    );

    let koor = app
        .user("coordinator", "koor@duta.test", Some(inst), None)
        .await;
    let kt = app.token(koor).await;
    let (_, queue) = text(app.page("/vetting", Some(&kt)).await).await;
    assert!(queue.contains("Dewi Lestari"));
    let amb: i64 = queue
        .split("/vetting/candidates/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (_, candidate) = text(
        app.page(&format!("/vetting/candidates/{amb}"), Some(&kt))
            .await,
    )
    .await;
    assert!(candidate.contains("198609262015052001") && candidate.contains("perempuan"));
    assert!(candidate.contains("/thumb\""), "screenshots shown");
    let resp = app
        .form(
            &format!("/vetting/candidates/{amb}/approve"),
            Some(&kt),
            &[("member_since", "")],
        )
        .await;
    assert_eq!(
        resp.status(),
        Status::UnprocessableEntity,
        "counts not reviewed yet"
    );
    for platform in ["facebook", "x", "instagram"] {
        let resp = app
            .form(
                &format!("/vetting/candidates/{amb}/followers"),
                Some(&kt),
                &[("platform", platform), ("count", "1.000")],
            )
            .await;
        assert_eq!(resp.status(), Status::SeeOther, "{platform}");
    }
    let resp = app
        .form(
            &format!("/vetting/candidates/{amb}/approve"),
            Some(&kt),
            &[("member_since", "2030-01-01")],
        )
        .await;
    assert_eq!(resp.status(), Status::UnprocessableEntity);
    assert!(text(resp)
        .await
        .1
        .contains("Tanggal bergabung tidak boleh di masa depan."));
    let resp = app
        .form(
            &format!("/vetting/candidates/{amb}/approve"),
            Some(&kt),
            &[("member_since", "")],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    let (_, status) = text(app.page("/me/status", Some(&session)).await).await;
    assert!(status.contains("Disetujui") && status.contains("Selamat, Anda adalah Duta ASN."));
}

#[rocket::async_test]
async fn the_import_page_reports_refused_rows_in_place() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Sosial").await;
    app.work_unit(inst, None, "Biro Humas").await;
    let koor = app
        .user("coordinator", "koor@duta.test", Some(inst), None)
        .await;
    let kt = app.token(koor).await;
    let (s, page) = text(app.page("/vetting/import", Some(&kt)).await).await;
    assert_eq!(s, Status::Ok);
    assert!(page.contains("Impor daftar duta"));
    let csv = b"name,nip,type,email,phone,work_unit,facebook,facebook_followers,x,x_followers,instagram,instagram_followers\n\
        Ani,198602312015052001,pns,ani@kemensos.go.id,081211112222,Biro Humas,ani.suryani,812,ani_s,1250,ani.s,640\n";
    let csv: &[u8] = csv;
    let (s, page) = text(
        app.page_multipart_with(&kt, "/vetting/import", &[], &[("file", "roster.csv", csv)])
            .await,
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert!(
        page.contains("Tidak ada yang diimpor") && page.contains("<code>nip</code>"),
        "{page}"
    );
    assert_eq!(app.count("ambassadors").await, 0);
}

/// An address that made `signup_max_per_ip` accounts in the hour is refused the next, on
/// the API (429 with `Retry-After`) and on the page (the message, and what was typed kept);
/// refused sign-ups do not count, and nothing is stored.
#[rocket::async_test]
async fn sign_ups_are_limited_per_client_address() {
    let app = TestApp::spawn_with(&[("signup_max_per_ip", serde_json::json!(2))]).await;
    let inst = app.institution("Kementerian Ramai").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let mut bad = app.signup_body(inst, unit, 9);
    bad["nip"] = serde_json::json!("123");
    for _ in 0..3 {
        let status = app
            .send_api("POST", "/api/v1/signup", None, &bad)
            .await
            .status();
        assert_eq!(status, Status::UnprocessableEntity);
    }
    app.candidate(inst, unit, 1).await;
    app.candidate(inst, unit, 2).await;
    let resp = app
        .send_api(
            "POST",
            "/api/v1/signup",
            None,
            &app.signup_body(inst, unit, 3),
        )
        .await;
    assert_eq!(resp.status(), Status::TooManyRequests);
    let retry: i64 = resp
        .headers()
        .get_one("Retry-After")
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&retry), "{retry}");
    assert_eq!(app.count("ambassadors").await, 2);

    let fields = signup_fields(&inst.to_string(), &unit.to_string());
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
    let (status, page) = text(resp).await;
    assert_eq!(status, Status::TooManyRequests);
    assert!(
        page.contains("Terlalu banyak pendaftaran dari jaringan ini"),
        "{page}"
    );
    assert!(page.contains("value=\"Dewi Lestari\""), "typed values kept");
    assert_eq!(app.count("ambassadors").await, 2);
    assert_eq!(app.count("media").await, 0, "no screenshot kept");
}
