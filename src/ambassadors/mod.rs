//! Ambassadors: sign-up with NIP, platform accounts and follower evidence, and the
//! lifecycle from candidate to approved ambassador.

pub mod rules;
