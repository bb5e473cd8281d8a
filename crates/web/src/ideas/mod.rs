//! Ideas: submitting, the idea's page, editing and versions, "my ideas"; who may submit, see
//! and edit (the service, shared by pages and API).

pub(crate) mod api;
pub(crate) mod pages;
pub(crate) mod service;
pub(crate) mod show;
pub(crate) mod track;
pub(crate) mod versions;
