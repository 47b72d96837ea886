//! Follower counts from the platforms' APIs, behind one trait, one file per platform.
//! A source is used only where its token is configured: personal Facebook and Instagram
//! accounts cannot be read by any API, so a missing source is normal, not a fault, and
//! the screenshot path takes over. A source never panics: whatever the platform answers
//! (or fails to answer) becomes a count or a [`CheckError`].

mod config;
pub mod handles;
pub mod platforms;
pub mod source;

pub use source::{CheckError, FollowerSource};

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rocket::figment::Figment;

use self::config::FollowersConfig;
use self::platforms::{FacebookSource, InstagramSource, XSource};

/// The configured follower sources, by platform, plus the check settings (a part of the
/// application state).
#[derive(Clone)]
pub struct FollowerSources {
    sources: Vec<Arc<dyn FollowerSource>>,
    timeout: Duration,
    recheck_days: u32,
}

impl Default for FollowerSources {
    fn default() -> Self {
        FollowerSources::with_sources(Vec::new())
    }
}

impl fmt::Debug for FollowerSources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FollowerSources")
            .field("configured", &self.configured())
            .field("timeout", &self.timeout)
            .field("recheck_days", &self.recheck_days)
            .finish()
    }
}

impl FollowerSources {
    /// Reads `followers.*` from the configuration; one message per wrong value. Only the
    /// platforms with a token get a source; all of them share one HTTP client.
    pub fn from_figment(figment: &Figment) -> Result<FollowerSources, Vec<String>> {
        let cfg = FollowersConfig::from_figment(figment)?;
        let client = platforms::http_client(cfg.timeout)
            .map_err(|e| vec![format!("followers: cannot build the HTTP client: {e}")])?;
        let mut sources: Vec<Arc<dyn FollowerSource>> = Vec::new();
        if let Some(fb) = cfg.facebook {
            sources.push(Arc::new(FacebookSource::new(
                client.clone(),
                fb.base_url,
                fb.token,
            )));
        }
        if let Some(x) = cfg.x {
            sources.push(Arc::new(XSource::new(client.clone(), x.base_url, x.token)));
        }
        if let Some(ig) = cfg.instagram {
            sources.push(Arc::new(InstagramSource::new(
                client,
                ig.base_url,
                ig.token,
                ig.ig_user_id,
            )));
        }
        Ok(FollowerSources {
            sources,
            timeout: cfg.timeout,
            recheck_days: cfg.recheck_days,
        })
    }

    /// Sources made by hand (tests, or a fake platform), with the default settings.
    pub fn with_sources(sources: Vec<Arc<dyn FollowerSource>>) -> FollowerSources {
        FollowerSources {
            sources,
            timeout: Duration::from_secs(config::DEFAULT_TIMEOUT_SECS),
            recheck_days: config::DEFAULT_RECHECK_DAYS,
        }
    }

    /// The source for `platform`, if one is configured; `None` means "use the screenshot
    /// or coordinator path". An `Arc`, so that a background job can hold it across awaits.
    pub fn get(&self, platform: &str) -> Option<Arc<dyn FollowerSource>> {
        self.sources
            .iter()
            .find(|s| s.platform() == platform)
            .cloned()
    }

    /// The platforms whose counts can be fetched by API.
    pub fn configured(&self) -> Vec<&'static str> {
        self.sources.iter().map(|s| s.platform()).collect()
    }

    /// How many days after an API check it is run again.
    pub fn recheck_days(&self) -> u32 {
        self.recheck_days
    }

    /// How long one call to a platform may take, answer included.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(&'static str, u64);

    #[rocket::async_trait]
    impl FollowerSource for Fixed {
        fn platform(&self) -> &'static str {
            self.0
        }
        async fn followers(&self, _handle: &str) -> Result<u64, CheckError> {
            Ok(self.1)
        }
    }

    #[tokio::test]
    async fn hand_made_sources_are_found_by_platform() {
        let sources = FollowerSources::with_sources(vec![
            Arc::new(Fixed("x", 700)),
            Arc::new(Fixed("instagram", 42)),
        ]);
        assert_eq!(sources.configured(), vec!["x", "instagram"]);
        assert_eq!(sources.get("x").unwrap().followers("anyone").await, Ok(700));
        assert!(sources.get("facebook").is_none());
        assert_eq!(sources.recheck_days(), 90);
        assert_eq!(sources.timeout(), Duration::from_secs(8));
    }

    #[tokio::test]
    async fn configured_platforms_share_a_client_that_says_who_is_calling() {
        use rocket::figment::providers::{Format, Toml};
        use wiremock::matchers::{header, method, path};
        use wiremock::{Mock, MockServer, ResponseTemplate};

        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/2/users/by/username/humas_komdigi"))
            .and(header(
                "user-agent",
                concat!("Duta/", env!("CARGO_PKG_VERSION")),
            ))
            .and(header("authorization", "Bearer x-secret"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "data": {"public_metrics": {"followers_count": 640}}
            })))
            .expect(1)
            .mount(&server)
            .await;
        let toml = format!(
            "[followers]\ntimeout_secs = 3\nrecheck_days = 30\n\
             x = {{ token = \"x-secret\", base_url = \"{}\" }}\n\
             facebook = {{ token = \"fb-secret\" }}\n\
             instagram = {{ token = \"\" }}\n",
            server.uri()
        );
        let sources =
            FollowerSources::from_figment(&Figment::new().merge(Toml::string(&toml))).unwrap();
        assert_eq!(sources.configured(), vec!["facebook", "x"]);
        assert_eq!(sources.timeout(), Duration::from_secs(3));
        assert_eq!(sources.recheck_days(), 30);
        assert!(sources.get("instagram").is_none());
        assert_eq!(
            sources.get("x").unwrap().followers("humas_komdigi").await,
            Ok(640)
        );
    }

    #[test]
    fn wrong_values_stop_ignition_with_their_names() {
        use rocket::figment::providers::{Format, Toml};
        let toml =
            "[followers]\ntimeout_secs = 600\nx = { token = \"t\", base_url = \"api.x.com\" }";
        let errors =
            FollowerSources::from_figment(&Figment::new().merge(Toml::string(toml))).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert!(errors[0].contains("followers.timeout_secs"));
        assert!(errors[1].contains("followers.x.base_url"));
    }

    #[test]
    fn no_configuration_means_no_sources() {
        let sources = FollowerSources::from_figment(&Figment::new()).unwrap();
        assert!(sources.configured().is_empty());
        assert_eq!(sources.recheck_days(), 90);
        assert_eq!(sources.timeout(), Duration::from_secs(8));
    }

    #[test]
    fn outcomes_have_stable_names() {
        assert_eq!(CheckError::NotFound.outcome(), "not_found");
        assert_eq!(
            CheckError::RateLimited {
                until: chrono::Utc::now()
            }
            .outcome(),
            "rate_limited"
        );
        assert_eq!(
            CheckError::Unavailable("timeout".into()).outcome(),
            "unavailable"
        );
    }
}
