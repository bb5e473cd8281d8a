//! Results: awards and "jury's choice", publishing, the public results page and certificates.

pub(crate) mod api;
pub(crate) mod pages;
pub mod service;
