//! Roster files from BKPSDM's spreadsheets: any bytes give a report, never a panic; every
//! refused row has a line and a reason, and no row is accepted from a file refused as a
//! whole.
#![no_main]

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use duta::vetting::import::{check_file, RosterContext};
use duta::web::i18n::Lang;
use libfuzzer_sys::fuzz_target;

fn unit(id: i64, name: &str) -> entity::work_units::Model {
    entity::work_units::Model {
        id,
        institution_id: 1,
        parent_id: None,
        name: name.into(),
        path: format!("/{id}/"),
        created_at: Utc::now(),
    }
}

fuzz_target!(|bytes: &[u8]| {
    let ctx = RosterContext {
        institution_id: 1,
        units: vec![unit(1, "Biro Humas"), unit(2, "Bagian Protokol")],
        today: NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
        required: vec!["facebook".into(), "instagram".into()],
        limits: HashMap::from([("facebook".into(), 500), ("instagram".into(), 500)]),
        lang: Lang::Id,
    };
    let (rows, report) = check_file(bytes, &ctx);
    if !report.file_errors.is_empty() {
        assert!(
            rows.is_empty(),
            "rows accepted from a file refused as a whole"
        );
    }
    for refused in &report.refused {
        assert!(refused.line >= 2);
        assert!(!refused.errors.is_empty());
    }
});
