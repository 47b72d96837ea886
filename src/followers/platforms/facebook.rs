//! Facebook Graph API for Pages: `GET /{page}?fields=followers_count,fan_count` answers
//! `{"followers_count": n, "fan_count": m, "id": …}`; `followers_count` is the figure
//! Facebook shows, `fan_count` (likes) the fallback for Pages that lack it. An unknown
//! name is code 803 ("Some of the aliases you requested do not exist"); an object that
//! does not exist or cannot be read is code 100 / subcode 33. Personal profiles cannot be
//! read at all: that is what the screenshot path is for.

use std::fmt;

use reqwest::Url;
use serde::Deserialize;

use super::{endpoint, graph, send};
use crate::followers::handles::normalize_handle;
use crate::followers::source::{CheckError, FollowerSource};

/// Follower counts of Facebook Pages.
pub struct FacebookSource {
    client: reqwest::Client,
    base_url: Url,
    token: String,
}

impl FacebookSource {
    /// `base_url` is the Graph API with its version, e.g. `https://graph.facebook.com/v21.0`.
    pub fn new(client: reqwest::Client, base_url: Url, token: impl Into<String>) -> FacebookSource {
        FacebookSource {
            client,
            base_url,
            token: token.into(),
        }
    }
}

impl fmt::Debug for FacebookSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FacebookSource")
            .field("base_url", &self.base_url.as_str())
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Page {
    followers_count: Option<u64>,
    fan_count: Option<u64>,
}

#[rocket::async_trait]
impl FollowerSource for FacebookSource {
    fn platform(&self) -> &'static str {
        "facebook"
    }

    async fn followers(&self, handle: &str) -> Result<u64, CheckError> {
        let Some(handle) = normalize_handle("facebook", handle) else {
            return Err(CheckError::NotFound);
        };
        let url = endpoint(&self.base_url, &[&handle])?;
        let request = self.client.get(url).query(&[
            ("fields", "followers_count,fan_count"),
            ("access_token", self.token.as_str()),
        ]);
        let answer = send(request).await?;
        if answer.status.is_success() {
            let page: Page = answer.json()?;
            return page.followers_count.or(page.fan_count).ok_or_else(|| {
                CheckError::Unavailable(
                    "unexpected answer (HTTP 200): neither followers_count nor fan_count".into(),
                )
            });
        }
        Err(graph::failure(&answer, |e| {
            e.code == Some(803) || (e.code == Some(100) && e.error_subcode == Some(33))
        }))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use chrono::{TimeDelta, Utc};
    use serde_json::json;
    use wiremock::matchers::{method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::super::test_support::*;
    use super::*;

    const TOKEN: &str = "EAAG-facebook-page-token";

    fn source(base_url: Url) -> FacebookSource {
        FacebookSource::new(client(), base_url, TOKEN)
    }

    fn graph(server: &MockServer) -> Url {
        Url::parse(&format!("{}/v21.0", server.uri())).unwrap()
    }

    async fn answering(response: ResponseTemplate) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v21.0/humaskomdigi"))
            .respond_with(response)
            .mount(&server)
            .await;
        server
    }

    #[tokio::test]
    async fn reads_the_follower_count_with_the_access_token() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v21.0/humaskomdigi"))
            .and(query_param("fields", "followers_count,fan_count"))
            .and(query_param("access_token", TOKEN))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "followers_count": 15873,
                "fan_count": 14200,
                "id": "108824017345866"
            })))
            .expect(1)
            .mount(&server)
            .await;
        // Anything else (no token, other fields) would get wiremock's 404: NotFound.
        assert_eq!(
            source(graph(&server)).followers("humaskomdigi").await,
            Ok(15873)
        );
    }

    #[tokio::test]
    async fn fan_count_stands_in_when_followers_count_is_missing() {
        let server = answering(ResponseTemplate::new(200).set_body_json(json!({
            "fan_count": 612,
            "id": "108824017345866"
        })))
        .await;
        assert_eq!(
            source(graph(&server)).followers("humaskomdigi").await,
            Ok(612)
        );
    }

    #[tokio::test]
    async fn an_unknown_page_is_not_found() {
        let answers = [
            ResponseTemplate::new(404).set_body_json(json!({"error": {
                "message": "(#803) Some of the aliases you requested do not exist: humaskomdigi",
                "type": "OAuthException",
                "code": 803,
                "fbtrace_id": "AbCdEf123"
            }})),
            ResponseTemplate::new(400).set_body_json(json!({"error": {
                "message": "(#803) Some of the aliases you requested do not exist: humaskomdigi",
                "type": "OAuthException",
                "code": 803,
                "fbtrace_id": "AbCdEf123"
            }})),
            ResponseTemplate::new(400).set_body_json(json!({"error": {
                "message": "Unsupported get request. Object with ID 'humaskomdigi' does not \
                            exist, cannot be loaded due to missing permissions, or does not \
                            support this operation.",
                "type": "GraphMethodException",
                "code": 100,
                "error_subcode": 33,
                "fbtrace_id": "AbCdEf123"
            }})),
            ResponseTemplate::new(404),
        ];
        for answer in answers {
            let server = answering(answer).await;
            assert_eq!(
                source(graph(&server)).followers("humaskomdigi").await,
                Err(CheckError::NotFound)
            );
        }
    }

    #[tokio::test]
    async fn a_name_facebook_cannot_have_is_not_found_without_a_call() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(500))
            .expect(0)
            .mount(&server)
            .await;
        for handle in ["me/accounts", "abc", "humas komdigi"] {
            assert_eq!(
                source(graph(&server)).followers(handle).await,
                Err(CheckError::NotFound),
                "{handle}"
            );
        }
    }

    #[tokio::test]
    async fn a_rate_limit_waits_as_the_usage_header_says() {
        let usage = r#"{"108824017345866":[{"type":"pages","call_count":100,"total_cputime":12,"total_time":15,"estimated_time_to_regain_access":25}]}"#;
        let server = answering(
            ResponseTemplate::new(400)
                .insert_header("x-business-use-case-usage", usage)
                .set_body_json(json!({"error": {
                    "message": "(#32) Page request limit reached",
                    "type": "OAuthException",
                    "code": 32,
                    "fbtrace_id": "AbCdEf123"
                }})),
        )
        .await;
        let before = Utc::now();
        let until = match source(graph(&server)).followers("humaskomdigi").await {
            Err(CheckError::RateLimited { until }) => until,
            other => panic!("expected RateLimited, got {other:?}"),
        };
        assert!(until >= before + TimeDelta::minutes(25), "{until}");
        assert!(until <= Utc::now() + TimeDelta::minutes(25), "{until}");
    }

    #[tokio::test]
    async fn a_429_waits_as_retry_after_says_or_an_hour() {
        let server = answering(ResponseTemplate::new(429).insert_header("retry-after", "90")).await;
        let before = Utc::now();
        let until = match source(graph(&server)).followers("humaskomdigi").await {
            Err(CheckError::RateLimited { until }) => until,
            other => panic!("expected RateLimited, got {other:?}"),
        };
        assert!(until >= before + TimeDelta::seconds(89), "{until}");
        assert!(until <= Utc::now() + TimeDelta::seconds(91), "{until}");

        let server = answering(ResponseTemplate::new(429)).await;
        let before = Utc::now();
        let until = match source(graph(&server)).followers("humaskomdigi").await {
            Err(CheckError::RateLimited { until }) => until,
            other => panic!("expected RateLimited, got {other:?}"),
        };
        assert!(until >= before + TimeDelta::hours(1), "{until}");
        assert!(until <= Utc::now() + TimeDelta::hours(1), "{until}");
    }

    #[tokio::test]
    async fn server_errors_and_permission_errors_are_unavailable() {
        let answers = [
            ResponseTemplate::new(500),
            ResponseTemplate::new(503).set_body_raw("Service Unavailable", "text/plain"),
            ResponseTemplate::new(400).set_body_json(json!({"error": {
                "message": "(#10) This endpoint requires the 'pages_read_engagement' permission \
                            or the 'Page Public Content Access' feature.",
                "type": "OAuthException",
                "code": 10,
                "fbtrace_id": "AbCdEf123"
            }})),
        ];
        for answer in answers {
            let server = answering(answer).await;
            let result = source(graph(&server)).followers("humaskomdigi").await;
            assert!(
                matches!(result, Err(CheckError::Unavailable(_))),
                "{result:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_body_that_is_not_json_is_unavailable() {
        let server =
            answering(ResponseTemplate::new(200).set_body_raw("followers: 15873", "text/plain"))
                .await;
        let result = source(graph(&server)).followers("humaskomdigi").await;
        assert!(
            matches!(result, Err(CheckError::Unavailable(_))),
            "{result:?}"
        );
    }

    #[tokio::test]
    async fn json_of_another_shape_is_unavailable() {
        for body in [
            json!({"id": "108824017345866", "name": "Humas Komdigi"}),
            json!({"followers_count": "15K", "id": "108824017345866"}),
            json!({"followers_count": null, "fan_count": null}),
            json!("humaskomdigi"),
        ] {
            let server = answering(ResponseTemplate::new(200).set_body_json(&body)).await;
            let result = source(graph(&server)).followers("humaskomdigi").await;
            assert!(
                matches!(result, Err(CheckError::Unavailable(_))),
                "{body}: {result:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_silent_server_is_given_up_on_at_the_timeout_without_leaking_the_token() {
        let server = answering(
            ResponseTemplate::new(200)
                .set_body_json(json!({"followers_count": 1}))
                .set_delay(SLOW),
        )
        .await;
        let started = Instant::now();
        let result = source(graph(&server)).followers("humaskomdigi").await;
        assert!(
            started.elapsed() < GAVE_UP_IN_TIME,
            "{:?}",
            started.elapsed()
        );
        match result {
            Err(CheckError::Unavailable(text)) => assert!(!text.contains(TOKEN), "{text}"),
            other => panic!("expected Unavailable, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_closed_port_is_unavailable_without_leaking_the_token() {
        match source(closed_port_url()).followers("humaskomdigi").await {
            Err(CheckError::Unavailable(text)) => assert!(!text.contains(TOKEN), "{text}"),
            other => panic!("expected Unavailable, got {other:?}"),
        }
    }
}
