//! What every platform's follower source is and how it fails.

use chrono::{DateTime, Utc};

/// Why a follower count could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    /// The platform says there is no such account, or none that its API can read
    /// (a personal profile, a non-professional Instagram account, a handle that cannot
    /// exist on that platform). Asking again will not help: the screenshot path will.
    #[error("the platform knows no account by that handle that its API can read")]
    NotFound,
    /// The platform asked us to wait; ask again after `until`.
    #[error("rate limited by the platform until {until}")]
    RateLimited { until: DateTime<Utc> },
    /// No usable answer: timeout, connection error, 5xx, a refused token, a body that is
    /// not JSON or not of the expected shape. Worth retrying later. The text is for the
    /// log and never contains the token.
    #[error("platform unavailable: {0}")]
    Unavailable(String),
}

impl CheckError {
    /// A stable name for logs, metrics and the stored outcome of a check.
    pub fn outcome(&self) -> &'static str {
        match self {
            CheckError::NotFound => "not_found",
            CheckError::RateLimited { .. } => "rate_limited",
            CheckError::Unavailable(_) => "unavailable",
        }
    }
}

/// One platform's API that can tell how many followers an account has.
#[rocket::async_trait]
pub trait FollowerSource: Send + Sync {
    /// The platform's name as stored with an ambassador's account: "x", "instagram", …
    fn platform(&self) -> &'static str;

    /// The current follower count of `handle` (normalised: lower case, no `@`).
    async fn followers(&self, handle: &str) -> Result<u64, CheckError>;
}
