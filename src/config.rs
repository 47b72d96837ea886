//! Duta's configuration: a typed `AppConfig` read from Rocket's figment (Rocket.toml plus
//! `DUTA_*` environment variables), checked once at ignition so that every wrong value is
//! reported with a clear sentence before anything is served.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use ipnet::IpNet;
use rand::RngCore;
use rocket::figment::Figment;
use serde::{Deserialize, Serialize};

use crate::nip::NipKey;
use crate::web::i18n::Lang;

/// One HMAC key for session tokens; `kid` names it in the token header so keys can rotate.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct JwtKey {
    pub kid: String,
    pub secret: String,
}

/// Raw configuration as it comes from Rocket.toml and `DUTA_*` variables.
#[derive(Debug, Clone, Deserialize)]
pub struct RawConfig {
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    /// Connections each node keeps to the database (default 8).
    pub database_pool: Option<u32>,
    /// A PostgreSQL streaming replica that statistics and exports read from.
    pub database_read_url: Option<String>,
    #[serde(default)]
    pub jwt_keys: Vec<JwtKey>,
    pub upload_dir: Option<PathBuf>,
    #[serde(default = "default_timezone")]
    pub timezone: String,
    #[serde(default = "default_language")]
    pub default_language: String,
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    #[serde(default = "default_session_hours")]
    pub session_hours: i64,
    #[serde(default)]
    pub secure_cookies: bool,
    pub metrics_token: Option<String>,
    #[serde(default = "default_issuer")]
    pub jwt_issuer: String,
    #[serde(default = "default_login_failures_account")]
    pub login_max_failures_per_account: u64,
    #[serde(default = "default_login_failures_ip")]
    pub login_max_failures_per_ip: u64,
    #[serde(default = "default_login_window")]
    pub login_window_minutes: i64,
    #[serde(default = "default_reset_minutes")]
    pub password_reset_minutes: i64,
    #[serde(default = "default_invitation_days")]
    pub invitation_days: i64,
    #[serde(default = "default_resets_account")]
    pub password_reset_max_per_account: u64,
    #[serde(default = "default_resets_ip")]
    pub password_reset_max_per_ip: u64,
    #[serde(default = "default_signups_ip")]
    pub signup_max_per_ip: u64,
    /// Base64 of 32 random bytes: the key that seals NIPs at rest.
    pub nip_key: Option<String>,
    /// `storage.s3`: stored files in an S3-compatible store instead of `upload_dir`.
    pub storage: Option<RawStorage>,
}

/// The `storage` table: only `s3` for now (the local folder needs no table).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStorage {
    pub s3: Option<RawS3>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawS3 {
    pub endpoint: String,
    pub bucket: String,
    #[serde(default = "default_region")]
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    #[serde(default)]
    pub prefix: String,
}

fn default_region() -> String {
    "us-east-1".into()
}

/// Where stored files go when they go to an S3-compatible store (`storage.s3`).
#[derive(Clone)]
pub struct S3Config {
    /// `http://host:port` or `https://host`; plain HTTP is allowed only when written here.
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    /// Without them, the usual `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` are read.
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    /// A folder inside the bucket (several installations may share one bucket).
    pub prefix: String,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("prefix", &self.prefix)
            .field("access_key_id", &self.access_key_id.as_ref().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

/// Checks `storage.s3`; one message per wrong value.
fn check_s3(raw: &RawS3, errors: &mut Vec<String>) -> S3Config {
    let endpoint = raw.endpoint.trim().trim_end_matches('/').to_string();
    let scheme_ok = endpoint.starts_with("http://") || endpoint.starts_with("https://");
    if !scheme_ok || endpoint.len() <= "https://".len() || endpoint.contains(char::is_whitespace) {
        errors.push(format!(
            "storage.s3.endpoint: \"{}\" must be an http:// or https:// address, like http://127.0.0.1:8333",
            raw.endpoint
        ));
    }
    let bucket = raw.bucket.trim().to_string();
    let bucket_ok = (3..=63).contains(&bucket.len())
        && bucket
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.'));
    if !bucket_ok {
        errors.push(format!(
            "storage.s3.bucket: \"{}\" must be 3 to 63 lower-case letters, digits, dots or hyphens",
            raw.bucket
        ));
    }
    let prefix = raw.prefix.trim().trim_matches('/').to_string();
    let prefix_ok = prefix.is_empty()
        || prefix.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        });
    if !prefix_ok {
        errors.push(format!(
            "storage.s3.prefix: \"{}\" must be folder names of letters, digits, '-', '_' or '.' separated by '/'",
            raw.prefix
        ));
    }
    if raw.access_key_id.is_some() != raw.secret_access_key.is_some() {
        errors.push(
            "storage.s3: give both access_key_id and secret_access_key, or neither (then \
             AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are read)"
                .into(),
        );
    }
    S3Config {
        endpoint,
        bucket,
        region: raw.region.trim().to_string(),
        access_key_id: raw.access_key_id.clone(),
        secret_access_key: raw.secret_access_key.clone(),
        prefix,
    }
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}
fn default_timezone() -> String {
    "Asia/Jakarta".into()
}
fn default_language() -> String {
    "id".into()
}
fn default_session_hours() -> i64 {
    12
}
fn default_issuer() -> String {
    "duta".into()
}
fn default_login_failures_account() -> u64 {
    5
}
fn default_login_failures_ip() -> u64 {
    20
}
fn default_login_window() -> i64 {
    15
}
fn default_reset_minutes() -> i64 {
    60
}
fn default_invitation_days() -> i64 {
    7
}
fn default_resets_account() -> u64 {
    3
}
fn default_resets_ip() -> u64 {
    20
}
fn default_signups_ip() -> u64 {
    50
}

/// The checked configuration every part of Duta reads (a part of the application state).
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub data_dir: PathBuf,
    pub database_url: String,
    /// Connections kept to the database; `None` is the default of its kind.
    pub database_pool: Option<u32>,
    /// `database_read_url`: a streaming replica of the PostgreSQL primary, read for
    /// statistics and exports unless it has not replayed the reader's own last write.
    pub database_read_url: Option<String>,
    pub jwt_keys: Vec<JwtKey>,
    pub upload_dir: PathBuf,
    pub timezone: chrono_tz::Tz,
    pub default_language: Lang,
    pub trusted_proxies: Vec<IpNet>,
    pub session_hours: i64,
    pub secure_cookies: bool,
    pub metrics_token: Option<String>,
    pub jwt_issuer: String,
    pub login_max_failures_per_account: u64,
    pub login_max_failures_per_ip: u64,
    pub login_window_minutes: i64,
    /// How long a password-reset link works.
    pub password_reset_minutes: i64,
    /// How long an invitation link works, in days.
    pub invitation_days: i64,
    /// Password-reset requests per account, and per client address, in an hour.
    pub password_reset_max_per_account: u64,
    pub password_reset_max_per_ip: u64,
    /// Sign-ups per client address in an hour.
    pub signup_max_per_ip: u64,
    /// The key that seals NIPs at rest: `nip_key` when configured, else `<data_dir>/nip.key`
    /// (read or created by [`AppConfig::prepare_filesystem`]).
    pub nip_key: Option<NipKey>,
    /// `storage.s3`, when stored files go to an S3-compatible store; `None` keeps them in
    /// `upload_dir`.
    pub s3: Option<S3Config>,
}

/// The audience every Duta token carries; a token made for anything else is refused.
pub const JWT_AUDIENCE: &str = "duta-web";
const MIN_SECRET_BYTES: usize = 32;

impl AppConfig {
    /// Reads and checks the configuration; on failure, returns one message per wrong value.
    pub fn from_figment(figment: &Figment) -> Result<AppConfig, Vec<String>> {
        let raw: RawConfig = figment.extract().map_err(|e| {
            e.into_iter()
                .map(|e| format!("configuration: {e}"))
                .collect::<Vec<_>>()
        })?;
        let mut errors = Vec::new();

        let timezone = raw.timezone.parse::<chrono_tz::Tz>().unwrap_or_else(|_| {
            errors.push(format!(
                "timezone: \"{}\" is not an IANA time zone (for example Asia/Jakarta, Asia/Makassar, Asia/Jayapura)",
                raw.timezone
            ));
            chrono_tz::Asia::Jakarta
        });
        let default_language = Lang::parse(&raw.default_language).unwrap_or_else(|| {
            errors.push(format!(
                "default_language: \"{}\" is not supported; use \"id\" or \"en\"",
                raw.default_language
            ));
            Lang::Id
        });
        let mut trusted_proxies = Vec::new();
        for p in &raw.trusted_proxies {
            match p.parse::<IpNet>().or_else(|_| p.parse::<IpAddr>().map(IpNet::from)) {
                Ok(net) => trusted_proxies.push(net),
                Err(_) => errors.push(format!(
                    "trusted_proxies: \"{p}\" is neither an IP address nor a network like 10.0.0.0/8"
                )),
            }
        }
        let database_url = match raw.database_url.clone() {
            Some(url)
                if url.starts_with("sqlite:")
                    || url.starts_with("postgres://")
                    || url.starts_with("postgresql://") =>
            {
                url
            }
            Some(url) => {
                errors.push(format!(
                    "database_url: \"{}\" must start with sqlite: or postgres://",
                    redact_url(&url)
                ));
                String::new()
            }
            None => format!(
                "sqlite://{}?mode=rwc",
                raw.data_dir.join("duta.db").display()
            ),
        };
        let database_read_url = match raw.database_read_url.clone().filter(|u| !u.is_empty()) {
            Some(url) if !database_url.starts_with("postgres") => {
                errors.push(format!(
                    "database_read_url: \"{}\" needs database_url on PostgreSQL too (a replica \
                     reads the primary's writes)",
                    redact_url(&url)
                ));
                None
            }
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Some(url)
            }
            Some(url) => {
                errors.push(format!(
                    "database_read_url: \"{}\" must start with postgres://",
                    redact_url(&url)
                ));
                None
            }
            None => None,
        };
        let mut kids = std::collections::HashSet::new();
        for key in &raw.jwt_keys {
            if key.kid.trim().is_empty() || !kids.insert(key.kid.clone()) {
                errors.push(format!(
                    "jwt_keys: kid \"{}\" is empty or used twice",
                    key.kid
                ));
            }
            if key.secret.len() < MIN_SECRET_BYTES {
                errors.push(format!(
                    "jwt_keys: the secret of kid \"{}\" is shorter than {MIN_SECRET_BYTES} characters",
                    key.kid
                ));
            }
        }
        if raw.database_pool.is_some_and(|n| !(1..=500).contains(&n)) {
            errors.push("database_pool: must be between 1 and 500".into());
        }
        if !(1..=24 * 30).contains(&raw.session_hours) {
            errors.push("session_hours: must be between 1 and 720".into());
        }
        if !(1..=24 * 60).contains(&raw.login_window_minutes) {
            errors.push("login_window_minutes: must be between 1 and 1440".into());
        }
        if raw.login_max_failures_per_account == 0 || raw.login_max_failures_per_ip == 0 {
            errors.push("login_max_failures_per_account and _per_ip must be at least 1".into());
        }
        if !(5..=24 * 60).contains(&raw.password_reset_minutes) {
            errors.push("password_reset_minutes: must be between 5 and 1440".into());
        }
        if !(1..=90).contains(&raw.invitation_days) {
            errors.push("invitation_days: must be between 1 and 90".into());
        }
        if raw.password_reset_max_per_account == 0 || raw.password_reset_max_per_ip == 0 {
            errors.push("password_reset_max_per_account and _per_ip must be at least 1".into());
        }
        if raw.signup_max_per_ip == 0 {
            errors.push("signup_max_per_ip must be at least 1".into());
        }
        let nip_key = match raw.nip_key.as_deref() {
            None => None,
            Some(text) => {
                let key = NipKey::from_base64(text);
                if key.is_none() {
                    errors.push(
                        "nip_key: must be 32 random bytes in base64 (for example the output of \
                         `openssl rand -base64 32`)"
                            .into(),
                    );
                }
                key
            }
        };
        if raw.jwt_issuer.trim().is_empty() {
            errors.push("jwt_issuer: must not be empty".into());
        }
        let s3 = raw
            .storage
            .as_ref()
            .and_then(|s| s.s3.as_ref())
            .map(|raw| check_s3(raw, &mut errors));
        if !errors.is_empty() {
            return Err(errors);
        }
        let upload_dir = raw
            .upload_dir
            .clone()
            .unwrap_or_else(|| raw.data_dir.join("uploads"));
        Ok(AppConfig {
            data_dir: raw.data_dir,
            database_url,
            database_pool: raw.database_pool,
            database_read_url,
            jwt_keys: raw.jwt_keys,
            upload_dir,
            timezone,
            default_language,
            trusted_proxies,
            session_hours: raw.session_hours,
            secure_cookies: raw.secure_cookies,
            metrics_token: raw.metrics_token,
            jwt_issuer: raw.jwt_issuer,
            login_max_failures_per_account: raw.login_max_failures_per_account,
            login_max_failures_per_ip: raw.login_max_failures_per_ip,
            login_window_minutes: raw.login_window_minutes,
            password_reset_minutes: raw.password_reset_minutes,
            invitation_days: raw.invitation_days,
            password_reset_max_per_account: raw.password_reset_max_per_account,
            password_reset_max_per_ip: raw.password_reset_max_per_ip,
            signup_max_per_ip: raw.signup_max_per_ip,
            nip_key,
            s3,
        })
    }

    /// The NIP key (loaded by [`AppConfig::prepare_filesystem`] at the latest).
    pub fn nip(&self) -> crate::error::AppResult<&NipKey> {
        self.nip_key
            .as_ref()
            .ok_or_else(|| crate::error::AppError::internal("the NIP key is not loaded"))
    }

    /// Creates the data and upload folders and, when no key was configured, loads the
    /// signing keys from `<data_dir>/jwt-keys.toml`, writing a fresh one (mode 0600) first.
    pub fn prepare_filesystem(&mut self) -> Result<(), String> {
        for dir in [&self.data_dir, &self.upload_dir] {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create folder {}: {e}", dir.display()))?;
        }
        if self.jwt_keys.is_empty() {
            self.jwt_keys = load_or_create_key_file(&self.data_dir.join("jwt-keys.toml"))?;
        }
        if self.nip_key.is_none() {
            self.nip_key = Some(load_or_create_nip_key(&self.data_dir.join("nip.key"))?);
        }
        Ok(())
    }
}

#[derive(Deserialize, Serialize)]
struct KeyFile {
    keys: Vec<JwtKey>,
}

fn load_or_create_key_file(path: &Path) -> Result<Vec<JwtKey>, String> {
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let file: KeyFile = toml::from_str(&text)
            .map_err(|e| format!("{} is not a valid key file: {e}", path.display()))?;
        if file.keys.is_empty() || file.keys.iter().any(|k| k.secret.len() < MIN_SECRET_BYTES) {
            return Err(format!(
                "{}: needs at least one key, each secret {MIN_SECRET_BYTES}+ characters",
                path.display()
            ));
        }
        return Ok(file.keys);
    }
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    use base64::Engine;
    let key = JwtKey {
        kid: format!("k{}", chrono::Utc::now().format("%Y%m%d%H%M%S")),
        secret: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
    };
    let file = KeyFile { keys: vec![key] };
    let text = format!(
        "# Duta's token signing keys. The first key signs; all of them verify.\n\
         # To rotate: put a new key first, keep the old one until its tokens expire.\n{}",
        toml::to_string(&file).map_err(|e| e.to_string())?
    );
    write_private_file(path, &text)?;
    Ok(file.keys)
}

fn load_or_create_nip_key(path: &Path) -> Result<NipKey, String> {
    if !path.exists() {
        let text = format!(
            "# Duta's NIP key: NIPs are sealed with it. Without it they cannot be read back.\n\
             # Keep a copy apart from the database backups.\n{}\n",
            NipKey::generate()
        );
        write_private_file(path, &text)?;
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or_default();
    NipKey::from_base64(line).ok_or_else(|| {
        format!(
            "{}: must hold 32 random bytes in base64 on one line",
            path.display()
        )
    })
}

#[cfg(unix)]
pub(crate) fn write_private_file(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    f.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(not(unix))]
pub(crate) fn write_private_file(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Hides the password in a database URL before it is printed.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}://{}:***@{}",
                    &url[..scheme],
                    &creds[..colon],
                    &url[at + 1..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rocket::figment::providers::Serialized;

    fn figment(pairs: &[(&str, &str)]) -> Figment {
        let mut f = Figment::new();
        for (k, v) in pairs {
            f = f.merge(Serialized::default(k, v));
        }
        f
    }

    #[test]
    fn defaults_are_valid() {
        let c = AppConfig::from_figment(&figment(&[])).unwrap();
        assert_eq!(c.timezone, chrono_tz::Asia::Jakarta);
        assert_eq!(c.default_language, Lang::Id);
        assert!(c.database_url.starts_with("sqlite://data/duta.db"));
    }

    #[test]
    fn every_wrong_value_is_named() {
        let errors = AppConfig::from_figment(&figment(&[
            ("timezone", "Mars/Olympus"),
            ("default_language", "fr"),
            ("database_url", "mysql://u:secret@h/db"),
        ]))
        .unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].contains("Mars/Olympus"));
        assert!(errors[1].contains("fr"));
        assert!(errors[2].contains("u:***@h/db") && !errors[2].contains("secret"));
    }

    #[test]
    fn a_read_replica_needs_postgres_on_both_sides() {
        let errors = AppConfig::from_figment(&figment(&[(
            "database_read_url",
            "postgres://u:secret@replica/duta",
        )]))
        .unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].contains("needs database_url on PostgreSQL") && !errors[0].contains("secret")
        );
        let errors = AppConfig::from_figment(&figment(&[
            ("database_url", "postgres://u@primary/duta"),
            ("database_read_url", "mysql://u@replica/duta"),
        ]))
        .unwrap_err();
        assert!(
            errors[0].contains("must start with postgres://"),
            "{errors:?}"
        );
        let c = AppConfig::from_figment(&figment(&[
            ("database_url", "postgres://u@primary/duta"),
            ("database_read_url", "postgres://u@replica/duta"),
        ]))
        .unwrap();
        assert_eq!(
            c.database_read_url.as_deref(),
            Some("postgres://u@replica/duta")
        );
    }

    #[test]
    fn trusted_proxies_take_addresses_and_networks() {
        let f = figment(&[]).merge(Serialized::default(
            "trusted_proxies",
            vec!["10.0.0.0/8", "127.0.0.1", "nonsense"],
        ));
        let errors = AppConfig::from_figment(&f).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("nonsense"));
    }

    #[test]
    fn s3_storage_is_read_and_checked() {
        use rocket::figment::providers::{Format, Toml};
        let read = |toml: &str| AppConfig::from_figment(&Figment::new().merge(Toml::string(toml)));
        assert!(read("").unwrap().s3.is_none());
        let c = read(
            "[storage.s3]\nendpoint = \"http://127.0.0.1:8333/\"\nbucket = \"duta\"\nprefix = \"/kalbar/\"",
        )
        .unwrap();
        let s3 = c.s3.unwrap();
        assert_eq!(
            (
                s3.endpoint.as_str(),
                s3.bucket.as_str(),
                s3.region.as_str(),
                s3.prefix.as_str()
            ),
            ("http://127.0.0.1:8333", "duta", "us-east-1", "kalbar")
        );
        let errors = read(
            "[storage.s3]\nendpoint = \"ftp://x\"\nbucket = \"Duta_Files\"\nprefix = \"a/../b\"\naccess_key_id = \"k\"",
        )
        .unwrap_err();
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].starts_with("storage.s3.endpoint") && errors[0].contains("ftp://x"));
        assert!(errors[1].starts_with("storage.s3.bucket") && errors[1].contains("Duta_Files"));
        assert!(errors[2].starts_with("storage.s3.prefix"));
        assert!(errors[3].contains("secret_access_key"));
        // A misspelt key is named rather than ignored.
        let errors =
            read("[storage.s3]\nendpoint = \"http://h\"\nbucket = \"duta\"\nregoin = \"x\"")
                .unwrap_err();
        assert!(errors[0].contains("regoin"), "{errors:?}");
        // The secret never shows in a log line of the configuration.
        let c = read(
            "[storage.s3]\nendpoint = \"http://h:1\"\nbucket = \"duta\"\naccess_key_id = \"k\"\nsecret_access_key = \"very-secret\"",
        )
        .unwrap();
        assert!(!format!("{:?}", c.s3).contains("very-secret"));
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jwt-keys.toml");
        let first = load_or_create_key_file(&path).unwrap();
        let again = load_or_create_key_file(&path).unwrap();
        assert_eq!(first[0].secret, again[0].secret);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn nip_key_file_is_created_private_reused_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nip.key");
        let first = load_or_create_nip_key(&path).unwrap();
        let again = load_or_create_nip_key(&path).unwrap();
        let sealed = first.seal("198609262015051001");
        assert_eq!(again.open(&sealed).as_deref(), Some("198609262015051001"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "# a comment\nnot a key\n").unwrap();
        assert!(load_or_create_nip_key(&path)
            .unwrap_err()
            .contains("32 random bytes"));
        let errors = AppConfig::from_figment(&figment(&[("nip_key", "too short")])).unwrap_err();
        assert!(
            errors.iter().any(|e| e.starts_with("nip_key:")),
            "{errors:?}"
        );
    }
}
