//! Stored files in an S3-compatible store (`storage.s3`): any node serves a file whichever
//! node stored it, and a store that stops answers uploads with 503 and a message in the
//! user's language while nothing half-written stays in the database and pages still load.
//! The tests that need a running store use the one at `DUTA_TEST_S3_URL` (SeaweedFS in
//! CI, see `tests/s3/run-store.sh`) and skip without it; a store that is down needs none.

use rocket::http::{Header, Status};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json as j, Value};

use crate::ambassadors::png;
use crate::support::{json, test_s3_storage, text, Relay, TestApp, PASSWORD};

/// `storage` pointing at `endpoint` with the test store's bucket, keys and a fresh prefix.
fn storage_at(endpoint: &str) -> Value {
    let mut s = test_s3_storage().unwrap_or_else(
        || j!({ "s3": { "bucket": "duta", "access_key_id": "k", "secret_access_key": "s" } }),
    );
    s["s3"]["endpoint"] = Value::from(endpoint);
    s
}

/// A candidate of a new institution, with their sign-in token.
async fn candidate(app: &TestApp) -> (i64, String, i64) {
    let inst = app.institution("Dinas Kominfo").await;
    let unit = app.work_unit(inst, None, "Bidang IKP").await;
    let (amb, user_id) = app.candidate(inst, unit, 1).await;
    (amb, app.token(user_id).await, inst)
}

#[rocket::async_test]
async fn a_node_serves_the_files_another_node_stored_until_the_store_stops() {
    let Some(real) = test_s3_storage() else {
        return;
    };
    let target = real["s3"]["endpoint"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://")
        .to_string();
    let relay = Relay::to(target).await;
    let storage = storage_at(&format!("http://127.0.0.1:{}", relay.port));
    let a = TestApp::spawn_with(&[("storage", storage)]).await;
    let b = a.another_machine().await;
    assert_ne!(a.data_dir, b.data_dir);

    let (amb, token, inst) = candidate(&a).await;
    let (s, view) = json(
        a.upload(
            "/api/v1/me/platforms/x/screenshot",
            &token,
            "profil.png",
            &png(400, 300),
            Some("1.300"),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::Ok, "{view}");
    let media_id = view["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["platform"] == "x")
        .unwrap()["screenshot_id"]
        .as_i64()
        .unwrap();
    // Nothing in either node's folder: the files are in the bucket.
    assert!(!a.data_dir.join("uploads").read_dir().unwrap().any(|_| true));
    let from_a = a.page(&format!("/media/{media_id}"), Some(&token)).await;
    assert_eq!(from_a.status(), Status::Ok);
    let from_a = from_a.into_bytes().await.unwrap();
    let from_b = b.page(&format!("/media/{media_id}"), Some(&token)).await;
    assert_eq!(from_b.status(), Status::Ok);
    assert_eq!(from_b.into_bytes().await.unwrap(), from_a);
    let thumb = b
        .page(&format!("/media/{media_id}/thumb"), Some(&token))
        .await;
    assert_eq!(thumb.status(), Status::Ok);

    // The store stops. Uploads answer 503 in the user's language; nothing is recorded.
    relay.cut();
    let media_before = a.count("media").await;
    let resp = b
        .client
        .post("/api/v1/me/platforms/facebook/screenshot")
        .header(Header::new("Accept-Language", "en"))
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .header(multipart_type())
        .body(multipart_body(&png(300, 200)))
        .dispatch()
        .await;
    assert_eq!(resp.status(), Status::ServiceUnavailable);
    assert!(resp.headers().get_one("Retry-After").is_some());
    let (_, err) = json(resp).await;
    assert_eq!(err["error"], "unavailable", "{err}");
    assert_eq!(a.count("media").await, media_before);

    // Pages that show the images still load; the images themselves say 503.
    let koor = a
        .user("coordinator", "koor@duta.test", Some(inst), None)
        .await;
    let koor = a.token(koor).await;
    let (s, page) = text(
        b.page(&format!("/vetting/candidates/{amb}"), Some(&koor))
            .await,
    )
    .await;
    assert_eq!(s, Status::Ok);
    assert!(page.contains(&format!("/media/{media_id}/thumb")), "{page}");
    let image = b
        .page(&format!("/media/{media_id}/thumb"), Some(&koor))
        .await;
    assert_eq!(image.status(), Status::ServiceUnavailable);
}

fn multipart_type() -> rocket::http::ContentType {
    rocket::http::ContentType::new("multipart", "form-data").with_params(("boundary", "relay-b"))
}

fn multipart_body(file: &[u8]) -> Vec<u8> {
    let mut body = b"--relay-b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n".to_vec();
    body.extend_from_slice(file);
    body.extend_from_slice(b"\r\n--relay-b--\r\n");
    body
}

/// A store nobody answers at, from the start: a sign-up with screenshots is refused as a
/// whole (no account, no ambassador, no image), in Indonesian, and so are later uploads;
/// the node starts and serves everything else.
#[rocket::async_test]
async fn with_the_store_down_uploads_answer_503_and_nothing_is_half_written() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app =
        TestApp::spawn_with(&[("storage", storage_at(&format!("http://127.0.0.1:{port}")))]).await;
    let inst = app.institution("Dinas Kominfo").await;
    let unit = app.work_unit(inst, None, "Bidang IKP").await;
    let (s, _) = text(app.page("/signup", None).await).await;
    assert_eq!(s, Status::Ok, "pages load without the store");

    let fields = crate::pages_ambassadors::signup_fields(&inst.to_string(), &unit.to_string());
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let good = png(300, 200);
    let resp = app
        .page_multipart(
            "/signup",
            None,
            &pairs,
            &[
                ("platforms[0].screenshot", "fb.png", &good),
                ("platforms[1].screenshot", "x.png", &good),
                ("platforms[2].screenshot", "ig.png", &good),
            ],
        )
        .await;
    assert_eq!(resp.status(), Status::ServiceUnavailable);
    let (_, page) = text(resp).await;
    assert!(
        page.contains("Penyimpanan berkas tidak tersedia") && page.contains("tombol Kembali"),
        "{page}"
    );
    assert_eq!(
        (
            app.count("users").await,
            app.count("ambassadors").await,
            app.count("media").await
        ),
        (0, 0, 0)
    );
    assert!(!page.contains(PASSWORD));

    // Signed up without screenshots, an upload later is refused the same way, in JSON.
    let (_, user_id) = app.candidate(inst, unit, 2).await;
    let token = app.token(user_id).await;
    let (s, err) = json(
        app.upload(
            "/api/v1/me/platforms/x/screenshot",
            &token,
            "p.png",
            &good,
            Some("1.300"),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::ServiceUnavailable);
    assert_eq!(err["error"], "unavailable");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("tidak ada yang disimpan"),
        "{err}"
    );
    assert_eq!(app.count("media").await, 0);
    // The follower count sent with the refused screenshot is not kept either.
    let kept = entity::ambassador_platforms::Entity::find()
        .filter(entity::ambassador_platforms::Column::FollowerCount.eq(1300))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(kept, 0);
}
