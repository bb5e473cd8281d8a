//! Conversion between digit scripts and number formatting.
//!
//! Persian text uses the Extended Arabic-Indic digits ۰–۹ (U+06F0–U+06F9);
//! Arabic keyboards produce the Arabic-Indic ٠–٩ (U+0660–U+0669), which look
//! different for 4, 5 and 6. Both are accepted everywhere as input.

/// Persian thousands separator (ARABIC THOUSANDS SEPARATOR, U+066C).
pub const THOUSANDS_SEPARATOR_FA: char = '\u{066C}';

/// Returns the value of a digit in any of the three scripts.
#[must_use]
pub const fn value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '\u{06F0}'..='\u{06F9}' => Some(c as u32 - 0x06F0),
        '\u{0660}'..='\u{0669}' => Some(c as u32 - 0x0660),
        _ => None,
    }
}

/// Maps ASCII and Arabic-Indic digits to Persian digits; other characters
/// are untouched.
#[must_use]
pub fn to_persian(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    for c in s.chars() {
        match c {
            '0'..='9' | '\u{0660}'..='\u{0669}' => out.push(persian_digit(value(c).unwrap_or(0))),
            c => out.push(c),
        }
    }
    out
}

/// Maps Persian and Arabic-Indic digits to ASCII; other characters are
/// untouched.
#[must_use]
pub fn to_latin(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{06F0}'..='\u{06F9}' | '\u{0660}'..='\u{0669}' => {
                out.push(char::from(b'0' + value(c).unwrap_or(0) as u8));
            }
            c => out.push(c),
        }
    }
    out
}

/// Formats `n` with Persian digits and the Persian thousands separator `٬`:
/// `1400` → `"۱٬۴۰۰"`. Negative numbers get an ASCII hyphen-minus, `-5` →
/// `"-۵"`, which every keyboard can type back and every parser accepts.
#[must_use]
pub fn format_number(n: i64) -> String {
    to_persian(&group(n, THOUSANDS_SEPARATOR_FA))
}

/// Formats `n` with ASCII digits and comma separators for the English UI:
/// `1400` → `"1,400"`, `-5` → `"-5"`.
#[must_use]
pub fn format_number_latin(n: i64) -> String {
    group(n, ',')
}

fn persian_digit(d: u32) -> char {
    char::from_u32(0x06F0 + d).unwrap_or('\u{06F0}')
}

fn group(n: i64, sep: char) -> String {
    // `unsigned_abs` so that i64::MIN does not overflow.
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() * 2 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn to_persian_converts_ascii_and_arabic_indic_digits() {
        assert_eq!(to_persian("1403/01/15"), "۱۴۰۳/۰۱/۱۵");
        assert_eq!(to_persian("٤٥٦ و 789"), "۴۵۶ و ۷۸۹");
    }

    #[test]
    fn to_latin_converts_persian_and_arabic_indic_digits() {
        assert_eq!(to_latin("۱۴۰۳ ١٤٠٣ abc"), "1403 1403 abc");
    }

    #[test]
    fn format_number_groups_thousands_with_the_persian_separator() {
        assert_eq!(format_number(0), "۰");
        assert_eq!(format_number(999), "۹۹۹");
        assert_eq!(format_number(1400), "۱٬۴۰۰");
        assert_eq!(format_number(1_234_567), "۱٬۲۳۴٬۵۶۷");
        assert_eq!(format_number(-5), "-۵");
    }

    #[test]
    fn format_number_latin_groups_with_commas() {
        assert_eq!(format_number_latin(1400), "1,400");
        assert_eq!(format_number_latin(-1_000_000), "-1,000,000");
        assert_eq!(format_number_latin(i64::MIN), "-9,223,372,036,854,775,808");
    }

    proptest! {
        #[test]
        fn to_latin_undoes_to_persian(s in any::<String>()) {
            let latin_only: String = to_latin(&s);
            prop_assert_eq!(to_latin(&to_persian(&s)), latin_only);
        }

        #[test]
        fn formatted_numbers_read_back_to_the_same_value(n in any::<i64>()) {
            let plain: String = to_latin(&format_number(n))
                .chars()
                .filter(|&c| c != THOUSANDS_SEPARATOR_FA)
                .collect();
            prop_assert_eq!(plain.parse::<i64>().ok(), Some(n));
            let latin = format_number_latin(n).replace(',', "");
            prop_assert_eq!(latin.parse::<i64>().ok(), Some(n));
        }
    }
}
