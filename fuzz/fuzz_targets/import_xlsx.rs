//! The XLSX import parser. The first byte chooses what the rest is: the whole file (the ZIP
//! container itself), or one part of an otherwise valid workbook (the sheet, the shared strings,
//! the workbook or its relationships), so the XML parsers are reached with structure intact.
#![no_main]

use hamafza_web::parsers::{LIMITS, read_table};
use libfuzzer_sys::fuzz_target;
use std::io::{Cursor, Write};
use std::sync::{Once, OnceLock};

const PARTS: [&str; 5] = [
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/styles.xml",
];

/// A small workbook with the import's headers, a row, a number and a shared string.
fn template() -> &'static [u8] {
    static T: OnceLock<Vec<u8>> = OnceLock::new();
    T.get_or_init(|| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["عنوان", "محور", "مسئله", "راه‌حل"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_string(1, 0, "ایده").unwrap();
        sheet.write_number(1, 1, 1.0).unwrap();
        book.save_to_buffer().unwrap()
    })
}

/// The template with `name` replaced by `content`, stored (not deflated) so the fuzzer's bytes
/// reach the XML parser as they are.
fn with_part(name: &str, content: &[u8]) -> Vec<u8> {
    let mut src = zip::ZipArchive::new(Cursor::new(template())).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..src.len() {
        let part = src.by_index_raw(i).unwrap();
        if part.name() != name {
            out.raw_copy_file(part).unwrap();
        }
    }
    out.start_file(name, stored).unwrap();
    out.write_all(content).unwrap();
    out.finish().unwrap().into_inner()
}

fuzz_target!(|data: &[u8]| {
    // `read_table` turns a panic inside calamine into "unreadable", as it does in production
    // (the first one this target found, an overflow on a huge `dimension`, is the test
    // `intake::import::tests::a_sheet_whose_dimension_overflows_is_unreadable`). libfuzzer-sys's
    // hook would abort before that; a quiet hook lets the search go on for what cannot be caught
    // (allocation failures, stack overflows, timeouts). A panic outside still aborts the run.
    static QUIET: Once = Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let file = match PARTS.get(mode as usize % 8) {
        Some(part) => with_part(part, rest),
        None => [b"PK".as_slice(), rest].concat(),
    };
    if let Ok(rows) = read_table(&file) {
        assert!(rows.len() <= LIMITS.rows);
        assert!(rows.iter().all(|r| r.len() <= LIMITS.columns));
    }
});
