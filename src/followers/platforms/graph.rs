//! What Instagram and Facebook share: Meta's Graph API and its error answers, of the shape
//! `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`, and its
//! rate limits (codes 4, 17, 32, 613 and the business-use-case codes 80001–80014, usually
//! with HTTP 400 or 403 rather than 429).

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::Deserialize;

use super::Answer;
use crate::followers::source::CheckError;

/// How long to wait after a rate limit when no header says.
const DEFAULT_WAIT: TimeDelta = TimeDelta::hours(1);

#[derive(Deserialize)]
struct Envelope {
    error: GraphError,
}

/// The parts of a Graph error that decide what it means.
#[derive(Debug, Deserialize)]
pub(super) struct GraphError {
    #[serde(default)]
    pub message: String,
    pub code: Option<i64>,
    pub error_subcode: Option<i64>,
}

fn is_rate_limit(code: i64) -> bool {
    matches!(code, 4 | 17 | 32 | 613 | 80001..=80014)
}

/// The meaning of a failed Graph call: rate limited (HTTP 429 or a rate-limit code),
/// not found (HTTP 404 or what `is_not_found` recognises), otherwise unavailable with the
/// Graph error's own words for the log.
pub(super) fn failure(answer: &Answer, is_not_found: impl Fn(&GraphError) -> bool) -> CheckError {
    let error = serde_json::from_slice::<Envelope>(&answer.body)
        .ok()
        .map(|e| e.error);
    let code = error.as_ref().and_then(|e| e.code);
    if answer.status.as_u16() == 429 || code.is_some_and(is_rate_limit) {
        return CheckError::RateLimited {
            until: retry_at(&answer.headers, Utc::now()),
        };
    }
    if answer.status.as_u16() == 404 || error.as_ref().is_some_and(&is_not_found) {
        return CheckError::NotFound;
    }
    CheckError::Unavailable(match error {
        Some(e) => format!(
            "Graph API error {}{} (HTTP {}): {}",
            e.code.map_or_else(|| "?".to_string(), |c| c.to_string()),
            e.error_subcode
                .map_or_else(String::new, |s| format!("/{s}")),
            answer.status.as_u16(),
            e.message.chars().take(200).collect::<String>()
        ),
        None => format!("HTTP {}", answer.status),
    })
}

/// When to ask again: `Retry-After` (seconds or an HTTP date), else the largest
/// `estimated_time_to_regain_access` (minutes) in `X-Business-Use-Case-Usage`, else an
/// hour from now.
fn retry_at(headers: &HeaderMap, now: DateTime<Utc>) -> DateTime<Utc> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let retry_after = header(RETRY_AFTER.as_str()).and_then(|v| {
        let v = v.trim();
        match v.parse::<i64>() {
            Ok(secs) => TimeDelta::try_seconds(secs).and_then(|d| now.checked_add_signed(d)),
            Err(_) => DateTime::parse_from_rfc2822(v)
                .ok()
                .map(|t| t.with_timezone(&Utc)),
        }
    });
    let regain = header("x-business-use-case-usage").and_then(|v| {
        let usage: serde_json::Value = serde_json::from_str(v).ok()?;
        let minutes = usage
            .as_object()?
            .values()
            .filter_map(|entries| entries.as_array())
            .flatten()
            .filter_map(|entry| entry.get("estimated_time_to_regain_access")?.as_i64())
            .max()
            .filter(|m| *m > 0)?;
        now.checked_add_signed(TimeDelta::try_minutes(minutes)?)
    });
    retry_after
        .or(regain)
        .filter(|t| *t > now)
        .unwrap_or(now + DEFAULT_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use reqwest::StatusCode;

    fn answer(status: u16, body: &str, headers: &[(&'static str, &str)]) -> Answer {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        Answer {
            status: StatusCode::from_u16(status).unwrap(),
            headers: map,
            body: body.as_bytes().to_vec(),
        }
    }

    fn never(_: &GraphError) -> bool {
        false
    }

    #[test]
    fn rate_limit_codes_wait_as_the_headers_say() {
        let body = r#"{"error":{"message":"(#32) Page request limit reached","type":"OAuthException","code":32,"fbtrace_id":"A1"}}"#;
        let usage = r#"{"1234":[{"type":"pages","call_count":100,"total_cputime":20,"total_time":30,"estimated_time_to_regain_access":19}]}"#;
        let before = Utc::now();
        let CheckError::RateLimited { until } = failure(
            &answer(400, body, &[("x-business-use-case-usage", usage)]),
            never,
        ) else {
            panic!("a code 32 is a rate limit");
        };
        assert!(until >= before + TimeDelta::minutes(19));
        assert!(until <= Utc::now() + TimeDelta::minutes(19));

        let CheckError::RateLimited { until } =
            failure(&answer(429, "", &[("retry-after", "120")]), never)
        else {
            panic!("HTTP 429 is a rate limit");
        };
        assert!((until - before).num_seconds().abs_diff(120) <= 2);

        let CheckError::RateLimited { until } = failure(&answer(403, body, &[]), never) else {
            panic!("a code 32 is a rate limit whatever the status");
        };
        assert!((until - before - TimeDelta::hours(1)).num_seconds().abs() <= 2);
    }

    #[test]
    fn absurd_or_past_wait_headers_fall_back_to_an_hour() {
        let now = Utc::now();
        for (name, value) in [
            ("retry-after", "99999999999999999"),
            ("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"),
            ("retry-after", "soon"),
            ("x-business-use-case-usage", "not json"),
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(name, HeaderValue::from_static(value));
            assert_eq!(
                retry_at(&headers, now),
                now + DEFAULT_WAIT,
                "{name}: {value}"
            );
        }
    }

    #[test]
    fn other_graph_errors_are_unavailable_with_their_code() {
        let body = r#"{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"A2"}}"#;
        let CheckError::Unavailable(text) = failure(&answer(400, body, &[]), never) else {
            panic!("an expired token is not a missing account");
        };
        assert!(
            text.contains("190/463") && text.contains("expired"),
            "{text}"
        );
    }
}
