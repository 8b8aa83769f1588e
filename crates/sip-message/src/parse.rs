//! From framed octets to a message, and from a failure to the response.
//!
//! [`parse`] normalises (see [`crate::normalize`]), builds rsip's model (the start line and
//! URIs with this crate's readers, see `build`), then checks what every message needs.
//! [`ParseError::response_status`] is the one place where a failure becomes a status code.
use bytes::Bytes;

mod build;
mod error_response;
mod header_map;
mod validate;

/// A parsed message: rsip's model plus what rsip cannot express.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedMessage {
    /// The message. For a request whose method rsip does not know, the method field holds a
    /// placeholder and [`ParsedMessage::unknown_method`] the real name.
    pub message: rsip::SipMessage,
    /// The real method name of a request with a method rsip does not know.
    pub unknown_method: Option<String>,
}

/// Why a message could not be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// Framing failed (bad or missing Content-Length, oversized, no end of headers).
    #[error(transparent)]
    Framing(#[from] crate::FramingError),
    /// The start line is not a SIP request or status line.
    #[error("malformed start line")]
    StartLine,
    /// The SIP version is not `SIP/2.0`.
    #[error("unsupported SIP version {0:?}")]
    Version(String),
    /// A header required of every request or response is missing (RFC 3261 §8.1.1).
    #[error("missing {0} header")]
    MissingHeader(&'static str),
    /// A header is present but unreadable or out of range (e.g. CSeq above 2^31-1).
    #[error("invalid {name} header: {detail}")]
    BadHeader {
        /// The header name.
        name: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// The CSeq method differs from the request method.
    #[error("CSeq method does not match the request method")]
    CSeqMethodMismatch,
    /// rsip rejected the message for a reason not classified above.
    #[error("unparsable message: {0}")]
    Syntax(String),
}

impl ParseError {
    /// The status of the response this failure deserves when it is a request (400, 505, 413,
    /// 513), or `None` when nothing can be answered.
    ///
    /// 505 for another SIP version, 513 for an oversized head, 413 for an oversized body, none
    /// when the request has no Via (a response could not be routed), 400 for everything else,
    /// framing errors included (on a stream those also close the connection).
    pub fn response_status(&self) -> Option<u16> {
        match self {
            ParseError::Version(_) => Some(505),
            ParseError::Framing(crate::FramingError::HeadTooLarge(_)) => Some(513),
            ParseError::Framing(crate::FramingError::BodyTooLarge(_)) => Some(413),
            ParseError::MissingHeader("Via") => None,
            _ => Some(400),
        }
    }
}

/// Parses one framed message (see [`crate::frame_datagram`] / [`crate::StreamFramer`]).
/// Validates what every message needs: Via, From, To, Call-ID, CSeq (number at most 2^31-1,
/// method equal to the request's), Max-Forwards in range when present.
///
/// The body is the Content-Length octets after the head (the rest when there is no
/// Content-Length), so an unframed datagram parses the same as its frame.
pub fn parse(message: &[u8]) -> Result<ParsedMessage, ParseError> {
    let full = crate::normalize::normalize_full(message)?;
    let unknown_method = full.normalized.unknown_method;
    let message = build::build(&full.normalized.bytes, full.head_len)?;
    let method = validate::MethodInfo {
        unknown: unknown_method.as_deref(),
        cseq_method_replaced: full.cseq_method_replaced,
    };
    validate::validate(&message, &method)?;
    Ok(ParsedMessage {
        message,
        unknown_method,
    })
}

/// The response for a request that failed to parse, built from its raw header lines
/// (Via, From, To, Call-ID, CSeq copied leniently). `None` when the octets are a response,
/// are not a request at all, or lack what a response needs to be routed (Via).
///
/// The response has the status of [`ParseError::response_status`] with its standard phrase,
/// every Via line, From, To (with a tag derived from the Call-ID when it has none, the same
/// for every retransmission), Call-ID, CSeq, a `Warning: 399 sipdrop "..."` explaining the
/// failure, and `Content-Length: 0`.
pub fn error_response(raw: &[u8], error: &ParseError) -> Option<Bytes> {
    error_response::error_response(raw, error)
}

#[cfg(test)]
mod tests;
