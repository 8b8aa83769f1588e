//! Typed headers rsip does not model.
mod reason;
mod user_to_user;

pub use reason::{q850_text, Reason, ReasonParseError, ReasonProtocol};
pub use user_to_user::{UserToUser, UuiParseError};
