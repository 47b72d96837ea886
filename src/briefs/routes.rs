//! placeholder
pub fn all() -> Vec<rocket::Route> {
    Vec::new()
}
