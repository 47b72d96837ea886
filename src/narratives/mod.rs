//! The national narrative that cascades (narasi tunggal): the national role writes a
//! brief once — or the clarification of a case of the national hoax list — for all
//! institutions or chosen kinds and regions; each institution's coordinators adopt it as
//! their own brief (with local facts and wording, published to their ambassadors) or
//! decline it with a reason; the national page shows the uptake per institution
//! (adopted, ambassadors reached, posts, time to amplify).

pub mod api;
pub mod forms;
pub mod routes;
pub mod service;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        routes::index,
        routes::new,
        routes::create,
        routes::show,
        routes::adopt,
        routes::decline
    ]
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![api::create, api::index, api::show, api::adopt, api::decline]
}
