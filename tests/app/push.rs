//! Web Push for urgent briefs, against a push service on 127.0.0.1 that checks each
//! request's VAPID signature and decrypts its body with `http_ece` (an implementation
//! independent of Duta's): subscriptions are checked (keys, a configured service, no
//! private address configuration does not name), an urgent brief reaches every
//! subscribed browser of its audience at once, an ended subscription (410) is dropped,
//! and a push service that hangs or is busy holds up nobody else.

use std::io::BufRead;
use std::time::{Duration, Instant};

use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::support::{approve, json, TestApp};

/// The fake push service (`tests/push/fake_push.py`), stopped when dropped.
pub struct FakePush {
    child: std::process::Child,
    pub port: u16,
    pub subscriptions: Value,
}

impl FakePush {
    pub fn start(names: &[&str]) -> FakePush {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/push/fake_push.py");
        let mut child = std::process::Command::new("python3")
            .arg(script)
            .args(names)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs tests/push/fake_push.py (pip install http_ece)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the fake push service says where it listens");
        let started: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("fake push service did not start ({e}): {line:?}"));
        FakePush {
            child,
            port: started["port"].as_u64().unwrap() as u16,
            subscriptions: started["subscriptions"].clone(),
        }
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The browser subscription `name`, as `PushSubscription.toJSON()` gives it.
    pub fn subscription(&self, name: &str) -> Value {
        self.subscriptions[name].clone()
    }

    pub async fn log(&self) -> Vec<Value> {
        let url = format!("{}/log", self.origin());
        reqwest::get(url)
            .await
            .expect("the fake push service answers")
            .json()
            .await
            .expect("its log")
    }

    /// The log once it holds `n` entries (or after 20 s, as it is).
    pub async fn wait_for(&self, n: usize) -> Vec<Value> {
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let log = self.log().await;
            if log.len() >= n || Instant::now() > until {
                return log;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for FakePush {
    fn drop(&mut self) {
        // Already gone is as good as stopped.
        if self.child.kill().is_ok() {
            self.child.wait().ok();
        }
    }
}

pub fn push_config(fake: &FakePush) -> Value {
    json!({
        "enabled": true,
        "services": [fake.origin()],
        "private_addresses": ["127.0.0.1"],
        "timeout_secs": 2,
        "subject": "mailto:humas@klarifikasi.go.id",
    })
}

async fn subscribe(app: &TestApp, token: &str, sub: &Value) -> (Status, Value) {
    json(
        app.send_api("POST", "/api/v1/push/subscriptions", Some(token), sub)
            .await,
    )
    .await
}

#[rocket::async_test]
async fn subscriptions_are_checked_before_duta_sends_anything_anywhere() {
    let fake = FakePush::start(&["a"]);
    let app = TestApp::spawn_with(&[("push", push_config(&fake))]).await;
    let inst = app.institution("Kementerian Dorong").await;
    let user = app
        .user("ambassador", "duta@dorong.go.id", Some(inst), None)
        .await;
    let token = app.token(user).await;
    let good = fake.subscription("a");
    let (status, key) = json(app.get_api("/api/v1/push/key", Some(&token)).await).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(key["public_key"].as_str().unwrap().len(), 87, "{key}");

    let with = |endpoint: &str| {
        let mut s = good.clone();
        s["endpoint"] = json!(endpoint);
        s
    };
    let port = fake.port;
    for (sub, field) in [
        // Not a push service Duta is configured for.
        (with("https://push.evil.example/abc"), "endpoint"),
        (with(&format!("http://127.0.0.2:{port}/push/a")), "endpoint"),
        (with(&format!("http://localhost:{port}/push/a")), "endpoint"),
        (
            with(&format!("https://127.0.0.1:{port}/push/a")),
            "endpoint",
        ),
        (with("javascript:alert(1)"), "endpoint"),
        (
            with(&format!("http://127.0.0.1:{port}/{}", "x".repeat(1000))),
            "endpoint",
        ),
    ] {
        let (status, body) = subscribe(&app, &token, &sub).await;
        assert_eq!(status, Status::UnprocessableEntity, "{sub}: {body}");
        assert!(body["fields"][field].is_array(), "{body}");
    }
    let mut bad_key = good.clone();
    bad_key["keys"]["p256dh"] = json!("B".repeat(87));
    let mut bad_auth = good.clone();
    bad_auth["keys"]["auth"] = json!("AAAA");
    for (sub, field) in [(bad_key, "keys.p256dh"), (bad_auth, "keys.auth")] {
        let (status, body) = subscribe(&app, &token, &sub).await;
        assert_eq!(status, Status::UnprocessableEntity, "{body}");
        assert!(body["fields"][field].is_array(), "{body}");
    }
    assert_eq!(app.count("push_subscriptions").await, 0);

    // A listed service whose name resolves to a private address configuration does not
    // name is refused too: Duta is not a forwarder into the office network.
    let named = TestApp::spawn_with(&[(
        "push",
        json!({"enabled": true, "services": [format!("http://localhost:{port}")]}),
    )])
    .await;
    let inst = named.institution("Kementerian Nama").await;
    let other = named
        .user("ambassador", "duta@nama.go.id", Some(inst), None)
        .await;
    let (status, body) = subscribe(
        &named,
        &named.token(other).await,
        &with(&format!("http://localhost:{port}/push/a")),
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert!(body["fields"]["endpoint"][0]
        .as_str()
        .unwrap()
        .contains("tidak diizinkan"));

    // The right one is kept; again is the same row; unsubscribing removes it.
    let (status, saved) = subscribe(&app, &token, &good).await;
    assert_eq!(status, Status::Created, "{saved}");
    let (status, _) = subscribe(&app, &token, &good).await;
    assert_eq!(status, Status::Created);
    assert_eq!(app.count("push_subscriptions").await, 1);
    let resp = app
        .send_api(
            "DELETE",
            "/api/v1/push/subscriptions",
            Some(&token),
            &json!({"endpoint": good["endpoint"]}),
        )
        .await;
    assert_eq!(resp.status(), Status::NoContent);
    assert_eq!(app.count("push_subscriptions").await, 0);
}

#[rocket::async_test]
async fn an_urgent_brief_is_pushed_at_once_to_every_subscribed_browser_of_its_audience() {
    let fake = FakePush::start(&["a", "b", "gone", "hang", "busy", "outsider"]);
    let app = TestApp::spawn_with(&[("push", push_config(&fake))]).await;
    let inst = app.institution("Kementerian Klarifikasi").await;
    let other = app.institution("Kementerian Lain").await;
    let unit = app.work_unit(inst, None, "Biro Humas").await;
    let other_unit = app.work_unit(other, None, "Biro Lain").await;
    let coordinator = app
        .user(
            "coordinator",
            "koordinator@klarifikasi.go.id",
            Some(inst),
            None,
        )
        .await;
    let coordinator = app.token(coordinator).await;
    let mut people = Vec::new();
    for n in 1..=3 {
        let (amb, user) = app.candidate(inst, unit, n).await;
        approve(&app, amb).await;
        people.push(app.token(user).await);
    }
    let (outsider_amb, outsider) = app.candidate(other, other_unit, 9).await;
    approve(&app, outsider_amb).await;
    let outsider = app.token(outsider).await;
    // Person 1 on two browsers; person 2 on three that fail in their own ways; person 3
    // on none; someone of another institution on one.
    for (token, names) in [
        (&people[0], vec!["a", "b"]),
        (&people[1], vec!["gone", "hang", "busy"]),
        (&outsider, vec!["outsider"]),
    ] {
        for name in names {
            let (status, body) = subscribe(&app, token, &fake.subscription(name)).await;
            assert_eq!(status, Status::Created, "{name}: {body}");
        }
    }

    // A normal brief is not pushed.
    crate::briefs::published(&app, &coordinator, &[], &[]).await;
    assert_eq!(app.count("push_deliveries").await, 0);

    let mut body = crate::briefs::brief_body("Klarifikasi banjir rob", &[], &[]);
    body["priority"] = json!("urgent");
    body["key_messages"] = json!("Tanggul tidak jebol.\nFoto yang beredar dari 2019.");
    body["deadline"] = json!((chrono::Utc::now() + chrono::Duration::hours(6)).to_rfc3339());
    let (status, brief) = json(
        app.send_api("POST", "/api/v1/briefs", Some(&coordinator), &body)
            .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{brief}");
    let brief_id = brief["id"].as_i64().unwrap();
    // Queued before the answer: one per browser of the audience, none for the outsider.
    assert_eq!(app.count("push_deliveries").await, 5);

    let log = fake.wait_for(2).await;
    let delivered: Vec<&Value> = log.iter().filter(|e| e["problem"].is_null()).collect();
    let mut names: Vec<&str> = delivered
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["a", "b"], "{log:?}");
    for e in &delivered {
        assert_eq!(e["encoding"], "aes128gcm");
        assert_eq!(e["urgency"], "high");
        let ttl: i64 = e["ttl"].as_str().unwrap().parse().unwrap();
        assert!(
            (21_000..=21_600).contains(&ttl),
            "until the deadline: {ttl}"
        );
        let m = &e["message"];
        assert_eq!(m["brief_id"], brief_id);
        assert_eq!(m["title"], "Mendesak: Klarifikasi banjir rob");
        assert_eq!(m["body"], "Tanggul tidak jebol.");
        assert_eq!(m["url"], format!("/briefs/{brief_id}"));
    }
    // The ended subscription is dropped at once; the hanging and the busy services wait
    // for another try, and held up neither browser of person 1.
    let until = Instant::now() + Duration::from_secs(15);
    let state_of = |name: &str| {
        let endpoint = fake.subscription(name)["endpoint"]
            .as_str()
            .unwrap()
            .to_string();
        let db = app.db.clone();
        async move {
            let sub = entity::push_subscriptions::Entity::find()
                .filter(entity::push_subscriptions::Column::Endpoint.eq(endpoint))
                .one(&db)
                .await
                .unwrap();
            match sub {
                None => "unsubscribed".to_string(),
                Some(s) => entity::push_deliveries::Entity::find()
                    .filter(entity::push_deliveries::Column::SubscriptionId.eq(s.id))
                    .one(&db)
                    .await
                    .unwrap()
                    .map(|d| d.state)
                    .unwrap_or_default(),
            }
        }
    };
    loop {
        let states = (
            state_of("gone").await,
            state_of("hang").await,
            state_of("busy").await,
        );
        if states == ("unsubscribed".into(), "queued".into(), "queued".into()) {
            break;
        }
        assert!(Instant::now() < until, "states: {states:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(state_of("a").await, "sent");
    let sent = entity::push_deliveries::Entity::find()
        .filter(entity::push_deliveries::Column::BriefId.eq(brief_id))
        .filter(entity::push_deliveries::Column::State.eq("sent"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(sent, 2);
    // Nothing reached the outsider's browser.
    assert!(fake.log().await.iter().all(|e| e["name"] != "outsider"));
}

#[rocket::async_test]
async fn the_app_installs_and_a_page_subscribes_this_browser() {
    let fake = FakePush::start(&["phone"]);
    let app = TestApp::spawn_with(&[("push", push_config(&fake))]).await;
    // The service worker (at the root, so it covers every page), the manifest and the
    // offline page are anyone's.
    let resp = app.client.get("/sw.js").dispatch().await;
    assert_eq!(resp.status(), Status::Ok);
    assert_eq!(
        resp.content_type().map(|c| c.to_string()),
        Some("text/javascript".to_string())
    );
    assert_eq!(resp.headers().get_one("Cache-Control"), Some("no-cache"));
    let sw = resp.into_string().await.unwrap();
    for part in [
        "showNotification",
        "notificationclick",
        "indexedDB",
        "'/offline'",
    ] {
        assert!(sw.contains(part), "{part}");
    }
    let (status, manifest) = json(app.client.get("/assets/manifest.json").dispatch().await).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(manifest["start_url"], "/");
    assert_eq!(manifest["display"], "standalone");
    let (status, offline) = crate::support::text(app.client.get("/offline").dispatch().await).await;
    assert_eq!(status, Status::Ok);
    assert!(offline.contains("Anda sedang offline") && offline.contains(r#"data-queued="0""#));

    let inst = app.institution("Kementerian Ponsel").await;
    let user = app
        .user("ambassador", "duta@ponsel.go.id", Some(inst), None)
        .await;
    let token = app.token(user).await;
    let (_, page) = crate::support::text(app.page("/notifications", Some(&token)).await).await;
    assert!(page.contains(r#"rel="manifest""#) && page.contains("/assets/js/app.js"));
    assert!(page.contains("data-push-subscribe"), "{page}");
    // The page's script: the key, then the browser's subscription with the CSRF token.
    let (status, key) = json(app.page("/push/key", Some(&token)).await).await;
    assert_eq!(status, Status::Ok);
    let (_, api_key) = json(app.get_api("/api/v1/push/key", Some(&token)).await).await;
    assert_eq!(key, api_key);
    let sub = fake.subscription("phone");
    let fields = |endpoint: &str| {
        vec![
            ("endpoint", endpoint.to_string()),
            (
                "p256dh",
                sub["keys"]["p256dh"].as_str().unwrap().to_string(),
            ),
            ("auth", sub["keys"]["auth"].as_str().unwrap().to_string()),
        ]
    };
    let good = fields(sub["endpoint"].as_str().unwrap());
    let send = |path: &'static str, f: Vec<(&'static str, String)>| {
        let token = token.clone();
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.form(path, Some(&token), &pairs).await.status()
        }
    };
    assert_eq!(
        send("/push/subscriptions", fields("http://10.0.0.8/push/x")).await,
        Status::UnprocessableEntity
    );
    assert_eq!(
        send("/push/subscriptions", good.clone()).await,
        Status::NoContent
    );
    assert_eq!(app.count("push_subscriptions").await, 1);
    assert_eq!(
        send("/push/unsubscribe", good.clone()).await,
        Status::NoContent
    );
    assert_eq!(app.count("push_subscriptions").await, 0);
}
