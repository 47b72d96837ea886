//! What Duta tells a user inside the application (today: a brief for them is out). Rows
//! name a catalogue message, so each person reads them in their own language; opening the
//! list marks them read.

pub mod api;
pub mod email;
pub mod push;
pub mod routes;
pub mod service;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        routes::index,
        routes::set_email,
        routes::push_key,
        routes::push_subscribe,
        routes::push_unsubscribe
    ]
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![
        api::index,
        api::email,
        api::set_email,
        api::push_key,
        api::push_subscriptions,
        api::push_subscribe,
        api::push_unsubscribe
    ]
}
