//! `hamafza gen sheet`: writes a booth spreadsheet (XLSX or CSV by the file's extension) of
//! generated, readable ideas, to try the import or measure it.

use crate::demo_ideas::booth_sheet;
use anyhow::Context;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct Sheet {
    /// Where to write: `.xlsx` or `.csv`.
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value_t = 1000)]
    pub rows: usize,
    /// The axis column's value: an axis title of the call the sheet is for.
    #[arg(long, default_value = "هوشمندسازی خدمات")]
    pub axis: String,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

pub fn sheet(opts: &Sheet) -> anyhow::Result<()> {
    let rows = booth_sheet(&opts.axis, opts.rows, opts.seed);
    let xlsx = opts
        .out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if xlsx {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_right_to_left(true);
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, cell)?;
            }
        }
        book.save(&opts.out)
            .with_context(|| opts.out.display().to_string())?;
    } else {
        // A byte-order mark, as Excel writes "CSV UTF-8".
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        {
            let mut w = csv::Writer::from_writer(&mut bytes);
            for row in &rows {
                w.write_record(row)?;
            }
            w.flush()?;
        }
        std::fs::write(&opts.out, bytes).with_context(|| opts.out.display().to_string())?;
    }
    println!("{} rows written to {}", opts.rows, opts.out.display());
    Ok(())
}
