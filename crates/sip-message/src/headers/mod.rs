//! Typed headers rsip does not model.
mod q850;
mod reason;
mod user_to_user;

pub use q850::q850_text;
pub use reason::{Reason, ReasonParseError, ReasonProtocol};
pub use user_to_user::{UserToUser, UuiParseError, DEFAULT_UUI_PURPOSE};
