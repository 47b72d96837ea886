//! Pure checks on image bytes.
