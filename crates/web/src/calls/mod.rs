//! Calls (the Jam'ino rounds): their axes and staged pipeline, public pages, the secretariat's
//! editing and publishing, and the export of a call's ideas.

pub(crate) mod api;
pub(crate) mod export;
pub(crate) mod pages;
pub mod service;
