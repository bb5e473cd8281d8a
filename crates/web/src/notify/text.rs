//! The words of a notification, in the reader's language: one sentence for the inbox and SMS, a
//! subject and a short letter for email. Digits are Persian in Persian texts, dates Jalali.

use super::Kind;
use crate::i18n::Lang;
use hamafza_core::time::UnixSeconds;
use serde_json::Value;

/// The facts a notification carries (its `data`), all optional.
fn field<'a>(d: &'a Value, name: &str) -> &'a str {
    d.get(name).and_then(Value::as_str).unwrap_or("")
}

/// The one sentence that says what happened.
pub fn sentence(lang: Lang, kind: Kind, d: &Value) -> String {
    let status_key = format!("idea.status.{}", field(d, "to"));
    let status = if field(d, "to").is_empty() {
        ""
    } else {
        lang.t(&status_key)
    };
    // The tracking code is what the reader copies into a form or reads out on the phone: it
    // is isolated even when it is all digits, so it reads the same whatever stands around it.
    let code = hamafza_persian::controls::isolate(&lang.digits(field(d, "code")));
    let when = d
        .get("starts_at")
        .and_then(Value::as_i64)
        .map(|t| lang.datetime(UnixSeconds::new(t)))
        .unwrap_or_default();
    let mut s = lang.tf(
        &format!("notify.kind.{}", kind.as_str()),
        &[
            ("title", field(d, "title")),
            ("code", &code),
            ("status", status),
            ("into", field(d, "into")),
            ("by", field(d, "by")),
            ("call", field(d, "call")),
            ("session", field(d, "session")),
            ("when", &when),
        ],
    );
    let message = field(d, "message").trim();
    if !message.is_empty() {
        s.push(' ');
        s.push_str(&lang.tf("notify.message", &[("message", message)]));
    }
    s
}

/// What the inbox shows for a stored notification.
pub fn notification_text(lang: Lang, kind: &str, data: &str) -> String {
    let d: Value = serde_json::from_str(data).unwrap_or(Value::Null);
    match Kind::parse(kind) {
        Some(k) => sentence(lang, k, &d),
        None => lang.t("notify.unknown").to_string(),
    }
}

/// The words of the link of a notification of `kind`.
pub fn link_label(lang: Lang, kind: &str) -> &'static str {
    match Kind::parse(kind) {
        Some(Kind::Results) => lang.t("notify.open_results"),
        _ => lang.t("notify.open_idea"),
    }
}

pub fn subject(lang: Lang, kind: Kind, d: &Value) -> String {
    lang.tf(
        &format!("notify.subject.{}", kind.as_str()),
        &[
            ("title", field(d, "title")),
            ("call", field(d, "call")),
            ("session", field(d, "session")),
        ],
    )
}

/// A short plain-text letter: greeting, what happened, when, and the link.
pub fn email_body(
    lang: Lang,
    kind: Kind,
    d: &Value,
    name: &str,
    url: &str,
    at: UnixSeconds,
) -> String {
    [
        lang.tf("notify.greeting", &[("name", name)]),
        String::new(),
        sentence(lang, kind, d),
        lang.tf("notify.when", &[("date", &lang.datetime(at))]),
        String::new(),
        format!("{}: {url}", lang.t("notify.open")),
        String::new(),
        lang.t("notify.signature").to_string(),
        lang.t("notify.why").to_string(),
    ]
    .join("\n")
}

/// An SMS: the sentence and, when there is a page to see, its link.
pub fn sms(lang: Lang, kind: Kind, d: &Value, url: Option<&str>) -> String {
    let mut s = format!("{}: {}", lang.t("app.name"), sentence(lang, kind, d));
    if let Some(url) = url {
        s.push('\n');
        s.push_str(url);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn persian_texts_have_persian_digits_and_the_message() {
        let d = json!({ "title": "پیامک پیگیری", "code": "1234567890" });
        let s = sentence(Lang::Fa, Kind::Receipt, &d);
        assert!(s.contains("۱۲۳۴۵۶۷۸۹۰"), "{s}");
        assert!(s.contains("پیامک پیگیری"), "{s}");
        let d = json!({ "title": "x", "to": "rejected", "message": "تکراری است" });
        let s = sentence(Lang::Fa, Kind::Status, &d);
        assert!(s.contains(Lang::Fa.t("idea.status.rejected")), "{s}");
        assert!(s.contains("تکراری است"), "{s}");
        let s = sentence(
            Lang::En,
            Kind::Receipt,
            &json!({ "title": "t", "code": "12" }),
        );
        assert!(s.contains("12"), "{s}");
    }

    /// A title with a right-to-left override must not reverse the tracking code after it: every
    /// value is isolated (FSI … PDI) in the sentence, the SMS, the subject and the letter.
    #[test]
    fn titles_names_and_tracking_codes_are_isolated_in_every_text() {
        use hamafza_persian::controls::{FSI, PDI};
        let d = json!({ "title": "abc\u{202E}def", "code": "1234567890" });
        let title = format!("{FSI}abcdef{PDI}");
        let code = format!("{FSI}۱۲۳۴۵۶۷۸۹۰{PDI}");
        for s in [
            sentence(Lang::Fa, Kind::Receipt, &d),
            sms(Lang::Fa, Kind::Receipt, &d, Some("https://h.example/i/x")),
            email_body(
                Lang::Fa,
                Kind::Receipt,
                &d,
                "Sara\u{202E}",
                "https://h.example",
                UnixSeconds::new(0),
            ),
        ] {
            assert!(s.contains(&title), "{s:?}");
            assert!(s.contains(&code), "{s:?}");
            assert!(!s.contains('\u{202E}'), "{s:?}");
        }
        let body = email_body(
            Lang::Fa,
            Kind::Receipt,
            &d,
            "Sara\u{202E}",
            "https://h.example",
            UnixSeconds::new(0),
        );
        assert!(body.contains(&format!("{FSI}Sara{PDI}")), "{body:?}");
        assert!(subject(Lang::En, Kind::Receipt, &d).contains(&title));
        let d = json!({ "title": "t", "to": "rejected", "message": "یک\u{202B}\nدو" });
        let s = sentence(Lang::Fa, Kind::Status, &d);
        assert!(s.contains(&format!("{FSI}یک{PDI}\n{FSI}دو{PDI}")), "{s:?}");
    }

    #[test]
    fn a_letter_has_a_jalali_date_and_the_link() {
        // 2023-03-21 12:00 UTC is 1 Farvardin 1402 in Tehran.
        let body = email_body(
            Lang::Fa,
            Kind::Results,
            &json!({ "call": "جمعینو ۲" }),
            "سارا",
            "https://h.example/calls/x/results",
            UnixSeconds::new(1_679_400_000),
        );
        assert!(body.contains("سارا"), "{body}");
        assert!(body.contains("۱۴۰۲"), "{body}");
        assert!(body.contains("https://h.example/calls/x/results"), "{body}");
    }
}
