//! The whole product as a user meets it, in one test binary: the command line, the demo (its
//! crawl and its idempotent load), a crash in the middle of writing, and journeys through a real
//! browser (headless Chromium; required when `CI` is set).

mod browser;
mod cli;
mod client;
mod crash;
mod demo;
