//! One file per platform, each implementing [`FollowerSource`](super::FollowerSource).
//! This file holds what they share: the one HTTP client, building a URL from a base URL
//! and encoded path segments, and reading an answer without trusting it (size-capped,
//! every transport failure turned into [`CheckError::Unavailable`], never with the URL,
//! which may carry a token).

pub mod facebook;
mod graph;
pub mod instagram;
pub mod x;

use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;

pub use self::facebook::FacebookSource;
pub use self::instagram::InstagramSource;
pub use self::x::XSource;

use crate::followers::source::CheckError;

/// No follower lookup answers with more than a few kilobytes; more is not an answer.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// The client every source shares: one connection pool, one timeout for the whole call
/// (answer included), Duta's User-Agent, and no redirects (an API that redirects is
/// misconfigured, and a redirect must not carry a token elsewhere).
pub fn http_client(timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!("Duta/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| error_chain(&e.without_url()))
}

/// `base` with `segments` appended, each percent-encoded (a `/` in a handle stays inside
/// its segment).
pub(crate) fn endpoint(base: &Url, segments: &[&str]) -> Result<Url, CheckError> {
    let mut url = base.clone();
    url.path_segments_mut()
        .map_err(|()| CheckError::Unavailable(format!("base URL {base} cannot take a path")))?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

/// What a platform answered: status, headers, and at most [`MAX_BODY_BYTES`] of body.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as `T`, telling "not JSON" apart from "JSON of another shape".
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, CheckError> {
        let value: serde_json::Value = serde_json::from_slice(&self.body).map_err(|e| {
            CheckError::Unavailable(format!(
                "the answer (HTTP {}) is not JSON: {e}",
                self.status.as_u16()
            ))
        })?;
        serde_json::from_value(value).map_err(|e| {
            CheckError::Unavailable(format!(
                "unexpected answer (HTTP {}): {e}",
                self.status.as_u16()
            ))
        })
    }
}

/// Sends the request and reads the answer; any failure on the way is `Unavailable`.
pub(crate) async fn send(request: reqwest::RequestBuilder) -> Result<Answer, CheckError> {
    let mut response = request.send().await.map_err(transport_error)?;
    let status = response.status();
    let headers = response.headers().clone();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(CheckError::Unavailable(format!(
                "the answer (HTTP {}) is larger than {} KiB",
                status.as_u16(),
                MAX_BODY_BYTES / 1024
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer {
        status,
        headers,
        body,
    })
}

fn transport_error(e: reqwest::Error) -> CheckError {
    let e = e.without_url();
    CheckError::Unavailable(if e.is_timeout() {
        "no answer before the timeout".to_string()
    } else if e.is_connect() {
        format!("cannot connect: {}", error_chain(&e))
    } else {
        format!("request failed: {}", error_chain(&e))
    })
}

/// "outer: cause: root cause", for a log line that says what actually went wrong.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
pub(crate) mod test_support {
    //! What every platform's tests need: a client like production's, a server that
    //! answers nothing, and a port where nothing listens.

    use std::time::Duration;

    use reqwest::Url;

    pub fn client() -> reqwest::Client {
        super::http_client(Duration::from_secs(1)).unwrap()
    }

    pub fn url(server: &wiremock::MockServer) -> Url {
        Url::parse(&server.uri()).unwrap()
    }

    /// A base URL on 127.0.0.1 where nothing listens (the port was just released).
    pub fn closed_port_url() -> Url {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        Url::parse(&format!("http://127.0.0.1:{port}")).unwrap()
    }

    /// Unix seconds, for rate-limit headers.
    pub fn unix_in(secs: i64) -> i64 {
        chrono::Utc::now().timestamp() + secs
    }

    pub const SLOW: Duration = Duration::from_secs(3);
    /// Well under [`SLOW`]: the 1 s client timeout must have cut the call short.
    pub const GAVE_UP_IN_TIME: Duration = Duration::from_millis(2500);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_appended_encoded_to_any_base() {
        for base in [
            "https://graph.facebook.com/v21.0",
            "https://graph.facebook.com/v21.0/",
        ] {
            let url = endpoint(&Url::parse(base).unwrap(), &["a b", "../c/d"]).unwrap();
            assert_eq!(
                url.as_str(),
                "https://graph.facebook.com/v21.0/a%20b/..%2Fc%2Fd"
            );
        }
        let url = endpoint(&Url::parse("https://api.x.com").unwrap(), &["2", "users"]).unwrap();
        assert_eq!(url.as_str(), "https://api.x.com/2/users");
    }
}
