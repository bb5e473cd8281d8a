//! The signed-in user's notifications in the browser and over the API (the worker that makes
//! them is `crate::notify`).

pub(crate) mod api;
pub(crate) mod pages;
