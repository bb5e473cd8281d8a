//! The library half of the `hamafza` binary, so tests can load the demo data and read the
//! configuration the same way the binary does.

pub mod config;
pub mod demo;
pub mod demo_ideas;
pub mod demo_juries;
pub mod demo_text;
pub mod generate;
pub mod load;
pub mod ranking;
