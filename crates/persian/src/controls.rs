//! Invisible characters that change how text around them is shown: bidirectional controls (a
//! U+202E in `invoice<U+202E>fdp.hta` shows it as “invoiceath.pdf”) and other format characters that have
//! no business in a name. ZWNJ and ZWJ are not among them: Persian is written with them.

/// Marks, embeddings, overrides and isolates of the Unicode bidirectional algorithm.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Characters a name never needs: control characters (C0, DEL, C1), bidi controls, line and
/// paragraph separators, zero-width space, word joiner and invisible operators, deprecated format
/// characters, the byte-order mark and interlinear annotation marks.
pub fn is_unwanted_in_name(c: char) -> bool {
    c.is_control()
        || is_bidi_control(c)
        || matches!(
            c,
            '\u{00AD}'
                | '\u{200B}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{2060}'..='\u{2064}'
                | '\u{206A}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// `s` without the characters of [`is_unwanted_in_name`].
pub fn strip_unwanted(s: &str) -> String {
    s.chars().filter(|c| !is_unwanted_in_name(*c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_overrides_and_controls_go_and_half_spaces_stay() {
        assert_eq!(strip_unwanted("invoice\u{202E}fdp.hta"), "invoicefdp.hta");
        assert_eq!(
            strip_unwanted("\u{2067}طرح\u{200C}ها\u{2069}\u{200F}\0\r\n.pdf"),
            "طرح\u{200C}ها.pdf"
        );
        assert_eq!(strip_unwanted("a\u{200D}b\u{FEFF}\u{200B}"), "a\u{200D}b");
    }
}
