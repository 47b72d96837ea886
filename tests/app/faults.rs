//! A full disk: the database and the uploads live on a small volume that fills up. Writes
//! are refused with 503 and `Retry-After` and a message saying nothing was stored; every
//! write acknowledged before stays, nothing is half-written, the database passes its
//! integrity check, and writes succeed again once space returns.

use rocket::http::Status;
use serde_json::Value;

use crate::briefs::brief_body;
use crate::support::{json, text, TestApp};

/// A tmpfs of `megabytes` mounted on a fresh folder for one test; unmounted on drop.
struct Volume {
    dir: tempfile::TempDir,
}

impl Volume {
    /// `None` when this process may not mount (not root, or no tmpfs): the test then
    /// says so and stops, except under CI, where the machine can and it must run.
    fn mount(megabytes: u32) -> Option<Volume> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI must be able to mount a tmpfs for the disk-full test"
            );
            eprintln!(
                "faults: cannot mount a tmpfs here (not root?); the disk-full test did not run"
            );
            return None;
        }
        Some(Volume { dir })
    }

    fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    fn free_bytes(&self) -> u64 {
        let out = std::process::Command::new("df")
            .args(["--output=avail", "-B1"])
            .arg(self.path())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .nth(1)
            .and_then(|l| l.trim().parse().ok())
            .unwrap()
    }
}

impl Drop for Volume {
    fn drop(&mut self) {
        let unmounted = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
        if !unmounted.is_ok_and(|s| s.success()) {
            eprintln!("faults: could not unmount {}", self.dir.path().display());
        }
    }
}

/// A picture that does not compress well, so each upload takes real space.
fn noisy_png(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    let img = image::RgbImage::from_fn(width, height, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let [a, b, c, _] = state.to_le_bytes();
        image::Rgb([a, b, c])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The names of the files under `dir`, in all its subfolders.
fn stored_files(dir: &std::path::Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            names.extend(stored_files(&entry.path()));
        } else {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names
}

fn is_storage_full(status: Status, body: &Value) -> bool {
    status == Status::ServiceUnavailable && body["error"] == "unavailable"
}

#[rocket::async_test]
async fn a_full_disk_refuses_writes_with_503_keeps_what_was_stored_and_recovers() {
    let Some(volume) = Volume::mount(24) else {
        return;
    };
    let app = TestApp::spawn_on(volume.path()).await;
    let sqlite = !app
        .db
        .get_database_backend()
        .eq(&sea_orm::DbBackend::Postgres);
    let inst = app.institution("Kementerian Penuh").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let coordinator = app
        .user("coordinator", "koordinator@penuh.test", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    // A candidate still completing their application uploads screenshots.
    let (_, user) = app.candidate(inst, unit, 1).await;
    let candidate = app.token(user).await;

    // Leave a little room, then write until the disk is full: briefs (rows) and
    // screenshots (files and rows) in turn.
    let filler = volume.path().join("filler");
    let room = 1_500_000u64;
    let fill = volume.free_bytes().saturating_sub(room);
    std::fs::write(&filler, vec![7u8; fill as usize]).unwrap();
    let mut briefs_stored = Vec::new();
    let mut uploads_stored = 0;
    let mut refusals: Vec<(Status, Value, Option<String>)> = Vec::new();
    let mut briefs_refused = 0;
    for n in 0..400u32 {
        let mut body = brief_body(&format!("Brief penuh {n}"), &[unit], &[]);
        body["key_messages"] = Value::String("Pesan kunci yang panjang. ".repeat(150));
        let resp = app
            .send_api("POST", "/api/v1/briefs", Some(&coordinator), &body)
            .await;
        let retry = resp.headers().get_one("Retry-After").map(str::to_string);
        let (s, b) = json(resp).await;
        match s {
            Status::Created => briefs_stored.push(b["id"].as_i64().unwrap()),
            _ => {
                briefs_refused += 1;
                refusals.push((s, b, retry))
            }
        }
        let resp = app
            .upload(
                "/api/v1/me/platforms/x/screenshot",
                &candidate,
                "profil.png",
                &noisy_png(360, 240, n + 1),
                Some("1.300"),
            )
            .await;
        let retry = resp.headers().get_one("Retry-After").map(str::to_string);
        let (s, b) = json(resp).await;
        match s {
            Status::Ok => uploads_stored += 1,
            _ => refusals.push((s, b, retry)),
        }
        // Full for files and, on SQLite (whose database is on this volume), for rows:
        // the last pages of the database file may still take a few briefs after a
        // screenshot no longer fits.
        if refusals.len() >= 6 && (briefs_refused >= 1 || !sqlite) {
            break;
        }
    }
    assert!(
        refusals.len() >= 6,
        "the volume never filled: {} briefs, {uploads_stored} uploads",
        briefs_stored.len()
    );
    for (s, b, retry) in &refusals {
        assert!(is_storage_full(*s, b), "{s}: {b}");
        assert!(
            b["message"].as_str().unwrap().contains("penuh"),
            "said in Indonesian: {b}"
        );
        assert_eq!(retry.as_deref(), Some("60"));
    }
    assert!(
        uploads_stored >= 1,
        "some uploads fit before the disk filled"
    );

    // Everything acknowledged is there, nothing refused was half-written.
    let stored: Vec<i64> = {
        use sea_orm::EntityTrait;
        entity::briefs::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|b| b.id)
            .collect()
    };
    assert_eq!(
        stored, briefs_stored,
        "the stored briefs are the acknowledged ones"
    );
    let media_rows = app.count("media").await;
    let files: Vec<String> = stored_files(&volume.path().join("uploads"))
        .into_iter()
        .filter(|name| !name.contains(".thumb."))
        .collect();
    assert_eq!(
        files.len() as i64,
        media_rows,
        "one stored file per media row, no leftovers of refused uploads: {files:?}"
    );
    if sqlite {
        let file = volume.path().join("test.db");
        duta::backup::integrity_check(&file)
            .await
            .expect("the database is whole");
    }

    // A page's form gets the same refusal as a page in the user's language (on SQLite,
    // where the brief itself no longer fits).
    if sqlite {
        let deadline = (chrono::Utc::now() + chrono::Duration::days(2))
            .with_timezone(&chrono_tz::Asia::Jakarta)
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let week = crate::briefs::week_now();
        let long = "Pesan kunci yang panjang. ".repeat(150);
        let mut refused_pages = 0;
        for n in 0..5 {
            let title = format!("Brief lewat halaman {n}");
            let fields = [
                ("title", title.as_str()),
                ("week", week.as_str()),
                ("category", "edukasi"),
                ("key_messages", long.as_str()),
                ("platforms", "x"),
                ("deadline", deadline.as_str()),
                ("priority", "normal"),
                ("status", "published"),
            ];
            let (s, html) = text(app.form("/briefs", Some(&coordinator), &fields).await).await;
            match s {
                Status::SeeOther => {}
                Status::ServiceUnavailable => {
                    assert!(html.contains("Penyimpanan penuh"), "{html}");
                    refused_pages += 1;
                }
                other => panic!("a page write while the disk is full answered {other}"),
            }
        }
        assert!(refused_pages >= 1, "the disk was full for the pages too");
    }

    // Space returns: the same writes succeed.
    std::fs::remove_file(&filler).unwrap();
    // Every pooled connection is used again: none may still hold the refused transaction.
    for i in 0..20 {
        let (s, b) = json(
            app.send_api(
                "POST",
                "/api/v1/briefs",
                Some(&coordinator),
                &brief_body(&format!("Brief setelah ruang kembali {i}"), &[unit], &[]),
            )
            .await,
        )
        .await;
        assert_eq!(s, Status::Created, "write {i} after space returned: {b}");
    }
    let resp = app
        .upload(
            "/api/v1/me/platforms/x/screenshot",
            &candidate,
            "profil.png",
            &noisy_png(360, 240, 9_999),
            Some("1.300"),
        )
        .await;
    assert_eq!(resp.status(), Status::Ok);
}

/// PostgreSQL goes away (every connection cut, new ones refused) and comes back: meanwhile
/// `/healthz` says 503 within two seconds, a signed-in user is told the service is
/// unavailable (503) rather than treated as signed out, a write answers 503 and stores
/// nothing, and no request waits longer than the pool's acquire timeout and a little; once
/// the server is back, the node answers again by itself. PostgreSQL only (a SQLite file
/// does not go away).
#[rocket::async_test]
async fn a_database_that_goes_away_is_reported_and_reconnected_by_itself() {
    let first = TestApp::spawn().await;
    let Some(rest) = first.url.strip_prefix("postgres://") else {
        return;
    };
    // postgres://user@host:port/name → the same through a relay.
    let (userinfo_host, name) = rest.split_once('/').unwrap();
    let (user, host) = userinfo_host.split_once('@').unwrap();
    let mut relay = crate::support::Relay::to(host.to_string()).await;
    let app = first
        .node_at(format!("postgres://{user}@127.0.0.1:{}/{name}", relay.port))
        .await;
    let admin = app.user("admin", "admin@duta.test", None, None).await;
    let token = app.token(admin).await;
    assert_eq!(
        app.get_api("/api/v1/me", Some(&token)).await.status(),
        Status::Ok
    );

    relay.cut();
    let started = std::time::Instant::now();
    let health = app.client.get("/healthz").dispatch().await;
    assert_eq!(health.status(), Status::ServiceUnavailable);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    for _ in 0..2 {
        let started = std::time::Instant::now();
        let (s, body) = json(app.get_api("/api/v1/me", Some(&token)).await).await;
        assert_eq!(s, Status::ServiceUnavailable, "not signed out: {body}");
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        let page = app.page("/", Some(&token)).await;
        assert_eq!(page.status(), Status::ServiceUnavailable);
        let (_, html) = text(page).await;
        assert!(html.contains("Layanan sedang tidak tersedia"), "{html}");
        assert!(!html.contains("action=\"/login\""), "not sent to sign in");
    }
    let (s, err) = json(
        app.send_api(
            "POST",
            "/api/v1/auth/login",
            None,
            &serde_json::json!({ "email": "admin@duta.test", "password": crate::support::PASSWORD }),
        )
        .await,
    )
    .await;
    assert_eq!(s, Status::ServiceUnavailable, "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("tidak ada yang disimpan"),
        "{err}"
    );

    relay.resume().await;
    let mut back = false;
    for _ in 0..50 {
        if app.client.get("/healthz").dispatch().await.status() == Status::Ok {
            back = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(back, "the node reconnects by itself");
    assert_eq!(
        app.get_api("/api/v1/me", Some(&token)).await.status(),
        Status::Ok
    );
}
