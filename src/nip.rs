//! The NIP at rest. The digits are sealed with AES-256-GCM under a key from the
//! configuration (`nip_key`, or `<data_dir>/nip.key`), and the unique `ambassadors.nip`
//! column holds a keyed hash of them, so "one account per NIP" is still enforced by the
//! database without the digits being there. A database copy without the key holds no NIP.

use std::sync::Arc;

use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey, NONCE_LEN};
use aws_lc_rs::hmac;
use base64::Engine;
use rand::RngCore;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD_NO_PAD;
/// Marks the keyed hash in the `nip` column (and tells it from a legacy plaintext NIP).
const INDEX_PREFIX: &str = "h1:";

/// The NIP key: a 32-byte secret from which the sealing and the index keys are derived.
#[derive(Clone)]
pub struct NipKey(Arc<Keys>);

struct Keys {
    index: hmac::Key,
    seal: LessSafeKey,
    link: hmac::Key,
}

impl std::fmt::Debug for NipKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NipKey(..)")
    }
}

impl NipKey {
    /// The key from its base64 text (32 bytes); `None` when it is not that.
    pub fn from_base64(text: &str) -> Option<NipKey> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .or_else(|_| B64.decode(text.trim()))
            .ok()?;
        if bytes.len() != 32 {
            return None;
        }
        let master = hmac::Key::new(hmac::HMAC_SHA256, &bytes);
        let derive = |label: &str| hmac::sign(&master, label.as_bytes());
        let index = hmac::Key::new(hmac::HMAC_SHA256, derive("duta nip index v1").as_ref());
        let seal = UnboundKey::new(&aead::AES_256_GCM, derive("duta nip seal v1").as_ref()).ok()?;
        let link = hmac::Key::new(hmac::HMAC_SHA256, derive("duta public link v1").as_ref());
        Some(NipKey(Arc::new(Keys {
            index,
            seal: LessSafeKey::new(seal),
            link,
        })))
    }

    /// A new random key, as base64 text.
    pub fn generate() -> String {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    /// The value of the unique `nip` column for these digits.
    pub fn index(&self, digits: &str) -> String {
        let tag = hmac::sign(&self.0.index, digits.as_bytes());
        let mut out = String::with_capacity(INDEX_PREFIX.len() + 64);
        out.push_str(INDEX_PREFIX);
        for b in tag.as_ref() {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }

    /// The digits sealed for `nip_sealed`: base64 of a random nonce and the ciphertext.
    pub fn seal(&self, digits: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let mut data = digits.as_bytes().to_vec();
        // Sealing 18 bytes with a valid key and a fresh nonce cannot fail.
        if self
            .0
            .seal
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut data)
            .is_err()
        {
            data.clear();
        }
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        B64.encode(out)
    }

    /// A code for a public link to the row `id` of `purpose` (a referral link): the id and
    /// 12 hex digits of a keyed tag, `42-3fa9c0d18e2b`. It stays the same as long as the
    /// key does, and nobody without the key can make one for another id.
    pub fn link_code(&self, purpose: &str, id: i64) -> String {
        format!("{id}-{}", self.link_tag(purpose, id))
    }

    /// The id a [`link_code`](Self::link_code) of `purpose` was made for; `None` for any
    /// other text (a guessed, changed or truncated code).
    pub fn open_link_code(&self, purpose: &str, code: &str) -> Option<i64> {
        let (id, tag) = code.trim().split_once('-')?;
        if id.is_empty() || id.len() > 18 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let id: i64 = id
            .parse()
            .ok()
            .filter(|i: &i64| *i > 0 && i.to_string() == id)?;
        let expected = self.link_tag(purpose, id);
        aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_bytes(), tag.as_bytes())
            .ok()
            .map(|()| id)
    }

    fn link_tag(&self, purpose: &str, id: i64) -> String {
        let tag = hmac::sign(&self.0.link, format!("{purpose}:{id}").as_bytes());
        tag.as_ref()[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The digits of a sealed NIP; `None` when it was sealed with another key or is damaged.
    pub fn open(&self, sealed: &str) -> Option<String> {
        let bytes = B64.decode(sealed).ok()?;
        if bytes.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut data = rest.to_vec();
        let plain = self
            .0
            .seal
            .open_in_place(nonce, Aad::empty(), &mut data)
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }
}

/// The last four digits of a NIP (the gender digit and the sequence number): stored in
/// clear so a person can be found by them.
pub fn tail(digits: &str) -> Option<String> {
    let d: Vec<char> = digits.chars().filter(char::is_ascii_digit).collect();
    (d.len() >= 4).then(|| d[d.len() - 4..].iter().collect())
}

/// Whether a `nip` column value is still the digits themselves (a row from before sealing).
pub fn is_plain(nip_column: &str) -> bool {
    !nip_column.starts_with(INDEX_PREFIX) && nip_column.bytes().all(|b| b.is_ascii_digit())
}

/// The NIP digits of an ambassador row, when the key opens them (or the row predates sealing).
pub fn nip_digits(key: &NipKey, amb: &entity::ambassadors::Model) -> Option<String> {
    match &amb.nip_sealed {
        Some(sealed) => key.open(sealed),
        None if is_plain(&amb.nip) => Some(amb.nip.clone()),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> NipKey {
        NipKey::from_base64(&NipKey::generate()).unwrap()
    }

    #[test]
    fn link_codes_open_for_their_purpose_and_key_only() {
        let k = key();
        let code = k.link_code("referral", 42);
        assert!(code.starts_with("42-") && code.len() == 15, "{code}");
        assert_eq!(k.open_link_code("referral", &code), Some(42));
        assert_eq!(k.open_link_code("certificate", &code), None);
        assert_eq!(key().open_link_code("referral", &code), None);
        let tag = code.split_once('-').unwrap().1;
        for guessed in [
            format!("43-{tag}"),
            format!("042-{tag}"),
            format!("-42-{tag}"),
            "42-000000000000".to_string(),
            code[..14].to_string(),
            format!("{code}0"),
            code.to_uppercase(),
            String::new(),
            "99999999999999999999-0".into(),
        ] {
            assert_eq!(k.open_link_code("referral", &guessed), None, "{guessed}");
        }
    }

    #[test]
    fn sealed_nips_open_with_their_key_only() {
        let k = key();
        let sealed = k.seal("198609262015051001");
        assert!(!sealed.contains("19860926"));
        assert_eq!(k.open(&sealed).as_deref(), Some("198609262015051001"));
        assert_eq!(key().open(&sealed), None, "another key cannot open it");
        let mut damaged = sealed.clone();
        damaged.replace_range(20..21, if &sealed[20..21] == "A" { "B" } else { "A" });
        assert_eq!(k.open(&damaged), None, "a changed byte fails the tag");
        assert_eq!(k.open("not base64 !"), None);
        assert_eq!(k.open(""), None);
        assert_ne!(
            k.seal("198609262015051001"),
            sealed,
            "a fresh nonce each time"
        );
    }

    #[test]
    fn the_index_is_stable_per_key_and_hides_the_digits() {
        let k = key();
        let a = k.index("198609262015051001");
        assert_eq!(a, k.index("198609262015051001"));
        assert_ne!(a, k.index("198609262015051002"));
        assert_ne!(a, key().index("198609262015051001"));
        assert!(a.starts_with("h1:") && a.len() == 67 && !a.contains("1986092620"));
        assert!(!is_plain(&a));
        assert!(is_plain("198609262015051001"));
    }

    #[test]
    fn keys_must_be_32_bytes_of_base64() {
        assert!(NipKey::from_base64("short").is_none());
        assert!(
            NipKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([1u8; 16]))
                .is_none()
        );
        assert!(
            NipKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([1u8; 32]))
                .is_some()
        );
    }
}
