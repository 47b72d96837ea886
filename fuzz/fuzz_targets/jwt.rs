//! The session token reader: any text is a session, a two-step ticket or nothing, never a
//! panic; what it accepts carries Duta's issuer and the audience asked for (a ticket never
//! opens a session, nor a session a ticket), and its claims make a token it accepts again.
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
    let session = keys.verify(token);
    let ticket = keys.verify_ticket(token);
    assert!(session.is_none() || ticket.is_none(), "{token:?} is both");
    if let Some(claims) = session {
        assert_eq!((claims.iss.as_str(), claims.aud.as_str()), ("duta", "duta-web"));
        let sub = claims.sub.parse().unwrap_or(0);
        let (made, _) = keys.issue(sub, &claims.role, &claims.stamp).unwrap();
        assert!(keys.verify(&made).is_some());
    }
    if let Some(claims) = ticket {
        assert_eq!((claims.iss.as_str(), claims.aud.as_str()), ("duta", "duta-2fa"));
    }
});
