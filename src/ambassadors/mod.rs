//! Ambassadors: sign-up with NIP, platform accounts and follower evidence, and the
//! lifecycle from candidate to approved ambassador.

pub mod api;
pub mod attention;
pub mod forms;
pub mod routes;
pub mod rules;
pub mod service;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        routes::signup_page,
        routes::signup,
        routes::status,
        routes::resubmit,
        routes::upload_screenshot,
        routes::add_account
    ]
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![
        api::signup,
        api::signup_form,
        api::show_own,
        api::resubmit,
        api::upload_screenshot,
        api::add_account,
        api::me
    ]
}
