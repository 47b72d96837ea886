//! Instagram Graph API business discovery: Duta's own professional account
//! (`ig_user_id`) asks about another professional account,
//! `GET /{ig_user_id}?fields=business_discovery.username({u}){followers_count}`, and gets
//! `{"business_discovery": {"followers_count": n, "id": …}, "id": …}`. Personal accounts
//! cannot be read: Graph answers them like unknown ones, HTTP 400 with code 110 /
//! subcode 2207013 ("Cannot find User"), which is `NotFound`.

use std::fmt;

use reqwest::Url;
use serde::Deserialize;

use super::{endpoint, graph, send};
use crate::followers::handles::normalize_handle;
use crate::followers::source::{CheckError, FollowerSource};

/// Follower counts of Instagram professional accounts through business discovery.
pub struct InstagramSource {
    client: reqwest::Client,
    base_url: Url,
    token: String,
    ig_user_id: String,
}

impl InstagramSource {
    /// `base_url` is the Graph API with its version, e.g. `https://graph.facebook.com/v21.0`;
    /// `ig_user_id` the numeric id of the professional account that makes the calls.
    pub fn new(
        client: reqwest::Client,
        base_url: Url,
        token: impl Into<String>,
        ig_user_id: impl Into<String>,
    ) -> InstagramSource {
        InstagramSource {
            client,
            base_url,
            token: token.into(),
            ig_user_id: ig_user_id.into(),
        }
    }
}

impl fmt::Debug for InstagramSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstagramSource")
            .field("base_url", &self.base_url.as_str())
            .field("ig_user_id", &self.ig_user_id)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Discovery {
    business_discovery: Business,
}

#[derive(Deserialize)]
struct Business {
    followers_count: u64,
}

#[rocket::async_trait]
impl FollowerSource for InstagramSource {
    fn platform(&self) -> &'static str {
        "instagram"
    }

    async fn followers(&self, handle: &str) -> Result<u64, CheckError> {
        // The handle goes inside a field expression: only a real Instagram username may.
        let Some(handle) = normalize_handle("instagram", handle) else {
            return Err(CheckError::NotFound);
        };
        let url = endpoint(&self.base_url, &[&self.ig_user_id])?;
        let fields = format!("business_discovery.username({handle}){{followers_count}}");
        let request = self.client.get(url).query(&[
            ("fields", fields.as_str()),
            ("access_token", self.token.as_str()),
        ]);
        let answer = send(request).await?;
        if answer.status.is_success() {
            let discovery: Discovery = answer.json()?;
            return Ok(discovery.business_discovery.followers_count);
        }
        Err(graph::failure(&answer, |e| {
            e.code == Some(110) || e.error_subcode == Some(2207013)
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

    const TOKEN: &str = "EAAG-instagram-token";
    const IG_USER_ID: &str = "17841405309211844";
    const FIELDS: &str = "business_discovery.username(siti.rahma){followers_count}";

    fn source(base_url: Url) -> InstagramSource {
        InstagramSource::new(client(), base_url, TOKEN, IG_USER_ID)
    }

    /// A Graph server under a version prefix, as in production.
    fn graph(server: &MockServer) -> Url {
        Url::parse(&format!("{}/v21.0", server.uri())).unwrap()
    }

    async fn answering(response: ResponseTemplate) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(format!("/v21.0/{IG_USER_ID}")))
            .respond_with(response)
            .mount(&server)
            .await;
        server
    }

    fn graph_error(code: i64, subcode: Option<i64>, message: &str) -> serde_json::Value {
        let mut error = json!({
            "message": message,
            "type": "OAuthException",
            "code": code,
            "fbtrace_id": "AbCdEf123"
        });
        if let Some(subcode) = subcode {
            error["error_subcode"] = json!(subcode);
            error["is_transient"] = json!(false);
        }
        json!({ "error": error })
    }

    #[tokio::test]
    async fn reads_the_follower_count_with_the_access_token() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(format!("/v21.0/{IG_USER_ID}")))
            .and(query_param("fields", FIELDS))
            .and(query_param("access_token", TOKEN))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "business_discovery": {
                    "followers_count": 2870,
                    "id": "17841401441775531"
                },
                "id": IG_USER_ID
            })))
            .expect(1)
            .mount(&server)
            .await;
        // Anything else (no token, other fields) would get wiremock's 404: NotFound.
        assert_eq!(
            source(graph(&server)).followers("siti.rahma").await,
            Ok(2870)
        );
    }

    #[tokio::test]
    async fn an_unknown_or_personal_account_is_not_found() {
        let answers = [
            ResponseTemplate::new(400).set_body_json(graph_error(
                110,
                Some(2207013),
                "Invalid user id",
            )),
            ResponseTemplate::new(400).set_body_json(graph_error(
                100,
                Some(2207013),
                "The user with username: siti.rahma cannot be found.",
            )),
            ResponseTemplate::new(404),
        ];
        for answer in answers {
            let server = answering(answer).await;
            assert_eq!(
                source(graph(&server)).followers("siti.rahma").await,
                Err(CheckError::NotFound)
            );
        }
    }

    #[tokio::test]
    async fn a_handle_instagram_cannot_have_is_not_found_without_a_call() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(500))
            .expect(0)
            .mount(&server)
            .await;
        for handle in ["a){id}", "siti rahma", "..", ""] {
            assert_eq!(
                source(graph(&server)).followers(handle).await,
                Err(CheckError::NotFound),
                "{handle}"
            );
        }
    }

    #[tokio::test]
    async fn a_429_waits_as_retry_after_says() {
        let server = answering(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "300")
                .set_body_json(graph_error(
                    4,
                    None,
                    "(#4) Application request limit reached",
                )),
        )
        .await;
        let before = Utc::now();
        let until = match source(graph(&server)).followers("siti.rahma").await {
            Err(CheckError::RateLimited { until }) => until,
            other => panic!("expected RateLimited, got {other:?}"),
        };
        assert!(until >= before + TimeDelta::seconds(299), "{until}");
        assert!(until <= Utc::now() + TimeDelta::seconds(301), "{until}");
    }

    #[tokio::test]
    async fn rate_limit_codes_without_a_header_wait_an_hour() {
        for code in [4, 17, 32, 613] {
            let server = answering(ResponseTemplate::new(400).set_body_json(graph_error(
                code,
                None,
                "Calls to this api have exceeded the rate limit.",
            )))
            .await;
            let before = Utc::now();
            let until = match source(graph(&server)).followers("siti.rahma").await {
                Err(CheckError::RateLimited { until }) => until,
                other => panic!("{code}: expected RateLimited, got {other:?}"),
            };
            assert!(until >= before + TimeDelta::hours(1), "{code}");
            assert!(until <= Utc::now() + TimeDelta::hours(1), "{code}");
        }
    }

    #[tokio::test]
    async fn server_errors_and_token_errors_are_unavailable() {
        let answers = [
            ResponseTemplate::new(500),
            ResponseTemplate::new(500).set_body_json(graph_error(
                2,
                None,
                "An unexpected error has occurred. Please retry your request later.",
            )),
            ResponseTemplate::new(400).set_body_json(graph_error(
                190,
                Some(463),
                "Error validating access token: Session has expired.",
            )),
        ];
        for answer in answers {
            let server = answering(answer).await;
            let result = source(graph(&server)).followers("siti.rahma").await;
            assert!(
                matches!(result, Err(CheckError::Unavailable(_))),
                "{result:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_body_that_is_not_json_is_unavailable() {
        let server = answering(
            ResponseTemplate::new(200).set_body_raw("{\"business_discovery\":", "application/json"),
        )
        .await;
        let result = source(graph(&server)).followers("siti.rahma").await;
        assert!(
            matches!(result, Err(CheckError::Unavailable(_))),
            "{result:?}"
        );
    }

    #[tokio::test]
    async fn json_of_another_shape_is_unavailable() {
        for body in [
            json!({"id": IG_USER_ID}),
            json!({"business_discovery": {"id": "17841401441775531"}, "id": IG_USER_ID}),
            json!({"business_discovery": {"followers_count": "2.8K"}}),
            json!({"data": []}),
        ] {
            let server = answering(ResponseTemplate::new(200).set_body_json(&body)).await;
            let result = source(graph(&server)).followers("siti.rahma").await;
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
                .set_body_json(json!({"business_discovery": {"followers_count": 1}}))
                .set_delay(SLOW),
        )
        .await;
        let started = Instant::now();
        let result = source(graph(&server)).followers("siti.rahma").await;
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
        match source(closed_port_url()).followers("siti.rahma").await {
            Err(CheckError::Unavailable(text)) => assert!(!text.contains(TOKEN), "{text}"),
            other => panic!("expected Unavailable, got {other:?}"),
        }
    }
}
