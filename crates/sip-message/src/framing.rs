//! Message framing: one datagram is one message; a TCP stream is framed by Content-Length.
// API contract (implementation pending).
use bytes::{Bytes, BytesMut};

/// Size limits applied while framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted start line plus headers, including the blank line.
    pub max_head: usize,
    /// Largest accepted body.
    pub max_body: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_head: 16 * 1024, max_body: 64 * 1024 }
    }
}

/// Why bytes could not be framed into a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FramingError {
    /// The head (start line and headers) exceeded [`Limits::max_head`].
    #[error("message head larger than {0} octets")]
    HeadTooLarge(usize),
    /// The Content-Length exceeded [`Limits::max_body`].
    #[error("body of {0} octets is larger than allowed")]
    BodyTooLarge(usize),
    /// Content-Length is not a valid number.
    #[error("invalid Content-Length")]
    BadContentLength,
    /// A stream message has no Content-Length (RFC 3261 §18.3 requires it).
    #[error("missing Content-Length on a stream transport")]
    MissingContentLength,
    /// Content-Length claims more octets than the datagram holds.
    #[error("Content-Length {declared} larger than the {available} octets received")]
    Truncated {
        /// The Content-Length value.
        declared: usize,
        /// Octets present after the head.
        available: usize,
    },
    /// No blank line ends the head.
    #[error("no end of headers")]
    NoHeadEnd,
}

/// One item framed from a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A complete message, head and body, exactly as received.
    Message(Bytes),
    /// A CRLFCRLF keep-alive ping (RFC 5626 §3.5.1); the answer is a single CRLF pong.
    KeepAlivePing,
}

/// Frames one UDP datagram: returns the message octets (head plus Content-Length octets of
/// body; trailing octets are ignored). Without Content-Length the body is the rest.
pub fn frame_datagram<'a>(datagram: &'a [u8], limits: &Limits) -> Result<&'a [u8], FramingError> {
    let _ = (datagram, limits);
    todo!("frame_datagram")
}

/// An incremental framer for a stream transport, fed any chunking of the bytes.
#[derive(Debug, Default)]
pub struct StreamFramer {
    limits: Limits,
}

impl StreamFramer {
    /// A framer with the given limits.
    pub fn new(limits: Limits) -> Self {
        StreamFramer { limits }
    }

    /// Takes the next frame off the front of `buf`, `Ok(None)` when more bytes are needed.
    /// An `Err` means the stream is corrupt and the connection must close.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Frame>, FramingError> {
        let _ = (buf, self.limits);
        todo!("StreamFramer::decode")
    }
}
