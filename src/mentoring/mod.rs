//! Mentoring on drafts: an ambassador asks for a review of a saved draft before posting;
//! a coordinator, or a mentor (an experienced ambassador a coordinator names, within the
//! same institution), comments on it — overall, or on a passage with suggested wording —
//! and may accept it; the ambassador revises, and every version and comment stays in the
//! review's history.

pub mod api;
pub mod forms;
pub mod routes;
pub mod rules;
pub mod service;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        routes::request,
        routes::index,
        routes::show,
        routes::comment,
        routes::revise,
        routes::mentor
    ]
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![
        api::request,
        api::index,
        api::show,
        api::comment,
        api::revise,
        api::name_mentor,
        api::end_mentor
    ]
}
