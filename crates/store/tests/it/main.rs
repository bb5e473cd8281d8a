//! The storage suite, in one test binary: every test runs on SQLite, and on PostgreSQL when
//! `HAMAFZA_TEST_PG` is set (see `hamafza_store::testing`).

mod fixtures;

mod calls;
mod decode;
mod ideas;
mod intake;
mod juries;
mod notifications;
mod screening;
mod store;
