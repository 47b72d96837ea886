//! Staff accounts: admins create coordinators, leadership, national users and other
//! admins, change their role or scope, and deactivate them. (Ambassadors sign up.)

pub mod api;
pub mod forms;
pub mod routes;
pub mod rules;
pub mod service;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        routes::index,
        routes::create,
        routes::edit,
        routes::update,
        routes::deactivate,
        routes::reactivate
    ]
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![
        api::index,
        api::create,
        api::update,
        api::deactivate,
        api::reactivate
    ]
}
