//! Intake's rules shared by its pages and its API: what a draft keeps, how many similar ideas
//! are shown.

use std::collections::HashMap;

/// The fields a draft keeps.
pub const DRAFT_FIELDS: &[&str] = &[
    "axis",
    "title",
    "problem",
    "solution",
    "benefits",
    "resources",
    "owner_unit",
    "team",
];
/// Similar ideas shown at most.
pub const SIMILAR_LIMIT: usize = 5;

/// The draft fields of a submitted form, as JSON.
pub fn draft_json(raw: &HashMap<String, String>) -> serde_json::Value {
    let map: serde_json::Map<String, serde_json::Value> = DRAFT_FIELDS
        .iter()
        .filter_map(|k| {
            raw.get(*k).map(|v| {
                (
                    k.to_string(),
                    serde_json::Value::String(v.chars().take(20_000).collect()),
                )
            })
        })
        .collect();
    serde_json::Value::Object(map)
}
