//! The 31 provinces of Iran.
//!
//! `code` is a stable ASCII slug meant for storage and URLs; it never
//! changes even if a romanization does. The list is in Persian alphabetical
//! order, ready for a select box.

/// One province.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Province {
    /// Stable lowercase ASCII slug, e.g. `khorasan-razavi`.
    pub code: &'static str,
    /// Persian name, e.g. `خراسان رضوی`.
    pub name_fa: &'static str,
    /// English name, e.g. `Razavi Khorasan`.
    pub name_en: &'static str,
}

const fn p(code: &'static str, name_fa: &'static str, name_en: &'static str) -> Province {
    Province {
        code,
        name_fa,
        name_en,
    }
}

/// All provinces, in Persian alphabetical order of `name_fa`.
pub const PROVINCES: [Province; 31] = [
    p("east-azarbaijan", "آذربایجان شرقی", "East Azerbaijan"),
    p("west-azarbaijan", "آذربایجان غربی", "West Azerbaijan"),
    p("ardabil", "اردبیل", "Ardabil"),
    p("isfahan", "اصفهان", "Isfahan"),
    p("alborz", "البرز", "Alborz"),
    p("ilam", "ایلام", "Ilam"),
    p("bushehr", "بوشهر", "Bushehr"),
    p("tehran", "تهران", "Tehran"),
    p(
        "chaharmahal-bakhtiari",
        "چهارمحال و بختیاری",
        "Chaharmahal and Bakhtiari",
    ),
    p("south-khorasan", "خراسان جنوبی", "South Khorasan"),
    p("khorasan-razavi", "خراسان رضوی", "Razavi Khorasan"),
    p("north-khorasan", "خراسان شمالی", "North Khorasan"),
    p("khuzestan", "خوزستان", "Khuzestan"),
    p("zanjan", "زنجان", "Zanjan"),
    p("semnan", "سمنان", "Semnan"),
    p(
        "sistan-baluchestan",
        "سیستان و بلوچستان",
        "Sistan and Baluchestan",
    ),
    p("fars", "فارس", "Fars"),
    p("qazvin", "قزوین", "Qazvin"),
    p("qom", "قم", "Qom"),
    p("kurdistan", "کردستان", "Kurdistan"),
    p("kerman", "کرمان", "Kerman"),
    p("kermanshah", "کرمانشاه", "Kermanshah"),
    p(
        "kohgiluyeh-boyer-ahmad",
        "کهگیلویه و بویراحمد",
        "Kohgiluyeh and Boyer-Ahmad",
    ),
    p("golestan", "گلستان", "Golestan"),
    p("gilan", "گیلان", "Gilan"),
    p("lorestan", "لرستان", "Lorestan"),
    p("mazandaran", "مازندران", "Mazandaran"),
    p("markazi", "مرکزی", "Markazi"),
    p("hormozgan", "هرمزگان", "Hormozgan"),
    p("hamadan", "همدان", "Hamadan"),
    p("yazd", "یزد", "Yazd"),
];

/// The province with this code.
#[must_use]
pub fn by_code(code: &str) -> Option<&'static Province> {
    // A `static` reference so callers get `'static`; 31 entries make a
    // linear scan as fast as any map.
    static ALL: [Province; 31] = PROVINCES;
    ALL.iter().find(|p| p.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;
    use std::collections::HashSet;

    /// Persian alphabet order; space and ZWNJ sort before any letter.
    const ALPHABET: &str = " \u{200C}آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی";

    fn persian_cmp(a: &str, b: &str) -> Ordering {
        let rank = |c: char| {
            ALPHABET
                .chars()
                .position(|x| x == c)
                .unwrap_or_else(|| panic!("{c:?} is not in the Persian alphabet"))
        };
        a.chars().map(rank).cmp(b.chars().map(rank))
    }

    #[test]
    fn there_are_thirty_one_provinces_with_unique_codes_and_names() {
        assert_eq!(PROVINCES.len(), 31);
        let codes: HashSet<_> = PROVINCES.iter().map(|p| p.code).collect();
        let fa: HashSet<_> = PROVINCES.iter().map(|p| p.name_fa).collect();
        let en: HashSet<_> = PROVINCES.iter().map(|p| p.name_en).collect();
        assert_eq!((codes.len(), fa.len(), en.len()), (31, 31, 31));
    }

    #[test]
    fn codes_are_lowercase_ascii_slugs() {
        for p in &PROVINCES {
            assert!(
                p.code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                p.code
            );
            assert!(!p.code.starts_with('-') && !p.code.ends_with('-'));
        }
    }

    #[test]
    fn persian_names_are_already_normalized() {
        for p in &PROVINCES {
            assert_eq!(crate::normalize(p.name_fa), p.name_fa);
        }
    }

    #[test]
    fn provinces_are_in_persian_alphabetical_order() {
        for w in PROVINCES.windows(2) {
            assert_eq!(
                persian_cmp(w[0].name_fa, w[1].name_fa),
                Ordering::Less,
                "{} before {}",
                w[0].name_fa,
                w[1].name_fa
            );
        }
    }

    #[test]
    fn lookup_by_code_finds_each_province() {
        for p in &PROVINCES {
            assert_eq!(by_code(p.code), Some(p));
        }
        assert_eq!(by_code("tehran").map(|p| p.name_fa), Some("تهران"));
        assert_eq!(by_code("Tehran"), None);
        assert_eq!(by_code(""), None);
    }
}
