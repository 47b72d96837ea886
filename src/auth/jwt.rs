//! Session tokens: HS256 only, with `exp`, `iss`, `aud`, a `kid` naming the signing key,
//! and the user's security stamp, so that logout and every security change revoke them.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::{AppConfig, JWT_AUDIENCE};

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

pub struct JwtKeys {
    active_kid: String,
    encoding: EncodingKey,
    decoding: HashMap<String, DecodingKey>,
    issuer: String,
    ttl: Duration,
}

impl JwtKeys {
    pub fn from_config(cfg: &AppConfig) -> Result<JwtKeys, String> {
        let active = cfg
            .jwt_keys
            .first()
            .ok_or("no JWT signing key configured")?;
        Ok(JwtKeys {
            active_kid: active.kid.clone(),
            encoding: EncodingKey::from_secret(active.secret.as_bytes()),
            decoding: cfg
                .jwt_keys
                .iter()
                .map(|k| (k.kid.clone(), DecodingKey::from_secret(k.secret.as_bytes())))
                .collect(),
            issuer: cfg.jwt_issuer.clone(),
            ttl: Duration::hours(cfg.session_hours),
        })
    }

    /// Signs a token for this user and stamp; returns it with its expiry.
    pub fn issue(
        &self,
        user_id: i64,
        role: &str,
        stamp: &str,
    ) -> Result<(String, DateTime<Utc>), String> {
        let now = Utc::now();
        let exp = now + self.ttl;
        let claims = Claims {
            sub: user_id.to_string(),
            stamp: stamp.to_string(),
            role: role.to_string(),
            iss: self.issuer.clone(),
            aud: JWT_AUDIENCE.to_string(),
            iat: now.timestamp(),
            exp: exp.timestamp(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.active_kid.clone());
        let token =
            jsonwebtoken::encode(&header, &claims, &self.encoding).map_err(|e| e.to_string())?;
        Ok((token, exp))
    }

    /// Checks signature, algorithm, key id, expiry, issuer and audience; the stamp and
    /// the user's state are checked by the guard against the database.
    pub fn verify(&self, token: &str) -> Option<Claims> {
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
        validation.set_audience(&[JWT_AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        jsonwebtoken::decode::<Claims>(token, key, &validation)
            .ok()
            .map(|d| d.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::JwtKey;
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
}
