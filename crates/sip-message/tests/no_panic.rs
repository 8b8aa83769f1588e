//! No input makes the message layer panic, and what it parses it can print and parse again.
use bytes::BytesMut;
use proptest::prelude::*;
use sip_message::{
    encode, error_response, frame_datagram, normalize::normalize, parse, Limits, ParseError,
    Reason, StreamFramer, UserToUser,
};

const INVITE: &str = "INVITE sip:bob@[2001:db8::1]:5060;transport=udp SIP/2.0\r\n\
v: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport, SIP/2.0/TCP [::1]:5070;branch=z9hG4bK2\r\n\
Max-Forwards: 70\r\n\
To: \"Bob \\\"B\\\"\" <sip:bob@biloxi.example.com>\r\n\
f: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
i: a84b4c76e66710@pc33.atlanta.example.com\r\n\
CSeq: 314159 INVITE\r\n\
Subject: folded\r\n  line\r\n\
m: <sip:alice@pc33.atlanta.example.com>, <tel:+15551234>\r\n\
Reason: Q.850;cause=16;text=\"Normal call clearing\"\r\n\
User-to-User: 04a1b2;encoding=hex;purpose=isdn-uui\r\n\
Content-Type: application/sdp\r\n\
l: 4\r\n\
\r\n\
v=0\n";

/// Runs every entry point on `bytes`; panics only through a failed property.
fn exercise(bytes: &[u8]) {
    let _ = normalize(bytes);
    let framed = frame_datagram(bytes, &Limits::default());
    let result = match framed {
        Ok(frame) => parse(frame),
        Err(e) => Err(ParseError::from(e)),
    };
    match result {
        Ok(parsed) => {
            let _ = Reason::all_in(sip_message::rsip::message::HasHeaders::headers(
                &parsed.message,
            ));
            let _ = UserToUser::first_in(sip_message::rsip::message::HasHeaders::headers(
                &parsed.message,
            ));
            // What was accepted prints to octets that parse again, and printing is stable.
            let printed = encode(&parsed.message);
            let reparsed = parse(&printed).unwrap_or_else(|e| {
                panic!(
                    "{e}\ninput: {:?}\nprinted: {:?}",
                    String::from_utf8_lossy(bytes),
                    String::from_utf8_lossy(&printed)
                )
            });
            assert_eq!(encode(&reparsed.message), printed);
        }
        Err(e) => {
            let _ = e.response_status();
            if let Some(response) = error_response(bytes, &e) {
                // Our error responses always frame as exactly one message.
                let frame = frame_datagram(&response, &Limits::default());
                assert_eq!(frame.map(<[u8]>::len), Ok(response.len()));
            }
        }
    }
    let _ = parse(bytes);
    for limits in [
        Limits::default(),
        Limits {
            max_head: 64,
            max_body: 8,
        },
    ] {
        let mut framer = StreamFramer::new(limits);
        let mut buf = BytesMut::from(bytes);
        while let Ok(Some(_)) = framer.decode(&mut buf) {}
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let special = prop_oneof![
        Just(b"\r\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n ".to_vec()),
        Just(b",".to_vec()),
        Just(b";".to_vec()),
        Just(b"<".to_vec()),
        Just(b">".to_vec()),
        Just(b"\"".to_vec()),
        Just(b":".to_vec()),
        Just(b" ".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"[".to_vec()),
        Just(b"]".to_vec()),
        Just(b"@".to_vec()),
        Just(b"=".to_vec()),
        Just(b"\\".to_vec()),
        Just(b"%".to_vec()),
        Just(vec![0xff]),
        Just(vec![0]),
        Just(b"\r\n\r\n".to_vec()),
        Just(b"SIP/2.0".to_vec()),
        Just(b"9999999999".to_vec()),
        proptest::collection::vec(any::<u8>(), 1..8),
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), special).prop_map(|(i, s)| Mutation::Insert(i, s)),
        (any::<usize>(), 1usize..20).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), 1usize..40).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

fn apply(base: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = base.to_vec();
    for m in mutations {
        let len = bytes.len().max(1);
        match m {
            Mutation::Flip(i, b) => {
                if let Some(x) = bytes.get_mut(i % len) {
                    *x = *b;
                }
            }
            Mutation::Insert(i, s) => {
                let at = (i % len).min(bytes.len());
                bytes.splice(at..at, s.iter().copied());
            }
            Mutation::Delete(i, n) => {
                let at = (i % len).min(bytes.len());
                let end = (at + n).min(bytes.len());
                bytes.drain(at..end);
            }
            Mutation::Duplicate(i, n) => {
                let at = (i % len).min(bytes.len());
                let end = (at + n).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                bytes.splice(end..end, copy);
            }
        }
    }
    bytes
}

#[test]
fn the_base_message_parses() {
    let parsed = parse(INVITE.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert!(parsed.message.is_request());
    exercise(INVITE.as_bytes());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        exercise(&bytes);
    }

    #[test]
    fn random_text_lines(lines in proptest::collection::vec("[ -~\t]{0,30}", 0..12)) {
        let text = format!("INVITE sip:a@b SIP/2.0\r\n{}\r\n\r\n", lines.join("\r\n"));
        exercise(text.as_bytes());
    }

    #[test]
    fn mutated_invites(mutations in proptest::collection::vec(mutation(), 1..6)) {
        exercise(&apply(INVITE.as_bytes(), &mutations));
    }
}
