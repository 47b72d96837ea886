//! The one managed application state: every part a node shares between requests (the
//! database, the configuration, keys, the mailer, stores and the answers it keeps, see
//! `crate::kept`), each looked up by its type. Duta manages this one value with Rocket;
//! a route asks for a part as `&Shared<T>` (it reads like `&T`), and code that has the
//! `Rocket` reads one with [`part`]. This module knows no domain: a lower layer (the
//! session guard, the layout) reads its own part by type without reaching up to the
//! code that built the whole.

use std::any::{type_name, Any, TypeId};
use std::collections::HashMap;
use std::ops::Deref;

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{Phase, Rocket};

/// One part of the application state, as a route receives it (`&Shared<T>`): it reads
/// as `&T` wherever a `&T` is wanted.
pub struct Shared<T>(T);

impl<T> Shared<T> {
    pub fn inner(&self) -> &T {
        &self.0
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// Every part, at most one of each type. Built once at ignition and never changed after.
#[derive(Default)]
pub struct AppState {
    parts: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
}

impl AppState {
    /// Adds `part` (a second part of the same type replaces the first).
    pub fn with<T: Send + Sync + 'static>(mut self, part: T) -> Self {
        self.parts.insert(TypeId::of::<T>(), Box::new(Shared(part)));
        self
    }

    /// The part of type `T`, when there is one.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&Shared<T>> {
        self.parts
            .get(&TypeId::of::<T>())
            .and_then(|p| p.downcast_ref::<Shared<T>>())
    }

    /// How many parts there are (for the start-up log and tests).
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }
}

/// The part of type `T` of a Rocket's state (`None` before ignition or when missing).
pub fn part<T: Send + Sync + 'static>(rocket: &Rocket<impl Phase>) -> Option<&T> {
    rocket
        .state::<AppState>()
        .and_then(|s| s.get::<T>())
        .map(Shared::inner)
}

#[rocket::async_trait]
impl<'r, T: Send + Sync + 'static> FromRequest<'r> for &'r Shared<T> {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        match req.rocket().state::<AppState>().and_then(|s| s.get::<T>()) {
            Some(p) => Outcome::Success(p),
            None => {
                tracing::error!(
                    part = type_name::<T>(),
                    "the application state lacks a part"
                );
                Outcome::Error((Status::InternalServerError, ()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Count(u32);

    #[test]
    fn a_part_is_found_by_its_type_only() {
        let state = AppState::default().with(Count(3)).with(String::from("x"));
        assert_eq!(state.get::<Count>().map(|c| c.inner().0), Some(3));
        assert_eq!(state.get::<String>().map(|s| s.as_str()), Some("x"));
        assert!(state.get::<u64>().is_none());
        let state = state.with(Count(4));
        assert_eq!(state.len(), 2, "a second part of a type replaces the first");
        assert_eq!(**state.get::<Count>().unwrap(), Count(4));
    }
}
