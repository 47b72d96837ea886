//! The audit log: who did what to whom, when, and from where. Rows never hold passwords,
//! tokens or whole NIPs; callers pass only what a reviewer needs. Admins and coordinators
//! read it (their scope) on `/audit`, filter it and export it as CSV.

pub mod api;
pub mod record;
pub mod routes;
pub mod service;

pub use record::{record, Entry};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![routes::index, routes::export]
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![api::index]
}
