//! Renderers: one file per output format. JSON is the report's own serialization
//! ([`Report::to_json`](crate::Report::to_json)).

mod text;

pub use text::{TextOptions, text};
