//! The training path (in progress): short lessons with multiple-choice questions — five
//! Indonesian lessons ship with Duta — that ambassadors complete by passing their
//! questions. This step holds the rules: the shipped lessons, what a lesson's questions
//! may be, video links and grading; the pages, the API, progress per unit and lessons
//! required before a kind of brief come next.

pub mod rules;
