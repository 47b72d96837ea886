//! Web Push to ambassadors' phones: message encryption (RFC 8291) and, next, VAPID
//! (RFC 8292) and delivery to the browsers' push services. Knows no domain.

pub mod ece;
pub mod vapid;
