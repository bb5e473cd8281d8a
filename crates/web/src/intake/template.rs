//! The workbook a booth or a paper-form typist fills in: the import's columns as headers (the
//! required ones marked), the call's axes offered in a list on the axis column, and a guide sheet
//! that says what each column takes. Filled in, it imports as it is.

use crate::i18n::Lang;
use hamafza_core::call::Call;
use rust_xlsxwriter::{DataValidation, Format, Formula, Workbook, XlsxError};

/// Rows the axis list and the column formats cover: more than a booth's day.
const ROWS: u32 = 2_000;

/// The template for importing ideas into `call`, as XLSX bytes, headed in `lang`.
pub fn workbook(lang: Lang, call: &Call) -> Result<Vec<u8>, XlsxError> {
    let columns = hamafza_core::import::template_columns(lang == Lang::En);
    let rtl = lang == Lang::Fa;
    let mut book = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color("#E6F1F5")
        .set_text_wrap();
    let required = header.clone().set_background_color("#FCE8B2");
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    let guide_name = lang.t("import.template.guide_sheet");

    let ideas = book.add_worksheet();
    ideas.set_name(lang.t("import.template.ideas_sheet"))?;
    ideas.set_right_to_left(rtl);
    for (col, (field, title, needed)) in columns.iter().enumerate() {
        let col = col as u16;
        ideas.write_string_with_format(
            0,
            col,
            *title,
            if *needed { &required } else { &header },
        )?;
        let width = match *field {
            "problem" | "solution" | "benefits" | "resources" => 40,
            "title" => 30,
            "axis" => 28,
            _ => 16,
        };
        ideas.set_column_width(col, width)?;
        ideas.set_column_format(col, &wrap)?;
    }
    // The axis column offers the call's axes (listed on the guide sheet); typing a number works too.
    if let Some(axis_col) = columns.iter().position(|(f, _, _)| *f == "axis")
        && !call.axes.is_empty()
    {
        let first = 3 + columns.len() as u32;
        let range = format!(
            "='{guide_name}'!$B${}:$B${}",
            first + 1,
            first + call.axes.len() as u32
        );
        let list = DataValidation::new()
            .allow_list_formula(Formula::new(range))
            .ignore_blank(true)
            .set_input_message(lang.t("import.template.axis_hint"))?
            .set_error_style(rust_xlsxwriter::DataValidationErrorStyle::Warning);
        ideas.add_data_validation(1, axis_col as u16, ROWS, axis_col as u16, &list)?;
    }
    ideas.set_freeze_panes(1, 0)?;

    let guide = book.add_worksheet();
    guide.set_name(guide_name)?;
    guide.set_right_to_left(rtl);
    guide.set_column_width(0, 22)?;
    guide.set_column_width(1, 60)?;
    guide.write_string_with_format(0, 0, lang.t("import.template.column"), &header)?;
    guide.write_string_with_format(0, 1, lang.t("import.template.what"), &header)?;
    for (row, (field, title, needed)) in columns.iter().enumerate() {
        let row = row as u32 + 1;
        guide.write_string_with_format(row, 0, *title, if *needed { &required } else { &wrap })?;
        guide.write_string_with_format(
            row,
            1,
            lang.t(&format!("import.template.about.{field}")),
            &wrap,
        )?;
    }
    let first = 2 + columns.len() as u32;
    guide.write_string_with_format(first, 0, "#", &header)?;
    guide.write_string_with_format(first, 1, lang.t("import.template.axes"), &header)?;
    for (i, axis) in call.axes.iter().enumerate() {
        let row = first + 1 + i as u32;
        guide.write_number(row, 0, (i + 1) as f64)?;
        guide.write_string(row, 1, &axis.title)?;
    }
    book.save_to_buffer()
}

/// The template of `call` as a download.
pub fn download(
    call: &Call,
    lang: Lang,
) -> crate::http::error::AppResult<axum::response::Response> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let body =
        workbook(lang, call).map_err(|e| crate::http::error::AppError::Internal(e.into()))?;
    let name = format!("hamafza-import-{}.xlsx", call.public_id);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}
