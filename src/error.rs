//! One error type for every handler. It maps to a status, logs its cause, never shows
//! database text to a person, and answers as JSON under `/api/` and as a page elsewhere.

use std::collections::BTreeMap;
use std::io::Cursor;

use rocket::http::{ContentType, Status};
use rocket::request::Request;
use rocket::response::Response;
use sea_orm::DbErr;
use serde::Serialize;

use crate::web::i18n::{self, Lang};

/// A message by catalogue key, with `{name}` arguments, translated when it is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Msg {
    pub key: String,
    pub args: Vec<(String, String)>,
    /// About the programme's state rather than the request's shape; see [`Msg::conflict`].
    #[serde(skip)]
    pub conflict: bool,
}

impl Msg {
    pub fn new(key: &str) -> Msg {
        Msg {
            key: key.to_string(),
            args: Vec::new(),
            conflict: false,
        }
    }
    /// An error about the programme's state rather than the request's shape: a field
    /// names an object that does not exist or is out of the caller's reach (a unit of
    /// another institution), or the object is not in a state that allows this (a
    /// candidate with no account on that platform). When every error of a request is of
    /// this kind the API answers 409 — the request itself meets the document, so 422
    /// would be wrong; 404 stays for the object the path names — and pages show it by
    /// the field as any other.
    pub fn conflict(key: &str) -> Msg {
        Msg {
            conflict: true,
            ..Msg::new(key)
        }
    }
    pub fn arg(mut self, name: &str, value: impl ToString) -> Msg {
        self.args.push((name.to_string(), value.to_string()));
        self
    }
    pub fn text(&self, lang: Lang) -> String {
        let args: Vec<(&str, &str)> = self
            .args
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        i18n::t_with(lang, &self.key, &args)
    }
}

/// Errors per form field, in field order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, Vec<Msg>>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, field: &str, msg: Msg) {
        self.0.entry(field.to_string()).or_default().push(msg);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Every error is about the programme's state (see [`Msg::conflict`]).
    pub fn only_conflicts(&self) -> bool {
        !self.is_empty() && self.0.values().flatten().all(|m| m.conflict)
    }
    pub fn single(field: &str, msg: Msg) -> Self {
        let mut f = Self::new();
        f.add(field, msg);
        f
    }
    /// The same errors with `from`'s messages at `to` (a part's field named as the form
    /// that holds it names it: an upload's `file` is a report's `screenshot`).
    pub fn renamed(self, from: &str, to: &str) -> Self {
        let mut out = Self::new();
        for (k, msgs) in self.0 {
            let field = if k == from { to } else { k.as_str() };
            for m in msgs {
                out.add(field, m);
            }
        }
        out
    }
    /// Both sets of errors, field by field.
    pub fn merged(mut self, other: FieldErrors) -> Self {
        for (k, msgs) in other.0 {
            for m in msgs {
                self.add(&k, m);
            }
        }
        self
    }
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }
    /// Ok when empty, else a validation error carrying these fields.
    pub fn into_result(self) -> AppResult<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self))
        }
    }
    /// The messages in `lang`, as the JSON API and the templates show them.
    pub fn translated(&self, lang: Lang) -> BTreeMap<String, Vec<String>> {
        self.0
            .iter()
            .map(|(k, v)| (k.clone(), v.iter().map(|m| m.text(lang)).collect()))
            .collect()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("not signed in")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    #[error("wrong email or password")]
    BadCredentials,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("validation failed")]
    Validation(FieldErrors),
    #[error("conflict")]
    Conflict(FieldErrors),
    #[error("too large")]
    TooLarge,
    #[error("rate limited")]
    RateLimited { retry_after_secs: i64 },
    #[error("database: {0}")]
    Db(#[from] DbErr),
    /// The disk under the database or the uploads is full: nothing was stored, and the
    /// answer is 503 with `Retry-After` until space returns.
    #[error("storage full: {0}")]
    StorageFull(String),
    /// The object store holding stored files cannot be reached (or refuses): nothing was
    /// stored, and the answer is 503 with `Retry-After`.
    #[error("object store unavailable: {0}")]
    StorageDown(String),
    /// The database could not be reached, said again to several waiting writers (see
    /// `submissions::writer`): 503 as for `Db` errors that `db::is_unavailable` names.
    #[error("database unavailable: {0}")]
    DatabaseDown(String),
    #[error("internal: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn status(&self) -> Status {
        match self {
            AppError::NotFound => Status::NotFound,
            AppError::Unauthorized | AppError::BadCredentials => Status::Unauthorized,
            AppError::Forbidden => Status::Forbidden,
            AppError::BadRequest(_) => Status::BadRequest,
            AppError::Validation(f) if f.only_conflicts() => Status::Conflict,
            AppError::Validation(_) => Status::UnprocessableEntity,
            AppError::Conflict(_) => Status::Conflict,
            AppError::TooLarge => Status::PayloadTooLarge,
            AppError::RateLimited { .. } => Status::TooManyRequests,
            AppError::StorageFull(_) | AppError::StorageDown(_) | AppError::DatabaseDown(_) => {
                Status::ServiceUnavailable
            }
            AppError::Db(e) if crate::db::is_storage_full(e) || crate::db::is_unavailable(e) => {
                Status::ServiceUnavailable
            }
            AppError::Db(_) | AppError::Internal(_) => Status::InternalServerError,
        }
    }

    /// A "not found" for an object a body field names becomes a conflict at that field
    /// (see [`Msg::conflict`]); any other error is kept.
    pub fn at_field(self, field: &str, key: &str) -> AppError {
        match self {
            AppError::NotFound => {
                AppError::Validation(FieldErrors::single(field, Msg::conflict(key)))
            }
            other => other,
        }
    }

    pub fn internal(cause: impl std::fmt::Display) -> AppError {
        AppError::Internal(cause.to_string())
    }

    /// A file could not be written or read: 503 when the disk is full, else internal.
    pub fn io(what: &str, e: std::io::Error) -> AppError {
        if e.kind() == std::io::ErrorKind::StorageFull {
            AppError::StorageFull(format!("{what}: {e}"))
        } else {
            AppError::Internal(format!("{what}: {e}"))
        }
    }

    /// Whether the answer is 503 because the database cannot be reached.
    pub fn is_database_down(&self) -> bool {
        match self {
            AppError::DatabaseDown(_) => true,
            AppError::Db(e) => crate::db::is_unavailable(e),
            _ => false,
        }
    }

    /// Whether the answer is 503 because storage is full (so it says when to retry).
    pub fn is_storage_full(&self) -> bool {
        match self {
            AppError::StorageFull(_) => true,
            AppError::Db(e) => crate::db::is_storage_full(e),
            _ => false,
        }
    }

    /// For page handlers: the field errors to show on the re-rendered form with their
    /// status (422, or 409 for a conflict); any other error is passed on.
    pub fn form_errors(self, lang: Lang) -> AppResult<(Status, BTreeMap<String, Vec<String>>)> {
        match self {
            AppError::Validation(f) => Ok((Status::UnprocessableEntity, f.translated(lang))),
            AppError::Conflict(f) => Ok((Status::Conflict, f.translated(lang))),
            other => Err(other),
        }
    }

    pub fn fields(&self) -> Option<&FieldErrors> {
        match self {
            AppError::Validation(f) | AppError::Conflict(f) => Some(f),
            _ => None,
        }
    }
}

/// The JSON body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiErrorBody {
    /// A stable code: `not_found`, `validation`, `conflict`, …
    pub error: String,
    /// A sentence in the caller's language.
    pub message: String,
    /// Messages per field, for `validation` and `conflict`.
    pub fields: BTreeMap<String, Vec<String>>,
}

/// The stable code and catalogue key of a status.
pub fn status_code_name(status: Status) -> (&'static str, &'static str) {
    match status.code {
        400 => ("bad_request", "error.400"),
        401 => ("unauthorized", "error.401"),
        403 => ("forbidden", "error.403"),
        404 => ("not_found", "error.404"),
        405 => ("method_not_allowed", "error.405"),
        409 => ("conflict", "error.409"),
        413 => ("too_large", "error.413"),
        415 => ("unsupported_media_type", "error.415"),
        422 => ("validation", "error.422"),
        429 => ("rate_limited", "error.429"),
        503 => ("unavailable", "error.503"),
        _ => ("internal", "error.500"),
    }
}

pub fn api_error_response<'r>(
    status: Status,
    lang: Lang,
    message: Option<String>,
    fields: BTreeMap<String, Vec<String>>,
) -> Response<'r> {
    let (code, key) = status_code_name(status);
    let body = ApiErrorBody {
        error: code.to_string(),
        message: message.unwrap_or_else(|| i18n::t(lang, key)),
        fields,
    };
    let json = serde_json::to_string(&body).unwrap_or_else(|_| "{\"error\":\"internal\"}".into());
    Response::build()
        .status(status)
        .header(ContentType::JSON)
        .sized_body(json.len(), Cursor::new(json))
        .finalize()
}

pub fn is_api_request(req: &Request<'_>) -> bool {
    req.uri().path().as_str().starts_with("/api/")
}
