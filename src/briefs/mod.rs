//! Weekly content briefs: what ambassadors are asked to post about, written by
//! coordinators, addressed to the whole institution or some work units, published at a
//! time, paused all at once in a crisis, and told to their audience when they come out.
//! Their images are cropped around a focal point into one variant per platform.

pub mod api;
pub mod audience;
pub mod cache;
pub mod forms;
pub mod images;
pub mod routes;
pub mod rules;
pub mod service;
pub mod variants;

pub fn routes() -> Vec<rocket::Route> {
    routes::all()
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![
        api::create,
        api::update,
        api::index,
        api::current,
        api::show,
        api::pause_all,
        api::resume_all,
        api::add_image,
        api::replace_image,
        api::delete_image,
        api::audience,
        api::copy,
        api::delete,
        api::clarify,
        api::seen,
        api::amplification
    ]
}
