//! The leaderboard: how consistently each ambassador posts, from the stored weekly
//! aggregate, with grace weeks (holidays and leave) and shared ranks.

pub mod api;
pub mod participation;
pub mod routes;
pub mod rules;
pub mod service;
pub mod standings;

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![
        api::index,
        api::me,
        api::holidays,
        api::add_holiday,
        api::remove_holiday,
        api::leaves,
        api::add_leave,
        api::update_leave,
        api::cancel_leave
    ]
}

pub fn routes() -> Vec<rocket::Route> {
    routes::all()
}
