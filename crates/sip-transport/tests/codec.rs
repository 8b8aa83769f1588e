//! `SipCodec`: the tokio decoder over the pure stream framer.
mod common;

use bytes::BytesMut;
use sip_message::{Frame, Limits};
use sip_transport::{CodecError, SipCodec};
use tokio_util::codec::Decoder;

#[test]
fn frames_any_chunking() {
    let first = common::request("c1", "body one");
    let second = common::request("c2", "");
    let mut codec = SipCodec::new(Limits::default());
    let mut buf = BytesMut::new();
    let mut frames = Vec::new();
    // Messages one octet at a time, the hardest chunking; the ping whole, because a lone CRLF
    // is a pong and telling the two apart octet by octet is the framer's business.
    for chunk in first
        .chunks(1)
        .chain([&b"\r\n\r\n"[..]])
        .chain(second.chunks(1))
    {
        buf.extend_from_slice(chunk);
        while let Some(frame) = codec.decode(&mut buf).expect("a valid stream") {
            frames.push(frame);
        }
    }
    assert_eq!(
        frames,
        vec![
            Frame::Message(first.into()),
            Frame::KeepAlivePing,
            Frame::Message(second.into())
        ]
    );
}

#[test]
fn bad_content_length_is_an_error() {
    let mut codec = SipCodec::new(Limits::default());
    let mut buf = BytesMut::from(&b"MESSAGE sip:b SIP/2.0\r\nContent-Length: x\r\n\r\n"[..]);
    assert!(matches!(
        codec.decode(&mut buf),
        Err(CodecError::Framing(_))
    ));
}

#[test]
fn eof_inside_a_message_is_an_error_but_line_breaks_are_not() {
    let mut codec = SipCodec::new(Limits::default());
    let mut buf = BytesMut::from(&b"\r\n"[..]);
    assert!(matches!(codec.decode_eof(&mut buf), Ok(None)));
    let mut buf = BytesMut::from(&b"MESSAGE sip:b SIP/2.0\r\nContent-"[..]);
    assert!(matches!(
        codec.decode_eof(&mut buf),
        Err(CodecError::TruncatedAtEof(_))
    ));
}
