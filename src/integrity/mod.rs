//! Programme integrity (Kominfo warns against bought followers; civil servants must stay
//! politically neutral): flags on an ambassador when their followers jump between two
//! checks, when their engagement per follower is far below the programme's norm, when
//! they send the same screenshot (perceptual hash) as someone else, when they post
//! under another ambassador's account, and, in the election-period neutrality mode, when
//! a brief or draft holds a blocklisted word. Each flag explains itself; a coordinator
//! clears it with a note.

pub mod api;
pub mod routes;
pub mod rules;
pub mod service;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![routes::index, routes::clear]
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![api::index, api::clear]
}
