//! Test support: a Duta instance on a fresh, migrated database per test (a SQLite file
//! in a temporary folder, or a new PostgreSQL database when `DUTA_TEST_POSTGRES_URL` is
//! set), plus helpers to make users and sign them in.

use chrono::Utc;
use duta::auth::jwt::JwtKeys;
use rocket::figment::providers::Serialized;
use rocket::http::{ContentType, Cookie, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Set};
use serde_json::Value;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};

pub const SECRET: &str = "test-secret-for-duta-integration-tests-000001";
pub const KID: &str = "test-k1";
pub const ISSUER: &str = "duta-test";
pub const PASSWORD: &str = "correct horse battery staple";
/// The CSRF cookie and form token the helpers send (the real value is random per browser).
pub const CSRF: &str = "csrf-token-used-by-the-integration-tests-0001";

pub struct TestApp {
    pub client: Client,
    pub db: DatabaseConnection,
    /// The database and data folder, for a second node on the same data.
    pub(crate) url: String,
    pub data_dir: std::path::PathBuf,
    extra: Vec<(String, Value)>,
    _dir: tempfile::TempDir,
}

/// A fresh database for one test: a copy of a database the migrations made once for the
/// whole run (PostgreSQL: `CREATE DATABASE … TEMPLATE`; SQLite: a copy of the file), so
/// each test starts from exactly what `duta migrate` leaves without paying for every
/// migration again. Tests that migrate on their own make their database themselves.
pub(crate) async fn fresh_database_url(dir: &std::path::Path) -> String {
    match std::env::var("DUTA_TEST_POSTGRES_URL") {
        Ok(base) if !base.is_empty() => {
            let template = postgres_template(&base).await;
            let name = format!("duta_t_{}", uuid_like());
            let admin = sea_orm::Database::connect(&base)
                .await
                .expect("connect to DUTA_TEST_POSTGRES_URL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                .await
                .expect("create test database");
            admin.close().await.ok();
            with_database(&base, &name)
        }
        _ => {
            let file = dir.join("test.db");
            std::fs::copy(sqlite_template().await, &file).expect("copy the migrated database");
            format!("sqlite://{}?mode=rwc", file.display())
        }
    }
}

/// An empty database, never migrated (as on a new machine).
pub(crate) async fn empty_database_url(dir: &std::path::Path) -> String {
    match std::env::var("DUTA_TEST_POSTGRES_URL") {
        Ok(base) if !base.is_empty() => {
            let name = format!("duta_t_{}", uuid_like());
            let admin = sea_orm::Database::connect(&base)
                .await
                .expect("connect to DUTA_TEST_POSTGRES_URL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            admin.close().await.ok();
            with_database(&base, &name)
        }
        _ => format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
    }
}

fn with_database(base: &str, name: &str) -> String {
    let (prefix, _) = base
        .rsplit_once('/')
        .expect("postgres URL with a database name");
    format!("{prefix}/{name}")
}

/// The migrated PostgreSQL database this run's test databases are copied from (its name
/// starts with `duta_t_` like theirs, so `.ci/run` drops it with them).
async fn postgres_template(base: &str) -> &'static str {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let name = format!("duta_t_template_{}", uuid_like());
            let admin = sea_orm::Database::connect(base)
                .await
                .expect("connect to DUTA_TEST_POSTGRES_URL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create the template database");
            admin.close().await.ok();
            // One connection, closed before any copy: PostgreSQL copies a database only
            // while nobody is connected to it.
            let db = duta::db::connect_pool(&with_database(base, &name), Some(1))
                .await
                .expect("connect to the template database");
            duta::db::migrate(&db).await.expect("migrate the template");
            db.close().await.expect("close the template database");
            name
        })
        .await
}

/// The migrated SQLite file this run's test databases are copied from.
async fn sqlite_template() -> &'static std::path::Path {
    static TEMPLATE: tokio::sync::OnceCell<std::path::PathBuf> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
            let file = dir.join(format!("duta-template-{}.db", std::process::id()));
            for stale in ["", "-wal", "-shm"] {
                std::fs::remove_file(format!("{}{stale}", file.display())).ok();
            }
            let db =
                duta::db::connect_pool(&format!("sqlite://{}?mode=rwc", file.display()), Some(1))
                    .await
                    .expect("create the template database");
            duta::db::migrate(&db).await.expect("migrate the template");
            // Everything into the main file, so that copying it alone copies it all.
            db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                .await
                .expect("checkpoint the template");
            db.close().await.expect("close the template database");
            file
        })
        .await
}

/// The access key the test S3 store is started with (see `.ci/run`).
pub const S3_ACCESS_KEY: &str = "duta-test";
pub const S3_SECRET_KEY: &str = "duta-test-secret-key";

/// `storage` for a fresh folder (a random prefix) in the S3 store at `DUTA_TEST_S3_URL`
/// (`http://host:port/bucket`), when it is set.
pub fn test_s3_storage() -> Option<Value> {
    let url = std::env::var("DUTA_TEST_S3_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let (endpoint, bucket) = url
        .trim_end_matches('/')
        .rsplit_once('/')
        .expect("DUTA_TEST_S3_URL is http://host:port/bucket");
    Some(serde_json::json!({ "s3": {
        "endpoint": endpoint,
        "bucket": bucket,
        "prefix": format!("t-{}", uuid_like()),
        "access_key_id": S3_ACCESS_KEY,
        "secret_access_key": S3_SECRET_KEY,
    }}))
}

pub fn uuid_like() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..16)
        .map(|_| char::from(b'a' + rng.random_range(0..26u8)))
        .collect()
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(&[]).await
    }

    /// Starts Duta with extra configuration values, such as tighter throttling. Stored
    /// files go to a fresh folder of the S3 store at `DUTA_TEST_S3_URL` when it is set
    /// (unless `extra` says where they go).
    pub async fn spawn_with(extra: &[(&str, Value)]) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = fresh_database_url(dir.path()).await;
        let mut extra: Vec<(String, Value)> = extra
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        if let Some(s3) = test_s3_storage() {
            if !extra.iter().any(|(k, _)| k == "storage") {
                extra.push(("storage".into(), s3));
            }
        }
        let data_dir = dir.path().to_path_buf();
        Self::start(url, data_dir, extra, dir).await
    }

    /// Starts Duta with its data folder (and, on SQLite, its database) in `volume`, such as
    /// a small disk mounted for the test.
    pub async fn spawn_on(volume: &std::path::Path) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = fresh_database_url(volume).await;
        Self::start(url, volume.to_path_buf(), Vec::new(), dir).await
    }

    /// Duta on the database at `url` (which the test made), with extra configuration.
    pub async fn spawn_with_database(url: String, extra: &[(&str, Value)]) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let extra = extra
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        let data_dir = dir.path().to_path_buf();
        Self::start(url, data_dir, extra, dir).await
    }

    /// Another Duta node on this one's database and data folder, with the same keys and
    /// settings (as several nodes behind a load balancer are).
    pub async fn another_node(&self) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        Self::start(
            self.url.clone(),
            self.data_dir.clone(),
            self.extra.clone(),
            dir,
        )
        .await
    }

    /// Another Duta node on this one's database and configuration but on another machine:
    /// a data folder of its own (so a local upload folder is not shared), with the NIP key
    /// copied over as an operator does.
    pub async fn another_machine(&self) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let data_dir = dir.path().join("data");
        std::fs::create_dir_all(&data_dir).expect("data folder");
        std::fs::copy(self.data_dir.join("nip.key"), data_dir.join("nip.key"))
            .expect("the NIP key is shared");
        Self::start(self.url.clone(), data_dir, self.extra.clone(), dir).await
    }

    /// Another node on this one's data folder and configuration, reaching the database at
    /// `url` (this database through a relay, say).
    pub async fn node_at(&self, url: String) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        Self::start(url, self.data_dir.clone(), self.extra.clone(), dir).await
    }

    async fn start(
        url: String,
        data_dir: std::path::PathBuf,
        extra: Vec<(String, Value)>,
        dir: tempfile::TempDir,
    ) -> TestApp {
        let mut figment = duta::figment()
            .merge(Serialized::default(
                "data_dir",
                data_dir.display().to_string(),
            ))
            .merge(Serialized::default("database_url", url.clone()))
            .merge(Serialized::default(
                "jwt_keys",
                serde_json::json!([{ "kid": KID, "secret": SECRET }]),
            ))
            .merge(Serialized::default("jwt_issuer", ISSUER))
            .merge(Serialized::default(
                "log_level",
                std::env::var("DUTA_TEST_LOG").unwrap_or_else(|_| "off".into()),
            ))
            // The node's own background jobs stay off unless a test turns them on: from
            // Thursday 09:00 to Sunday they would send the weekly reminder at start.
            .merge(Serialized::default(
                "jobs",
                serde_json::json!({ "enabled": false }),
            ))
            // Nor the push sender, unless a test turns it on.
            .merge(Serialized::default(
                "push",
                serde_json::json!({ "enabled": false }),
            ));
        for (k, v) in &extra {
            figment = figment.merge(Serialized::default(k, v.clone()));
        }
        let client = Client::untracked(duta::build(figment))
            .await
            .expect("Duta ignites");
        let db = duta::state::part::<DatabaseConnection>(client.rocket())
            .expect("db state")
            .clone();
        TestApp {
            client,
            db,
            url,
            data_dir,
            extra,
            _dir: dir,
        }
    }

    /// Every stored file (screenshots, images, thumbnails, variants) with its bytes, read
    /// through the node's store, whichever it is.
    pub async fn stored_files(&self) -> Vec<(String, Vec<u8>)> {
        let store = &duta::state::part::<duta::media::service::MediaStore>(self.client.rocket())
            .expect("media store")
            .storage;
        let mut out = Vec::new();
        for name in store.names().await.expect("list stored files") {
            let bytes = store.get(&name).await.expect("read a stored file");
            out.push((name, bytes));
        }
        out.sort();
        out
    }

    /// Whether the node's store holds a file of this name.
    pub async fn is_stored(&self, name: &str) -> bool {
        let store = &duta::state::part::<duta::media::service::MediaStore>(self.client.rocket())
            .expect("media store")
            .storage;
        match store.get(name).await {
            Ok(_) => true,
            Err(duta::error::AppError::NotFound) => false,
            Err(e) => panic!("cannot read {name}: {e}"),
        }
    }

    pub fn nip_key(&self) -> &duta::nip::NipKey {
        duta::state::part::<duta::nip::NipKey>(self.client.rocket()).expect("nip key")
    }

    pub fn keys(&self) -> &JwtKeys {
        duta::state::part::<JwtKeys>(self.client.rocket()).expect("keys")
    }

    /// A user written straight into the database, for any role (ambassadors included).
    pub async fn user(
        &self,
        role: &str,
        email: &str,
        institution_id: Option<i64>,
        work_unit_id: Option<i64>,
    ) -> i64 {
        let hasher = duta::state::part::<duta::auth::passwords::Hasher>(self.client.rocket())
            .expect("hasher");
        let hash = hasher.hash(PASSWORD).await.expect("hash");
        let now = Utc::now();
        entity::users::ActiveModel {
            email: Set(email.to_string()),
            name: Set(format!("Test {role}")),
            password_hash: Set(hash),
            role: Set(role.to_string()),
            institution_id: Set(institution_id),
            work_unit_id: Set(work_unit_id),
            language: Set(None),
            security_stamp: Set(duta::accounts::rules::new_stamp()),
            is_active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            last_login_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .expect("insert user")
        .id
    }

    pub async fn institution(&self, name: &str) -> i64 {
        self.institution_of(name, "ministry", None).await
    }

    /// An institution of a kind and region (a province slug, or none for the centre).
    pub async fn institution_of(&self, name: &str, kind: &str, region: Option<&str>) -> i64 {
        let input = duta::org::forms::NewInstitution {
            name: name.into(),
            short_name: None,
            kind: kind.into(),
            region: region.map(str::to_string),
        };
        duta::org::service::create_institution(&self.db, None, &input, None)
            .await
            .expect("institution")
            .id
    }

    pub async fn work_unit(&self, institution_id: i64, parent: Option<i64>, name: &str) -> i64 {
        let input = duta::org::forms::NewWorkUnit {
            name: name.into(),
            parent_id: parent,
        };
        duta::org::service::create_work_unit(&self.db, None, institution_id, &input, None)
            .await
            .expect("work unit")
            .id
    }

    /// A valid token for the user as they are now in the database.
    pub async fn token(&self, user_id: i64) -> String {
        let u = entity::users::Entity::find_by_id(user_id)
            .one(&self.db)
            .await
            .expect("db")
            .expect("user");
        self.keys()
            .issue(u.id, &u.role, &u.security_stamp)
            .expect("issue")
            .0
    }

    pub async fn login_api(&self, email: &str, password: &str) -> LocalResponse<'_> {
        self.client
            .post("/api/v1/auth/login")
            .header(ContentType::JSON)
            .body(serde_json::json!({ "email": email, "password": password }).to_string())
            .dispatch()
            .await
    }

    pub async fn get_api(&self, path: &str, token: Option<&str>) -> LocalResponse<'_> {
        let mut req = self.client.get(path.to_string());
        if let Some(t) = token {
            req = req.header(Header::new("Authorization", format!("Bearer {t}")));
        }
        req.dispatch().await
    }

    pub async fn send_api(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> LocalResponse<'_> {
        let mut req = match method {
            "POST" => self.client.post(path.to_string()),
            "PUT" => self.client.put(path.to_string()),
            "DELETE" => self.client.delete(path.to_string()),
            _ => self.client.get(path.to_string()),
        };
        req = req.header(ContentType::JSON).body(body.to_string());
        if let Some(t) = token {
            req = req.header(Header::new("Authorization", format!("Bearer {t}")));
        }
        req.dispatch().await
    }

    /// A page request with the session cookie.
    pub async fn page(&self, path: &str, token: Option<&str>) -> LocalResponse<'_> {
        let mut req = self.client.get(path.to_string());
        if let Some(t) = token {
            req = req.cookie(Cookie::new("duta_session", t.to_string()));
        }
        req.dispatch().await
    }

    /// A same-origin form post with the session cookie and a matching CSRF token.
    pub async fn form(
        &self,
        path: &str,
        token: Option<&str>,
        fields: &[(&str, &str)],
    ) -> LocalResponse<'_> {
        let mut pairs: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        pairs.push(("csrf_token".into(), CSRF.into()));
        self.raw_form(path, token, &pairs, Some(CSRF), &[]).await
    }

    pub async fn raw_form(
        &self,
        path: &str,
        token: Option<&str>,
        fields: &[(String, String)],
        csrf_cookie: Option<&str>,
        headers: &[(&str, &str)],
    ) -> LocalResponse<'_> {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut req = self
            .client
            .post(path.to_string())
            .header(ContentType::Form)
            .body(body);
        if let Some(t) = token {
            req = req.cookie(Cookie::new("duta_session", t.to_string()));
        }
        if let Some(c) = csrf_cookie {
            req = req.cookie(Cookie::new("duta_csrf", c.to_string()));
        }
        for (k, v) in headers {
            req = req.header(Header::new(k.to_string(), v.to_string()));
        }
        req.dispatch().await
    }

    /// Follows a redirect like a browser: the flash cookie it set goes along.
    pub async fn follow(&self, resp: LocalResponse<'_>, token: Option<&str>) -> LocalResponse<'_> {
        let location = resp
            .headers()
            .get_one("Location")
            .expect("a redirect")
            .to_string();
        // A browser keeps the fragment to itself.
        let location = location.split('#').next().unwrap_or_default().to_string();
        let flash: Option<String> = resp
            .headers()
            .get("Set-Cookie")
            .find(|c| c.starts_with("_flash="))
            .and_then(|c| c.split(';').next())
            .and_then(|c| c.strip_prefix("_flash="))
            .map(percent_decode);
        let mut req = self.client.get(location);
        if let Some(t) = token {
            req = req.cookie(Cookie::new("duta_session", t.to_string()));
        }
        if let Some(f) = flash {
            req = req.cookie(Cookie::new("_flash", f));
        }
        req.dispatch().await
    }

    /// A valid sign-up body for an institution and unit; `n` makes NIP, email and handles unique.
    pub fn signup_body(&self, institution_id: i64, work_unit_id: i64, n: u32) -> Value {
        serde_json::json!({
            "name": format!("Kandidat {n}"),
            "display_name": format!("Kandidat {n}"),
            "nip": format!("19860926 201505 2 {:03}", n % 999 + 1),
            "employee_type": "pns",
            "email": format!("kandidat{n}@instansi.go.id"),
            "phone": format!("0812 3456 {:04}", n % 10000),
            "institution_id": institution_id,
            "work_unit_id": work_unit_id,
            "password": PASSWORD,
            "consent": true,
            "consent_version": duta::ambassadors::forms::CONSENT_VERSION,
            "platforms": [
                {"platform": "facebook", "handle": format!("kandidat.fb.{n}"), "method": "screenshot", "count": 812},
                {"platform": "x", "handle": format!("@kandidat_x{n}"), "method": "screenshot", "count": "1.250"},
                {"platform": "instagram", "handle": format!("https://instagram.com/kandidat.ig{n}/"), "method": "screenshot", "count": 640}
            ]
        })
    }

    /// Signs a candidate up through the API; returns (ambassador id, user id).
    pub async fn candidate(&self, institution_id: i64, work_unit_id: i64, n: u32) -> (i64, i64) {
        let (status, body) = json(
            self.send_api(
                "POST",
                "/api/v1/signup",
                None,
                &self.signup_body(institution_id, work_unit_id, n),
            )
            .await,
        )
        .await;
        assert_eq!(status, Status::Created, "{body}");
        let id = body["id"].as_i64().expect("id");
        let amb = entity::ambassadors::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .expect("db")
            .expect("row");
        (id, amb.user_id)
    }

    /// A page's multipart form: text fields and files, with the session and CSRF cookies.
    pub async fn page_multipart(
        &self,
        path: &str,
        token: Option<&str>,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> LocalResponse<'_> {
        let boundary = "duta-page-boundary-3c9a";
        let mut body = Vec::new();
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", CSRF));
        // Like a browser, a file goes right after the text fields of its group (`platforms[1].…`):
        // Rocket groups the items of a list by consecutive keys.
        let group = |name: &str| {
            name.rsplit_once('.')
                .map(|(g, _)| g.to_string())
                .unwrap_or_default()
        };
        let mut sent = vec![false; files.len()];
        let push_file = |body: &mut Vec<u8>, (name, filename, bytes): &(&str, &str, &[u8])| {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        };
        for (i, (name, value)) in all.iter().enumerate() {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
            );
            let g = group(name);
            let next_differs = all.get(i + 1).is_none_or(|(n, _)| group(n) != g);
            if !g.is_empty() && next_differs {
                for (j, f) in files.iter().enumerate() {
                    if !sent[j] && group(f.0) == g {
                        push_file(&mut body, f);
                        sent[j] = true;
                    }
                }
            }
        }
        for (j, f) in files.iter().enumerate() {
            if !sent[j] {
                push_file(&mut body, f);
            }
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let ct = ContentType::new("multipart", "form-data").with_params(("boundary", boundary));
        let mut req = self
            .client
            .post(path.to_string())
            .header(ct)
            .body(body)
            .cookie(Cookie::new("duta_csrf", CSRF));
        if let Some(t) = token {
            req = req.cookie(Cookie::new("duta_session", t.to_string()));
        }
        req.dispatch().await
    }

    /// `page_multipart` with the session first, for readability at call sites.
    pub async fn page_multipart_with(
        &self,
        token: &str,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> LocalResponse<'_> {
        self.page_multipart(path, Some(token), fields, files).await
    }

    /// A multipart upload of one file (and optional count) with a Bearer token.
    pub async fn upload(
        &self,
        path: &str,
        token: &str,
        filename: &str,
        bytes: &[u8],
        count: Option<&str>,
    ) -> LocalResponse<'_> {
        let fields: Vec<(&str, &str)> = count.map(|c| ("count", c)).into_iter().collect();
        self.upload_form(path, token, &fields, Some((filename, bytes)))
            .await
    }

    /// A multipart form with a Bearer token: text fields as given (a name may repeat),
    /// then the file as `file` if there is one.
    pub async fn upload_form(
        &self,
        path: &str,
        token: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> LocalResponse<'_> {
        let boundary = "duta-test-boundary-7d1f";
        let mut body = Vec::new();
        if let Some((filename, bytes)) = file {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let ct = ContentType::new("multipart", "form-data").with_params(("boundary", boundary));
        self.client
            .post(path.to_string())
            .header(ct)
            .header(Header::new("Authorization", format!("Bearer {token}")))
            .body(body)
            .dispatch()
            .await
    }

    pub async fn count(&self, table: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count query")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("n")
    }
}

/// Set-Cookie values arrive percent-encoded; the test client encodes them again.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub async fn json(resp: LocalResponse<'_>) -> (Status, Value) {
    let status = resp.status();
    let text = resp.into_string().await.unwrap_or_default();
    let value =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, value)
}

pub async fn text(resp: LocalResponse<'_>) -> (Status, String) {
    let status = resp.status();
    (status, resp.into_string().await.unwrap_or_default())
}

/// Marks a candidate approved directly in the database (arrangement for tests of what
/// approved ambassadors can do; the vetting tests go through the real decision).
pub async fn approve(app: &TestApp, ambassador_id: i64) {
    let amb = entity::ambassadors::Entity::find_by_id(ambassador_id)
        .one(&app.db)
        .await
        .expect("db")
        .expect("ambassador");
    let mut m: entity::ambassadors::ActiveModel = amb.into();
    m.status = Set("approved".into());
    // The programme's today (Asia/Jakarta), as a decision without a date takes it.
    m.member_since = Set(Some(
        Utc::now()
            .with_timezone(&chrono_tz::Asia::Jakarta)
            .date_naive(),
    ));
    m.decided_at = Set(Some(Utc::now()));
    m.updated_at = Set(Utc::now());
    m.update(&app.db).await.expect("approve");
    // What the vetting decision does in its transaction: the board follows.
    duta::leaderboard::standings::refresh(&app.db, &[ambassador_id])
        .await
        .expect("standings");
}

/// A TCP relay in front of a server (the S3 store, PostgreSQL), which a test can cut as if
/// the server stopped: the listener closes and every open connection drops. `resume` opens
/// it again on the same port.
pub struct Relay {
    pub port: u16,
    target: String,
    task: tokio::task::JoinHandle<()>,
    open: Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Relay {
    pub async fn to(target: String) -> Relay {
        Relay::on(0, target).await
    }

    async fn on(port: u16, target: String) -> Relay {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let to = target.clone();
        let open: Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let conns = open.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = to.clone();
                let relay = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        // A connection cut by `Relay::cut` or by either side ends here.
                        if let Err(e) =
                            tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await
                        {
                            eprintln!("relay connection ended: {e}");
                        }
                    }
                });
                conns.lock().unwrap().push(relay.abort_handle());
            }
        });
        Relay {
            port,
            target,
            task,
            open,
        }
    }

    /// Opens the relay again on its port, as a server that is back.
    pub async fn resume(&mut self) {
        *self = Relay::on(self.port, self.target.clone()).await;
    }

    pub fn cut(&self) {
        self.task.abort();
        for c in self.open.lock().unwrap().drain(..) {
            c.abort();
        }
    }
}
