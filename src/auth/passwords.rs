//! Argon2id password hashing, run off Rocket's workers behind a semaphore so that a burst
//! of sign-ins cannot starve the server of threads or memory (19 MiB a hash).

use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult, FieldErrors, Msg};

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Limits concurrent hashing to the number of cores.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    dummy_hash: Arc<String>,
}

impl Hasher {
    pub fn new() -> Result<Hasher, String> {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let dummy = Argon2::default()
            .hash_password(b"duta-dummy-password-for-equal-timing")
            .map_err(|e| e.to_string())?
            .to_string();
        Ok(Hasher {
            permits: Arc::new(Semaphore::new(cores)),
            dummy_hash: Arc::new(dummy),
        })
    }

    pub async fn hash(&self, password: &str) -> AppResult<String> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let password = password.to_string();
        tokio::task::spawn_blocking(move || {
            Argon2::default()
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(AppError::internal)
        })
        .await
        .map_err(AppError::internal)?
    }

    /// Verifies against `hash`, or against a dummy hash when there is no user, so that an
    /// unknown email costs as much time as a wrong password.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> AppResult<bool> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let password = password.to_string();
        let known = hash.is_some();
        let hash = hash
            .map(str::to_string)
            .unwrap_or_else(|| self.dummy_hash.to_string());
        let ok = tokio::task::spawn_blocking(move || match PasswordHash::new(&hash) {
            Ok(parsed) => Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        })
        .await
        .map_err(AppError::internal)?;
        Ok(ok && known)
    }
}

/// A destructive or security step confirmed with the signed-in person's password: a
/// field error on `password` when it is missing or wrong.
pub async fn confirm(
    hasher: &Hasher,
    user: &super::guards::CurrentUser,
    password: &str,
) -> AppResult<()> {
    let ok = !password.is_empty()
        && password.chars().count() <= MAX_PASSWORD_CHARS
        && hasher
            .verify(password, Some(&user.user.password_hash))
            .await?;
    if ok {
        return Ok(());
    }
    let key = if password.is_empty() {
        "privacy.password_required"
    } else {
        "privacy.password_wrong"
    };
    Err(AppError::Validation(FieldErrors::single(
        "password",
        Msg::new(key),
    )))
}

/// The password rules of Duta: 10 characters or more, at most 256 bytes, not the email.
pub fn check_new_password(field: &str, password: &str, email: &str) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if password.chars().count() < MIN_PASSWORD_CHARS {
        errors.add(
            field,
            Msg::new("password.too_short").arg("min", MIN_PASSWORD_CHARS),
        );
    } else if password.chars().count() > MAX_PASSWORD_CHARS {
        errors.add(
            field,
            Msg::new("password.too_long").arg("max", MAX_PASSWORD_CHARS),
        );
    } else if password.trim().eq_ignore_ascii_case(email.trim()) {
        errors.add(field, Msg::new("password.is_email"));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let h = Hasher::new().unwrap();
        let hash = h.hash("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(h
            .verify("correct horse battery", Some(&hash))
            .await
            .unwrap());
        assert!(!h.verify("wrong horse battery", Some(&hash)).await.unwrap());
        assert!(!h
            .verify("duta-dummy-password-for-equal-timing", None)
            .await
            .unwrap());
        assert!(!h.verify("x", Some("not a hash")).await.unwrap());
    }

    #[test]
    fn password_rules() {
        assert!(check_new_password("p", "short", "a@b.id")
            .0
            .contains_key("p"));
        assert!(check_new_password("p", &"x".repeat(300), "a@b.id")
            .0
            .contains_key("p"));
        assert!(
            check_new_password("p", "someone@kemenkeu.go.id", "Someone@kemenkeu.go.id")
                .0
                .contains_key("p")
        );
        assert!(check_new_password("p", "a long enough passphrase", "a@b.id").is_empty());
    }
}
