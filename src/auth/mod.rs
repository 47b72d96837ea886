//! Who is asking: session tokens (JWT), password hashing, sign-in throttling, the request
//! guards every handler uses to know the caller's role and scope, and the sign-in pages.

pub mod api;
pub mod forms;
pub mod guards;
pub mod jwt;
pub mod passwords;
pub mod roles;
pub mod routes;
pub mod service;
pub mod throttle;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        routes::login_page,
        routes::login,
        routes::logout,
        routes::password_page,
        routes::change_password,
    ]
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![api::login, api::logout, api::me, api::change_password]
}
