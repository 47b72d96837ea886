//! Pure rules of identity that signing in needs: how an email address is compared and
//! the random security stamp.

use base64::Engine;
use rand::RngCore;

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A fresh random security stamp; changing it revokes every token that carries the old one.
pub fn new_stamp() -> String {
    let mut bytes = [0u8; 18];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
