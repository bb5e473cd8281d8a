//! "Similar ideas" before submitting, the simple version: each idea's current text is kept as a
//! set of normalized words (`idea_words`, indexed by call and word); a query finds the ideas of
//! the call sharing any of its words with one indexed lookup, and scores them here by how many
//! words they share, rarer words counting more. Everything about it lives in this module so the
//! text engine can replace it whole.

use crate::{Store, StoreResult, db_read};
use hamafza_core::idea::IdeaText;
use hamafza_core::ids::{AxisId, CallId, IdeaId};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// Words shorter than this (in letters) say little about an idea.
const MIN_LETTERS: usize = 3;
/// Words indexed per idea, and looked up per query: enough for a title and a paragraph.
const MAX_INDEXED: usize = 300;
const MAX_QUERY: usize = 40;

/// Common Persian words that carry no topic (normalized forms; shorter words are dropped anyway).
const STOP_WORDS: &[&str] = &[
    "این",
    "آن",
    "برای",
    "است",
    "هست",
    "نیست",
    "شود",
    "شوند",
    "کند",
    "کنند",
    "کنیم",
    "کنید",
    "کرد",
    "کرده",
    "کردن",
    "شده",
    "شدن",
    "بود",
    "بودن",
    "باشد",
    "باشند",
    "های",
    "هایی",
    "ها",
    "نیز",
    "اما",
    "اگر",
    "چون",
    "چرا",
    "کدام",
    "همه",
    "ایشان",
    "آنها",
    "اینها",
    "اینکه",
    "آنکه",
    "خود",
    "شما",
    "دارد",
    "دارند",
    "داشت",
    "داشتن",
    "بسیار",
    "خیلی",
    "بیشتر",
    "کمتر",
    "پیش",
    "روی",
    "زیر",
    "بین",
    "میان",
    "باید",
    "نباید",
    "توان",
    "تواند",
    "توانند",
    "ولی",
    "وجود",
    "چند",
    "دیگر",
    "غیر",
    "همین",
    "همان",
    "آنجا",
    "اینجا",
    "نمی",
    "طور",
    "طریق",
    "مورد",
    "موارد",
    "جهت",
    "لذا",
    "سپس",
    "همچنین",
    "یعنی",
    "بنابراین",
    "چنین",
    "چنان",
    "هنگام",
    "وقتی",
    "زمانی",
    "بدون",
    "مانند",
    "مثل",
    "درباره",
    "توسط",
    "خواهد",
    "خواهند",
    "کنیم",
    "گیرد",
    "گیرند",
    "یکی",
    "هیچ",
    "برخی",
    "بعضی",
    "تمام",
    "کار",
    "ایده",
    "پیشنهاد",
    "می‌شود",
    "می‌کند",
    "می‌کنند",
    "the",
    "and",
    "for",
    "with",
];

/// The distinct topic words of a text: normalized (ي→ی, digits…), split at anything that is not
/// a letter or digit (ZWNJ included, so «بیمه‌شدگان» gives «بیمه» and «شدگان»), short and stop
/// words dropped.
pub fn words(text: &str) -> BTreeSet<String> {
    let norm = hamafza_persian::normalize(text).to_lowercase();
    norm.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= MIN_LETTERS && !STOP_WORDS.contains(w))
        .map(str::to_string)
        .collect()
}

/// Scores candidates: each shared word adds `ln(1 + C / df)`, where C is the number of
/// candidates and df how many of them have the word, so a word every candidate shares counts
/// little. Returns (idea id, score, shared words), best first, at most `limit`.
pub fn rank(hits: &[(IdeaId, String)], limit: usize) -> Vec<(IdeaId, f64, usize)> {
    let mut per_idea: HashMap<IdeaId, Vec<&str>> = HashMap::new();
    let mut df: HashMap<&str, usize> = HashMap::new();
    for (id, w) in hits {
        per_idea.entry(*id).or_default().push(w);
        *df.entry(w).or_default() += 1;
    }
    let c = per_idea.len() as f64;
    let mut scored: Vec<(IdeaId, f64, usize)> = per_idea
        .into_iter()
        .map(|(id, ws)| {
            let s = ws.iter().map(|w| (1.0 + c / df[w] as f64).ln()).sum();
            (id, s, ws.len())
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.2.cmp(&a.2)).then(b.0.cmp(&a.0)));
    scored.truncate(limit);
    scored
}

/// An idea like the one being typed: only what may be shown to another participant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimilarIdea {
    pub public_id: String,
    pub title: String,
    pub axis_id: AxisId,
    /// Words shared with the query.
    pub shared: usize,
}

#[derive(sqlx::FromRow)]
struct TitleRow {
    id: IdeaId,
    public_id: String,
    title: String,
    axis_id: AxisId,
}

/// The words of an idea's text that are indexed for finding similar ideas (stored with each
/// version by `ideas::insert_versions!`).
pub(crate) fn indexed_words(t: &IdeaText) -> Vec<String> {
    words(&[t.title.as_str(), &t.problem, &t.solution].join("\n"))
        .into_iter()
        .take(MAX_INDEXED)
        .collect()
}

impl Store {
    /// Up to `limit` ideas of the call whose words overlap `text` most, best first.
    pub async fn similar_ideas(
        &self,
        call_id: CallId,
        text: &str,
        limit: usize,
    ) -> StoreResult<Vec<SimilarIdea>> {
        let ws: Vec<String> = words(text).into_iter().take(MAX_QUERY).collect();
        if ws.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..ws.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT idea_id, word FROM idea_words WHERE call_id = $1 AND word IN ({})",
            marks.join(", ")
        );
        let hits: Vec<(IdeaId, String)> = db_read!(self, |p| {
            let mut q = sqlx::query_as(&sql).bind(call_id);
            for w in &ws {
                q = q.bind(w);
            }
            q.fetch_all(p).await?
        });
        let best = rank(&hits, limit);
        if best.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..best.len()).map(|i| format!("${}", i + 1)).collect();
        let sql = format!(
            "SELECT id, public_id, title, axis_id FROM ideas WHERE id IN ({})",
            marks.join(", ")
        );
        let rows: Vec<TitleRow> = db_read!(self, |p| {
            let mut q = sqlx::query_as(&sql);
            for (id, _, _) in &best {
                q = q.bind(id);
            }
            q.fetch_all(p).await?
        });
        Ok(best
            .iter()
            .filter_map(|(id, _, shared)| {
                rows.iter().find(|r| r.id == *id).map(|r| SimilarIdea {
                    public_id: r.public_id.clone(),
                    title: r.title.clone(),
                    axis_id: r.axis_id,
                    shared: *shared,
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_normalized_and_stop_words_dropped() {
        let w = words("پيامك براي بیمه‌شدگان در شعبه ۱۲۳۴ و این کار");
        assert!(w.contains("پیامک"), "Arabic ي/ك become Persian: {w:?}");
        assert!(w.contains("بیمه") && w.contains("شدگان"), "{w:?}");
        assert!(w.contains("1234"), "digits become Latin: {w:?}");
        assert!(!w.contains("برای") && !w.contains("این") && !w.contains("در"));
    }

    #[test]
    fn rarer_shared_words_rank_higher() {
        let hits = vec![
            (IdeaId::new(1), "بیمه".to_string()),
            (IdeaId::new(2), "بیمه".to_string()),
            (IdeaId::new(2), "پیامک".to_string()),
            (IdeaId::new(3), "بیمه".to_string()),
        ];
        let r = rank(&hits, 5);
        assert_eq!(r[0].0, IdeaId::new(2));
        assert_eq!(r[0].2, 2);
        assert_eq!(r.len(), 3);
        assert_eq!(rank(&hits, 1).len(), 1);
    }
}
