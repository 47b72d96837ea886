//! Session tokens: HS256 only, with `exp`, `iss`, `aud`, a `kid` naming the signing key,
//! and the user's security stamp, so that logout and every security change revoke them.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::{AppConfig, JwtKey, JWT_AUDIENCE};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub stamp: String,
    pub role: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

/// The longest token we look at; anything longer is refused before parsing.
pub const MAX_TOKEN_LEN: usize = 2048;
/// The audience of two-step sign-in tickets.
const TICKET_AUDIENCE: &str = "duta-2fa";

pub struct JwtKeys {
    active_kid: String,
    encoding: EncodingKey,
    decoding: HashMap<String, DecodingKey>,
    issuer: String,
    ttl: Duration,
}

impl JwtKeys {
    pub fn from_config(cfg: &AppConfig) -> Result<JwtKeys, String> {
        JwtKeys::new(&cfg.jwt_keys, &cfg.jwt_issuer, cfg.session_hours)
    }

    /// Signs with the first key and accepts tokens of any of them (by `kid`).
    pub fn new(keys: &[JwtKey], issuer: &str, session_hours: i64) -> Result<JwtKeys, String> {
        let active = keys.first().ok_or("no JWT signing key configured")?;
        Ok(JwtKeys {
            active_kid: active.kid.clone(),
            encoding: EncodingKey::from_secret(active.secret.as_bytes()),
            decoding: keys
                .iter()
                .map(|k| (k.kid.clone(), DecodingKey::from_secret(k.secret.as_bytes())))
                .collect(),
            issuer: issuer.to_string(),
            ttl: Duration::hours(session_hours),
        })
    }

    /// Signs a token for this user and stamp; returns it with its expiry.
    pub fn issue(
        &self,
        user_id: i64,
        role: &str,
        stamp: &str,
    ) -> Result<(String, DateTime<Utc>), String> {
        self.sign(user_id, role, stamp, JWT_AUDIENCE, self.ttl)
    }

    /// A five-minute ticket saying the password of `user_id` was right, for the second
    /// step of a two-step sign-in. It opens nothing else: its audience differs.
    pub fn issue_ticket(&self, user_id: i64, stamp: &str) -> Result<String, String> {
        self.sign(user_id, "", stamp, TICKET_AUDIENCE, Duration::minutes(5))
            .map(|(t, _)| t)
    }

    fn sign(
        &self,
        user_id: i64,
        role: &str,
        stamp: &str,
        audience: &str,
        ttl: Duration,
    ) -> Result<(String, DateTime<Utc>), String> {
        let now = Utc::now();
        let exp = now + ttl;
        let claims = Claims {
            sub: user_id.to_string(),
            stamp: stamp.to_string(),
            role: role.to_string(),
            iss: self.issuer.clone(),
            aud: audience.to_string(),
            iat: now.timestamp(),
            exp: exp.timestamp(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.active_kid.clone());
        let token =
            jsonwebtoken::encode(&header, &claims, &self.encoding).map_err(|e| e.to_string())?;
        Ok((token, exp))
    }

    pub fn verify(&self, token: &str) -> Option<Claims> {
        self.check(token, JWT_AUDIENCE)
    }

    /// The claims of a two-step sign-in ticket.
    pub fn verify_ticket(&self, token: &str) -> Option<Claims> {
        self.check(token, TICKET_AUDIENCE)
    }

    fn check(&self, token: &str, audience: &str) -> Option<Claims> {
        if token.is_empty() || token.len() > MAX_TOKEN_LEN {
            return None;
        }
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.alg != Algorithm::HS256 {
            return None;
        }
        let key = self.decoding.get(header.kid.as_deref()?)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        jsonwebtoken::decode::<Claims>(token, key, &validation)
            .ok()
            .map(|d| d.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn keys(kids: &[(&str, &str)]) -> JwtKeys {
        let mut cfg = AppConfig::from_figment(&rocket::figment::Figment::new()).unwrap();
        cfg.jwt_keys = kids
            .iter()
            .map(|(k, s)| JwtKey {
                kid: k.to_string(),
                secret: s.to_string(),
            })
            .collect();
        JwtKeys::from_config(&cfg).unwrap()
    }

    const A: &str = "a-secret-that-is-long-enough-for-hs256-0001";
    const B: &str = "b-secret-that-is-long-enough-for-hs256-0002";

    #[test]
    fn round_trip_and_rotation() {
        let old = keys(&[("old", A)]);
        let (token, _) = old.issue(7, "admin", "s1").unwrap();
        let rotated = keys(&[("new", B), ("old", A)]);
        assert_eq!(rotated.verify(&token).unwrap().sub, "7");
        let dropped = keys(&[("new", B)]);
        assert!(
            dropped.verify(&token).is_none(),
            "a retired kid must not verify"
        );
    }

    #[test]
    fn unsigned_and_foreign_tokens_are_refused() {
        let k = keys(&[("k1", A)]);
        let (token, _) = k.issue(1, "ambassador", "s").unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let none_header = b64.encode(r#"{"alg":"none","typ":"JWT","kid":"k1"}"#);
        assert!(k.verify(&format!("{none_header}.{}.", parts[1])).is_none());
        let edited = b64.encode(
            String::from_utf8(b64.decode(parts[1]).unwrap())
                .unwrap()
                .replace("ambassador", "admin"),
        );
        assert!(k
            .verify(&format!("{}.{edited}.{}", parts[0], parts[2]))
            .is_none());
        assert!(k.verify(&"x".repeat(8192)).is_none());
    }

    #[test]
    fn a_sign_in_ticket_is_not_a_session_and_a_session_is_not_a_ticket() {
        let k = keys(&[("k1", A)]);
        let ticket = k.issue_ticket(5, "s").unwrap();
        assert_eq!(k.verify_ticket(&ticket).unwrap().sub, "5");
        assert!(k.verify(&ticket).is_none(), "a ticket opens no page");
        let (session, _) = k.issue(5, "admin", "s").unwrap();
        assert!(k.verify_ticket(&session).is_none());
    }
}
