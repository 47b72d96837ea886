//! Time-based one-time passwords (RFC 6238, the scheme of Google Authenticator, Aegis,
//! Microsoft Authenticator and others): HMAC-SHA1 over 30-second steps, six digits. One
//! step either side is accepted (clocks drift), and a step once used is never accepted
//! again. Recovery codes are ten random codes, stored as SHA-256 hashes.

use aws_lc_rs::{digest, hmac};
use rand::RngCore;

pub const STEP_SECS: i64 = 30;
pub const DIGITS: u32 = 6;
/// Recovery codes given at a time.
pub const RECOVERY_CODES: usize = 10;

/// A new 160-bit secret (the RFC's recommended length for SHA-1).
pub fn new_secret() -> Vec<u8> {
    let mut s = vec![0u8; 20];
    rand::rng().fill_bytes(&mut s);
    s
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding: how authenticator apps take a secret.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The step a moment falls in.
pub fn step_of(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The code of one step.
pub fn code_at(secret: &[u8], step: i64) -> u32 {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = hmac::sign(&key, &step.to_be_bytes());
    let h = tag.as_ref();
    let offset = usize::from(h[h.len() - 1] & 0x0f);
    let value = (u32::from(h[offset] & 0x7f) << 24)
        | (u32::from(h[offset + 1]) << 16)
        | (u32::from(h[offset + 2]) << 8)
        | u32::from(h[offset + 3]);
    value % 10u32.pow(DIGITS)
}

/// The six digits a person typed (spaces ignored), when that is what they typed.
pub fn parse_code(input: &str) -> Option<u32> {
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == DIGITS as usize && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// The step whose code matches, among the current one and one either side, and only
/// when it is later than `last_used`; `None` for a wrong, stale or reused code.
pub fn matching_step(
    secret: &[u8],
    code: u32,
    now_step: i64,
    last_used: Option<i64>,
) -> Option<i64> {
    [now_step, now_step - 1, now_step + 1]
        .into_iter()
        .filter(|s| last_used.is_none_or(|last| *s > last))
        .find(|s| code_at(secret, *s) == code)
}

/// The `otpauth://` link an authenticator app reads from the QR code.
pub fn otpauth_url(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

/// New recovery codes, like `k7m2p-x9q4d`: ten characters from an alphabet without look-alikes.
pub fn new_recovery_codes() -> Vec<String> {
    const CHARS: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            rng.fill_bytes(&mut bytes);
            let chars: String = bytes
                .iter()
                .map(|b| char::from(CHARS[usize::from(*b) % CHARS.len()]))
                .collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// How a recovery code is stored and looked up: the SHA-256 of its normalised form.
pub fn recovery_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    digest::digest(&digest::SHA256, normal.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_6238_sha1_vectors_in_six_digits() {
        // Appendix B gives eight digits; six are their last six.
        for (t, eight) in [
            (59, 94_287_082u32),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ] {
            assert_eq!(code_at(RFC_SECRET, step_of(t)), eight % 1_000_000, "T={t}");
        }
    }

    #[test]
    fn base32_follows_rfc_4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(RFC_SECRET), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(base32(&new_secret()).len(), 32);
    }

    #[test]
    fn a_step_either_side_is_accepted_once_and_stale_or_reused_codes_are_not() {
        let now = step_of(1_700_000_000);
        let code = |s| code_at(RFC_SECRET, s);
        assert_eq!(matching_step(RFC_SECRET, code(now), now, None), Some(now));
        assert_eq!(
            matching_step(RFC_SECRET, code(now - 1), now, None),
            Some(now - 1)
        );
        assert_eq!(
            matching_step(RFC_SECRET, code(now + 1), now, None),
            Some(now + 1)
        );
        assert_eq!(
            matching_step(RFC_SECRET, code(now - 2), now, None),
            None,
            "stale"
        );
        assert_eq!(
            matching_step(RFC_SECRET, code(now), now, Some(now)),
            None,
            "reused"
        );
        assert_eq!(
            matching_step(RFC_SECRET, code(now - 1), now, Some(now - 1)),
            None,
            "an older step after a newer one"
        );
        let wrong = (code(now) + 1) % 1_000_000;
        if [now - 1, now + 1].iter().all(|s| code(*s) != wrong) {
            assert_eq!(matching_step(RFC_SECRET, wrong, now, None), None);
        }
    }

    #[test]
    fn codes_are_six_digits_and_nothing_else() {
        assert_eq!(parse_code("123 456"), Some(123_456));
        assert_eq!(parse_code("012345"), Some(12_345));
        for bad in [
            "",
            "12345",
            "1234567",
            "12a456",
            "١٢٣٤٥٦",
            "-12345",
            "+12345",
        ] {
            assert_eq!(parse_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_the_same_however_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), RECOVERY_CODES);
        assert!(codes
            .iter()
            .all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'));
        assert_eq!(recovery_hash("k7m2p-x9q4d"), recovery_hash(" K7M2P X9Q4D "));
        assert_ne!(recovery_hash("k7m2p-x9q4d"), recovery_hash("k7m2p-x9q4e"));
    }

    #[test]
    fn the_otpauth_link_names_issuer_account_and_secret() {
        let url = otpauth_url("Duta", "siti@kemenkeu.go.id", RFC_SECRET);
        assert_eq!(
            url,
            "otpauth://totp/Duta:siti%40kemenkeu.go.id?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Duta&algorithm=SHA1&digits=6&period=30"
        );
    }
}
