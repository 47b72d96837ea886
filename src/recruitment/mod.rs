//! Recruitment: each institution's public programme page (what the programme is, its
//! thresholds and consent text, a sign-up button and a QR code to print or share), whose
//! text its coordinators write; and referral links: an approved ambassador's personal
//! link, through which candidates who sign up are shown with their referrer at vetting
//! and counted on the roster, the recruitment page and the statistics.

pub mod api;
pub mod forms;
pub mod routes;
pub mod rules;
pub mod service;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        routes::programme,
        routes::qr,
        routes::index,
        routes::save,
        routes::referral
    ]
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![api::show, api::update, api::referral, api::recruitment]
}
