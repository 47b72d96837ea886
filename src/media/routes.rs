//! Serving stored images to users in scope.

pub fn all() -> Vec<rocket::Route> {
    rocket::routes![]
}
