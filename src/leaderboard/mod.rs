//! The leaderboard: how consistently each ambassador posts, from the stored weekly
//! aggregate, with grace weeks (holidays and leave) and shared ranks.

pub mod rules;
