//! Optional query parameters of the API that are strict: absent is `None`, but a value
//! that does not parse (a number beyond its type's range, a word where a number belongs,
//! the same parameter twice) fails the request with 422. Rocket's own `Option<T>` reads
//! such a value as absent, so a client's typo silently widened what it asked for.

use rocket::form::{self, FromForm, Options, ValueField};

/// An optional query parameter that must parse when it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Opt<T>(pub Option<T>);

impl<T> Opt<T> {
    pub fn into_inner(self) -> Option<T> {
        self.0
    }
}

pub struct OptContext<'v, T: FromForm<'v>> {
    inner: T::Context,
    given: bool,
}

#[rocket::async_trait]
impl<'v, T: FromForm<'v>> FromForm<'v> for Opt<T> {
    type Context = OptContext<'v, T>;

    fn init(_: Options) -> Self::Context {
        OptContext {
            inner: T::init(Options { strict: true }),
            given: false,
        }
    }

    fn push_value(ctxt: &mut Self::Context, field: ValueField<'v>) {
        ctxt.given = true;
        T::push_value(&mut ctxt.inner, field)
    }

    async fn push_data(ctxt: &mut Self::Context, field: form::DataField<'v, '_>) {
        ctxt.given = true;
        T::push_data(&mut ctxt.inner, field).await
    }

    fn finalize(ctxt: Self::Context) -> form::Result<'v, Self> {
        if ctxt.given {
            T::finalize(ctxt.inner).map(|v| Opt(Some(v)))
        } else {
            Ok(Opt(None))
        }
    }
}

/// A whole number given as text, as the API's document writes it (`12`, not ` 12`, `+12`
/// or an empty value): the text when it is one, so the domain can check its range with
/// its own message; `Err` with the value otherwise.
pub fn whole_number(raw: Option<String>) -> Result<Option<String>, String> {
    match raw {
        Some(s) if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) => Err(s),
        other => Ok(other),
    }
}
