//! Recognition: badges earned by rules anyone can read (a first verified post, 4/12/26-week
//! streaks, lessons, mentored drafts, referrals), kept once earned, shown on the
//! ambassador's page and, if they wish, on the board; and certificates of participation
//! for a period, as PDF, that anyone can check on a public page from their code.

pub mod api;
pub mod certificate;
pub mod certificates;
pub mod routes;
pub mod rules;
pub mod service;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        routes::rules_page,
        routes::mine,
        routes::set_board,
        routes::certificates,
        routes::issue,
        routes::pdf,
        routes::zip,
        routes::my_certificates,
        routes::verify
    ]
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![
        api::rules,
        api::mine,
        api::set_board,
        api::issue,
        api::list,
        api::my_certificates,
        api::verify
    ]
}
