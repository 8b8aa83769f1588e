//! Message framing: one datagram is one message; a TCP stream is framed by Content-Length.
//!
//! Framing looks only at line ends and Content-Length; everything else is the parser's job,
//! so that a bad header with a good Content-Length is one frame (answered 400) and never
//! desynchronises a stream.
use bytes::{Bytes, BytesMut};

pub(crate) mod head;

use head::{content_length, find_head_end, leading_line_ends, resume_point};

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
        Limits {
            max_head: 16 * 1024,
            max_body: 64 * 1024,
        }
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
///
/// Leading CR/LF octets are skipped (RFC 3261 §7.5). The head ends at the first empty line
/// (CRLF CRLF, or LF LF for LF-only senders). Trailing octets after the body are ignored, as
/// RFC 4475 §3.1.1.8 requires.
pub fn frame_datagram<'a>(datagram: &'a [u8], limits: &Limits) -> Result<&'a [u8], FramingError> {
    let message = &datagram[leading_line_ends(datagram)..];
    let head_len = match find_head_end(message, 0) {
        Some(end) if end > limits.max_head => {
            return Err(FramingError::HeadTooLarge(limits.max_head))
        }
        Some(end) => end,
        None if message.len() > limits.max_head => {
            return Err(FramingError::HeadTooLarge(limits.max_head))
        }
        None => return Err(FramingError::NoHeadEnd),
    };
    let available = message.len() - head_len;
    match content_length(&message[..head_len])? {
        Some(declared) if declared > limits.max_body => Err(FramingError::BodyTooLarge(declared)),
        Some(declared) if declared > available => Err(FramingError::Truncated {
            declared,
            available,
        }),
        Some(declared) => Ok(&message[..head_len + declared]),
        None if available > limits.max_body => Err(FramingError::BodyTooLarge(available)),
        None => Ok(message),
    }
}

/// An incremental framer for a stream transport, fed any chunking of the bytes.
///
/// Between messages, a CRLF CRLF is a keep-alive ping (RFC 5626 §3.5.1) and any other CR/LF
/// is skipped (RFC 3261 §7.5). The framer remembers how far it has searched for the end of the
/// head, so a message trickling in byte by byte is scanned once, not once per byte.
#[derive(Debug, Default)]
pub struct StreamFramer {
    limits: Limits,
    /// Octets at the front of the buffer already searched for the end of the head.
    scanned: usize,
    /// The full length of the message in progress, once its head is complete.
    message_len: Option<usize>,
}

impl StreamFramer {
    /// A framer with the given limits.
    pub fn new(limits: Limits) -> Self {
        StreamFramer {
            limits,
            scanned: 0,
            message_len: None,
        }
    }

    /// Takes the next frame off the front of `buf`, `Ok(None)` when more bytes are needed.
    /// An `Err` means the stream is corrupt and the connection must close.
    ///
    /// The result depends only on the octets, never on how they were split across calls.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Frame>, FramingError> {
        if self.message_len.is_none() && self.scanned == 0 {
            match self.skip_between_messages(buf) {
                Between::Ping => return Ok(Some(Frame::KeepAlivePing)),
                Between::NeedMore => return Ok(None),
                Between::MessageStarts => {}
            }
        }
        let message_len = match self.message_len {
            Some(len) => len,
            None => match self.complete_head(buf)? {
                Some(len) => len,
                None => return Ok(None),
            },
        };
        if buf.len() < message_len {
            buf.reserve(message_len - buf.len());
            return Ok(None);
        }
        self.message_len = None;
        self.scanned = 0;
        Ok(Some(Frame::Message(buf.split_to(message_len).freeze())))
    }

    /// Consumes the CR/LF octets in front of a message; reports a ping (CRLF CRLF) or that more
    /// octets are needed to tell which it is.
    fn skip_between_messages(&mut self, buf: &mut BytesMut) -> Between {
        loop {
            match &buf[..] {
                [b'\r', b'\n', b'\r', b'\n', ..] => {
                    let _ = buf.split_to(4);
                    return Between::Ping;
                }
                // Possibly the start of a ping: wait for the octets that decide.
                [b'\r'] | [b'\r', b'\n'] | [b'\r', b'\n', b'\r'] => return Between::NeedMore,
                [b'\r', b'\n', ..] => {
                    let _ = buf.split_to(2);
                }
                [b'\r' | b'\n', ..] => {
                    let _ = buf.split_to(1);
                }
                [] => return Between::NeedMore,
                _ => return Between::MessageStarts,
            }
        }
    }

    /// Searches on for the end of the head; once found, reads Content-Length and returns the
    /// length of the whole message.
    fn complete_head(&mut self, buf: &BytesMut) -> Result<Option<usize>, FramingError> {
        let Some(head_len) = find_head_end(buf, self.scanned) else {
            // Any end still to come would lie beyond the limit.
            if buf.len() >= self.limits.max_head {
                return Err(FramingError::HeadTooLarge(self.limits.max_head));
            }
            self.scanned = resume_point(buf.len());
            return Ok(None);
        };
        if head_len > self.limits.max_head {
            return Err(FramingError::HeadTooLarge(self.limits.max_head));
        }
        let body_len = match content_length(&buf[..head_len])? {
            Some(len) if len > self.limits.max_body => return Err(FramingError::BodyTooLarge(len)),
            Some(len) => len,
            None => return Err(FramingError::MissingContentLength),
        };
        let message_len = head_len + body_len;
        self.message_len = Some(message_len);
        self.scanned = head_len;
        Ok(Some(message_len))
    }
}

/// What precedes the next message on a stream.
enum Between {
    /// A CRLF CRLF keep-alive was consumed.
    Ping,
    /// Only CR/LF octets so far (all consumed, or kept until they can be classified).
    NeedMore,
    /// The buffer starts with a message.
    MessageStarts,
}
