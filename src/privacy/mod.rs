//! Personal data (UU PDP 27/2022): every person can read and download what Duta holds
//! about them, correct it, withdraw from the programme, and have it erased. Erasure keeps
//! what the programme's statistics need without anything that identifies the person and
//! deletes the rest, screenshots included; a retention job erases withdrawn people after
//! the programme's retention period. The NIP is sealed at rest (`crate::nip`).

pub mod api;
pub mod forms;
pub mod routes;
pub mod service;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        routes::page,
        routes::download,
        routes::correct,
        routes::withdraw,
        routes::erase
    ]
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![api::export, api::correct, api::withdraw, api::erase]
}
