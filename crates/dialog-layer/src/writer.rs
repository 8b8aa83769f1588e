//! Writes outgoing messages directly as octets: we are their author, so there is nothing to
//! parse, and the Content-Length and reason phrase are always right.
use bytes::{BufMut, Bytes, BytesMut};

/// Builds one outgoing message.
#[derive(Debug)]
pub struct MessageWriter {
    buf: BytesMut,
}

impl MessageWriter {
    /// Starts a request: `METHOD uri SIP/2.0`.
    pub fn request(method: &str, uri: &str) -> Self {
        let mut buf = BytesMut::with_capacity(768);
        buf.put_slice(method.as_bytes());
        buf.put_u8(b' ');
        buf.put_slice(uri.as_bytes());
        buf.put_slice(b" SIP/2.0\r\n");
        MessageWriter { buf }
    }

    /// Starts a response with the standard reason phrase.
    pub fn response(code: u16) -> Self {
        let mut buf = BytesMut::with_capacity(768);
        buf.put_slice(
            format!("SIP/2.0 {code} {}\r\n", sip_message::reason_phrase(code)).as_bytes(),
        );
        MessageWriter { buf }
    }

    /// Appends one header line.
    pub fn header(&mut self, name: &str, value: &str) -> &mut Self {
        self.buf.put_slice(name.as_bytes());
        self.buf.put_slice(b": ");
        self.buf.put_slice(value.as_bytes());
        self.buf.put_slice(b"\r\n");
        self
    }

    /// Appends every header of `extra`.
    pub fn headers(&mut self, extra: &[(String, String)]) -> &mut Self {
        for (name, value) in extra {
            self.header(name, value);
        }
        self
    }

    /// Ends the head with Content-Type (when there is a body) and Content-Length, then the body.
    pub fn finish(mut self, body: Option<&Body>) -> Bytes {
        match body {
            Some(body) => {
                self.header("Content-Type", &body.content_type);
                self.header("Content-Length", &body.bytes.len().to_string());
                self.buf.put_slice(b"\r\n");
                self.buf.put_slice(&body.bytes);
            }
            None => {
                self.buf.put_slice(b"Content-Length: 0\r\n\r\n");
            }
        }
        self.buf.freeze()
    }
}

/// A message body with its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// The Content-Type value, e.g. `application/sdp`.
    pub content_type: String,
    /// The octets.
    pub bytes: Bytes,
}
