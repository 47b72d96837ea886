//! The coordinators' vetting queue: candidates in their scope, oldest first, with the
//! evidence, the NIP decoded and duplicates; approve, reject, type a count, re-check.

pub mod api;
pub mod forms;
pub mod import;
pub mod lifecycle;
pub mod notice;
pub mod record;
pub mod routes;
pub mod service;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        routes::index,
        routes::show,
        routes::approve,
        routes::reject,
        routes::followers,
        routes::recheck,
        routes::suspend,
        routes::remove,
        routes::reinstate,
        routes::correct,
        routes::import_page,
        routes::import
    ]
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![
        api::index,
        api::show,
        api::approve,
        api::reject,
        api::followers,
        api::recheck,
        api::suspend,
        api::remove,
        api::reinstate,
        api::correct,
        api::import
    ]
}
