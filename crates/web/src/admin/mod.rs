//! Administration (admins only): accounts and their roles, the org-unit tree, the audit log.

pub(crate) mod audit;
pub(crate) mod pages;
