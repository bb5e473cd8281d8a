//! Juries: a judged stage's settings, judges and assignments, blind reviews by judges, and the
//! stage's ranking with its reliability.

pub(crate) mod api;
pub(crate) mod pages;
pub mod service;
