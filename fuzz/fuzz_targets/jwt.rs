//! The session token reader: any text is a token or nothing, never a panic; only a token
//! signed with one of Duta's keys for Duta's audience opens a session.
#![no_main]

use duta::auth::jwt::JwtKeys;
use duta::config::JwtKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|token: &str| {
    let keys = JwtKeys::new(
        &[JwtKey {
            kid: "k1".into(),
            secret: "a fuzzing secret of at least thirty-two bytes".into(),
        }],
        "duta",
        12,
    )
    .unwrap();
    if let Some(claims) = keys.verify(token) {
        // Only a token made with the key: the fuzzer would have to forge HMAC-SHA256.
        let (made, _) = keys
            .issue(claims.sub.parse().unwrap_or(0), &claims.role, &claims.stamp)
            .unwrap();
        assert!(keys.verify(&made).is_some());
    }
    let _ = keys.verify_ticket(token);
});
