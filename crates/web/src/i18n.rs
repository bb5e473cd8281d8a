//! The interface's two languages. Strings live in message catalogs (`i18n/fa.toml`,
//! `i18n/en.toml`), embedded in the binary and read once. A catalog is a flat table of keys to
//! strings; `{name}` marks a value filled in at run time. Persian needs no plural forms and the
//! English strings avoid them, so a table is all we need (Fluent would add a runtime for nothing).

use hamafza_core::time::UnixSeconds;
use std::collections::HashMap;
use std::sync::LazyLock;

/// How many times a message was asked for that the catalog does not have, since start. A page
/// shows "…" in its place; the demo crawl fails when this grows.
pub static MISSING_MESSAGES: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(0);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Fa,
    En,
}

type Catalog = HashMap<&'static str, &'static str>;

fn load(name: &str, text: &'static str) -> Catalog {
    let table: toml::Table = toml::from_str(text).unwrap_or_else(|e| panic!("catalog {name}: {e}"));
    table
        .into_iter()
        .map(|(k, v)| {
            let v = v
                .as_str()
                .unwrap_or_else(|| panic!("catalog {name}: {k} is not a string"));
            (
                &*Box::leak(k.into_boxed_str()),
                &*Box::leak(v.to_string().into_boxed_str()),
            )
        })
        .collect()
}

static FA: LazyLock<Catalog> = LazyLock::new(|| load("fa", include_str!("../i18n/fa.toml")));
static EN: LazyLock<Catalog> = LazyLock::new(|| load("en", include_str!("../i18n/en.toml")));

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Fa, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fa => "fa",
            Lang::En => "en",
        }
    }

    pub fn dir(self) -> &'static str {
        match self {
            Lang::Fa => "rtl",
            Lang::En => "ltr",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fa" | "fa-ir" => Some(Lang::Fa),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first language of an `Accept-Language` header we speak, by the order the client gave
    /// (quality values are rarely anything but descending).
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        header
            .split(',')
            .filter_map(|part| part.split(';').next())
            .find_map(|tag| Lang::parse(tag.split('-').next().unwrap_or(tag)))
    }

    fn catalog(self) -> &'static Catalog {
        match self {
            Lang::Fa => &FA,
            Lang::En => &EN,
        }
    }

    /// Whether the catalog has `key` (for keys computed from stored values, which a newer node
    /// may have written).
    pub fn has(self, key: &str) -> bool {
        self.catalog().contains_key(key)
    }

    /// The string for `key`; "…" when missing (tests keep the catalogs complete, and the demo
    /// crawl counts [`MISSING_MESSAGES`]).
    pub fn t(self, key: &str) -> &'static str {
        self.catalog().get(key).copied().unwrap_or_else(|| {
            MISSING_MESSAGES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tracing::warn!(key, lang = self.code(), "missing message");
            "…"
        })
    }

    /// The string for `key` with each `{name}` replaced by its value, isolated (FSI … PDI, see
    /// `hamafza_persian::controls::isolate`) unless it is a plain number.
    ///
    /// Values are what a sentence is built around: titles, names, tags, messages, dates. Any of
    /// them may be typed by a user, in either direction, with stray direction controls in it;
    /// isolated, it cannot reorder the sentence around it (a Latin title at the end of a Persian
    /// sentence, a title with U+202E before a tracking code), and it takes its own direction.
    /// Doing it here covers every channel the catalog feeds: pages, flash and error messages, the
    /// in-app inbox, SMS and email. The isolate marks are invisible.
    ///
    /// A plain number (digits and separators, as `num` writes it) has no direction of its own
    /// and carries no controls, so it is left bare: "at most 200" stays searchable as typed and a
    /// one-time code in an SMS stays easy for phones to pick up. A tracking code is an identifier
    /// the reader copies, so callers isolate it themselves (`isolate` is idempotent).
    pub fn tf(self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_string();
        for (name, value) in args {
            let value = if is_plain_number(value) {
                (*value).to_string()
            } else {
                hamafza_persian::controls::isolate(value)
            };
            s = s.replace(&format!("{{{name}}}"), &value);
        }
        s
    }

    /// The string for `key` filled with the app's own words: other catalog strings and numbers,
    /// never user text, so nothing is isolated (a message inside a message, as the import's
    /// problem document words a bad row). Anything a user typed goes through [`tf`].
    ///
    /// [`tf`]: Lang::tf
    pub fn tf_own(self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    /// `items` joined by this language's list separator, each isolated, for a value of [`tf`]
    /// that lists several titles, tags or codes: one item cannot reorder its neighbours.
    ///
    /// [`tf`]: Lang::tf
    pub fn list<S: AsRef<str>>(self, items: &[S]) -> String {
        items
            .iter()
            .map(|i| hamafza_persian::controls::isolate(i.as_ref()))
            .collect::<Vec<_>>()
            .join(self.t("list.sep"))
    }

    /// A number as people read it in this language: Persian digits with Persian separators, or
    /// Latin digits with commas.
    pub fn num(self, n: i64) -> String {
        match self {
            Lang::Fa => hamafza_persian::digits::format_number(n),
            Lang::En => hamafza_persian::digits::format_number_latin(n),
        }
    }

    /// Digits inside any text, in this language's script.
    pub fn digits(self, s: &str) -> String {
        match self {
            Lang::Fa => hamafza_persian::digits::to_persian(s),
            Lang::En => s.to_string(),
        }
    }

    /// A moment as a Jalali date in Tehran: `۱ بهمن ۱۴۰۱` or `1 Bahman 1401`.
    pub fn date(self, t: UnixSeconds) -> String {
        use hamafza_persian::jalali;
        let d = jalali::from_timestamp(t.to_timestamp());
        match self {
            Lang::Fa => jalali::format_long(d),
            Lang::En => jalali::format_long_latin(d),
        }
    }

    /// A moment as Jalali date and Tehran time.
    pub fn datetime(self, t: UnixSeconds) -> String {
        use hamafza_persian::jalali;
        match self {
            Lang::Fa => jalali::format_datetime(t.to_timestamp()),
            Lang::En => jalali::format_datetime_latin(t.to_timestamp()),
        }
    }
}

/// Digits of any script with the separators numbers are written with, and nothing else.
fn is_plain_number(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_digit()
                || matches!(c, '\u{0660}'..='\u{0669}' | '\u{06F0}'..='\u{06F9}')
                || matches!(c, ',' | '.' | '\u{066B}' | '\u{066C}')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_sentences_are_isolated_and_plain_numbers_left_bare() {
        let s = Lang::Fa.tf("notify.greeting", &[("name", "Sara\u{202E}")]);
        assert_eq!(s, "\u{2068}Sara\u{2069} گرامی،");
        let s = Lang::Fa.tf("error.too_long", &[("n", "۲۰۰")]);
        assert!(s.contains(" ۲۰۰ "), "{s:?}");
        let s = Lang::En.tf("error.too_long", &[("n", "10,000")]);
        assert!(s.contains(" 10,000 "), "{s:?}");
        assert_eq!(
            Lang::Fa.list(&["a", "ب\u{202E}"]),
            "\u{2068}a\u{2069}، \u{2068}ب\u{2069}"
        );
    }

    #[test]
    fn both_catalogs_have_the_same_keys() {
        let mut fa: Vec<_> = FA.keys().collect();
        let mut en: Vec<_> = EN.keys().collect();
        fa.sort();
        en.sort();
        let only_fa: Vec<_> = fa.iter().filter(|k| !EN.contains_key(**k)).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !FA.contains_key(**k)).collect();
        assert!(
            only_fa.is_empty() && only_en.is_empty(),
            "only in fa: {only_fa:?}; only in en: {only_en:?}"
        );
    }

    #[test]
    fn every_key_used_in_code_or_templates_is_in_the_catalog() {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut missing = Vec::new();
        for dir in ["src", "templates"] {
            visit(&std::path::Path::new(root).join(dir), &mut |text| {
                for key in quoted_keys(text) {
                    if !FA.contains_key(key.as_str()) {
                        missing.push(key);
                    }
                }
            });
        }
        missing.sort();
        missing.dedup();
        assert!(
            missing.is_empty(),
            "keys missing from the catalogs: {missing:?}"
        );
    }

    /// The literal keys passed to `t(…)` and `tf(…)` in code and templates.
    fn quoted_keys(text: &str) -> Vec<String> {
        let mut keys = Vec::new();
        for pat in ["t(\"", "tf(\""] {
            let mut rest = text;
            while let Some(i) = rest.find(pat) {
                rest = &rest[i + pat.len()..];
                if let Some(end) = rest.find('"') {
                    let k = &rest[..end];
                    if k.contains('.') && !k.contains(' ') && !k.contains('{') {
                        keys.push(k.to_string());
                    }
                }
            }
        }
        keys
    }

    fn visit(dir: &std::path::Path, f: &mut dyn FnMut(&str)) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                visit(&p, f);
            } else if let Ok(text) = std::fs::read_to_string(&p) {
                f(&text);
            }
        }
    }

    /// Keys built at run time: error codes, problem kinds, roles and unit kinds.
    #[test]
    fn every_computed_key_is_in_both_catalogs() {
        use hamafza_core::account::FieldError as F;
        let mut keys: Vec<String> = [
            F::Required,
            F::TooShort(1),
            F::TooLong(1),
            F::UsernameChars,
            F::NationalId,
            F::Mobile,
            F::PasswordIsUsername,
            F::PasswordsDiffer,
            F::Taken,
            F::Unknown,
            F::Wrong,
            F::FileType,
            F::FileTooBig(1),
            F::TooManyFiles(1),
            F::NoSuchUser,
            F::NotInAudience,
            F::AlreadyMember,
            F::TeamFull(1),
            F::InviteLimit(1),
            F::Changed,
            F::DuplicateKeepsAxis,
        ]
        .iter()
        .map(|e| e.key().to_string())
        .collect();
        for kind in [
            "not_found",
            "unauthorized",
            "bad_credentials",
            "forbidden",
            "csrf",
            "bad_request",
            "validation",
            "rate_limited",
            "unavailable",
            "busy",
            "conflict",
            "too_many",
            "internal",
        ] {
            keys.push(format!("problem.{kind}.title"));
            keys.push(format!("problem.{kind}.detail"));
        }
        // Refusals take their detail from the blocker's own message.
        for kind in ["not_open", "not_editable", "not_audience", "not_author"] {
            keys.push(format!("problem.{kind}.title"));
        }
        keys.extend(
            hamafza_core::Role::ALL
                .iter()
                .map(|r| format!("role.{}", r.as_str())),
        );
        keys.extend(
            hamafza_core::OrgUnitKind::ALL
                .iter()
                .map(|k| format!("kind.{}", k.as_str())),
        );
        keys.push("problem.too_many.tokens".into());
        // Every action has a name on the audit page; those on an idea's timeline a sentence
        // there (unless the screening timeline words it, or it is the secretariat's own).
        use hamafza_core::audit::Action;
        for a in Action::ALL {
            keys.push(format!("audit.action.{}", a.as_str()));
            let own_words = matches!(
                a,
                Action::IdeaTag | Action::IdeaReclassify | Action::IdeaMerge | Action::IdeaAbsorb
            );
            if a.as_str().starts_with("idea.") && !own_words || a.as_str().starts_with("team.") {
                keys.push(format!("idea.event.{}", a.as_str().replace('.', "_")));
            }
        }
        keys.push("idea.event.orientation_invite".into());
        let missing: Vec<_> = keys
            .iter()
            .filter(|k| !FA.contains_key(k.as_str()) || !EN.contains_key(k.as_str()))
            .collect();
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn accept_language_picks_the_first_spoken_language() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,fa;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("de,fa;q=0.5"), Some(Lang::Fa));
        assert_eq!(Lang::from_accept_language("de"), None);
    }

    #[test]
    fn numbers_use_the_script_of_the_language() {
        assert_eq!(Lang::Fa.num(1400), "۱٬۴۰۰");
        assert_eq!(Lang::En.num(1400), "1,400");
    }
}
