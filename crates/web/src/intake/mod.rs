//! Intake beyond an idea's text: attachments, teams, drafts, similar ideas, and offline imports
//! of exhibition and paper ideas.

pub(crate) mod api;
pub(crate) mod attachments;
pub(crate) mod import;
pub(crate) mod import_page;
pub(crate) mod pages;
pub(crate) mod service;
pub(crate) mod teams;
pub(crate) mod template;
