//! The web suite, in one test binary (one link instead of twelve): pages, forms and the API
//! through the real router, every test on SQLite and, when `HAMAFZA_TEST_PG` is set, on
//! PostgreSQL (see `hamafza_web::testing`).

mod bidi;
mod calls;
mod http;
mod ideas;
mod imports;
mod inbox;
mod inputs;
mod intake;
mod juries;
mod notifications;
mod orientation;
mod pages;
mod round;
mod screening;
