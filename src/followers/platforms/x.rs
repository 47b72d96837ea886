//! X (Twitter) API v2 user lookup: `GET /2/users/by/username/{u}?user.fields=public_metrics`
//! with an app-only Bearer token answers `{"data": {"public_metrics": {"followers_count": n,
//! …}, …}}`. An unknown or suspended user comes back either as HTTP 404 or as HTTP 200 with
//! `{"errors": [{"title": "Not Found Error", …}]}` and no `data`. HTTP 429 carries the end
//! of the window in `x-rate-limit-reset` (unix seconds).

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::header::HeaderMap;
use reqwest::Url;
use serde::Deserialize;

use super::{endpoint, send};
use crate::followers::handles::normalize_handle;
use crate::followers::source::{CheckError, FollowerSource};

/// X's rate-limit window, used when a 429 does not say when it ends.
const DEFAULT_WAIT: TimeDelta = TimeDelta::minutes(15);

/// Follower counts from the X API v2.
pub struct XSource {
    client: reqwest::Client,
    base_url: Url,
    token: String,
}

impl XSource {
    /// `base_url` is the API's root, e.g. `https://api.x.com`; `token` an app Bearer token.
    pub fn new(client: reqwest::Client, base_url: Url, token: impl Into<String>) -> XSource {
        XSource {
            client,
            base_url,
            token: token.into(),
        }
    }
}

impl fmt::Debug for XSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XSource")
            .field("base_url", &self.base_url.as_str())
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Lookup {
    data: Option<User>,
    #[serde(default)]
    errors: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct User {
    public_metrics: PublicMetrics,
}

#[derive(Deserialize)]
struct PublicMetrics {
    followers_count: u64,
}

#[rocket::async_trait]
impl FollowerSource for XSource {
    fn platform(&self) -> &'static str {
        "x"
    }

    async fn followers(&self, handle: &str) -> Result<u64, CheckError> {
        // A handle X could never have is not worth a call from a small monthly quota.
        let Some(handle) = normalize_handle("x", handle) else {
            return Err(CheckError::NotFound);
        };
        let url = endpoint(&self.base_url, &["2", "users", "by", "username", &handle])?;
        let request = self
            .client
            .get(url)
            .bearer_auth(&self.token)
            .query(&[("user.fields", "public_metrics")]);
        let answer = send(request).await?;
        match answer.status.as_u16() {
            200 => {
                let lookup: Lookup = answer.json()?;
                match lookup.data {
                    Some(user) => Ok(user.public_metrics.followers_count),
                    None if !lookup.errors.is_empty() => Err(CheckError::NotFound),
                    None => Err(CheckError::Unavailable(
                        "unexpected answer (HTTP 200): neither data nor errors".into(),
                    )),
                }
            }
            404 => Err(CheckError::NotFound),
            429 => Err(CheckError::RateLimited {
                until: reset_at(&answer.headers, Utc::now()),
            }),
            status @ (401 | 403) => Err(CheckError::Unavailable(format!(
                "X refused the request (HTTP {status}): check followers.x.token and the app's \
                 access level"
            ))),
            _ => Err(CheckError::Unavailable(format!("HTTP {}", answer.status))),
        }
    }
}

/// The end of the rate-limit window from `x-rate-limit-reset`, or 15 minutes from now.
fn reset_at(headers: &HeaderMap, now: DateTime<Utc>) -> DateTime<Utc> {
    headers
        .get("x-rate-limit-reset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
        .map(|reset| reset.max(now))
        .unwrap_or(now + DEFAULT_WAIT)
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use serde_json::json;
    use wiremock::matchers::{header, method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::super::test_support::*;
    use super::*;

    const TOKEN: &str = "AAAA-x-bearer-token";

    fn source(base_url: Url) -> XSource {
        XSource::new(client(), base_url, TOKEN)
    }

    async fn answering(response: ResponseTemplate) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/2/users/by/username/humas_komdigi"))
            .respond_with(response)
            .mount(&server)
            .await;
        server
    }

    #[tokio::test]
    async fn reads_the_follower_count_with_the_bearer_token() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/2/users/by/username/humas_komdigi"))
            .and(query_param("user.fields", "public_metrics"))
            .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "data": {
                    "id": "2244994945",
                    "name": "Humas Komdigi",
                    "username": "Humas_Komdigi",
                    "public_metrics": {
                        "followers_count": 51234,
                        "following_count": 120,
                        "tweet_count": 9876,
                        "listed_count": 45,
                        "like_count": 310
                    }
                }
            })))
            .expect(1)
            .mount(&server)
            .await;
        // Anything else (no token, another path) would get wiremock's 404: NotFound.
        assert_eq!(
            source(url(&server)).followers("humas_komdigi").await,
            Ok(51234)
        );
    }

    #[tokio::test]
    async fn an_unknown_user_is_not_found() {
        let server = answering(ResponseTemplate::new(200).set_body_json(json!({
            "errors": [{
                "value": "humas_komdigi",
                "detail": "Could not find user with username: [humas_komdigi].",
                "title": "Not Found Error",
                "resource_type": "user",
                "parameter": "username",
                "resource_id": "humas_komdigi",
                "type": "https://api.twitter.com/2/problems/resource-not-found"
            }]
        })))
        .await;
        assert_eq!(
            source(url(&server)).followers("humas_komdigi").await,
            Err(CheckError::NotFound)
        );

        let server = answering(ResponseTemplate::new(404)).await;
        assert_eq!(
            source(url(&server)).followers("humas_komdigi").await,
            Err(CheckError::NotFound)
        );
    }

    #[tokio::test]
    async fn a_handle_x_cannot_have_is_not_found_without_a_call() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(500))
            .expect(0)
            .mount(&server)
            .await;
        for handle in ["../../2/tweets", "humas komdigi", ""] {
            assert_eq!(
                source(url(&server)).followers(handle).await,
                Err(CheckError::NotFound),
                "{handle}"
            );
        }
    }

    #[tokio::test]
    async fn a_rate_limit_lasts_until_the_reset_header() {
        let reset = unix_in(600);
        let server = answering(
            ResponseTemplate::new(429)
                .insert_header("x-rate-limit-limit", "3")
                .insert_header("x-rate-limit-remaining", "0")
                .insert_header("x-rate-limit-reset", reset.to_string().as_str())
                .set_body_json(json!({"title": "Too Many Requests", "status": 429})),
        )
        .await;
        let until = match source(url(&server)).followers("humas_komdigi").await {
            Err(CheckError::RateLimited { until }) => until,
            other => panic!("expected RateLimited, got {other:?}"),
        };
        assert_eq!(until.timestamp(), reset);
    }

    #[tokio::test]
    async fn a_rate_limit_without_reset_header_lasts_fifteen_minutes() {
        let server = answering(ResponseTemplate::new(429)).await;
        let before = Utc::now();
        let until = match source(url(&server)).followers("humas_komdigi").await {
            Err(CheckError::RateLimited { until }) => until,
            other => panic!("expected RateLimited, got {other:?}"),
        };
        assert!(until >= before + TimeDelta::minutes(15));
        assert!(until <= Utc::now() + TimeDelta::minutes(15));
    }

    #[tokio::test]
    async fn server_errors_and_refused_tokens_are_unavailable() {
        for status in [500, 503, 401] {
            let server = answering(ResponseTemplate::new(status)).await;
            let result = source(url(&server)).followers("humas_komdigi").await;
            assert!(
                matches!(result, Err(CheckError::Unavailable(_))),
                "{status}: {result:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_body_that_is_not_json_is_unavailable() {
        let server = answering(
            ResponseTemplate::new(200).set_body_raw("<html>Over capacity</html>", "text/html"),
        )
        .await;
        let result = source(url(&server)).followers("humas_komdigi").await;
        assert!(
            matches!(result, Err(CheckError::Unavailable(_))),
            "{result:?}"
        );
    }

    #[tokio::test]
    async fn json_of_another_shape_is_unavailable() {
        for body in [
            json!({"data": {"id": "1", "name": "Humas", "username": "humas_komdigi"}}),
            json!({"data": {"public_metrics": {"followers_count": "51K"}}}),
            json!({"data": {"public_metrics": {"followers_count": -1}}}),
            json!({"meta": {}}),
            json!([1, 2, 3]),
        ] {
            let server = answering(ResponseTemplate::new(200).set_body_json(&body)).await;
            let result = source(url(&server)).followers("humas_komdigi").await;
            assert!(
                matches!(result, Err(CheckError::Unavailable(_))),
                "{body}: {result:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_silent_server_is_given_up_on_at_the_timeout() {
        let server = answering(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": {"public_metrics": {"followers_count": 1}}}))
                .set_delay(SLOW),
        )
        .await;
        let started = Instant::now();
        let result = source(url(&server)).followers("humas_komdigi").await;
        assert!(
            started.elapsed() < GAVE_UP_IN_TIME,
            "{:?}",
            started.elapsed()
        );
        assert!(
            matches!(result, Err(CheckError::Unavailable(_))),
            "{result:?}"
        );
    }

    #[tokio::test]
    async fn a_closed_port_is_unavailable() {
        let result = source(closed_port_url()).followers("humas_komdigi").await;
        assert!(
            matches!(result, Err(CheckError::Unavailable(_))),
            "{result:?}"
        );
    }
}
