//! The media module every upload goes through: size checked from the header before any
//! decoding, decoded under limits, EXIF orientation applied, re-encoded (so no EXIF or
//! GPS survives), a thumbnail made, stored by random names outside the web root, and
//! served only to users in scope.

pub mod pipeline;
pub mod routes;
pub mod rules;
pub mod service;
pub mod storage;
#[cfg(test)]
pub(crate) mod testdata;

pub fn routes() -> Vec<rocket::Route> {
    routes::all()
}
