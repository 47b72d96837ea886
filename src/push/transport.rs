//! Sending one Web Push message: the endpoint must belong to a configured push service
//! and reach only addresses Duta may send to (so a subscription cannot turn Duta into a
//! forwarder of requests to the office network); the body is encrypted for the
//! subscription (RFC 8291) and signed for the service (VAPID, RFC 8292).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::config::{is_public, PushConfig};
use super::vapid::VapidKey;

/// A browser's subscription as the push service gave it.
#[derive(Debug, Clone)]
pub struct Subscription<'a> {
    pub endpoint: &'a str,
    /// The `p256dh` key, base64url.
    pub p256dh: &'a str,
    /// The `auth` secret, base64url.
    pub auth: &'a str,
}

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The push service took it (201, or 200/202).
    Delivered,
    /// The subscription has ended (404 or 410): drop it.
    Gone,
    /// The push service refused this message for good (another 4xx).
    Refused(u16),
    /// Worth trying again later: a timeout, no connection, 429 or 5xx.
    Failed(String),
}

/// Why an endpoint is not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointError {
    /// Not an absolute http(s) URL of at most 1,000 characters.
    NotUrl,
    /// Not on a configured push service.
    NotAService,
    /// It resolves to an address outside the public internet that configuration does
    /// not name, or to no address at all.
    Unreachable,
}

impl EndpointError {
    pub fn key(self) -> &'static str {
        match self {
            EndpointError::NotUrl => "push.endpoint_invalid",
            EndpointError::NotAService => "push.endpoint_not_a_service",
            EndpointError::Unreachable => "push.endpoint_unreachable",
        }
    }
}

/// The longest endpoint Duta keeps (the browsers' are 150–500 characters).
pub const MAX_ENDPOINT: usize = 1000;

/// A resolver that answers only addresses Duta may send to.
struct Guarded {
    private: Arc<Vec<IpNet>>,
}

impl Resolve for Guarded {
    fn resolve(&self, name: Name) -> Resolving {
        let private = self.private.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> = found
                .filter(|a| is_public(a.ip()) || private.iter().any(|n| n.contains(&a.ip())))
                .collect();
            if allowed.is_empty() {
                return Err(format!("{host} resolves to no address Duta may send to").into());
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// Sends Web Push messages; part of the application state, cheap to clone.
#[derive(Clone)]
pub struct Pusher {
    pub config: PushConfig,
    key: Arc<VapidKey>,
    subject: String,
    client: reqwest::Client,
}

impl std::fmt::Debug for Pusher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pusher")
            .field("enabled", &self.config.enabled)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl Pusher {
    /// `subject` is `push.subject`, or the `mailto:`/`https:` Duta made of its settings.
    pub fn new(config: PushConfig, key: VapidKey, subject: String) -> Result<Pusher, String> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .pool_max_idle_per_host(config.concurrency)
            .dns_resolver(Guarded {
                private: Arc::new(config.private.clone()),
            })
            .build()
            .map_err(|e| format!("cannot build the push client: {e}"))?;
        Ok(Pusher {
            config,
            key: Arc::new(key),
            subject,
            client,
        })
    }

    /// The VAPID public key browsers subscribe with (base64url).
    pub fn public_key(&self) -> &str {
        self.key.public()
    }

    /// An endpoint Duta will send to, or why not: on a configured push service, and
    /// every address it reaches allowed (resolved now; each send resolves again).
    pub async fn check_endpoint(&self, endpoint: &str) -> Result<url::Url, EndpointError> {
        if endpoint.chars().count() > MAX_ENDPOINT {
            return Err(EndpointError::NotUrl);
        }
        let url = url::Url::parse(endpoint).map_err(|_| EndpointError::NotUrl)?;
        if !matches!(url.scheme(), "http" | "https")
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(EndpointError::NotUrl);
        }
        if !self.config.services.iter().any(|s| s.matches(&url)) {
            return Err(EndpointError::NotAService);
        }
        let host = url.host_str().ok_or(EndpointError::NotUrl)?;
        let port = url.port_or_known_default().unwrap_or(443);
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<IpAddr> = match bare.parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) => tokio::net::lookup_host((bare, port))
                .await
                .map_err(|_| EndpointError::Unreachable)?
                .map(|a| a.ip())
                .collect(),
        };
        if addrs.is_empty() || !addrs.iter().all(|ip| self.config.address_allowed(*ip)) {
            return Err(EndpointError::Unreachable);
        }
        Ok(url)
    }

    /// Encrypts and sends one message; never panics, never longer than the timeout.
    pub async fn send(
        &self,
        sub: &Subscription<'_>,
        payload: &[u8],
        ttl_secs: u32,
        urgency: &str,
    ) -> Outcome {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let url = match url::Url::parse(sub.endpoint) {
            Ok(u) if self.config.services.iter().any(|s| s.matches(&u)) => u,
            _ => return Outcome::Refused(0),
        };
        // An address written in the endpoint is not looked up: check it here.
        if let Some(ip) = url
            .host_str()
            .map(|h| h.trim_start_matches('[').trim_end_matches(']'))
            .and_then(|h| h.parse::<IpAddr>().ok())
        {
            if !self.config.address_allowed(ip) {
                return Outcome::Refused(0);
            }
        }
        let (Ok(p256dh), Ok(auth)) = (b64.decode(sub.p256dh), b64.decode(sub.auth)) else {
            return Outcome::Refused(0);
        };
        let body = match super::ece::encrypt(payload, &p256dh, &auth) {
            Ok(b) => b,
            Err(_) => return Outcome::Refused(0),
        };
        let origin = url.origin().ascii_serialization();
        let authorization =
            match self
                .key
                .authorization(&origin, &self.subject, chrono::Utc::now().timestamp())
            {
                Ok(a) => a,
                Err(e) => return Outcome::Failed(e),
            };
        let sent = self
            .client
            .post(url)
            .header("TTL", ttl_secs.to_string())
            .header("Urgency", urgency)
            .header("Content-Encoding", "aes128gcm")
            .header("Content-Type", "application/octet-stream")
            .header("Authorization", authorization)
            .body(body)
            .send()
            .await;
        match sent {
            Err(e) => Outcome::Failed(e.to_string()),
            Ok(resp) => match resp.status().as_u16() {
                200..=202 => Outcome::Delivered,
                404 | 410 => Outcome::Gone,
                429 | 500..=599 => Outcome::Failed(format!("status {}", resp.status())),
                other => Outcome::Refused(other),
            },
        }
    }
}
