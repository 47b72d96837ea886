//! Weekly content briefs. (Issue 4: only the week rules exist so far.)

pub mod rules;
