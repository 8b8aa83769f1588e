//! The SIP message layer of sipdrop: pure, deterministic, no IO.
//!
//! rsip 0.4 is the message model. This crate stands in front of it and around it:
//! - [`framing`]: one datagram is one message; an incremental stream framer for TCP.
//! - [`normalize`]: rewrites what rsip misreads (compact names, folding, LF-only lines,
//!   comma-joined Vias, unknown methods) into a form rsip parses.
//! - [`parse`]: the single entry point from bytes to a [`ParsedMessage`], with a typed
//!   [`ParseError`] and [`error_response`] mapping a failure to what goes on the wire.
//! - [`headers`]: typed `Reason` (RFC 3326) and `User-to-User` (RFC 7433) headers.
//! - [`print`]: output with a correct `Content-Length` and the standard reason phrases.
#![forbid(unsafe_code)]

pub mod framing;
pub mod headers;
pub mod normalize;
pub mod parse;
pub mod print;
pub mod transport;
pub mod via;

pub use framing::{frame_datagram, Frame, FramingError, Limits, StreamFramer};
pub use headers::{Reason, ReasonProtocol, UserToUser};
pub use parse::{error_response, parse, ParseError, ParsedMessage};
pub use print::{encode, reason_phrase};
pub use transport::Transport;
pub use rsip;
