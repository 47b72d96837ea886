//! The organisation: institutions (ministries, agencies, provinces, regencies, cities)
//! and each one's tree of work units (satuan kerja).

pub mod api;
pub mod cache;
pub mod forms;
pub mod routes;
pub mod rules;
pub mod service;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        routes::index,
        routes::create,
        routes::show,
        routes::create_work_unit,
        routes::change,
        routes::change_work_unit,
        routes::merge_work_unit
    ]
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![
        api::index,
        api::create,
        api::show,
        api::work_units,
        api::create_work_unit,
        api::change,
        api::change_work_unit,
        api::merge_work_unit
    ]
}
