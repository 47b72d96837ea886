//! Follower counts from the platforms' APIs, behind one trait, one file per platform.
//! A source is used only where its token is configured.

pub mod platforms;

use rocket::figment::Figment;

/// The configured follower sources, by platform.
#[derive(Default)]
pub struct FollowerSources {}

impl FollowerSources {
    /// Reads `followers.*` from the configuration; one message per wrong value.
    pub fn from_figment(_figment: &Figment) -> Result<FollowerSources, Vec<String>> {
        Ok(FollowerSources::default())
    }
}
