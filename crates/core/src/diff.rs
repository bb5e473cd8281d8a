//! What changed between two versions of an idea, word by word, so the secretariat and judges see
//! what a finalist revised. The diff itself is `similar`'s (Myers); words are split on
//! whitespace, so a Persian word joined by a ZWNJ (e.g. «می‌شود») stays one word.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Same,
    Added,
    Removed,
}

/// A run of text that is unchanged, added or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Piece {
    pub change: Change,
    pub text: String,
}

/// The word-level difference from `old` to `new`. A run of changed words reads as one removed
/// phrase and one added phrase, not word by word with the spaces between them kept as "same".
pub fn words(old: &str, new: &str) -> Vec<Piece> {
    let diff = TextDiff::from_words(old, new);
    let raw: Vec<(ChangeTag, &str)> = diff
        .iter_all_changes()
        .map(|c| (c.tag(), c.value()))
        .collect();
    let mut pieces = Vec::new();
    let (mut removed, mut added) = (String::new(), String::new());
    for (i, &(tag, text)) in raw.iter().enumerate() {
        match tag {
            ChangeTag::Delete => removed.push_str(text),
            ChangeTag::Insert => added.push_str(text),
            ChangeTag::Equal => {
                let in_run = !removed.is_empty() || !added.is_empty();
                let run_goes_on = raw.get(i + 1).is_some_and(|(t, _)| *t != ChangeTag::Equal);
                if in_run && run_goes_on && text.trim().is_empty() {
                    removed.push_str(text);
                    added.push_str(text);
                } else {
                    flush(&mut pieces, &mut removed, &mut added);
                    push(&mut pieces, Change::Same, text);
                }
            }
        }
    }
    flush(&mut pieces, &mut removed, &mut added);
    pieces
}

fn flush(pieces: &mut Vec<Piece>, removed: &mut String, added: &mut String) {
    for (change, text) in [(Change::Removed, removed), (Change::Added, added)] {
        if !text.trim().is_empty() {
            push(pieces, change, text.trim());
        }
        text.clear();
    }
}

fn push(pieces: &mut Vec<Piece>, change: Change, text: &str) {
    match pieces.last_mut() {
        Some(last) if last.change == change => last.text.push_str(text),
        _ => pieces.push(Piece {
            change,
            text: text.to_owned(),
        }),
    }
}

/// Whether a diff has any change.
pub fn changed(pieces: &[Piece]) -> bool {
    pieces.iter().any(|p| p.change != Change::Same)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| match p.change {
                Change::Same => p.text.clone(),
                Change::Added => format!("[+{}]", p.text),
                Change::Removed => format!("[-{}]", p.text),
            })
            .collect()
    }

    #[test]
    fn marks_added_and_removed_words() {
        let d = words("صف‌ها در شعبه طولانی است", "صف‌ها در شعبه‌های شلوغ طولانی است");
        assert_eq!(render(&d), "صف‌ها در [-شعبه][+شعبه‌های شلوغ] طولانی است");
        let d = words("در شبکه‌های اجتماعی منتشر شود", "در تلویزیون استانی پخش شود");
        assert_eq!(
            render(&d),
            "در [-شبکه‌های اجتماعی منتشر][+تلویزیون استانی پخش] شود"
        );
        assert!(changed(&d));
    }

    #[test]
    fn same_text_has_no_change() {
        let d = words("بدون تغییر", "بدون تغییر");
        assert!(!changed(&d));
        assert_eq!(render(&d), "بدون تغییر");
    }

    #[test]
    fn from_or_to_empty() {
        assert_eq!(render(&words("", "متن تازه")), "[+متن تازه]");
        assert_eq!(render(&words("متن کهنه", "")), "[-متن کهنه]");
    }
}
