//! Who is asking: session tokens (JWT), password hashing, sign-in throttling, the request
//! guards every handler uses to know the caller's role and scope, and the sign-in pages.

pub mod api;
pub mod forms;
pub mod guards;
pub mod jwt;
pub mod passwords;
pub mod roles;
pub mod routes;
pub mod rules;
pub mod service;
pub mod throttle;
pub mod totp;
pub mod two_factor;
pub mod view;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        routes::login_page,
        routes::login,
        routes::login_code,
        routes::logout,
        routes::password_page,
        routes::change_password,
        routes::two_factor,
        routes::two_factor_enable,
        routes::two_factor_recovery_codes,
        routes::two_factor_disable,
    ]
}

pub fn api_routes() -> Vec<rocket::Route> {
    rocket::routes![
        api::login,
        api::logout,
        api::change_password,
        api::two_factor_setup,
        api::two_factor_enable,
        api::two_factor_disable,
        api::two_factor_recovery_codes
    ]
}
