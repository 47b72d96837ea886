//! Web Push message encryption (RFC 8291) in the `aes128gcm` content coding (RFC 8188),
//! on the crypto of `aws-lc-rs` that Duta already builds: ECDH on P-256 with the
//! subscription's key, HKDF-SHA-256 with its authentication secret, one AES-128-GCM record.
//! The application server's key pair and the salt are fresh for every message; tests pass
//! fixed ones to check the result against RFC 8291's own example.

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM};
use aws_lc_rs::agreement::{self, PrivateKey, UnparsedPublicKey, ECDH_P256};
use aws_lc_rs::hkdf::{KeyType, Salt, HKDF_SHA256};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};

/// The record size written in the header; a push message is one record, far below it.
const RECORD_SIZE: u32 = 4096;
/// The largest plaintext a push service must take (RFC 8291 §4: 4096 bytes of body, less
/// the 86-byte header, the 16-byte tag and the padding delimiter).
pub const MAX_PLAINTEXT: usize = 3993;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EceError {
    #[error("the subscription's public key is not an uncompressed P-256 point")]
    BadPublicKey,
    #[error("the subscription's authentication secret is not 16 bytes")]
    BadAuthSecret,
    #[error("the message is longer than a push message may be")]
    TooLong,
    #[error("encryption failed")]
    Crypto,
}

struct Len(usize);

impl KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn expand(salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8]) -> Result<(), EceError> {
    Salt::new(HKDF_SHA256, salt)
        .extract(ikm)
        .expand(&[info], Len(out.len()))
        .and_then(|okm| okm.fill(out))
        .map_err(|_| EceError::Crypto)
}

/// Encrypts `plaintext` for a subscription (`ua_public`: its `p256dh` key, 65 bytes;
/// `auth_secret`: its `auth`, 16 bytes) with a fresh key pair and salt: the request body
/// to send with `Content-Encoding: aes128gcm`.
pub fn encrypt(
    plaintext: &[u8],
    ua_public: &[u8],
    auth_secret: &[u8],
) -> Result<Vec<u8>, EceError> {
    let rng = SystemRandom::new();
    let mut salt = [0u8; 16];
    rng.fill(&mut salt).map_err(|_| EceError::Crypto)?;
    let as_private = PrivateKey::generate(&ECDH_P256).map_err(|_| EceError::Crypto)?;
    encrypt_with(plaintext, ua_public, auth_secret, &as_private, &salt)
}

/// [`encrypt`] with the application server's key and the salt given.
pub fn encrypt_with(
    plaintext: &[u8],
    ua_public: &[u8],
    auth_secret: &[u8],
    as_private: &PrivateKey,
    salt: &[u8; 16],
) -> Result<Vec<u8>, EceError> {
    if ua_public.len() != 65 || ua_public[0] != 0x04 {
        return Err(EceError::BadPublicKey);
    }
    if auth_secret.len() != 16 {
        return Err(EceError::BadAuthSecret);
    }
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(EceError::TooLong);
    }
    let as_public = as_private
        .compute_public_key()
        .map_err(|_| EceError::Crypto)?;
    let as_public = as_public.as_ref();
    let ecdh_secret = agreement::agree(
        as_private,
        UnparsedPublicKey::new(&ECDH_P256, ua_public),
        EceError::BadPublicKey,
        |secret| Ok(secret.to_vec()),
    )?;
    // RFC 8291 §3.4: the input keying material from the shared secret and the auth secret.
    let mut key_info = Vec::with_capacity(14 + 65 + 65);
    key_info.extend_from_slice(b"WebPush: info\0");
    key_info.extend_from_slice(ua_public);
    key_info.extend_from_slice(as_public);
    let mut ikm = [0u8; 32];
    expand(auth_secret, &ecdh_secret, &key_info, &mut ikm)?;
    // RFC 8188 §2.2–2.3: the content encryption key and nonce from the salt.
    let mut cek = [0u8; 16];
    expand(salt, &ikm, b"Content-Encoding: aes128gcm\0", &mut cek)?;
    let mut nonce = [0u8; 12];
    expand(salt, &ikm, b"Content-Encoding: nonce\0", &mut nonce)?;
    // One record, the last: the plaintext and the delimiter 0x02, no padding.
    let mut record = Vec::with_capacity(plaintext.len() + 1 + 16);
    record.extend_from_slice(plaintext);
    record.push(0x02);
    let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &cek).map_err(|_| EceError::Crypto)?);
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::empty(),
        &mut record,
    )
    .map_err(|_| EceError::Crypto)?;
    let mut body = Vec::with_capacity(16 + 4 + 1 + 65 + record.len());
    body.extend_from_slice(salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(65);
    body.extend_from_slice(as_public);
    body.extend_from_slice(&record);
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn b64(s: &str) -> Vec<u8> {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .unwrap()
    }

    /// RFC 8291 §5: the example's keys, salt and message give the example's body, byte
    /// for byte.
    #[test]
    fn the_rfc_8291_example_encrypts_to_the_rfcs_body() {
        let as_private = PrivateKey::from_private_key(
            &ECDH_P256,
            &b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"),
        )
        .unwrap();
        assert_eq!(
            as_private.compute_public_key().unwrap().as_ref(),
            b64("BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8")
        );
        let salt: [u8; 16] = b64("DGv6ra1nlYgDCS1FRnbzlw").try_into().unwrap();
        let body = encrypt_with(
            b"When I grow up, I want to be a watermelon",
            &b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"),
            &b64("BTBZMqHH6r4Tts7J_aSIgg"),
            &as_private,
            &salt,
        )
        .unwrap();
        assert_eq!(
            body,
            b64("DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN")
        );
    }

    #[test]
    fn each_message_has_its_own_key_and_salt() {
        let ua = PrivateKey::generate(&ECDH_P256).unwrap();
        let ua_public = ua.compute_public_key().unwrap();
        let a = encrypt(b"same", ua_public.as_ref(), &[7u8; 16]).unwrap();
        let b = encrypt(b"same", ua_public.as_ref(), &[7u8; 16]).unwrap();
        assert_ne!(a[..16], b[..16], "salt");
        assert_ne!(a[21..86], b[21..86], "key");
        assert_eq!(a.len(), 86 + 4 + 1 + 16);
    }

    #[test]
    fn bad_keys_and_long_messages_are_refused() {
        let ua = PrivateKey::generate(&ECDH_P256).unwrap();
        let ua_public = ua.compute_public_key().unwrap();
        assert_eq!(
            encrypt(b"x", &[4u8; 65], &[0u8; 16]),
            Err(EceError::BadPublicKey),
            "a point not on the curve"
        );
        assert_eq!(
            encrypt(b"x", &[4u8; 33], &[0u8; 16]),
            Err(EceError::BadPublicKey)
        );
        assert_eq!(
            encrypt(b"x", ua_public.as_ref(), &[0u8; 15]),
            Err(EceError::BadAuthSecret)
        );
        assert_eq!(
            encrypt(&[b'a'; MAX_PLAINTEXT + 1], ua_public.as_ref(), &[0u8; 16]),
            Err(EceError::TooLong)
        );
        assert!(encrypt(&[b'a'; MAX_PLAINTEXT], ua_public.as_ref(), &[0u8; 16]).is_ok());
    }
}
