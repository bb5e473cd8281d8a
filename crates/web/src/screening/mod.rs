//! Screening by the secretariat: the inbox, decisions, tags, reclassification, merging
//! duplicates, bulk actions and rejection templates.

pub(crate) mod api;
pub(crate) mod inbox;
pub(crate) mod pages;
pub(crate) mod service;
pub(crate) mod templates;
pub(crate) mod timeline;
