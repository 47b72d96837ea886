//! Reading a multipart upload into memory with a size cap.

use rocket::fs::TempFile;
use tokio::io::AsyncReadExt;

use crate::error::{AppError, AppResult, FieldErrors, Msg};

/// Reads an uploaded file into memory, at most `limit` bytes (413 beyond).
pub async fn read_upload(file: &TempFile<'_>, limit: u64) -> AppResult<Vec<u8>> {
    if file.len() > limit {
        return Err(AppError::TooLarge);
    }
    let mut reader = file.open().await.map_err(AppError::internal)?;
    let mut bytes = Vec::with_capacity(usize::try_from(file.len()).unwrap_or(0));
    reader
        .read_to_end(&mut bytes)
        .await
        .map_err(AppError::internal)?;
    Ok(bytes)
}

/// An optional picture of a page form (a screenshot): nothing when no file was chosen,
/// else its bytes up to the media limit (413 beyond).
pub async fn read_optional_picture(file: Option<&TempFile<'_>>) -> AppResult<Option<Vec<u8>>> {
    match file.filter(|f| f.len() > 0) {
        None => Ok(None),
        Some(f) => read_upload(f, crate::media::rules::MAX_UPLOAD_BYTES as u64)
            .await
            .map(Some),
    }
}

/// A page form's refusal beside its fields: a picture over the limit is 413 beside
/// `picture_field`; validation and conflicts beside theirs; anything else is the error page.
pub fn page_errors(
    error: AppError,
    lang: crate::web::i18n::Lang,
    picture_field: &str,
) -> AppResult<(
    rocket::http::Status,
    std::collections::BTreeMap<String, Vec<String>>,
)> {
    match error {
        AppError::TooLarge => Ok((
            rocket::http::Status::PayloadTooLarge,
            [(
                picture_field.to_string(),
                vec![crate::web::i18n::t(lang, "error.413")],
            )]
            .into(),
        )),
        other => other.form_errors(lang),
    }
}

/// What Rocket's errors reading an upload form mean to the client: 413 when the body is
/// over its limit; otherwise each error at its field. `fields` gives the message of each
/// field the form has (for a value that is missing or cannot be read), the first being the
/// file's (also for a body that cannot be read at all); a field the form does not have is
/// named as unknown: the upload forms are read strictly, as JSON bodies are.
pub fn form_errors(errors: &rocket::form::Errors<'_>, fields: &[(&str, Msg)]) -> AppError {
    if errors
        .iter()
        .any(|e| e.status() == rocket::http::Status::PayloadTooLarge)
    {
        return AppError::TooLarge;
    }
    let mut out = FieldErrors::new();
    for error in errors.iter() {
        let name = error.name.as_ref().map(|n| n.to_string());
        match name {
            Some(name) => match fields.iter().find(|(field, _)| *field == name) {
                Some((field, msg)) => out.add(field, msg.clone()),
                None => out.add(&name, Msg::new("error.unknown_field").arg("field", &name)),
            },
            None => out.add(fields[0].0, fields[0].1.clone()),
        }
    }
    if out.is_empty() {
        out.add(fields[0].0, fields[0].1.clone());
    }
    AppError::Validation(out)
}

/// A text field of an upload form as sent: `None` when absent, its one value, or — when
/// the field came more than once — `msg` at the field. (Rocket's `Option<T>` turns a value
/// it cannot read, or a second one, into "absent"; these forms read each field as the
/// values sent and say what is wrong with them instead.)
pub fn one_value<'a>(
    values: &'a [String],
    field: &str,
    msg: &Msg,
    errors: &mut FieldErrors,
) -> Option<&'a str> {
    match values {
        [] => None,
        [one] => Some(one.as_str()),
        _ => {
            errors.add(field, msg.clone());
            None
        }
    }
}

/// A number field of an upload form (see [`one_value`]): `None` when absent; text that is
/// not a number, or a second value, is `msg` at the field.
pub fn one_number(
    values: &[String],
    field: &str,
    msg: &Msg,
    errors: &mut FieldErrors,
) -> Option<f64> {
    let text = one_value(values, field, msg, errors)?;
    match text.trim().parse::<f64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.add(field, msg.clone());
            None
        }
    }
}

/// An upload form read strictly (a field the form does not have is an error, as in
/// Rocket's `Strict`), keeping the errors the multipart reader reports on its own — above
/// all a body over its size limit (413), which `Strict` drops.
pub struct StrictUpload<T>(pub T);

#[rocket::async_trait]
impl<'v, T: rocket::form::FromForm<'v>> rocket::form::FromForm<'v> for StrictUpload<T> {
    type Context = T::Context;

    fn init(_: rocket::form::Options) -> Self::Context {
        T::init(rocket::form::Options::Strict)
    }

    fn push_value(ctxt: &mut Self::Context, field: rocket::form::ValueField<'v>) {
        T::push_value(ctxt, field)
    }

    async fn push_data(ctxt: &mut Self::Context, field: rocket::form::DataField<'v, '_>) {
        T::push_data(ctxt, field).await
    }

    fn push_error(ctxt: &mut Self::Context, error: rocket::form::Error<'v>) {
        T::push_error(ctxt, error)
    }

    fn finalize(ctxt: Self::Context) -> rocket::form::Result<'v, Self> {
        T::finalize(ctxt).map(StrictUpload)
    }
}

impl<T> std::ops::Deref for StrictUpload<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}
