//! The `followers` table of the configuration: how long a platform may take, how often
//! counts are re-checked, and per platform the API's base URL and token. Checked once at
//! ignition, with one sentence per wrong value; a platform without a token is simply off.

use std::fmt;
use std::time::Duration;

use reqwest::Url;
use rocket::figment::Figment;
use serde::Deserialize;

pub(super) const DEFAULT_TIMEOUT_SECS: u64 = 8;
pub(super) const DEFAULT_RECHECK_DAYS: u32 = 90;
const DEFAULT_X_BASE_URL: &str = "https://api.x.com";
const DEFAULT_GRAPH_BASE_URL: &str = "https://graph.facebook.com/v21.0";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFollowers {
    #[serde(default = "default_timeout")]
    timeout_secs: i64,
    #[serde(default = "default_recheck")]
    recheck_days: i64,
    x: Option<RawPlatform>,
    instagram: Option<RawInstagram>,
    facebook: Option<RawPlatform>,
}

fn default_timeout() -> i64 {
    DEFAULT_TIMEOUT_SECS as i64
}
fn default_recheck() -> i64 {
    i64::from(DEFAULT_RECHECK_DAYS)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlatform {
    base_url: Option<String>,
    token: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstagram {
    base_url: Option<String>,
    token: Option<String>,
    ig_user_id: Option<TextOrNumber>,
}

/// An id written with or without quotes (`ig_user_id = 1784…` in TOML or an env var).
#[derive(Deserialize)]
#[serde(untagged, expecting = "a number or a string of digits")]
enum TextOrNumber {
    Text(String),
    Number(u64),
}

impl TextOrNumber {
    fn into_string(self) -> String {
        match self {
            TextOrNumber::Text(s) => s.trim().to_string(),
            TextOrNumber::Number(n) => n.to_string(),
        }
    }
}

/// One platform that has a token, with its checked base URL.
pub(super) struct PlatformConfig {
    pub base_url: Url,
    pub token: String,
    pub ig_user_id: String,
}

impl fmt::Debug for PlatformConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlatformConfig")
            .field("base_url", &self.base_url.as_str())
            .field("token", &"***")
            .field("ig_user_id", &self.ig_user_id)
            .finish()
    }
}

/// The checked `followers` configuration; a platform is `None` when it has no token.
#[derive(Debug)]
pub(super) struct FollowersConfig {
    pub timeout: Duration,
    pub recheck_days: u32,
    pub x: Option<PlatformConfig>,
    pub instagram: Option<PlatformConfig>,
    pub facebook: Option<PlatformConfig>,
}

impl FollowersConfig {
    pub fn from_figment(figment: &Figment) -> Result<FollowersConfig, Vec<String>> {
        let raw: RawFollowers = match figment.find_value("followers") {
            Err(e) if e.missing() => RawFollowers {
                timeout_secs: default_timeout(),
                recheck_days: default_recheck(),
                x: None,
                instagram: None,
                facebook: None,
            },
            Err(e) => return Err(vec![format!("followers: {e}")]),
            Ok(value) if value.as_dict().is_none() => {
                return Err(vec![
                    "followers: must be a table, e.g. [default.followers] in Rocket.toml".into(),
                ])
            }
            Ok(_) => figment
                .focus("followers")
                .extract()
                .map_err(|e| e.into_iter().map(describe).collect::<Vec<_>>())?,
        };
        let mut errors = Vec::new();

        if !(1..=60).contains(&raw.timeout_secs) {
            errors.push(format!(
                "followers.timeout_secs: must be between 1 and 60 seconds, not {}",
                raw.timeout_secs
            ));
        }
        if !(1..=365).contains(&raw.recheck_days) {
            errors.push(format!(
                "followers.recheck_days: must be between 1 and 365 days, not {}",
                raw.recheck_days
            ));
        }
        let x = raw
            .x
            .and_then(|p| platform("x", p.base_url, p.token, DEFAULT_X_BASE_URL, &mut errors));
        let facebook = raw.facebook.and_then(|p| {
            platform(
                "facebook",
                p.base_url,
                p.token,
                DEFAULT_GRAPH_BASE_URL,
                &mut errors,
            )
        });
        let instagram = raw.instagram.and_then(|p| {
            let ig_user_id = p.ig_user_id.map(TextOrNumber::into_string);
            let mut cfg = platform(
                "instagram",
                p.base_url,
                p.token,
                DEFAULT_GRAPH_BASE_URL,
                &mut errors,
            )?;
            match ig_user_id {
                Some(id) if !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()) => {
                    cfg.ig_user_id = id;
                    Some(cfg)
                }
                Some(id) if !id.is_empty() => {
                    errors.push(format!(
                        "followers.instagram.ig_user_id: \"{id}\" is not the numeric id of an \
                         Instagram professional account"
                    ));
                    None
                }
                _ => {
                    errors.push(
                        "followers.instagram.ig_user_id: required when followers.instagram.token \
                         is set (the numeric id of the Instagram professional account that makes \
                         the business-discovery calls)"
                            .into(),
                    );
                    None
                }
            }
        });

        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(FollowersConfig {
            timeout: Duration::from_secs(raw.timeout_secs.unsigned_abs()),
            recheck_days: u32::try_from(raw.recheck_days).unwrap_or(DEFAULT_RECHECK_DAYS),
            x,
            instagram,
            facebook,
        })
    }
}

/// A figment error as `followers.<key>: <what is wrong> in <where>`.
fn describe(e: rocket::figment::Error) -> String {
    let key = std::iter::once("followers")
        .chain(e.path.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(".");
    let origin = match e.metadata.as_ref() {
        Some(m) => match &m.source {
            Some(source) => format!(" (in {source})"),
            None => format!(" (in {})", m.name),
        },
        None => String::new(),
    };
    format!("{key}: {}{origin}", e.kind)
}

/// Checks one platform's table; `None` when its token is unset or its base URL is wrong
/// (the latter with a message).
fn platform(
    name: &str,
    base_url: Option<String>,
    token: Option<String>,
    default_base_url: &str,
    errors: &mut Vec<String>,
) -> Option<PlatformConfig> {
    let base_url = match base_url {
        None => Url::parse(default_base_url).ok(),
        Some(text) => {
            let text = text.trim();
            if !(text.starts_with("http://") || text.starts_with("https://")) {
                errors.push(format!(
                    "followers.{name}.base_url: \"{text}\" must start with http:// or https://"
                ));
                None
            } else {
                match Url::parse(text) {
                    Ok(url) if url.query().is_some() || url.fragment().is_some() => {
                        errors.push(format!(
                            "followers.{name}.base_url: \"{text}\" must not have a query or \
                             fragment (for example {default_base_url})"
                        ));
                        None
                    }
                    Ok(url) => Some(url),
                    Err(e) => {
                        errors.push(format!(
                            "followers.{name}.base_url: \"{text}\" is not a URL ({e})"
                        ));
                        None
                    }
                }
            }
        }
    };
    let token = token.map(|t| t.trim().to_string()).unwrap_or_default();
    if token.is_empty() {
        return None;
    }
    Some(PlatformConfig {
        base_url: base_url?,
        token,
        ig_user_id: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rocket::figment::providers::{Format, Serialized, Toml};

    fn from_toml(text: &str) -> Result<FollowersConfig, Vec<String>> {
        FollowersConfig::from_figment(&Figment::new().merge(Toml::string(text)))
    }

    #[test]
    fn nothing_configured_means_defaults_and_no_platform() {
        let cfg = FollowersConfig::from_figment(&Figment::new()).unwrap();
        assert_eq!(cfg.timeout, Duration::from_secs(8));
        assert_eq!(cfg.recheck_days, 90);
        assert!(cfg.x.is_none() && cfg.instagram.is_none() && cfg.facebook.is_none());
    }

    #[test]
    fn a_platform_is_used_only_with_a_token() {
        let cfg = from_toml(
            r#"
            [followers]
            timeout_secs = 5
            recheck_days = 30
            x = { token = "x-secret" }
            instagram = { token = "  ", base_url = "https://graph.example/v21.0" }
            facebook = { token = "" }
            "#,
        )
        .unwrap();
        assert_eq!(cfg.timeout, Duration::from_secs(5));
        assert_eq!(cfg.recheck_days, 30);
        let x = cfg.x.unwrap();
        assert_eq!(x.base_url.as_str(), "https://api.x.com/");
        assert_eq!(x.token, "x-secret");
        assert!(cfg.instagram.is_none());
        assert!(cfg.facebook.is_none());
    }

    #[test]
    fn instagram_takes_its_account_id_with_or_without_quotes() {
        for id in ["17841405309211844", "\"17841405309211844\""] {
            let cfg = from_toml(&format!(
                "[followers]\ninstagram = {{ token = \"t\", ig_user_id = {id} }}"
            ))
            .unwrap();
            let ig = cfg.instagram.unwrap();
            assert_eq!(ig.ig_user_id, "17841405309211844");
            assert_eq!(ig.base_url.as_str(), "https://graph.facebook.com/v21.0");
        }
    }

    #[test]
    fn every_wrong_value_is_named() {
        let errors = from_toml(
            r#"
            [followers]
            timeout_secs = 0
            recheck_days = 400
            x = { token = "t", base_url = "ftp://api.x.com" }
            facebook = { token = "t", base_url = "graph.facebook.com" }
            instagram = { token = "t" }
            "#,
        )
        .unwrap_err();
        assert_eq!(errors.len(), 5, "{errors:#?}");
        let has = |needle: &str| errors.iter().any(|e| e.contains(needle));
        assert!(has("followers.timeout_secs"), "{errors:#?}");
        assert!(has("followers.recheck_days"), "{errors:#?}");
        assert!(
            has("followers.x.base_url: \"ftp://api.x.com\""),
            "{errors:#?}"
        );
        assert!(
            has("followers.facebook.base_url: \"graph.facebook.com\""),
            "{errors:#?}"
        );
        assert!(
            has("followers.instagram.ig_user_id: required"),
            "{errors:#?}"
        );
        assert!(!has("\"t\""), "a token must never be echoed: {errors:#?}");
    }

    #[test]
    fn limits_are_inclusive() {
        assert!(from_toml("[followers]\ntimeout_secs = 60\nrecheck_days = 365").is_ok());
        assert!(from_toml("[followers]\ntimeout_secs = 1\nrecheck_days = 1").is_ok());
        let errors = from_toml("[followers]\ntimeout_secs = 61\nrecheck_days = -1").unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:#?}");
    }

    #[test]
    fn a_wrong_base_url_is_reported_even_without_a_token() {
        let errors = from_toml("[followers]\nx = { base_url = \"api.x.com\" }").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("followers.x.base_url"));
    }

    #[test]
    fn a_non_numeric_instagram_id_is_refused() {
        let errors =
            from_toml("[followers]\ninstagram = { token = \"t\", ig_user_id = \"humas.komdigi\" }")
                .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("followers.instagram.ig_user_id"));
        assert!(errors[0].contains("humas.komdigi"));

        let errors =
            from_toml("[followers]\ninstagram = { token = \"t\", ig_user_id = -5 }").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with("followers.instagram.ig_user_id: ")
                && errors[0].contains("a number or a string of digits"),
            "{errors:#?}"
        );
    }

    #[test]
    fn a_misspelt_or_mistyped_key_is_reported() {
        let errors = from_toml("[followers]\nx = { bearer = \"t\" }").unwrap_err();
        assert!(errors[0].starts_with("followers.x"), "{errors:#?}");
        assert!(errors[0].contains("bearer"), "{errors:#?}");
        let errors = from_toml("[followers]\ntimeout_secs = \"soon\"").unwrap_err();
        assert!(
            errors[0].starts_with("followers.timeout_secs: "),
            "{errors:#?}"
        );
        let errors = from_toml("[followers]\ntiktok = { token = \"t\" }").unwrap_err();
        assert!(errors[0].contains("tiktok"), "{errors:#?}");
        let errors = from_toml("followers = 3").unwrap_err();
        assert!(errors[0].contains("must be a table"), "{errors:#?}");
    }

    #[test]
    fn the_environment_form_works() {
        // `DUTA_FOLLOWERS={x={token="..."}}`: figment parses the value the same way.
        let value: rocket::figment::value::Value = r#"{x={token="from-env"}}"#.parse().unwrap();
        let figment = Figment::new().merge(Serialized::default("followers", value));
        let cfg = FollowersConfig::from_figment(&figment).unwrap();
        assert_eq!(cfg.x.unwrap().token, "from-env");
    }
}
