//! The NIP parser: any text, for both kinds of civil servant. A NIP it accepts has 18
//! digits, reads the same when parsed again from those digits, and masks without panicking.
#![no_main]

use chrono::NaiveDate;
use duta::ambassadors::rules::{clean_nip, mask_nip, parse_nip, EmployeeType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
    let _ = mask_nip(&clean_nip(input));
    for kind in [EmployeeType::Pns, EmployeeType::Pppk] {
        if let Ok(info) = parse_nip(input, kind, today) {
            assert_eq!(info.digits.len(), 18, "{input:?}");
            assert!(info.digits.bytes().all(|b| b.is_ascii_digit()), "{input:?}");
            assert!(info.birth_date < today, "{input:?}");
            let again = parse_nip(&info.digits, kind, today).expect("its own digits parse");
            assert_eq!(again, info, "{input:?}");
            let masked = mask_nip(&info.digits);
            assert_ne!(masked, info.digits, "{input:?}");
        }
    }
});
