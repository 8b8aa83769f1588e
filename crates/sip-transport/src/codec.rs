//! The tokio codec for SIP over a stream: a thin [`Decoder`] over the pure
//! [`StreamFramer`], so the framing rules live (and are tested and fuzzed) in one place.
use std::io;

use bytes::BytesMut;
use sip_message::{Frame, FramingError, Limits, StreamFramer};
use tokio_util::codec::Decoder;

/// Decodes a SIP byte stream into [`Frame`]s: messages framed by Content-Length and
/// RFC 5626 keep-alive pings. An error means the stream is corrupt and must be closed.
#[derive(Debug, Default)]
pub struct SipCodec {
    framer: StreamFramer,
}

impl SipCodec {
    /// A codec applying `limits`.
    pub fn new(limits: Limits) -> Self {
        SipCodec {
            framer: StreamFramer::new(limits),
        }
    }
}

/// Why a stream could not be decoded; either way the connection closes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The peer sent octets that cannot be framed (bad or missing Content-Length, oversized
    /// head or body).
    #[error("cannot frame stream: {0}")]
    Framing(#[from] FramingError),
    /// The stream ended inside a message.
    #[error("stream ended inside a message ({0} octets pending)")]
    TruncatedAtEof(usize),
    /// Reading the socket failed.
    #[error("read failed: {0}")]
    Io(#[from] io::Error),
}

impl Decoder for SipCodec {
    type Item = Frame;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, CodecError> {
        Ok(self.framer.decode(src)?)
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, CodecError> {
        if let Some(frame) = self.decode(src)? {
            return Ok(Some(frame));
        }
        // Line breaks left at EOF are keep-alive debris (e.g. a peer's CRLF pong), not a
        // message cut short.
        if src.iter().all(|&octet| octet == b'\r' || octet == b'\n') {
            src.clear();
            Ok(None)
        } else {
            Err(CodecError::TruncatedAtEof(src.len()))
        }
    }
}
