//! Accounts: signing in (password, one-time code), the user's own settings and API tokens,
//! and accounts and org units over the API (creating accounts is shared with the admin pages).

pub(crate) mod api;
pub(crate) mod dto;
pub(crate) mod pages;
pub(crate) mod service;
pub(crate) mod settings;
pub(crate) mod tokens_api;
