//! Datagram framing and the stream framer: the same frames whatever the chunking.
use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use sip_message::{frame_datagram, Frame, FramingError, Limits, StreamFramer};

const OPTIONS: &str =
    "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n";
const MESSAGE: &str =
    "MESSAGE sip:a@b SIP/2.0\r\nl: 12\r\nContent-Type: text/plain\r\n\r\nhello\r\n\r\nyou";
const FOLDED: &str = "INFO sip:a@b SIP/2.0\r\ncontent-LENGTH :\r\n  3\r\n\r\nabc";
const LF_ONLY: &str = "BYE sip:a@b SIP/2.0\nContent-Length: 2\n\nhi";

/// The test stream: leading CRLFs, messages with and without bodies, pings between them.
fn stream() -> (Vec<u8>, Vec<Frame>) {
    let mut bytes = Vec::new();
    let mut frames = Vec::new();
    let message = |text: &str| Frame::Message(Bytes::copy_from_slice(text.as_bytes()));
    bytes.extend_from_slice(b"\r\n\r\n"); // a ping first of all
    frames.push(Frame::KeepAlivePing);
    bytes.extend_from_slice(b"\r\n"); // a stray CRLF before a message (RFC 3261 §7.5)
    bytes.extend_from_slice(OPTIONS.as_bytes());
    frames.push(message(OPTIONS));
    bytes.extend_from_slice(MESSAGE.as_bytes());
    frames.push(message(MESSAGE));
    bytes.extend_from_slice(b"\r\n\r\n\r\n\r\n");
    frames.extend([Frame::KeepAlivePing, Frame::KeepAlivePing]);
    bytes.extend_from_slice(FOLDED.as_bytes());
    frames.push(message(FOLDED));
    bytes.extend_from_slice(b"\r\n\r\n\r\n");
    frames.push(Frame::KeepAlivePing);
    bytes.extend_from_slice(LF_ONLY.as_bytes());
    frames.push(message(LF_ONLY));
    bytes.extend_from_slice(OPTIONS.as_bytes());
    frames.push(message(OPTIONS));
    (bytes, frames)
}

/// Feeds `bytes` cut at `cuts`, draining frames after every chunk; stops at the first error.
fn feed(bytes: &[u8], cuts: &[usize], limits: Limits) -> (Vec<Frame>, Option<FramingError>) {
    let mut framer = StreamFramer::new(limits);
    let mut buf = BytesMut::new();
    let mut frames = Vec::new();
    let mut start = 0;
    let ends = cuts.iter().copied().chain(std::iter::once(bytes.len()));
    for end in ends {
        let end = end.clamp(start, bytes.len());
        buf.extend_from_slice(&bytes[start..end]);
        start = end;
        loop {
            match framer.decode(&mut buf) {
                Ok(Some(frame)) => frames.push(frame),
                Ok(None) => break,
                Err(e) => return (frames, Some(e)),
            }
        }
    }
    (frames, None)
}

fn fixed_chunks(len: usize, size: usize) -> Vec<usize> {
    (1..).map(|i| i * size).take_while(|&c| c < len).collect()
}

#[test]
fn every_chunk_size_gives_the_same_frames() {
    let (bytes, expected) = stream();
    for size in 1..=bytes.len() {
        let (frames, error) = feed(&bytes, &fixed_chunks(bytes.len(), size), Limits::default());
        assert_eq!(error, None, "chunk size {size}");
        assert_eq!(frames, expected, "chunk size {size}");
    }
}

#[test]
fn incomplete_input_waits() {
    let (bytes, _) = stream();
    let mut framer = StreamFramer::default();
    let mut buf = BytesMut::from(&b"\r\n\r"[..]);
    assert_eq!(framer.decode(&mut buf), Ok(None));
    let mut buf = BytesMut::from(&bytes[4..40]);
    assert_eq!(framer.decode(&mut buf), Ok(None));
    // Nothing was consumed but the stray CRLF.
    assert_eq!(&buf[..], &bytes[6..40]);
}

#[test]
fn stream_errors_are_the_same_whatever_the_chunking() {
    let small = Limits {
        max_head: 100,
        max_body: 8,
    };
    let cases: [(&str, Limits, FramingError); 5] = [
        ("OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n", Limits::default(), FramingError::MissingContentLength),
        ("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: x1\r\n\r\n", Limits::default(), FramingError::BadContentLength),
        ("OPTIONS sip:a@b SIP/2.0\r\nl: 13\r\nl: 5\r\n\r\n0123456789abc", Limits::default(), FramingError::BadContentLength),
        ("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 9\r\n\r\n123456789", small, FramingError::BodyTooLarge(9)),
        ("OPTIONS sip:a@b SIP/2.0\r\nX-Long: 0123456789012345678901234567890123456789012345678901234567890123456789\r\nl: 0\r\n\r\n", small, FramingError::HeadTooLarge(100)),
    ];
    for (text, limits, expected) in cases {
        // A good message first, so the error comes mid-stream.
        let bytes = [OPTIONS.as_bytes(), text.as_bytes()].concat();
        for size in 1..=bytes.len() {
            let (frames, error) = feed(&bytes, &fixed_chunks(bytes.len(), size), limits);
            assert_eq!(frames.len(), 1, "{text:?} size {size}");
            assert_eq!(error.as_ref(), Some(&expected), "{text:?} size {size}");
        }
    }
}

#[test]
fn a_head_at_exactly_the_limit_is_accepted() {
    let limits = Limits {
        max_head: OPTIONS.len(),
        max_body: 0,
    };
    let (frames, error) = feed(OPTIONS.as_bytes(), &fixed_chunks(OPTIONS.len(), 1), limits);
    assert_eq!(error, None);
    assert_eq!(frames.len(), 1);
    let limits = Limits {
        max_head: OPTIONS.len() - 1,
        max_body: 0,
    };
    let (_, error) = feed(OPTIONS.as_bytes(), &[], limits);
    assert_eq!(error, Some(FramingError::HeadTooLarge(OPTIONS.len() - 1)));
}

#[test]
fn a_large_head_trickling_in_byte_by_byte() {
    // 16 KiB of headers one octet at a time: the framer resumes its search, so this is
    // linear; rescanning from the start each time would be quadratic.
    let mut text = String::from("OPTIONS sip:a@b SIP/2.0\r\n");
    while text.len() < 16 * 1024 - 100 {
        text.push_str("X-Filler: 0123456789012345678901234567890123456789\r\n");
    }
    text.push_str("Content-Length: 0\r\n\r\n");
    let (frames, error) = feed(
        text.as_bytes(),
        &fixed_chunks(text.len(), 1),
        Limits::default(),
    );
    assert_eq!(error, None);
    assert_eq!(frames, vec![Frame::Message(Bytes::from(text))]);
}

proptest! {
    #[test]
    fn random_chunkings_give_the_same_frames(mut cuts in proptest::collection::vec(0usize..600, 0..40)) {
        let (bytes, expected) = stream();
        cuts.sort_unstable();
        let (frames, error) = feed(&bytes, &cuts, Limits::default());
        prop_assert_eq!(error, None);
        prop_assert_eq!(frames, expected);
    }
}

#[test]
fn datagrams() {
    let limits = Limits::default();
    let frame = |d: &'static [u8]| frame_datagram(d, &limits);
    // Trailing octets after the body are not part of the message (RFC 4475 dblreq).
    let with_trailer = [MESSAGE.as_bytes(), b"INVITE sip:x SIP/2.0\r\n"].concat();
    assert_eq!(
        frame_datagram(&with_trailer, &limits),
        Ok(MESSAGE.as_bytes())
    );
    // Without Content-Length the body is the rest of the datagram.
    assert_eq!(
        frame(b"OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\nbody\r\n"),
        Ok(&b"OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\nbody\r\n"[..])
    );
    assert_eq!(
        frame(b"\r\n\r\nBYE sip:a@b SIP/2.0\r\nl:0\r\n\r\n"),
        Ok(&b"BYE sip:a@b SIP/2.0\r\nl:0\r\n\r\n"[..])
    );
    assert_eq!(frame(LF_ONLY.as_bytes()), Ok(LF_ONLY.as_bytes()));
    assert_eq!(frame(FOLDED.as_bytes()), Ok(FOLDED.as_bytes()));
    assert_eq!(
        frame(b"INVITE sip:a@b SIP/2.0\r\nContent-Length: 9999\r\n\r\nabc"),
        Err(FramingError::Truncated {
            declared: 9999,
            available: 3
        })
    );
    assert_eq!(
        frame(b"INVITE sip:a@b SIP/2.0\r\nContent-Length: -999\r\n\r\n"),
        Err(FramingError::BadContentLength)
    );
    assert_eq!(
        frame(b"INVITE sip:a@b SIP/2.0\r\nContent-Length: 1e3\r\n\r\n"),
        Err(FramingError::BadContentLength)
    );
    assert_eq!(
        frame(b"INVITE sip:a@b SIP/2.0\r\nVia: x\r\n"),
        Err(FramingError::NoHeadEnd)
    );
    assert_eq!(frame(b"\r\n\r\n"), Err(FramingError::NoHeadEnd));
    assert_eq!(frame(b""), Err(FramingError::NoHeadEnd));
    let small = Limits {
        max_head: 30,
        max_body: 2,
    };
    assert_eq!(
        frame_datagram(b"INVITE sip:a@b SIP/2.0\r\nVia: x\r\n\r\n", &small),
        Err(FramingError::HeadTooLarge(30))
    );
    assert_eq!(
        frame_datagram(&[b'x'; 31], &small),
        Err(FramingError::HeadTooLarge(30))
    );
    assert_eq!(
        frame_datagram(b"BYE x SIP/2.0\r\nl: 3\r\n\r\nabc", &small),
        Err(FramingError::BodyTooLarge(3))
    );
    assert_eq!(
        frame_datagram(b"BYE x SIP/2.0\r\n\r\nabc", &small),
        Err(FramingError::BodyTooLarge(3))
    );
    assert_eq!(
        frame(b"BYE x SIP/2.0\r\nl: 36893488147419103232\r\n\r\n"),
        Err(FramingError::BodyTooLarge(usize::MAX))
    );
}
