//! `push.*`: which push services Duta sends to, and how.

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;
use rocket::figment::Figment;
use serde::Deserialize;

/// The browsers' own push services (Chrome and Edge on Android, Firefox, Edge on
/// Windows, Safari): the default of `push.services`.
pub const BROWSER_SERVICES: [&str; 4] = [
    "https://fcm.googleapis.com",
    "https://updates.push.services.mozilla.com",
    "https://*.notify.windows.com",
    "https://*.push.apple.com",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPush {
    #[serde(default)]
    enabled: Option<bool>,
    services: Option<Vec<String>>,
    #[serde(default)]
    private_addresses: Vec<String>,
    subject: Option<String>,
    #[serde(default = "default_timeout")]
    timeout_secs: i64,
    #[serde(default = "default_concurrency")]
    concurrency: i64,
    vapid_private_key: Option<String>,
}

fn default_timeout() -> i64 {
    10
}

fn default_concurrency() -> i64 {
    64
}

/// A push service Duta may send to: its scheme, host (`*.` for any subdomain) and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub scheme: String,
    pub host: String,
    pub port: u16,
}

impl Service {
    /// `https://host[:port]` or `http://host[:port]`, the host possibly `*.domain`.
    pub fn parse(raw: &str) -> Option<Service> {
        let raw = raw.trim().trim_end_matches('/');
        let (scheme, rest) = raw.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "https" => 443,
            "http" => 80,
            _ => return None,
        };
        if rest.is_empty() || rest.contains(['/', '?', '#', '@']) {
            return None;
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') || h.ends_with(']') => (h, p.parse::<u16>().ok()?),
            _ => (rest, default_port),
        };
        let host = host.to_ascii_lowercase();
        let bare = host.strip_prefix("*.").unwrap_or(&host);
        if bare.is_empty() || bare.contains('*') {
            return None;
        }
        Some(Service { scheme, host, port })
    }

    /// Whether an endpoint's scheme, host and port are this service's.
    pub fn matches(&self, url: &url::Url) -> bool {
        let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
            return false;
        };
        let host_ok = match self.host.strip_prefix("*.") {
            Some(domain) => host.ends_with(&format!(".{domain}")),
            None => host == self.host,
        };
        url.scheme() == self.scheme && host_ok && url.port_or_known_default() == Some(self.port)
    }
}

/// The push settings of a node.
#[derive(Debug, Clone)]
pub struct PushConfig {
    /// `push.enabled` (default true): false sends nothing (subscriptions are still kept).
    pub enabled: bool,
    /// `push.services`: the push services subscriptions may point at (default: the
    /// browsers' own, [`BROWSER_SERVICES`]).
    pub services: Vec<Service>,
    /// `push.private_addresses`: addresses or networks outside the public internet that a
    /// listed service may resolve to (none by default: Duta never sends to a private
    /// address it was not told about).
    pub private: Vec<IpNet>,
    /// `push.subject`: who runs this Duta, for push services (`mailto:` or `https:`).
    pub subject: Option<String>,
    /// `push.timeout_secs` (1–60, default 10): how long one delivery may take.
    pub timeout: Duration,
    /// `push.concurrency` (1–1000, default 64): deliveries under way at once per node.
    pub concurrency: usize,
    /// `push.vapid_private_key`: the VAPID key (base64url, 32 bytes); otherwise
    /// `<data_dir>/vapid.key`, made at first start.
    pub vapid_private_key: Option<String>,
}

impl Default for PushConfig {
    fn default() -> Self {
        PushConfig {
            enabled: true,
            services: BROWSER_SERVICES
                .iter()
                .filter_map(|s| Service::parse(s))
                .collect(),
            private: Vec::new(),
            subject: None,
            timeout: Duration::from_secs(default_timeout().unsigned_abs()),
            concurrency: default_concurrency().unsigned_abs() as usize,
            vapid_private_key: None,
        }
    }
}

impl PushConfig {
    /// Reads `push.*`; one message per wrong value.
    pub fn from_figment(figment: &Figment) -> Result<PushConfig, Vec<String>> {
        let raw: RawPush = match figment.find_value("push") {
            Err(e) if e.missing() => return Ok(PushConfig::default()),
            Err(e) => return Err(vec![format!("push: {e}")]),
            Ok(value) if value.as_dict().is_none() => {
                return Err(vec![
                    "push: must be a table, e.g. [default.push] in Rocket.toml".into(),
                ])
            }
            Ok(_) => figment
                .focus("push")
                .extract()
                .map_err(|e| vec![format!("push: {e}")])?,
        };
        let mut errors = Vec::new();
        let mut services = Vec::new();
        for s in raw
            .services
            .unwrap_or_else(|| BROWSER_SERVICES.iter().map(|s| s.to_string()).collect())
        {
            match Service::parse(&s) {
                Some(service) => services.push(service),
                None => errors.push(format!(
                    "push.services: {s:?} is not a push service like \"https://fcm.googleapis.com\" \
                     (a scheme, a host or *.domain, an optional port, nothing else)"
                )),
            }
        }
        let mut private = Vec::new();
        for p in &raw.private_addresses {
            match p
                .parse::<IpNet>()
                .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
            {
                Ok(net) => private.push(net),
                Err(_) => errors.push(format!(
                    "push.private_addresses: {p:?} is not an address or a network like 10.0.0.0/8"
                )),
            }
        }
        if let Some(s) = &raw.subject {
            if !(s.starts_with("mailto:") || s.starts_with("https://")) {
                errors.push(format!(
                    "push.subject: must start with mailto: or https://, not {s:?}"
                ));
            }
        }
        if !(1..=60).contains(&raw.timeout_secs) {
            errors.push(format!(
                "push.timeout_secs: must be between 1 and 60 seconds, not {}",
                raw.timeout_secs
            ));
        }
        if !(1..=1000).contains(&raw.concurrency) {
            errors.push(format!(
                "push.concurrency: must be between 1 and 1000, not {}",
                raw.concurrency
            ));
        }
        if let Some(key) = &raw.vapid_private_key {
            if let Err(e) = super::vapid::VapidKey::from_private(key) {
                errors.push(format!("push.vapid_private_key: {e}"));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(PushConfig {
            enabled: raw.enabled.unwrap_or(true),
            services,
            private,
            subject: raw.subject,
            timeout: Duration::from_secs(raw.timeout_secs.unsigned_abs()),
            concurrency: raw.concurrency.unsigned_abs() as usize,
            vapid_private_key: raw.vapid_private_key,
        })
    }

    /// Whether Duta may send to `ip`: an address of the public internet, or one of
    /// `push.private_addresses`.
    pub fn address_allowed(&self, ip: IpAddr) -> bool {
        is_public(ip) || self.private.iter().any(|n| n.contains(&ip))
    }
}

/// Whether an address is on the public internet: not loopback, private, link-local,
/// shared (CGNAT), documentation, benchmarking, multicast, broadcast or unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 198 && (18..20).contains(&o[1]))
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] == 0x2001 && s[1] == 0x0db8)
                || (s[0] == 0x64 && s[1] == 0xff9b))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_are_a_scheme_a_host_and_a_port() {
        let s = Service::parse("https://*.notify.windows.com").unwrap();
        assert!(s.matches(&url::Url::parse("https://db5p.notify.windows.com/w/?token=1").unwrap()));
        assert!(!s.matches(&url::Url::parse("https://notify.windows.com.evil.id/w").unwrap()));
        assert!(!s.matches(&url::Url::parse("http://db5p.notify.windows.com/w").unwrap()));
        let local = Service::parse("http://127.0.0.1:8945").unwrap();
        assert!(local.matches(&url::Url::parse("http://127.0.0.1:8945/push/a").unwrap()));
        assert!(!local.matches(&url::Url::parse("http://127.0.0.1:8946/push/a").unwrap()));
        for bad in [
            "ftp://x.id",
            "https://",
            "https://x.id/path",
            "fcm.googleapis.com",
            "https://a*.id",
            "https://u@x.id",
        ] {
            assert_eq!(Service::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "224.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["142.250.4.95", "2a00:1450:4001::5f", "103.10.20.30"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
        let cfg = PushConfig {
            private: vec!["127.0.0.1/32".parse().unwrap()],
            ..Default::default()
        };
        assert!(cfg.address_allowed("127.0.0.1".parse().unwrap()));
        assert!(!cfg.address_allowed("127.0.0.2".parse().unwrap()));
    }
}
