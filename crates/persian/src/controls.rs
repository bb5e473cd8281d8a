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

/// Format characters (Unicode general category Cf): invisible by definition, they only steer how
/// the text around them is joined, ordered or hyphenated.
fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// Combining marks of the general combining blocks and of the Arabic script: alone, with no
/// letter to sit on, they show nothing a reader can read (a string of harakat is not a title).
fn is_combining_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{0483}'..='\u{0489}'
            | '\u{0610}'..='\u{061A}'
            | '\u{064B}'..='\u{065F}'
            | '\u{0670}'
            | '\u{06D6}'..='\u{06DC}'
            | '\u{06DF}'..='\u{06E4}'
            | '\u{06E7}'..='\u{06E8}'
            | '\u{06EA}'..='\u{06ED}'
            | '\u{08CA}'..='\u{08FF}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

/// Whether `c` shows nothing by itself: whitespace, control characters, format characters (ZWNJ,
/// ZWJ, ZWSP, LRM/RLM/ALM, bidi embeddings, overrides and isolates, word joiner, BOM, soft hyphen,
/// tag characters…), the other default-ignorable code points (variation selectors, the Hangul
/// fillers, combining grapheme joiner), the blank Braille pattern, tatweel (it only stretches a
/// join) and combining marks with nothing to sit on. ZWNJ is invisible here yet still *allowed*
/// in text: Persian words need it; what it cannot do is stand for a word.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || is_format(c)
        || is_combining_mark(c)
        || matches!(
            c,
            '\u{0640}'
                | '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// Whether `s` has at least one character a reader can see (a letter, digit, punctuation mark or
/// symbol). Required text must: five half-spaces or a row of direction marks look empty on the
/// page yet are not empty strings, so an `is_empty()` check lets them through.
pub fn has_visible(s: &str) -> bool {
    s.chars().any(|c| !is_invisible(c))
}

/// FIRST STRONG ISOLATE: opens an isolate whose direction is that of its first strong letter.
pub const FSI: char = '\u{2068}';
/// POP DIRECTIONAL ISOLATE: closes the isolate [`FSI`] (or LRI/RLI) opened.
pub const PDI: char = '\u{2069}';

const LRE: char = '\u{202A}';
const RLE: char = '\u{202B}';
const PDF: char = '\u{202C}';
const LRO: char = '\u{202D}';
const RLO: char = '\u{202E}';
const LRI: char = '\u{2066}';
const RLI: char = '\u{2067}';

/// Ends every embedding and isolate (bidi class B): the algorithm runs per paragraph.
fn is_paragraph_separator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{1C}'..='\u{1E}' | '\u{85}' | '\u{2029}')
}

/// What an opened control on the stack of [`balance_bidi`] is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Opened {
    /// LRE/RLE, kept at this byte offset of the output until its PDF comes.
    Embedding(usize),
    /// LRO/RLO, never written: its PDF is dropped with it.
    Override,
    /// LRI/RLI/FSI, kept at this byte offset of the output until its PDI comes.
    Isolate(usize),
}

/// `s` with the explicit bidi controls that could reach outside it removed, so that text shown
/// next to it keeps its order:
///
/// * **Overrides** LRO U+202D and RLO U+202E go, paired or not, and so do the PDFs that close
///   them. An override forces every letter in its reach to one direction, which reverses the
///   letters of words of the other script: it has no use in a title, a name or a message other
///   than making text read as something it is not (`invoice<U+202E>fdp.hta`, a tracking code shown
///   backwards). Persian and English mix correctly without it.
/// * **Embeddings** LRE/RLE … PDF and **isolates** LRI/RLI/FSI … PDI stay when they are paired
///   within one paragraph (editors and copy-paste leave them, and they stay inside the text);
///   an opener with no closer before the end of the paragraph, and a closer with nothing to close,
///   go. Pairing follows the bidi algorithm: a PDF closes the latest embedding unless an isolate
///   was opened after it; a PDI closes the latest isolate and every embedding opened inside it.
/// * The marks LRM, RLM and ALM, and ZWNJ/ZWJ, are kept: they affect only their neighbours.
///
/// The result never has more closers than openers or the reverse, in any paragraph, so it cannot
/// change the direction of what comes after it.
pub fn balance_bidi(s: &str) -> String {
    if !s
        .chars()
        .any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
    {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut stack: Vec<Opened> = Vec::new();
    // Byte offsets in `out` of openers left unpaired; removed at the end.
    let mut unpaired: Vec<usize> = Vec::new();
    for c in s.chars() {
        match c {
            LRE | RLE => {
                stack.push(Opened::Embedding(out.len()));
                out.push(c);
            }
            LRO | RLO => stack.push(Opened::Override),
            LRI | RLI | FSI => {
                stack.push(Opened::Isolate(out.len()));
                out.push(c);
            }
            PDF => match stack.last() {
                Some(Opened::Embedding(_)) => {
                    stack.pop();
                    out.push(c);
                }
                Some(Opened::Override) => {
                    stack.pop();
                }
                // Nothing to close, or an isolate is in the way: the PDF does nothing.
                Some(Opened::Isolate(_)) | None => {}
            },
            PDI => {
                if stack.iter().any(|o| matches!(o, Opened::Isolate(_))) {
                    while let Some(o) = stack.pop() {
                        match o {
                            Opened::Isolate(_) => break,
                            Opened::Embedding(at) => unpaired.push(at),
                            Opened::Override => {}
                        }
                    }
                    out.push(c);
                }
            }
            c if is_paragraph_separator(c) => {
                close_all(&mut stack, &mut unpaired);
                out.push(c);
            }
            c => out.push(c),
        }
    }
    close_all(&mut stack, &mut unpaired);
    if unpaired.is_empty() {
        return out;
    }
    unpaired.sort_unstable();
    let mut kept = String::with_capacity(out.len());
    let mut from = 0;
    for at in unpaired {
        kept.push_str(&out[from..at]);
        // Every opener is three bytes in UTF-8.
        from = at + 3;
    }
    kept.push_str(&out[from..]);
    kept
}

/// Whether balanced `s` is a single isolate: it opens with LRI, RLI or FSI, and the PDI that
/// closes that opener is its last character.
fn is_one_isolate(s: &str) -> bool {
    if !s.starts_with([LRI, RLI, FSI]) || !s.ends_with(PDI) {
        return false;
    }
    let mut depth = 0usize;
    let last = s.len() - PDI.len_utf8();
    for (i, c) in s.char_indices() {
        match c {
            LRI | RLI | FSI => depth += 1,
            PDI => {
                depth -= 1;
                if depth == 0 {
                    return i == last;
                }
            }
            _ => {}
        }
    }
    false
}

fn close_all(stack: &mut Vec<Opened>, unpaired: &mut Vec<usize>) {
    for o in stack.drain(..) {
        match o {
            Opened::Embedding(at) | Opened::Isolate(at) => unpaired.push(at),
            Opened::Override => {}
        }
    }
}

/// `s` as one isolated run for plain text (SMS, email, a page's `<title>`, a sentence of the
/// message catalog): FSI, `s` made safe by [`balance_bidi`], PDI. Whatever direction `s` has, the
/// text around it keeps its order, and `s` takes the direction of its own first letter: a Latin
/// title in a Persian sentence or a tracking code after a Persian word reads as typed. In HTML
/// use `<bdi>`, which does the same for an element.
///
/// An isolate cannot span paragraphs (a line break ends it), so text of several lines is isolated
/// line by line: each line break is closed before and reopened after.
///
/// A line that is already one isolate is kept as it is, so isolating twice adds nothing:
/// `isolate(&isolate(s)) == isolate(s)`.
pub fn isolate(s: &str) -> String {
    let inner = balance_bidi(s);
    let mut out = String::with_capacity(inner.len() + 6);
    let mut rest = inner.as_str();
    loop {
        let (line, sep, after) = match rest.find(is_paragraph_separator) {
            Some(at) => {
                // CR LF is one line break.
                let len = if rest[at..].starts_with("\r\n") {
                    2
                } else {
                    rest[at..].chars().next().map_or(1, char::len_utf8)
                };
                (&rest[..at], &rest[at..at + len], Some(&rest[at + len..]))
            }
            None => (rest, "", None),
        };
        if is_one_isolate(line) {
            out.push_str(line);
        } else {
            out.push(FSI);
            out.push_str(line);
            out.push(PDI);
        }
        out.push_str(sep);
        match after {
            Some(a) => rest = a,
            None => return out,
        }
    }
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

    #[test]
    fn half_spaces_marks_and_controls_are_not_visible_text() {
        for s in [
            "",
            "\u{200C}\u{200C}\u{200C}\u{200C}\u{200C}",
            &"\u{200B}".repeat(25),
            "\u{200E}\u{200F}\u{061C}",
            "\u{202E}\u{202D}\u{202A}\u{202C}\u{2066}\u{2069}",
            " \u{00A0}\t\n\u{3000}\u{FEFF}\u{2060}\u{00AD}\u{200D}",
            "\u{0640}\u{064E}\u{0651}\u{3164}\u{2800}\u{FE0F}\u{E0041}",
        ] {
            assert!(!has_visible(s), "{s:?}");
        }
        for s in ["ا", "\u{200C}a\u{200C}", "۱", "1", ".", "😀", "\u{202E}x"] {
            assert!(has_visible(s), "{s:?}");
        }
    }

    #[test]
    fn overrides_and_unpaired_controls_go_paired_ones_stay() {
        // An override, paired or not, goes with its PDF.
        assert_eq!(balance_bidi("invoice\u{202E}fdp.hta"), "invoicefdp.hta");
        assert_eq!(balance_bidi("a\u{202D}bc\u{202C}d"), "abcd");
        // Paired embeddings and isolates stay; half-spaces and marks are not touched.
        let kept = "\u{202B}می\u{200C}روم\u{202C} \u{2068}abc\u{2069}\u{200F}";
        assert_eq!(balance_bidi(kept), kept);
        // Openers left open at the end, or at the end of a paragraph, go; so do stray closers.
        assert_eq!(balance_bidi("a\u{202B}b"), "ab");
        assert_eq!(balance_bidi("a\u{2067}b\nc\u{2069}"), "ab\nc");
        assert_eq!(balance_bidi("\u{202C}\u{2069}x"), "x");
        // A PDF cannot close an embedding from outside an isolate; a PDI closes what it holds.
        assert_eq!(
            balance_bidi("\u{202A}a\u{2068}b\u{202C}\u{2069}"),
            "a\u{2068}b\u{2069}"
        );
        assert_eq!(
            balance_bidi("\u{2068}a\u{202B}b\u{2069}"),
            "\u{2068}ab\u{2069}"
        );
        assert_eq!(balance_bidi("plain"), "plain");
    }

    #[test]
    fn isolate_wraps_in_fsi_and_pdi_and_contains_strays() {
        assert_eq!(isolate("HMZ-12"), "\u{2068}HMZ-12\u{2069}");
        assert_eq!(isolate("ab\u{2069}\u{202E}c"), "\u{2068}abc\u{2069}");
        assert_eq!(isolate(""), "\u{2068}\u{2069}");
        assert_eq!(isolate(&isolate("abc")), "\u{2068}abc\u{2069}");
        assert_eq!(
            isolate("\u{2068}a\u{2069}b\u{2068}c\u{2069}"),
            "\u{2068}\u{2068}a\u{2069}b\u{2068}c\u{2069}\u{2069}",
            "two isolates side by side are not one"
        );
        assert_eq!(
            isolate("a\r\nb\nc"),
            "\u{2068}a\u{2069}\r\n\u{2068}b\u{2069}\n\u{2068}c\u{2069}"
        );
    }

    /// Strictly nested explicit controls in every paragraph, no overrides: what `balance_bidi`
    /// promises.
    fn is_balanced(s: &str) -> bool {
        let mut stack = Vec::new();
        for c in s.chars() {
            match c {
                '\u{202A}' | '\u{202B}' => stack.push('e'),
                '\u{2066}'..='\u{2068}' => stack.push('i'),
                '\u{202D}' | '\u{202E}' => return false,
                '\u{202C}' if stack.pop() != Some('e') => return false,
                '\u{2069}' if stack.pop() != Some('i') => return false,
                c if is_paragraph_separator(c) && !stack.is_empty() => return false,
                _ => {}
            }
        }
        stack.is_empty()
    }

    fn explicit(c: char) -> bool {
        matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    }

    const MIXED: &[char] = &[
        'a', 'ب', '1', '۲', ' ', '\n', '\u{2029}', '\u{200C}', '\u{200D}', '\u{200B}', '\u{200E}',
        '\u{200F}', '\u{061C}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}',
        '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{FEFF}',
    ];

    fn mixed_text() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(MIXED), 0..40).prop_map(String::from_iter)
    }

    const INVISIBLE: &[char] = &[
        ' ', '\t', '\n', '\u{00A0}', '\u{00AD}', '\u{0640}', '\u{064B}', '\u{200B}', '\u{200C}',
        '\u{200D}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202E}', '\u{2060}', '\u{2066}',
        '\u{2069}', '\u{3000}', '\u{FEFF}', '\u{061C}', '\u{FE0F}', '\u{2800}',
    ];

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn balanced_output_has_no_overrides_and_no_unpaired_controls(s in mixed_text()) {
            let out = balance_bidi(&s);
            prop_assert!(is_balanced(&out), "{:?} -> {:?}", s, out);
            prop_assert_eq!(balance_bidi(&out), out.clone(), "idempotent");
            let text = |t: &str| t.chars().filter(|c| !explicit(*c)).collect::<String>();
            prop_assert_eq!(text(&out), text(&s), "only controls removed");
        }

        #[test]
        fn balance_bidi_never_panics_and_keeps_balanced_text(s in any::<String>()) {
            let out = balance_bidi(&s);
            prop_assert!(is_balanced(&out));
            if is_balanced(&s) {
                prop_assert_eq!(out, s);
            }
        }

        #[test]
        fn isolate_is_balanced_and_wraps(s in mixed_text()) {
            let out = isolate(&s);
            prop_assert!(out.starts_with([LRI, RLI, FSI]) && out.ends_with(PDI), "{:?}", out);
            prop_assert!(is_balanced(&out), "{:?}", out);
            let twice = format!("x{out}y{out}");
            prop_assert!(is_balanced(&twice));
            prop_assert_eq!(isolate(&out), out.clone(), "isolating twice adds nothing");
        }

        #[test]
        fn only_invisible_characters_are_not_visible(
            s in prop::collection::vec(prop::sample::select(INVISIBLE), 0..30),
            letter in "[a-zA-Z0-9ابپتسشکگیمن۰-۹]",
            at in 0usize..30,
        ) {
            let blank: String = s.iter().collect();
            prop_assert!(!has_visible(&blank));
            prop_assert!(!has_visible(&balance_bidi(&blank)));
            let mut chars = s.clone();
            chars.insert(at.min(chars.len()), letter.chars().next().unwrap());
            let seen: String = chars.into_iter().collect();
            prop_assert!(has_visible(&seen));
        }
    }
}
