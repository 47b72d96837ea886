//! Storytelling templates: named structures with `{{blank}}`s and guidance for each, that
//! ambassadors fill to draft a post per platform. (Issue 4: only the rules exist so far.)

pub mod rules;
