//! Storytelling templates: named structures with `{{blank}}`s and guidance for each, that
//! ambassadors fill to draft a post per platform. Duta ships five Indonesian ones;
//! coordinators add their institution's own, change them, and archive them (they stay
//! with the briefs that chose them).

pub mod api;
pub mod forms;
pub mod routes;
pub mod rules;
pub mod service;

pub fn routes() -> Vec<rocket::Route> {
    routes::all()
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![
        api::index,
        api::create,
        api::render,
        api::update,
        api::archive,
        api::restore
    ]
}
