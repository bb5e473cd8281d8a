//! Reading an import file (XLSX, or CSV as spreadsheets save it: UTF-8 with or without a BOM,
//! Windows-1256, UTF-16; separated by commas, semicolons or tabs) into rows of text, checking it,
//! and deciding which rows an import writes. The page and the API both go through [`plan`].

use crate::http::error::{AppError, AppResult};
use calamine::{Data, Reader, Xlsx};
use hamafza_core::account::FieldError;
use hamafza_core::call::Call;
use hamafza_core::ids::AxisId;
use hamafza_core::import::{ColumnMap, ImportedIdea, RowError, SkippedRow, check_rows};
use hamafza_store::Store;
use std::borrow::Cow;
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
    let text = decode(bytes)?;
    let delimiter = delimiter(text.as_bytes());
    if let Some(line) = unclosed_quote(text.as_bytes(), delimiter) {
        return Err(FieldError::UnclosedQuote(line));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
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

/// The text of a CSV file, in the encodings Excel saves CSV and text in:
///
/// - a byte-order mark says which: UTF-8, or UTF-16 little- or big-endian ("Unicode text");
/// - otherwise UTF-8 when the bytes are valid UTF-8 (the default: any other reading of valid
///   UTF-8 would be a guess);
/// - otherwise Windows-1256, the "ANSI" code page of a Persian Windows, where "CSV (Comma
///   delimited)" lands. It gives every byte a character, so bytes no text file has (control
///   characters other than tab and line ends: a binary file, an old `.xls`) are refused first.
///
/// What is allocated is proportional to the bytes received (at most three UTF-8 bytes for one
/// byte of Windows-1256), never to a claim in the file; the row and column limits come after.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, FieldError> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling_and_without_replacement(&bytes[bom..])
            .ok_or(FieldError::FileEncoding);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    if bytes
        .iter()
        .any(|b| *b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
    {
        return Err(FieldError::FileEncoding);
    }
    Ok(encoding_rs::WINDOWS_1256
        .decode_without_bom_handling(bytes)
        .0)
}

/// The separators a CSV may use: a comma; a semicolon where the system's list separator is
/// not a comma (Excel's "CSV" under many locales); a tab ("Unicode text").
const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// The separator of the file: the one found most often in the header line, outside quotes (a
/// comma when none is, or on a tie, as before).
fn delimiter(text: &[u8]) -> u8 {
    let mut counts = [0usize; DELIMITERS.len()];
    scan(text, &DELIMITERS, |event| match event {
        Event::Delimiter(i) => {
            counts[i] += 1;
            true
        }
        Event::RecordEnd => false,
    });
    let best = (0..DELIMITERS.len())
        .rev()
        .max_by_key(|i| counts[*i])
        .filter(|i| counts[*i] > 0)
        .unwrap_or(0);
    DELIMITERS[best]
}

/// The line on which a quoted cell opens and is never closed, if one does: the `csv` crate
/// would read the rest of the file into that cell without a word.
fn unclosed_quote(text: &[u8], delimiter: u8) -> Option<usize> {
    scan(text, &[delimiter], |_| true)
}

/// What [`scan`] reports to its caller, who answers whether to go on.
enum Event {
    /// Cells separated by `DELIMITERS[i]` (or the only delimiter given).
    Delimiter(usize),
    /// The end of a record (outside quotes).
    RecordEnd,
}

/// Reads CSV text the way the `csv` crate does (RFC 4180 and its leniencies): a quote opens a
/// quoted cell only at the start of a cell; inside one, `""` is a quote and a line end is text;
/// after the closing quote, text up to the next separator is appended. Returns the line (from
/// 1; `\r\n`, `\n` and `\r` each end one) of a quoted cell still open at the end.
fn scan(text: &[u8], delimiters: &[u8], mut go_on: impl FnMut(Event) -> bool) -> Option<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        CellStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let (mut state, mut line, mut opened) = (State::CellStart, 1, 0);
    let mut previous = 0u8;
    for &b in text {
        let line_end = b == b'\n' || b == b'\r';
        state = match state {
            State::Quoted if b == b'"' => State::QuoteInQuoted,
            State::Quoted => State::Quoted,
            State::QuoteInQuoted if b == b'"' => State::Quoted,
            State::CellStart if b == b'"' => {
                opened = line;
                State::Quoted
            }
            _ if line_end => {
                if !go_on(Event::RecordEnd) {
                    return None;
                }
                State::CellStart
            }
            _ => match delimiters.iter().position(|d| *d == b) {
                Some(i) => {
                    if !go_on(Event::Delimiter(i)) {
                        return None;
                    }
                    State::CellStart
                }
                None => State::Unquoted,
            },
        };
        if b == b'\r' || (b == b'\n' && previous != b'\r') {
            line += 1;
        }
        previous = b;
    }
    (state == State::Quoted).then_some(opened)
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
            // An unclosed quote is the file's fault at a line the person can find.
            line: match error {
                FieldError::UnclosedQuote(line) => line,
                _ => 0,
            },
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
    let axes: Vec<(AxisId, String)> = call.axes.iter().map(|a| (a.id, a.title.clone())).collect();
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

/// What an import of a file does, decided once for the dry run and the import alike.
pub struct Plan {
    /// Data rows read (empty ones are not counted) and those that passed every check.
    pub rows: usize,
    pub valid: usize,
    /// The rows the import writes.
    pub new: Vec<ImportedIdea>,
    /// Valid rows it leaves out: repeated in the file, or imported before.
    pub skipped: Vec<SkippedRow>,
    pub errors: Vec<RowError>,
}

impl Plan {
    /// Whether the import writes anything: not when a row is bad, unless `partial` lets the
    /// good rows through.
    pub fn writes(&self, partial: bool) -> bool {
        self.errors.is_empty() || partial
    }
}

/// Reads and checks `bytes` for `call`, and sorts the good rows into those an import writes
/// and those it skips, asking the store which the call already has. The dry run reports this
/// plan and the import carries it out, so the one says what the other does.
pub async fn plan(store: &Store, call: &Call, bytes: &[u8]) -> AppResult<Plan> {
    let Checked { rows, good, errors } = check(call, bytes)?;
    let keys: Vec<&str> = good.iter().map(|r| r.fingerprint.as_str()).collect();
    let before = store.imported_keys(call.id, &keys).await?;
    let valid = good.len();
    let (new, skipped) = hamafza_core::import::plan(good, |key| before.contains(key));
    Ok(Plan {
        rows,
        valid,
        new,
        skipped,
        errors,
    })
}

/// What an import (or its dry run) asked for besides the file.
pub struct Options {
    pub dry_run: bool,
    /// Import the good rows even if others are bad.
    pub partial: bool,
    pub channel: hamafza_core::idea::Channel,
    /// The id of the file a dry run kept, when this run imports it.
    pub staged: Option<String>,
}

/// What a run did, or in a dry run will do: the page and the API report it in their own way.
pub struct Outcome {
    pub plan: Plan,
    /// Whether the import writes (no bad row, or `partial`).
    pub writes: bool,
    pub imported: usize,
    /// Rows skipped: the plan's (repeated, or imported before), and any another import wrote
    /// since the plan was made.
    pub skipped: usize,
    /// After a dry run that would write ideas: the id the checked file is kept by.
    pub staged: Option<String>,
}

/// Plans `file` for `call` and, unless a dry run, imports it as `actor`. A kept file is dropped
/// once imported; a dry run that would write ideas keeps the file (a day) so the import needs
/// no second upload.
pub async fn run(
    store: &Store,
    call: &Call,
    actor: hamafza_core::ids::UserId,
    file: &[u8],
    o: Options,
) -> AppResult<Outcome> {
    let plan = plan(store, call, file).await?;
    let writes = plan.writes(o.partial);
    let mut imported = if writes { plan.new.len() } else { 0 };
    let mut skipped = if writes { plan.skipped.len() } else { 0 };
    if writes && !o.dry_run {
        let outcome = store
            .import_ideas(call.id, &plan.new, o.channel, Some(actor))
            .await?;
        (imported, skipped) = (outcome.imported, skipped + outcome.skipped);
        if let Some(id) = &o.staged {
            store.drop_staged_import(id).await?;
        }
    }
    let staged = match o.staged {
        _ if !(o.dry_run && writes && imported > 0) => None,
        Some(id) => Some(id),
        None => Some(store.stage_import(call.id, Some(actor), file).await?),
    };
    Ok(Outcome {
        plan,
        writes,
        imported,
        skipped,
        staged,
    })
}

/// One skipped row, in words: which line it repeats, or that it was imported before.
pub fn skipped_detail(lang: crate::i18n::Lang, s: &SkippedRow) -> String {
    let line = lang.num(s.line as i64);
    match s.same_as_line {
        Some(earlier) => lang.tf_own(
            "import.skipped_same_as",
            &[("line", &line), ("earlier", &lang.num(earlier as i64))],
        ),
        None => lang.tf_own("import.skipped_before", &[("line", &line)]),
    }
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
            Err(FieldError::FileEncoding)
        );
        assert_eq!(read_table(b"a\0b,c").unwrap(), [["ab", "c"]]);
        assert_eq!(
            read_table(b"PK\x03\x04 not really a zip"),
            Err(FieldError::FileUnreadable)
        );
    }

    #[test]
    fn an_unclosed_quote_names_the_line_it_opened_on() {
        assert_eq!(
            read_table(b"a,b\n1,2\r\n3,\"x\ny\"\"z\n4,5\n"),
            Err(FieldError::UnclosedQuote(3))
        );
        // Closed quotes, escaped quotes, line ends inside quotes and a quote inside an
        // unquoted cell are all fine.
        let t = read_table(b"a,b\n\"x\ny\",\"say \"\"hi\"\"\"\n5\",6\n").unwrap();
        assert_eq!(t[1], ["x\ny", "say \"hi\""]);
        assert_eq!(t[2], ["5\"", "6"]);
    }

    #[test]
    fn the_separator_is_taken_from_the_header_outside_quotes() {
        assert_eq!(delimiter(b"a;b;c\n1,2,3,4,5\n"), b';');
        assert_eq!(delimiter(b"\"a,b,c\";d\n"), b';');
        assert_eq!(delimiter(b"a\tb,c\td\n"), b'\t');
        assert_eq!(delimiter(b"a,b;c\n"), b',');
        assert_eq!(delimiter(b"one\n"), b',');
        assert_eq!(read_table(b"a;b\n1;\"2;3\"\n").unwrap()[1], ["1", "2;3"]);
    }

    #[test]
    fn windows_1256_and_utf_16_are_decoded_and_utf_8_stays_the_default() {
        // Windows-1256 has the Arabic yeh, not the Persian one.
        let text = "عنوان,محور\nيک,دو\n";
        let (ansi, _, lossy) = encoding_rs::WINDOWS_1256.encode(text);
        assert!(!lossy);
        assert_eq!(read_table(&ansi).unwrap()[1], ["يک", "دو"]);
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(read_table(&le).unwrap()[0], ["عنوان", "محور"]);
        // Valid UTF-8 is read as UTF-8, even where it is also valid Windows-1256.
        assert_eq!(read_table("é,ü".as_bytes()).unwrap()[0], ["é", "ü"]);
        assert_eq!(
            read_table(b"\xd0\xcf\x11\xe0\x00\x01"),
            Err(FieldError::FileEncoding)
        );
    }
}
