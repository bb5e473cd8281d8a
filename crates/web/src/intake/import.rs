//! Reading an import file (CSV with or without a BOM, or XLSX) into rows of text, and checking it.

use crate::http::error::{AppError, AppResult};
use calamine::{Data, Reader, Xlsx};
use hamafza_core::account::FieldError;
use hamafza_core::import::{ColumnMap, ImportedIdea, RowError, check_rows};
use hamafza_store::calls::Call;

/// The cells of the file's first sheet (or of the CSV), header row first.
pub fn read_table(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    if bytes.starts_with(b"PK") {
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
            .map_err(|e: calamine::XlsxError| e.to_string())?;
        let range = book
            .worksheet_range_at(0)
            .ok_or("the workbook has no sheet")?
            .map_err(|e| e.to_string())?;
        return Ok(range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::Empty => String::new(),
                        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect());
    }
    let text = std::str::from_utf8(bytes).map_err(|_| {
        "the file is neither XLSX nor UTF-8 CSV; save it as «CSV UTF-8»".to_string()
    })?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            r.map(|rec| rec.iter().map(String::from).collect())
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// A checked file: the rows that can be imported and every problem, by line.
pub struct Checked {
    pub rows: usize,
    pub good: Vec<ImportedIdea>,
    pub errors: Vec<RowError>,
}

pub fn check(call: &Call, bytes: &[u8]) -> AppResult<Checked> {
    let table = read_table(bytes).map_err(AppError::BadRequest)?;
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
