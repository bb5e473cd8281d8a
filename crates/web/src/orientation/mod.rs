//! Orientation and revision: sessions, invitations and attendance for a call's finalists.

pub(crate) mod api;
pub(crate) mod pages;
pub mod service;
