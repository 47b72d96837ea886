//! Participation statistics for leadership: how many ambassadors post, week by week and
//! per unit and platform, drawn as server-side SVG charts and downloadable as CSV or
//! XLSX tables and as a printable A4 report.

pub mod api;
pub mod charts;
pub mod export;
pub mod routes;
pub mod rules;
pub mod service;
pub mod source;
pub mod tables;

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![api::participation]
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![routes::dashboard, routes::report, routes::export_file]
}
