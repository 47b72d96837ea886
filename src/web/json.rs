//! The JSON body guard of the API: malformed JSON is 400, JSON of the wrong shape 422 (a
//! field the operation does not have is named in `fields`), a body over the `json` limit
//! 413, each answered as JSON by the API catcher.

use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::http::Status;
use rocket::request::Request;
use serde::de::DeserializeOwned;

use crate::web::catchers::ApiParseError;

pub struct ApiJson<T>(pub T);

/// A JSON body that may be left out: an empty body (or `null`) reads as `T::default()`. For actions
/// such as `POST …/verify` whose body (a reason) is optional.
pub struct OptionalJson<T>(pub T);

/// Reads and parses the body; `empty` is the value of an empty body, when one is allowed.
async fn read<'r, T: DeserializeOwned>(
    req: &'r Request<'_>,
    data: Data<'r>,
    empty: Option<fn() -> T>,
) -> Result<T, (Status, String)> {
    let fail = |status: Status, error: ApiParseError| {
        let message = error.detail.clone();
        req.local_cache(|| error);
        Err((status, message))
    };
    let limit = req.limits().get("json").unwrap_or(1.mebibytes());
    let text = match data.open(limit).into_string().await {
        Ok(s) if s.is_complete() => s.into_inner(),
        Ok(_) => {
            return fail(
                Status::PayloadTooLarge,
                ApiParseError::new(format!("body over {limit}")),
            )
        }
        Err(e) => return fail(Status::BadRequest, ApiParseError::new(e.to_string())),
    };
    // An optional body may be left out, or sent as `null`.
    if let Some(empty) = empty.filter(|_| matches!(text.trim(), "" | "null")) {
        return Ok(empty());
    }
    let value = match serde_json::from_str::<serde_json::Value>(&text) {
        // Every body of the API is an object: serde would read a struct from an array too
        // (`[]` as a body whose fields are all optional).
        Ok(serde_json::Value::Array(_)) => {
            return fail(
                Status::UnprocessableEntity,
                ApiParseError::new("the body must be a JSON object, not an array".into()),
            )
        }
        Ok(v) => v,
        Err(e) => return fail(Status::BadRequest, ApiParseError::new(e.to_string())),
    };
    let parsed = serde_json::from_value::<T>(integral_numbers(value));
    match parsed {
        Ok(value) => Ok(value),
        Err(e) if e.is_data() => {
            let detail = e.to_string();
            let error = match unknown_field(&detail) {
                Some(field) => ApiParseError::unknown_field(detail.clone(), field),
                None => ApiParseError::new(detail),
            };
            fail(Status::UnprocessableEntity, error)
        }
        Err(e) => fail(Status::BadRequest, ApiParseError::new(e.to_string())),
    }
}

/// JSON Schema counts `3.0` as an integer, so the API takes it where an integer belongs:
/// every number with no fraction that fits an `i64` is read as that integer. (A field
/// that holds a fraction still reads `3` as `3.0`.)
fn integral_numbers(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 => {
                Value::from(f as i64)
            }
            _ => Value::Number(n),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(integral_numbers).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, integral_numbers(v)))
                .collect(),
        ),
        other => other,
    }
}

/// The field serde names in "unknown field `x`, expected …".
fn unknown_field(detail: &str) -> Option<String> {
    let rest = detail.strip_prefix("unknown field `")?;
    Some(rest.split('`').next()?.to_string())
}

#[rocket::async_trait]
impl<'r, T: DeserializeOwned> FromData<'r> for ApiJson<T> {
    type Error = String;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        match read(req, data, None).await {
            Ok(value) => data::Outcome::Success(ApiJson(value)),
            Err(e) => data::Outcome::Error(e),
        }
    }
}

#[rocket::async_trait]
impl<'r, T: DeserializeOwned + Default> FromData<'r> for OptionalJson<T> {
    type Error = String;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        match read(req, data, Some(T::default)).await {
            Ok(value) => data::Outcome::Success(OptionalJson(value)),
            Err(e) => data::Outcome::Error(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::unknown_field;

    #[test]
    fn names_the_unknown_field() {
        let err = serde_json::from_str::<crate::vetting::forms::FollowersRequest>(
            r#"{"platform":"x","followers":10}"#,
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert_eq!(unknown_field(&err).as_deref(), Some("followers"));
        assert_eq!(unknown_field("missing field `x`"), None);
    }

    #[test]
    fn integral_floats_read_as_integers() {
        let v =
            super::integral_numbers(serde_json::json!({"a": 2.0, "b": [1.5, -4.0], "c": 1e300}));
        assert_eq!(v, serde_json::json!({"a": 2, "b": [1.5, -4], "c": 1e300}));
        let r: crate::org::forms::NewWorkUnit = serde_json::from_value(super::integral_numbers(
            serde_json::json!({"name": "Biro", "parent_id": 7.0}),
        ))
        .expect("reads");
        assert_eq!(r.parent_id, Some(7));
    }
}
