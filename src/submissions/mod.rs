//! Submissions: the posts ambassadors made for a brief, checked and normalised per
//! platform, verified at once when X proves them or by a coordinator, and counted into
//! the leaderboard's weekly aggregate in the same transaction as every decision.

pub mod rules;
