//! Rewrites raw message octets into the form rsip 0.4 parses. API contract (pending).
//!
//! Handles: compact header names (`v i f t m l c s k e o r u`), folded header lines, space
//! before the colon, LF-only line ends, comma-joined Via/Route/Record-Route/Contact values,
//! and request methods rsip does not know (reported, replaced by a placeholder).
use std::borrow::Cow;

/// The result of normalising one framed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized<'a> {
    /// Octets rsip can parse (borrowed when nothing had to change).
    pub bytes: Cow<'a, [u8]>,
    /// The request method as received when rsip does not know it (e.g. `NEWMETHOD`).
    pub unknown_method: Option<String>,
}

/// Normalises one framed message (head and body); the body is passed through untouched.
pub fn normalize(message: &[u8]) -> Result<Normalized<'_>, crate::ParseError> {
    let _ = message;
    todo!()
}
