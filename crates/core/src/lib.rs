//! The domain of Hamafza: types, validation rules and small state machines. Pure: no I/O, no SQL,
//! no HTTP, so every rule can be unit-tested and benchmarked without a server.
//!
//! Errors here are codes (`FieldError`, `BrokenLink`), never sentences: the web layer turns a code
//! into a message in the reader's language through its catalogs.

pub mod account;
pub mod audit;
pub mod call;
pub mod diff;
pub mod idea;
pub mod ids;
pub mod import;
pub mod judging;
pub mod limits;
pub mod org;
pub mod orientation;
pub mod role;
pub mod time;

pub use account::{FieldError, NewAccount};
pub use org::OrgUnitKind;
pub use role::Role;
