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

/// Ends a run of changes: the removed phrase, then the added one, each trimmed; the space a
/// trimmed end stood for goes back between the run and its neighbours, or a deleted word would
/// run into the next one («سه [-روز]پیش»).
fn flush(pieces: &mut Vec<Piece>, removed: &mut String, added: &mut String) {
    let run: Vec<&String> = [&*removed, &*added]
        .into_iter()
        .filter(|t| !t.trim().is_empty())
        .collect();
    if !run.is_empty() {
        let lead = run.iter().any(|t| t.starts_with(char::is_whitespace));
        let trail = run.iter().any(|t| t.ends_with(char::is_whitespace));
        let spaced_before = pieces
            .last()
            .is_none_or(|p| p.text.ends_with(char::is_whitespace));
        if lead && !spaced_before {
            push(pieces, Change::Same, " ");
        }
        for (change, text) in [(Change::Removed, &*removed), (Change::Added, &*added)] {
            if !text.trim().is_empty() {
                push(pieces, change, text.trim());
            }
        }
        if trail {
            push(pieces, Change::Same, " ");
        }
    }
    removed.clear();
    added.clear();
}

fn push(pieces: &mut Vec<Piece>, change: Change, text: &str) {
    match pieces.last_mut() {
        // One space between words, however the run's ends and its neighbours brought one.
        Some(last) if last.change == change && change == Change::Same => {
            let text = if last.text.ends_with(char::is_whitespace) {
                text.trim_start()
            } else {
                text
            };
            last.text.push_str(text)
        }
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
    fn words_at_the_ends_of_a_change_keep_their_spaces() {
        for (old, new) in [
            ("سه روز پیش", "سه پیش"),
            ("سه پیش", "سه روز پیش"),
            ("کار را تمام کند. پس از آن", "کار را تمام کند. سپس پس از آن"),
            ("کار را تمام کند. سپس پس از آن", "کار را تمام کند. پس از آن"),
            ("الف ب ج د", "الف د"),
            ("الف ب", "ب الف"),
        ] {
            // Shown as on the page (removed and added both visible), every word is one of the
            // old or the new text's: none runs into its neighbour, and spaces stay single.
            let shown = render(&words(old, new));
            let known: Vec<&str> = old
                .split_whitespace()
                .chain(new.split_whitespace())
                .collect();
            for w in shown.split_whitespace() {
                let bare = w.replace(['[', ']', '+', '-'], "");
                assert!(
                    known.contains(&bare.as_str()),
                    "{old:?} → {new:?}: {shown:?} has {w:?}"
                );
            }
            assert!(!shown.contains("  "), "{shown:?}");
        }
        assert_eq!(render(&words("سه روز پیش", "سه پیش")), "سه [-روز] پیش");
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
