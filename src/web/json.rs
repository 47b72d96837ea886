//! The JSON body guard of the API: malformed JSON is 400, JSON of the wrong shape 422,
//! a body over the `json` limit 413, each answered as JSON by the API catcher.

use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::http::Status;
use rocket::request::Request;
use serde::de::DeserializeOwned;

use crate::web::catchers::ApiParseError;

pub struct ApiJson<T>(pub T);

#[rocket::async_trait]
impl<'r, T: DeserializeOwned> FromData<'r> for ApiJson<T> {
    type Error = String;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let fail = |status: Status, msg: String| {
            req.local_cache(|| ApiParseError(Some(msg.clone())));
            data::Outcome::Error((status, msg))
        };
        let limit = req.limits().get("json").unwrap_or(1.mebibytes());
        let text = match data.open(limit).into_string().await {
            Ok(s) if s.is_complete() => s.into_inner(),
            Ok(_) => return fail(Status::PayloadTooLarge, format!("body over {limit}")),
            Err(e) => return fail(Status::BadRequest, e.to_string()),
        };
        match serde_json::from_str::<T>(&text) {
            Ok(value) => data::Outcome::Success(ApiJson(value)),
            Err(e) if e.is_data() => fail(Status::UnprocessableEntity, e.to_string()),
            Err(e) => fail(Status::BadRequest, e.to_string()),
        }
    }
}

/// A JSON body that may be left out: an empty body reads as `T::default()`. For actions
/// such as `POST …/verify` whose body (a reason) is optional.
pub struct OptionalJson<T>(pub T);

#[rocket::async_trait]
impl<'r, T: DeserializeOwned + Default> FromData<'r> for OptionalJson<T> {
    type Error = String;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let fail = |status: Status, msg: String| {
            req.local_cache(|| ApiParseError(Some(msg.clone())));
            data::Outcome::Error((status, msg))
        };
        let limit = req.limits().get("json").unwrap_or(1.mebibytes());
        let text = match data.open(limit).into_string().await {
            Ok(s) if s.is_complete() => s.into_inner(),
            Ok(_) => return fail(Status::PayloadTooLarge, format!("body over {limit}")),
            Err(e) => return fail(Status::BadRequest, e.to_string()),
        };
        if text.trim().is_empty() {
            return data::Outcome::Success(OptionalJson(T::default()));
        }
        match serde_json::from_str::<T>(&text) {
            Ok(value) => data::Outcome::Success(OptionalJson(value)),
            Err(e) if e.is_data() => fail(Status::UnprocessableEntity, e.to_string()),
            Err(e) => fail(Status::BadRequest, e.to_string()),
        }
    }
}
