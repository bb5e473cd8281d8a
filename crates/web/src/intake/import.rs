//! Reading an import file (CSV with or without a BOM, or XLSX) into rows of text, and checking it.

use crate::http::error::{AppError, AppResult};
use calamine::{Data, Reader, Xlsx};
use hamafza_core::account::FieldError;
use hamafza_core::import::{ColumnMap, ImportedIdea, RowError, check_rows};
use hamafza_store::calls::Call;
use std::io::{Cursor, Read};
use std::time::{Duration, Instant};

/// What an import file may cost, checked as it is read and never taken from what the file
/// declares about itself (a sheet's `dimension`, a ZIP entry's size), so nothing is allocated
/// in proportion to a claim.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Lines of the table, the header included.
    pub rows: usize,
    pub columns: usize,
    /// Cells read from the sheet, empty (styled) ones included.
    pub cells: usize,
    /// Parts (entries) of an XLSX file.
    pub parts: usize,
    /// The unpacked size of one part, and of all parts together.
    pub part_bytes: u64,
    pub unpacked_bytes: u64,
    pub time: Duration,
}

pub const LIMITS: Limits = Limits {
    rows: 50_000,
    columns: 32,
    cells: 1_000_000,
    parts: 1_000,
    part_bytes: 16 << 20,
    unpacked_bytes: 32 << 20,
    time: Duration::from_secs(5),
};

/// The cells of the file's first sheet (or of the CSV), header row first.
pub fn read_table(bytes: &[u8]) -> Result<Vec<Vec<String>>, FieldError> {
    read_table_within(bytes, &LIMITS)
}

/// [`read_table`] under `limits`. A library that panics on a damaged file costs the request,
/// not the process: the panic becomes "unreadable".
pub fn read_table_within(bytes: &[u8], limits: &Limits) -> Result<Vec<Vec<String>>, FieldError> {
    let deadline = Instant::now() + limits.time;
    if bytes.starts_with(b"PK") {
        return std::panic::catch_unwind(|| read_xlsx(bytes, limits, deadline))
            .unwrap_or(Err(FieldError::FileUnreadable));
    }
    read_csv(bytes, limits, deadline)
}

fn read_csv(
    bytes: &[u8],
    limits: &Limits,
    deadline: Instant,
) -> Result<Vec<Vec<String>>, FieldError> {
    let text = std::str::from_utf8(bytes).map_err(|_| FieldError::FileUnreadable)?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|_| FieldError::FileUnreadable)?
    {
        if rows.len() >= limits.rows {
            return Err(FieldError::FileTooManyRows(limits.rows));
        }
        if record.len() > limits.columns {
            return Err(FieldError::FileTooManyColumns(limits.columns));
        }
        if rows.len() % 256 == 0 && Instant::now() > deadline {
            return Err(FieldError::FileTooComplex);
        }
        rows.push(record.iter().map(without_nul).collect());
    }
    Ok(rows)
}

/// A cell's text without NUL characters, which no database column takes.
fn without_nul(cell: &str) -> String {
    cell.replace('\0', "")
}

/// The first sheet, cell by cell (calamine's cell reader, not its dense `Range`, which allocates
/// rows × columns of the cells' extent).
fn read_xlsx(
    bytes: &[u8],
    limits: &Limits,
    deadline: Instant,
) -> Result<Vec<Vec<String>>, FieldError> {
    check_zip(bytes, limits)?;
    let unreadable = |_| FieldError::FileUnreadable;
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(unreadable)?;
    let first = book
        .sheet_names()
        .into_iter()
        .next()
        .ok_or(FieldError::FileUnreadable)?;
    let mut cells = book.worksheet_cells_reader(&first).map_err(unreadable)?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let (mut seen, mut first_column) = (0usize, usize::MAX);
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        seen += 1;
        if seen > limits.cells || (seen % 1024 == 0 && Instant::now() > deadline) {
            return Err(FieldError::FileTooComplex);
        }
        let text = match Data::from(cell.get_value().clone()) {
            Data::Empty => continue,
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            other => other.to_string(),
        };
        if text.is_empty() {
            continue;
        }
        let (row, column) = cell.get_position();
        let (row, column) = (row as usize, column as usize);
        if row >= limits.rows {
            return Err(FieldError::FileTooManyRows(limits.rows));
        }
        if column >= limits.columns {
            return Err(FieldError::FileTooManyColumns(limits.columns));
        }
        if rows.len() <= row {
            rows.resize_with(row + 1, Vec::new);
        }
        let r = &mut rows[row];
        if r.len() <= column {
            r.resize(column + 1, String::new());
        }
        r[column] = without_nul(&text);
        first_column = first_column.min(column);
    }
    // As before: the table starts at its first non-empty row and column.
    let skip = rows.iter().take_while(|r| r.is_empty()).count();
    rows.drain(..skip);
    if first_column != usize::MAX {
        for r in &mut rows {
            r.drain(..first_column.min(r.len()));
        }
    }
    Ok(rows)
}

/// Checks an XLSX file's ZIP container before any part of it is parsed: the number of parts,
/// each part's declared size from the central directory, and then its real unpacked size (a
/// declared size is only a claim), inflated into nothing and stopped at the limit.
fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), FieldError> {
    let too_big = FieldError::FileUnpacksTooBig((limits.unpacked_bytes >> 20) as usize);
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| FieldError::FileUnreadable)?;
    if zip.len() > limits.parts {
        return Err(FieldError::FileTooComplex);
    }
    let mut declared = 0u64;
    for i in 0..zip.len() {
        let part = zip
            .by_index_raw(i)
            .map_err(|_| FieldError::FileUnreadable)?;
        declared = declared.saturating_add(part.size());
        if part.size() > limits.part_bytes || declared > limits.unpacked_bytes {
            return Err(too_big);
        }
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index(i).map_err(|_| FieldError::FileUnreadable)?;
        let n = std::io::copy(&mut part.take(limits.part_bytes + 1), &mut std::io::sink())
            .map_err(|_| FieldError::FileUnreadable)?;
        total += n;
        if n > limits.part_bytes || total > limits.unpacked_bytes {
            return Err(too_big);
        }
    }
    Ok(())
}

/// A checked file: the rows that can be imported and every problem, by line.
pub struct Checked {
    pub rows: usize,
    pub good: Vec<ImportedIdea>,
    pub errors: Vec<RowError>,
}

pub fn check(call: &Call, bytes: &[u8]) -> AppResult<Checked> {
    let table = read_table(bytes).map_err(|error| {
        AppError::Rows(vec![RowError {
            line: 0,
            field: "file",
            error,
        }])
    })?;
    let Some((header, rows)) = table.split_first() else {
        return Err(AppError::Rows(vec![RowError {
            line: 1,
            field: "title",
            error: FieldError::Required,
        }]));
    };
    let map = ColumnMap::from_headers(header).map_err(|missing| {
        AppError::Rows(
            missing
                .into_iter()
                .map(|field| RowError {
                    line: 1,
                    field,
                    error: FieldError::Required,
                })
                .collect(),
        )
    })?;
    let axes: Vec<(i64, String)> = call.axes.iter().map(|a| (a.id, a.title.clone())).collect();
    let (good, errors) = check_rows(&map, rows, &axes);
    Ok(Checked {
        rows: good.len()
            + errors
                .iter()
                .map(|e| e.line)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
        good,
        errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const HEADERS: [&str; 4] = ["عنوان", "محور", "مسئله", "راه‌حل"];

    /// A workbook with the import's headers in row 1.
    fn book() -> rust_xlsxwriter::Workbook {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (col, h) in HEADERS.iter().enumerate() {
            sheet.write_string(0, col as u16, *h).unwrap();
        }
        book
    }

    /// `xlsx` with the part `name` replaced by (or added as) `content`, deflated.
    fn with_part(xlsx: &[u8], name: &str, content: &[u8]) -> Vec<u8> {
        let mut src = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..src.len() {
            let part = src.by_index_raw(i).unwrap();
            if part.name() != name {
                out.raw_copy_file(part).unwrap();
            }
        }
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(content.len() > u32::MAX as usize);
        out.start_file(name, options).unwrap();
        out.write_all(content).unwrap();
        out.finish().unwrap().into_inner()
    }

    /// A worksheet of `n` bytes: valid XML, padded with spaces.
    fn padded_sheet(n: usize) -> Vec<u8> {
        let mut xml = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#.to_vec();
        xml.resize(n, b' ');
        xml.extend(b"</sheetData></worksheet>");
        xml
    }

    #[test]
    fn an_xlsx_is_read_cell_by_cell_from_its_first_non_empty_row_and_column() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(2, 1, "عنوان").unwrap();
        sheet.write_number(3, 2, 9121234567.0).unwrap();
        sheet.write_number(4, 1, 1.5).unwrap();
        let t = read_table(&book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(
            t,
            [
                vec!["عنوان".to_string()],
                vec![String::new(), "9121234567".into()],
                vec!["1.5".to_string()],
            ]
        );
    }

    #[test]
    fn a_cell_at_the_last_row_and_column_is_refused_before_anything_is_allocated() {
        // The 1.6 KB file of issue 14: headers in row 1 and one cell at XFD1048576.
        let mut book = book();
        book.worksheet_from_index(0)
            .unwrap()
            .write_string(1_048_575, 16_383, "x")
            .unwrap();
        let bytes = book.save_to_buffer().unwrap();
        assert!(bytes.len() < 8_000, "{}", bytes.len());
        assert_eq!(
            read_table(&bytes),
            Err(FieldError::FileTooManyRows(LIMITS.rows))
        );
        let mut book = self::book();
        book.worksheet_from_index(0)
            .unwrap()
            .write_string(1, 16_383, "x")
            .unwrap();
        assert_eq!(
            read_table(&book.save_to_buffer().unwrap()),
            Err(FieldError::FileTooManyColumns(LIMITS.columns))
        );
    }

    #[test]
    fn a_part_that_unpacks_past_the_limit_is_refused_before_it_is_parsed() {
        let xlsx = book().save_to_buffer().unwrap();
        let bomb = with_part(&xlsx, "xl/worksheets/sheet1.xml", &padded_sheet(40 << 20));
        assert!(bomb.len() < 200_000, "{}", bomb.len());
        assert_eq!(read_table(&bomb), Err(FieldError::FileUnpacksTooBig(32)));
        // Each part under the limit, all together over it.
        let two = with_part(&xlsx, "xl/worksheets/sheet1.xml", &padded_sheet(15 << 20));
        let two = with_part(&two, "xl/media/padding.bin", &vec![0; 15 << 20]);
        let two = with_part(&two, "xl/media/padding2.bin", &vec![0; 15 << 20]);
        assert_eq!(read_table(&two), Err(FieldError::FileUnpacksTooBig(32)));
    }

    #[test]
    fn a_part_that_lies_about_its_size_is_measured() {
        let xlsx = book().save_to_buffer().unwrap();
        let mut bomb = with_part(&xlsx, "xl/worksheets/sheet1.xml", &padded_sheet(40 << 20));
        // Claim 1,000 bytes in the central directory entry of the sheet.
        let name = b"xl/worksheets/sheet1.xml";
        let at = bomb
            .windows(4)
            .enumerate()
            .filter(|(_, w)| *w == b"PK\x01\x02")
            .map(|(i, _)| i)
            .find(|i| bomb[i + 46..].starts_with(name))
            .unwrap();
        bomb[at + 24..at + 28].copy_from_slice(&1000u32.to_le_bytes());
        assert!(matches!(
            read_table(&bomb),
            Err(FieldError::FileUnpacksTooBig(_) | FieldError::FileUnreadable)
        ));
    }

    /// Found by `fuzz/fuzz_targets/import_xlsx.rs`: calamine multiplies a huge `dimension`
    /// reference past `u32` (a panic where overflow is checked, garbage where it is not). Either
    /// way the file is unreadable, and the process lives.
    #[test]
    fn a_sheet_whose_dimension_overflows_is_unreadable() {
        let xlsx = book().save_to_buffer().unwrap();
        let sheet = br#"<dimension ref="A1:XFD10555555555555555555555555555548576"/>"#;
        let bad = with_part(&xlsx, "xl/worksheets/sheet1.xml", sheet);
        assert_eq!(read_table(&bad), Err(FieldError::FileUnreadable));
    }

    #[test]
    fn too_many_cells_or_too_much_time_is_refused() {
        let mut book = book();
        let sheet = book.worksheet_from_index(0).unwrap();
        for r in 1..60 {
            for c in 0..30 {
                sheet.write_string(r, c, "x").unwrap();
            }
        }
        let bytes = book.save_to_buffer().unwrap();
        assert_eq!(read_table(&bytes).unwrap().len(), 60);
        let few = Limits {
            cells: 1000,
            ..LIMITS
        };
        assert_eq!(
            read_table_within(&bytes, &few),
            Err(FieldError::FileTooComplex)
        );
        let no_time = Limits {
            time: Duration::ZERO,
            ..LIMITS
        };
        assert_eq!(
            read_table_within(&bytes, &no_time),
            Err(FieldError::FileTooComplex)
        );
        assert_eq!(
            read_table_within(b"a,b\n1,2\n", &no_time),
            Err(FieldError::FileTooComplex)
        );
    }

    #[test]
    fn a_csv_is_bounded_in_rows_and_columns() {
        let wide = format!("{}\n", ",".repeat(200_000));
        assert_eq!(
            read_table(wide.as_bytes()),
            Err(FieldError::FileTooManyColumns(LIMITS.columns))
        );
        let long = "a,b\n".repeat(LIMITS.rows + 1);
        assert_eq!(
            read_table(long.as_bytes()),
            Err(FieldError::FileTooManyRows(LIMITS.rows))
        );
        assert_eq!(
            read_table(&[0xff, 0xfe, b'a']),
            Err(FieldError::FileUnreadable)
        );
        assert_eq!(read_table(b"a\0b,c").unwrap(), [["ab", "c"]]);
        assert_eq!(
            read_table(b"PK\x03\x04 not really a zip"),
            Err(FieldError::FileUnreadable)
        );
    }
}
