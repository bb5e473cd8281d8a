//! Iranian mobile numbers.
//!
//! Every accepted number is stored as `09xxxxxxxxx` (11 ASCII digits).

/// Allocated mobile prefixes (the `9xx` after the trunk `0`). Cross-checked
/// against libphonenumber's IR metadata; a number outside these ranges is a
/// typo or a landline, so it is better rejected at input time.
const PREFIXES: &[u16] = &[
    // Hamrah-e Aval (MCI).
    910, 911, 912, 913, 914, 915, 916, 917, 918, 919, //
    990, 991, 992, 993, 994, //
    // Irancell: 900 opened in 2020, 941 is its data-only range.
    900, 901, 902, 903, 904, 905, 930, 933, 935, 936, 937, 938, 939, 941, //
    // Rightel.
    920, 921, 922, 923, //
    // MTCE (Espadan), Taliya, TeleKish.
    931, 932, 934, //
    // MVNOs and newer ranges (Shatel, ApTel, …).
    995, 996, 997, 998, 999,
];

/// The canonical `09xxxxxxxxx` form of an Iranian mobile number.
///
/// Accepts digits in any script, ignores whitespace, `-`, `(` and `)`, and
/// understands `+98…`, `0098…`, `98…`, `09…` and the bare 10-digit `9…`.
/// Returns `None` for anything else, including landlines and unallocated
/// prefixes such as `0951…`.
#[must_use]
pub fn normalize(s: &str) -> Option<String> {
    let mut digits = String::with_capacity(14);
    let mut plus = false;
    for c in s.chars() {
        match c {
            c if c.is_whitespace() => {}
            '-' | '(' | ')' => {}
            '+' if digits.is_empty() && !plus => plus = true,
            c => digits.push(char::from(b'0' + crate::digits::value(c)? as u8)),
        }
    }
    let national = match (plus, digits.len()) {
        (true, 12) => digits.strip_prefix("98")?,
        (false, 14) => digits.strip_prefix("0098")?,
        (false, 12) => digits.strip_prefix("98")?,
        (false, 11) => digits.strip_prefix('0')?,
        (false, 10) => &digits,
        _ => return None,
    };
    let prefix: u16 = national.get(..3)?.parse().ok()?;
    PREFIXES.contains(&prefix).then(|| format!("0{national}"))
}

/// Whether `s` is an Iranian mobile number in any accepted form.
#[must_use]
pub fn is_valid(s: &str) -> bool {
    normalize(s).is_some()
}

/// The E.164 form, `+989121234567`.
#[must_use]
pub fn to_e164(s: &str) -> Option<String> {
    normalize(s).map(|n| format!("+98{}", &n[1..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_common_form_normalizes_to_the_same_number() {
        for input in [
            "+989121234567",
            "00989121234567",
            "989121234567",
            "9121234567",
            "09121234567",
            "0912 123 4567",
            "(0912) 123-4567",
            "+98 912 123 4567",
            "۰۹۱۲۱۲۳۴۵۶۷",
            "٠٩١٢١٢٣٤٥٦٧",
        ] {
            assert_eq!(normalize(input).as_deref(), Some("09121234567"), "{input}");
        }
    }

    #[test]
    fn e164_form_has_the_country_code() {
        assert_eq!(to_e164("0912 123 4567").as_deref(), Some("+989121234567"));
        assert_eq!(to_e164("0800"), None);
    }

    #[test]
    fn every_operator_prefix_is_accepted() {
        for p in PREFIXES {
            assert!(is_valid(&format!("0{p}1234567")), "{p}");
        }
    }

    #[test]
    fn unallocated_prefixes_and_landlines_are_rejected() {
        for input in [
            "09511234567",
            "09401234567",
            "08001234567",
            "02112345678",
            "09891234567",
        ] {
            assert!(!is_valid(input), "{input}");
        }
    }

    #[test]
    fn wrong_lengths_and_stray_characters_are_rejected() {
        for input in [
            "",
            "0912123456",
            "091212345678",
            "+09121234567",
            "++989121234567",
            "0912+1234567",
            "0912.123.4567",
            "0912123456a",
            "+19121234567",
        ] {
            assert!(!is_valid(input), "{input}");
        }
    }

    proptest! {
        /// Valid numbers, written the ways people write them (trunk or country code, spaces,
        /// dashes, Persian or Arabic digits), all come back as the same `09…`; the same number
        /// with a digit dropped or added never does. Generated from valid forms, so every case
        /// exercises the accepting branch (random strings almost never would).
        #[test]
        fn accepted_numbers_are_eleven_digits_starting_with_09(
            p in prop::sample::select(PREFIXES),
            rest in "[0-9]{7}",
            lead in prop::sample::select(&["0", "+98", "0098", "98", "", "+98 ", "(0"][..]),
            sep in prop::sample::select(&["", " ", "-", ") "][..]),
            script in 0u8..3,
            cut in 0usize..10,
        ) {
            let n = format!("0{p}{rest}");
            let body = format!("{p}{sep}{}{sep}{}", &rest[..3], &rest[3..]);
            let to_script = |s: &str| -> String {
                s.chars()
                    .map(|c| match (script, c.to_digit(10)) {
                        (1, Some(d)) => char::from_u32(0x06F0 + d).unwrap(),
                        (2, Some(d)) => char::from_u32(0x0660 + d).unwrap(),
                        _ => c,
                    })
                    .collect()
            };
            let written = to_script(&format!("{lead}{body}"));
            let got = normalize(&written);
            prop_assert_eq!(got.as_deref(), Some(n.as_str()), "{}", written);
            let got = got.unwrap();
            prop_assert_eq!(got.len(), 11);
            prop_assert!(got.starts_with("09") && got.bytes().all(|b| b.is_ascii_digit()));
            // A digit dropped or doubled is a different length: refused.
            let digits: Vec<char> = n.chars().collect();
            let dropped: String = digits.iter().enumerate().filter(|(i, _)| *i != cut + 1).map(|(_, c)| *c).collect();
            prop_assert_eq!(normalize(&dropped), None, "{}", dropped);
            let doubled = format!("{n}{}", digits[cut + 1]);
            prop_assert_eq!(normalize(&doubled), None, "{}", doubled);
        }

        #[test]
        fn normalize_is_idempotent(s in "[+]?(98|0098|0)?9[0-9]{9}") {
            if let Some(n) = normalize(&s) {
                prop_assert_eq!(normalize(&n), Some(n.clone()));
                prop_assert_eq!(to_e164(&n).and_then(|e| normalize(&e)), Some(n));
            }
        }

        #[test]
        fn valid_numbers_are_found_in_every_form(p in prop::sample::select(PREFIXES), rest in "[0-9]{7}") {
            let n = format!("0{p}{rest}");
            for form in [format!("+98{}", &n[1..]), format!("0098{}", &n[1..]), n[1..].to_string()] {
                prop_assert_eq!(normalize(&form), Some(n.clone()));
            }
        }
    }
}
