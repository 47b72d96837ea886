//! Who is asking: session tokens (JWT), password hashing, sign-in throttling, the request
//! guards every handler uses to know the caller's role and scope, and the sign-in pages.

pub mod api;
pub mod confirm;
pub mod forms;
pub mod guards;
pub mod invite;
pub mod jwt;
pub mod passwords;
pub mod reset;
pub mod roles;
pub mod routes;
pub mod rules;
pub mod service;
pub mod throttle;
pub mod tokens;
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
        routes::forgot_page,
        routes::forgot,
        routes::reset_form,
        routes::reset_password,
        routes::password_reset_link,
        routes::reset_two_factor,
        routes::confirm_form,
        routes::confirm_email,
        routes::resend_confirmation,
        routes::invitation_form,
        routes::accept_invitation,
        routes::send_invitation,
        routes::revoke_invitation,
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
        api::two_factor_recovery_codes,
        api::forgot_password,
        api::reset_password,
        api::password_reset_link,
        api::reset_two_factor,
        api::confirm_email,
        api::resend_confirmation,
        api::accept_invitation,
        api::send_invitation,
        api::revoke_invitation,
    ]
}
