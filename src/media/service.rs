//! Storing and reading images.

use std::path::{Path, PathBuf};

/// Where images live and how many may be decoded at once.
pub struct MediaStore {
    pub dir: PathBuf,
}

impl MediaStore {
    pub fn new(dir: &Path) -> MediaStore {
        MediaStore {
            dir: dir.to_path_buf(),
        }
    }
}
