//! Programme settings the admin keeps: which platforms are required and their follower
//! thresholds, the programme's time zone, and the leaderboard window in weeks.

pub mod api;
pub mod cache;
pub mod forms;
pub mod routes;
pub mod rules;
pub mod service;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![routes::edit, routes::update]
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![api::show, api::update]
}
