//! Offline intake: ideas from exhibition booths and paper forms, typed into a spreadsheet with
//! Persian headers. Each row is checked like a web submission; every bad row is reported with its
//! line number, and a row's fingerprint makes importing the same file twice add nothing.

use crate::account::{FieldError, parse_mobile};
use crate::idea::{IdeaInput, IdeaText};
use crate::ids::AxisId;
use hamafza_persian::jalali::{self, JalaliDate};
use sha2::{Digest, Sha256};

/// The columns an import understands; the first name of each is the Persian header.
const COLUMNS: [(&str, &[&str]); 9] = [
    ("title", &["عنوان", "عنوان ایده", "title"]),
    ("axis", &["محور", "axis"]),
    ("problem", &["مسئله", "مساله", "problem"]),
    ("solution", &["راه‌حل", "راه حل", "راهحل", "solution"]),
    ("benefits", &["فایده‌ها", "فایده ها", "فواید", "benefits"]),
    ("resources", &["منابع", "منابع لازم", "resources"]),
    ("name", &["نام", "نام و نام خانوادگی", "name"]),
    ("mobile", &["تلفن همراه", "شماره همراه", "موبایل", "mobile"]),
    ("date", &["تاریخ", "date"]),
];

const REQUIRED: [&str; 4] = ["title", "axis", "problem", "solution"];

/// The columns of an import in order, as a template sheet heads them: (field, header, whether
/// a row must fill it). Persian headers, or the English ones when `english`; an import reads
/// either.
pub fn template_columns(english: bool) -> Vec<(&'static str, &'static str, bool)> {
    COLUMNS
        .iter()
        .map(|(field, names)| {
            let header = if english {
                names.last().copied().unwrap_or(field)
            } else {
                names[0]
            };
            (*field, header, REQUIRED.contains(field))
        })
        .collect()
}

/// Where each known column is in the file.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap(Vec<(&'static str, usize)>);

fn key(s: &str) -> String {
    hamafza_persian::normalize(s)
        .replace(['\u{200C}', ' '], "")
        .to_lowercase()
}

impl ColumnMap {
    /// Reads the header row; `Err` names the required columns that are missing.
    pub fn from_headers(headers: &[String]) -> Result<ColumnMap, Vec<&'static str>> {
        let keys: Vec<String> = headers.iter().map(|h| key(h)).collect();
        let mut map = Vec::new();
        for (field, names) in COLUMNS {
            if let Some(i) = keys.iter().position(|k| names.iter().any(|n| key(n) == *k)) {
                map.push((field, i));
            }
        }
        let missing: Vec<&'static str> = REQUIRED
            .into_iter()
            .filter(|f| !map.iter().any(|(m, _)| m == f))
            .collect();
        if missing.is_empty() {
            Ok(ColumnMap(map))
        } else {
            Err(missing)
        }
    }

    fn get<'a>(&self, row: &'a [String], field: &str) -> &'a str {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .and_then(|(_, i)| row.get(*i))
            .map_or("", |s| s.trim())
    }
}

/// A row ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedIdea {
    /// The line in the file (the header is line 1).
    pub line: usize,
    pub text: IdeaText,
    pub name: String,
    pub mobile: Option<String>,
    pub date: Option<JalaliDate>,
    /// Same person and same text → same fingerprint (see [`fingerprint`]), so a second import
    /// of the file, or the row repeated in it, is skipped.
    pub fingerprint: String,
}

/// What makes two rows "the same row": the same text (title, problem, solution, axis) from the
/// same person (name and mobile, either of which may be empty). Two visitors of a booth who
/// wrote the same idea are two ideas; one form typed in twice is one. The date is left out: the
/// same form typed on two days is still one idea. Names are compared as people write them
/// differently on paper: Arabic or Persian letters and any run of spaces.
pub fn fingerprint(text: &IdeaText, name: &str, mobile: Option<&str>) -> String {
    let name = hamafza_persian::normalize(name)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut h = Sha256::new();
    for part in [
        text.title.as_str(),
        text.problem.as_str(),
        text.solution.as_str(),
        text.axis_id.to_string().as_str(),
        mobile.unwrap_or_default(),
        name.as_str(),
    ] {
        h.update(hamafza_persian::normalize(part).as_bytes());
        h.update([0]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A valid row that an import leaves out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRow {
    pub line: usize,
    /// The earlier line of the same file that is the same row; `None`: the call already has
    /// the idea from an earlier import.
    pub same_as_line: Option<usize>,
}

/// Splits the valid rows into those an import writes and those it skips: a row the call already
/// has (`imported_before` its fingerprint), or one that repeats an earlier line of the file.
/// The dry run and the import both call this, so the dry run says exactly what the import does.
pub fn plan(
    good: Vec<ImportedIdea>,
    imported_before: impl Fn(&str) -> bool,
) -> (Vec<ImportedIdea>, Vec<SkippedRow>) {
    let mut first_line: std::collections::HashMap<String, usize> = Default::default();
    let (mut new, mut skipped) = (Vec::new(), Vec::new());
    for row in good {
        if imported_before(&row.fingerprint) {
            skipped.push(SkippedRow {
                line: row.line,
                same_as_line: None,
            });
        } else if let Some(&earlier) = first_line.get(&row.fingerprint) {
            skipped.push(SkippedRow {
                line: row.line,
                same_as_line: Some(earlier),
            });
        } else {
            first_line.insert(row.fingerprint.clone(), row.line);
            new.push(row);
        }
    }
    (new, skipped)
}

/// A field of a row that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub field: &'static str,
    pub error: FieldError,
}

/// Checks every data row against the call's axes (`(id, title)`); axes may be given by title or
/// by number (1 = the first axis).
pub fn check_rows(
    map: &ColumnMap,
    rows: &[Vec<String>],
    axes: &[(AxisId, String)],
) -> (Vec<ImportedIdea>, Vec<RowError>) {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    let axis_ids: Vec<AxisId> = axes.iter().map(|(id, _)| *id).collect();
    for (i, row) in rows.iter().enumerate() {
        let line = i + 2;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let axis_raw = map.get(row, "axis");
        let axis = axes
            .iter()
            .position(|(_, t)| key(t) == key(axis_raw))
            .or_else(|| {
                hamafza_persian::digits::to_latin(axis_raw)
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| n.checked_sub(1))
            })
            .and_then(|p| axes.get(p))
            .map(|(id, _)| id.to_string())
            .unwrap_or_else(|| {
                if axis_raw.is_empty() {
                    String::new()
                } else {
                    "0".into()
                }
            });
        let input = IdeaInput {
            axis,
            title: map.get(row, "title").into(),
            problem: map.get(row, "problem").into(),
            solution: map.get(row, "solution").into(),
            benefits: map.get(row, "benefits").into(),
            resources: map.get(row, "resources").into(),
            owner_unit: String::new(),
        };
        let mut errors: Vec<RowError> = Vec::new();
        let text = input
            .validate(&axis_ids)
            .map_err(|e| {
                errors.extend(
                    e.into_iter()
                        .map(|(field, error)| RowError { line, field, error }),
                )
            })
            .ok();
        let mobile = parse_mobile(map.get(row, "mobile"))
            .map_err(|error| {
                errors.push(RowError {
                    line,
                    field: "mobile",
                    error,
                })
            })
            .ok()
            .flatten();
        let date_raw = map.get(row, "date");
        let date = if date_raw.is_empty() {
            None
        } else {
            jalali::parse(date_raw)
                .map_err(|e| {
                    errors.push(RowError {
                        line,
                        field: "date",
                        error: e.into(),
                    })
                })
                .ok()
        };
        match text {
            Some(text) if errors.is_empty() => {
                let name = crate::account::fix_letters(map.get(row, "name"));
                let fingerprint = fingerprint(&text, &name, mobile.as_deref());
                good.push(ImportedIdea {
                    line,
                    text,
                    name,
                    mobile,
                    date,
                    fingerprint,
                });
            }
            _ => bad.extend(errors),
        }
    }
    (good, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(v: &[&[&str]]) -> Vec<Vec<String>> {
        v.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn persian_headers_in_any_order_and_every_bad_row_is_reported() {
        let t = rows(&[
            &[
                "راه حل",
                "عنوان ايده",
                "محور",
                "مسئله",
                "تلفن همراه",
                "تاریخ",
            ],
            &[
                "پس از هر تغییر پیامک فرستاده شود.",
                "پیامک وضعیت",
                "هوشمندسازی خدمات",
                "مراجعهٔ حضوری برای پیگیری پرونده",
                "۰۹۱۲۱۲۳۴۵۶۷",
                "۱۴۰۲/۰۳/۰۲",
            ],
            &["", "", "", "", "", ""],
            &[
                "کوتاه",
                "ایدهٔ دوم",
                "۲",
                "مراجعهٔ حضوری برای پیگیری پرونده",
                "123",
                "1402/13/01",
            ],
        ]);
        let map = ColumnMap::from_headers(&t[0]).unwrap();
        let (good, bad) = check_rows(
            &map,
            &t[1..],
            &[(AxisId::new(5), "هوشمندسازی خدمات".into())],
        );
        assert_eq!(good.len(), 1);
        assert_eq!(good[0].line, 2);
        assert_eq!(good[0].mobile.as_deref(), Some("09121234567"));
        assert_eq!(
            good[0].date,
            Some(JalaliDate {
                year: 1402,
                month: 3,
                day: 2
            })
        );
        let lines: Vec<_> = bad.iter().map(|e| (e.line, e.field)).collect();
        assert_eq!(
            lines,
            [(4, "axis"), (4, "solution"), (4, "mobile"), (4, "date")]
        );
    }

    #[test]
    fn a_file_without_required_columns_names_them() {
        let missing =
            ColumnMap::from_headers(&["عنوان".to_string(), "نام".to_string()]).unwrap_err();
        assert_eq!(missing, ["axis", "problem", "solution"]);
    }

    #[test]
    fn the_same_row_has_the_same_fingerprint() {
        let t = rows(&[
            &["عنوان", "محور", "مسئله", "راه‌حل"],
            &[
                "ایدهٔ یک",
                "1",
                "مسئلهٔ به اندازهٔ کافی بلند",
                "راه‌حل به اندازهٔ کافی بلند",
            ],
        ]);
        let map = ColumnMap::from_headers(&t[0]).unwrap();
        let axes = [(AxisId::new(9), "محور".to_string())];
        let a = check_rows(&map, &t[1..], &axes).0;
        let b = check_rows(&map, &t[1..], &axes).0;
        assert_eq!(a[0].fingerprint, b[0].fingerprint);
    }

    /// Issue 18.10: the same text from two people is two ideas; one person's row twice is one,
    /// however the name's letters and spaces were typed.
    #[test]
    fn the_same_row_means_the_same_text_from_the_same_person() {
        let text = [
            "ایدهٔ یک",
            "1",
            "مسئلهٔ به اندازهٔ کافی بلند",
            "راه‌حل به اندازهٔ کافی بلند",
        ];
        let header = ["عنوان", "محور", "مسئله", "راه‌حل", "نام", "تاریخ"];
        let mut t = rows(&[&header]);
        for (name, date) in [
            ("علی رضایی", "1402/03/02"),
            ("مریم احمدی", "1402/03/03"),
            ("مريم   احمدی", "1402/03/04"),
            ("علی رضایی", ""),
        ] {
            t.extend(rows(&[&[text[0], text[1], text[2], text[3], name, date]]));
        }
        let map = ColumnMap::from_headers(&t[0]).unwrap();
        let (good, bad) = check_rows(&map, &t[1..], &[(AxisId::new(9), "محور".to_string())]);
        assert!(bad.is_empty(), "{bad:?}");
        let before = good[0].fingerprint.clone();
        let (new, skipped) = plan(good.clone(), |_| false);
        assert_eq!(new.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(
            skipped,
            [
                SkippedRow {
                    line: 4,
                    same_as_line: Some(3)
                },
                SkippedRow {
                    line: 5,
                    same_as_line: Some(2)
                },
            ]
        );
        let (new, skipped) = plan(good, |f| f == before);
        assert_eq!(new.iter().map(|r| r.line).collect::<Vec<_>>(), [3]);
        assert_eq!(
            skipped[0],
            SkippedRow {
                line: 2,
                same_as_line: None
            }
        );
        assert_eq!(
            skipped[2],
            SkippedRow {
                line: 5,
                same_as_line: None
            }
        );
    }
}
