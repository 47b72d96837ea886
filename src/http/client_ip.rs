//! The client's address for throttling and the audit log. Rocket's own `ip_header` is off:
//! `X-Forwarded-For` and `X-Real-IP` count only when the direct peer is a configured proxy,
//! and then the right-most address that is not itself a trusted proxy is the client.

use std::net::IpAddr;

use ipnet::IpNet;
use rocket::request::{FromRequest, Outcome, Request};

use crate::config::AppConfig;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    pub fn key(&self) -> String {
        self.0
            .map(|ip| ip.to_string())
            .unwrap_or_else(|| "unknown".into())
    }
}

pub fn resolve(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    real_ip: Option<&str>,
    trusted: &[IpNet],
) -> Option<IpAddr> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let peer = peer?;
    if !is_trusted(&peer) {
        return Some(peer);
    }
    if let Some(list) = forwarded_for {
        let hops: Vec<IpAddr> = list
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect();
        if let Some(client) = hops.iter().rev().find(|ip| !is_trusted(ip)) {
            return Some(*client);
        }
    }
    if let Some(ip) = real_ip.and_then(|s| s.trim().parse().ok()) {
        return Some(ip);
    }
    Some(peer)
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientIp {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let trusted = crate::state::part::<AppConfig>(req.rocket())
            .map(|c| c.trusted_proxies.as_slice())
            .unwrap_or(&[]);
        let peer = req.remote().map(|s| s.ip());
        Outcome::Success(ClientIp(resolve(
            peer,
            req.headers().get_one("X-Forwarded-For"),
            req.headers().get_one("X-Real-IP"),
            trusted,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peer_cannot_forge_its_address() {
        let got = resolve(
            Some(ip("203.0.113.9")),
            Some("1.2.3.4"),
            Some("5.6.7.8"),
            &[],
        );
        assert_eq!(got, Some(ip("203.0.113.9")));
    }

    #[test]
    fn trusted_proxy_passes_the_right_most_untrusted_hop() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let got = resolve(
            Some(ip("10.0.0.2")),
            Some("6.6.6.6, 198.51.100.7, 10.0.0.5"),
            None,
            &trusted,
        );
        assert_eq!(
            got,
            Some(ip("198.51.100.7")),
            "a client-written left-most hop is ignored"
        );
        assert_eq!(
            resolve(Some(ip("10.0.0.2")), None, Some("198.51.100.8"), &trusted),
            Some(ip("198.51.100.8"))
        );
        assert_eq!(
            resolve(Some(ip("10.0.0.2")), Some("garbage"), None, &trusted),
            Some(ip("10.0.0.2"))
        );
    }
}
