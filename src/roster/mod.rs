//! The roster: every person of the programme in the caller's scope, with search, filters,
//! sorting, pages and downloads (a page for staff, and the API).

pub mod api;
pub mod bulk;
pub mod routes;
pub mod service;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![routes::index, routes::export, routes::bulk]
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![api::index, api::bulk]
}
