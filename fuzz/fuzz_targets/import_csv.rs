//! The CSV import parser: any bytes read as a CSV give rows within the limits or an error.
#![no_main]

use hamafza_web::parsers::{LIMITS, read_table};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.starts_with(b"PK") {
        return; // an XLSX: the other target's
    }
    if let Ok(rows) = read_table(data) {
        assert!(rows.len() <= LIMITS.rows);
        assert!(rows.iter().all(|r| r.len() <= LIMITS.columns));
    }
});
