//! Submissions: the posts ambassadors made for a brief, checked and normalised per
//! platform, verified at once when X proves them or by a coordinator, and counted into
//! the leaderboard's weekly aggregate in the same transaction as every decision.

pub mod api;
pub mod bulk;
pub mod forms;
pub mod routes;
pub mod rules;
pub mod service;
pub mod writer;

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![
        api::create,
        api::mine,
        api::queue,
        api::show,
        api::verify,
        api::reject,
        api::revert,
        api::bulk_verify,
        api::bulk_reject
    ]
}

pub fn routes() -> Vec<rocket::Route> {
    routes::all()
}
