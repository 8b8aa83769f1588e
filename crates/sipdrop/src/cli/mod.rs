//! The command line: arguments, their validation, and how output is written.
pub mod args;
pub mod clap_error;
pub mod events_json;
pub mod logging;
pub mod ua_config;
pub mod values;
