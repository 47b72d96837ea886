//! Duta's integration tests: one binary, a fresh migrated database per test, run on
//! SQLite by default and on PostgreSQL when `DUTA_TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin;
mod ambassadors;
mod amplify;
mod attention;
mod audit;
mod auth;
mod backup;
mod briefs;
mod bulk;
mod conventions;
mod email_confirmation;
mod faults;
mod followers_api;
mod hoaxes;
mod home;
mod integrity;
mod invitations;
mod jobs;
mod jwt;
mod lifecycle;
mod mail;
mod matrix;
mod membership;
mod mentoring;
mod narratives;
mod notices;
mod org_changes;
mod pages;
mod pages_ambassadors;
mod pages_submissions;
mod partitions;
mod password_reset;
mod privacy;
mod push;
mod recognition;
mod record;
mod recruitment;
mod replica;
mod roster;
mod seed;
mod smtp;
mod standings;
mod stats;
mod storage;
mod submissions;
mod support;
mod training;
mod two_factor;
mod vetting;
