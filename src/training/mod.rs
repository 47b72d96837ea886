//! The training path: short lessons with multiple-choice questions — five Indonesian
//! lessons ship with Duta (storytelling, hoaxes, election neutrality, account safety,
//! writing per platform) — that ambassadors complete by answering every question right;
//! a wrong attempt shows each right answer and why.

pub mod api;
pub mod forms;
pub mod routes;
pub mod rules;
pub mod service;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        routes::index,
        routes::show,
        routes::attempt,
        routes::new,
        routes::create,
        routes::edit,
        routes::update,
        routes::archive,
        routes::required,
        routes::progress,
        routes::add_image,
        routes::delete_image,
        routes::image
    ]
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![
        api::index,
        api::show,
        api::attempt,
        api::create,
        api::update,
        api::archive,
        api::required,
        api::progress
    ]
}
