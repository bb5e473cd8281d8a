//! Iranian national ID (کد ملی) validation.
//!
//! Ten digits, the last a mod-11 check digit over the first nine.

/// Whether `s` is a valid national ID (see [`normalize`] for what input is
/// accepted).
#[must_use]
pub fn is_valid(s: &str) -> bool {
    normalize(s).is_some()
}

/// The 10-digit ASCII form of `s` if it is a valid national ID.
///
/// Accepts digits in any script with spaces and dashes anywhere. Eight or
/// nine digits are left-padded with zeros: IDs starting with `0` routinely
/// lose their leading zeros in spreadsheets and number fields. Rejects IDs
/// made of one repeated digit (`1111111111`), which pass the checksum but are
/// never issued.
#[must_use]
pub fn normalize(s: &str) -> Option<String> {
    let mut digits = [0u8; 10];
    let mut len = 0;
    for c in s.chars() {
        if c.is_whitespace() || c == '-' {
            continue;
        }
        let d = crate::digits::value(c)?;
        *digits.get_mut(len)? = d as u8;
        len += 1;
    }
    if len < 8 {
        return None;
    }
    // Left-pad: shift the digits right by the missing count.
    let pad = 10 - len;
    digits.copy_within(0..len, pad);
    digits[..pad].fill(0);

    if digits.iter().all(|&d| d == digits[0]) {
        return None;
    }
    let body: [u8; 9] = digits[..9].try_into().ok()?;
    if check_digit(&body) != digits[9] {
        return None;
    }
    Some(digits.iter().map(|&d| char::from(b'0' + d)).collect())
}

/// The check digit for the first nine digits (each 0..=9):
/// `s = Σ dᵢ·(10−i)`, `r = s mod 11`, check = `r` if `r < 2` else `11 − r`.
#[must_use]
pub fn check_digit(body: &[u8; 9]) -> u8 {
    let sum: u32 = body
        .iter()
        .zip((2..=10).rev())
        .map(|(&d, w)| u32::from(d) * w)
        .sum();
    let r = (sum % 11) as u8;
    if r < 2 { r } else { 11 - r }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn with_check(body: &str) -> String {
        let digits: [u8; 9] = body
            .bytes()
            .map(|b| b - b'0')
            .collect::<Vec<_>>()
            .try_into()
            .unwrap();
        format!("{body}{}", check_digit(&digits))
    }

    #[test]
    fn known_valid_ids_are_accepted() {
        // Checked by hand: 0499370899 → sum 266, r 2, check 9;
        // 0790419904 → sum 227, r 7, check 4.
        assert!(is_valid("0499370899"));
        assert!(is_valid("0790419904"));
        assert_eq!(with_check("049937089"), "0499370899");
    }

    #[test]
    fn a_wrong_check_digit_is_rejected() {
        assert!(!is_valid("0499370898"));
        assert!(!is_valid("0790419905"));
    }

    #[test]
    fn persian_digits_spaces_and_dashes_are_accepted() {
        assert_eq!(normalize("۰۴۹۹۳۷۰۸۹۹").as_deref(), Some("0499370899"));
        assert_eq!(normalize("٠٤٩-٩٣٧٠٨٩-٩").as_deref(), Some("0499370899"));
        assert_eq!(normalize(" 049 937 0899 ").as_deref(), Some("0499370899"));
    }

    #[test]
    fn ids_that_lost_leading_zeros_are_padded() {
        let id = with_check("001234567");
        assert_eq!(normalize(&id[1..]).as_deref(), Some(id.as_str()));
        assert_eq!(normalize(&id[2..]).as_deref(), Some(id.as_str()));
        assert_eq!(normalize(&id[3..]), None, "seven digits is too short");
    }

    #[test]
    fn repeated_digit_ids_are_rejected_even_though_they_pass_the_checksum() {
        for d in 0..=9u8 {
            let id = char::from(b'0' + d).to_string().repeat(10);
            assert!(!is_valid(&id), "{id}");
        }
    }

    #[test]
    fn wrong_lengths_and_letters_are_rejected() {
        assert!(!is_valid(""));
        assert!(!is_valid("04993708990"));
        assert!(!is_valid("049937089x"));
        assert!(!is_valid("+499370899"));
    }

    proptest! {
        #[test]
        fn only_the_computed_check_digit_is_valid(body in "[0-9]{9}", last in 0u8..=9) {
            let id = with_check(&body);
            let all_same = id.bytes().all(|b| b == id.as_bytes()[0]);
            prop_assert_eq!(is_valid(&id), !all_same);
            let other = format!("{body}{last}");
            if other != id {
                prop_assert!(!is_valid(&other));
            }
        }

        #[test]
        fn normalized_ids_are_ten_ascii_digits_and_stable(s in "[0-9۰-۹ -]{0,14}") {
            if let Some(id) = normalize(&s) {
                prop_assert!(id.len() == 10 && id.bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(normalize(&id), Some(id.clone()));
            }
        }
    }
}
