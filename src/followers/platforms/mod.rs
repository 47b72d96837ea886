//! One file per platform.
