//! The counter-hoax desk: anyone in the programme (approved ambassadors, coordinators)
//! reports a circulating hoax or rising issue from a phone — links, a screenshot, the
//! platform, where it was seen, a note. Reports of one hoax (a link already reported, or
//! a near-identical screenshot) are one case in the triage list of the reporters'
//! institution; coordinators decide it (a hoax, not a hoax) or move it to another
//! institution or the national list, and a confirmed case becomes an urgent
//! clarification brief (made in `briefs`), which answers it when it comes out. Reporters
//! follow what became of each report.

pub mod api;
pub mod forms;
pub mod routes;
pub mod rules;
pub mod service;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        routes::index,
        routes::mine,
        routes::new,
        routes::create,
        routes::show,
        routes::decide,
        routes::forward
    ]
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![
        api::create,
        api::mine,
        api::index,
        api::show,
        api::decide,
        api::forward
    ]
}
