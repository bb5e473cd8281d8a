//! The attachment sniffer: any bytes get a type from the accepted list or none.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(mime) = hamafza_web::parsers::sniff(data) {
        assert!(mime.contains('/'));
    }
});
