//! What every page and API answer shares: the layout context, the i18n catalogue,
//! catchers and error pages, the JSON body guard, strict optional query parameters, and splicing kept HTML. Request plumbing that knows no user (CSRF, the client
//! address, security headers, metrics) is in `crate::http`.

pub mod app;
pub mod catchers;
pub mod i18n;
pub mod json;
pub mod layout;
pub mod query;
pub mod splice;
pub mod time;
