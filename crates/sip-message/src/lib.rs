//! The SIP message layer of sipdrop: pure, deterministic, no IO.
//!
//! rsip 0.4 is the message model. This crate stands in front of it and around it:
//! - [`framing`]: one datagram is one message; an incremental stream framer for TCP.
//! - [`normalize`]: rewrites what rsip misreads (compact names, folding, LF-only lines,
//!   comma-joined Vias, unknown methods) into a form rsip parses.
//! - [`mod@parse`]: the single entry point from bytes to a [`ParsedMessage`], with a typed
//!   [`ParseError`] and [`error_response`] mapping a failure to what goes on the wire.
//! - [`headers`]: typed `Reason` (RFC 3326) and `User-to-User` (RFC 7433) headers.
//! - [`mod@print`]: output with a correct `Content-Length` and the standard reason phrases.
//! - [`uri`], [`name_addr`], [`via`], [`fields`]: readers for URIs, From/To/Contact/Route
//!   values, Via values, CSeq, Call-ID and tags, for use instead of rsip's typed headers.
//!
//! # What rsip 0.4 gets wrong, and what to use instead
//! - Its message reader cannot read many valid Request-URIs; [`parse()`] reads the start line
//!   itself. Never call `rsip::SipMessage::try_from` on network input.
//! - `Uri` parsing (`rsip::Uri::try_from`, and every `typed()` header holding a URI) fails on
//!   IPv6 hosts (`[2001:db8::1]`), users with `.` or `;`, `tel:` URIs, unknown `transport=`
//!   values; `Uri`'s `Display` prints IPv6 hosts without brackets and other schemes as
//!   `scheme://`. Use [`uri::parse_uri`] and [`uri::format_uri`].
//! - `typed::Via` fails on LWS inside the value (`SIP / 2.0 / UDP`, `; branch = x`), IPv6
//!   sent-by and `received`; use [`via::ViaValue`], [`via::top_via`],
//!   [`via::top_via_branch`].
//! - `typed::From`/`To`/`Contact` fail on LWS around `;`/`=`, quoted parameter values and
//!   the URIs above, and keep the quotes of display names; use [`name_addr::NameAddr`] and
//!   [`name_addr::tag_of`] / [`fields::from_tag`] / [`fields::to_tag`].
//! - `typed::CSeq` rejects methods it does not know; use [`fields::CSeqValue`].
//! - `StatusCode`'s `Display` prints `486 BusyHere`; [`encode`] writes the status line.
//! - rsip has no unknown-method variant: see [`ParsedMessage::unknown_method`] and
//!   [`normalize::UNKNOWN_METHOD_PLACEHOLDER`].
#![forbid(unsafe_code)]

pub mod fields;
pub mod framing;
pub mod headers;
pub mod name_addr;
pub mod normalize;
pub mod parse;
pub mod print;
mod scan;
pub mod transport;
pub mod uri;
pub mod via;

pub use framing::{frame_datagram, Frame, FramingError, Limits, StreamFramer};
pub use headers::{Reason, ReasonProtocol, UserToUser};
pub use parse::{error_response, parse, ParseError, ParsedMessage};
pub use print::{encode, reason_phrase};
pub use rsip;
pub use transport::Transport;
