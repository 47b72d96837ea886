//! VAPID (RFC 8292): the application server's identity towards push services. One P-256
//! key pair for the whole deployment (every node signs with it, and subscriptions are
//! made against its public key), kept in `<data_dir>/vapid.key` unless configured; each
//! request carries `Authorization: vapid t=<JWT>, k=<public key>`, the JWT signed ES256
//! for the push service's origin, valid 12 hours.

use aws_lc_rs::agreement::{PrivateKey, ECDH_P256};
use aws_lc_rs::encoding::{AsBigEndian, EcPrivateKeyBin};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use base64::Engine;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// How long a signature is good for; RFC 8292 allows at most 24 hours.
pub const VALID_SECS: i64 = 12 * 3600;

/// The deployment's VAPID key pair.
pub struct VapidKey {
    signer: EcdsaKeyPair,
    /// The public key, uncompressed (65 bytes), base64url: what browsers subscribe with.
    public: String,
}

impl std::fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VapidKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl VapidKey {
    /// A fresh private key as base64url of its 32-byte scalar (for a new `vapid.key`).
    pub fn generate_private() -> Result<String, String> {
        let key = PrivateKey::generate(&ECDH_P256).map_err(|e| e.to_string())?;
        let scalar: EcPrivateKeyBin<'static> = key
            .as_be_bytes()
            .map_err(|e| format!("cannot read a new VAPID key: {e}"))?;
        Ok(B64.encode(scalar.as_ref()))
    }

    /// The key pair from its private scalar (base64url, 32 bytes).
    pub fn from_private(b64: &str) -> Result<VapidKey, String> {
        let scalar = B64
            .decode(b64.trim())
            .map_err(|_| "the VAPID key is not base64url".to_string())?;
        let private = PrivateKey::from_private_key(&ECDH_P256, &scalar)
            .map_err(|_| "the VAPID key is not a P-256 private key of 32 bytes".to_string())?;
        let public = private
            .compute_public_key()
            .map_err(|e| format!("cannot compute the VAPID public key: {e}"))?;
        let signer = EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &scalar,
            public.as_ref(),
        )
        .map_err(|e| format!("the VAPID key is refused: {e}"))?;
        Ok(VapidKey {
            signer,
            public: B64.encode(public.as_ref()),
        })
    }

    /// The public key, base64url of the uncompressed point.
    pub fn public(&self) -> &str {
        &self.public
    }

    /// The `Authorization` header value for a push service at `origin`
    /// (`https://host[:port]`), signed now for [`VALID_SECS`].
    pub fn authorization(&self, origin: &str, subject: &str, now: i64) -> Result<String, String> {
        let header = B64.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({
            "aud": origin,
            "exp": now + VALID_SECS,
            "sub": subject,
        });
        let claims = B64.encode(claims.to_string().as_bytes());
        let signing_input = format!("{header}.{claims}");
        let signature = self
            .signer
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .map_err(|e| format!("cannot sign the VAPID token: {e}"))?;
        Ok(format!(
            "vapid t={signing_input}.{}, k={}",
            B64.encode(signature.as_ref()),
            self.public
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};

    #[test]
    fn the_token_names_the_push_service_and_verifies_with_the_public_key() {
        let key = VapidKey::from_private(&VapidKey::generate_private().unwrap()).unwrap();
        let header = key
            .authorization(
                "https://push.example.net",
                "mailto:humas@example.go.id",
                1_000,
            )
            .unwrap();
        let rest = header.strip_prefix("vapid t=").unwrap();
        let (jwt, k) = rest.split_once(", k=").unwrap();
        assert_eq!(k, key.public());
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims: serde_json::Value =
            serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["aud"], "https://push.example.net");
        assert_eq!(claims["exp"], 1_000 + VALID_SECS);
        assert_eq!(claims["sub"], "mailto:humas@example.go.id");
        let public = B64.decode(k).unwrap();
        assert_eq!(public.len(), 65);
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &public)
            .verify(
                format!("{}.{}", parts[0], parts[1]).as_bytes(),
                &B64.decode(parts[2]).unwrap(),
            )
            .expect("the signature verifies");
    }

    #[test]
    fn a_bad_key_is_refused_with_a_reason() {
        assert!(VapidKey::from_private("not base64!").is_err());
        assert!(VapidKey::from_private(&B64.encode([1u8; 31])).is_err());
        assert!(VapidKey::from_private(&B64.encode([0u8; 32])).is_err());
    }
}
