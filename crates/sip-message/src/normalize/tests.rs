use super::*;

const INVITE: &str = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n\
Max-Forwards: 70\r\n\
To: Bob <sip:bob@biloxi.example.com>\r\n\
From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n\
CSeq: 314159 INVITE\r\n\
Contact: <sip:alice@pc33.atlanta.example.com>\r\n\
Content-Type: application/sdp\r\n\
Content-Length: 4\r\n\
\r\n\
v=0\n";

fn norm(text: &[u8]) -> Normalized<'_> {
    normalize(text).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(text)))
}

fn text(n: &Normalized<'_>) -> String {
    String::from_utf8_lossy(&n.bytes).into_owned()
}

/// A request with the given extra header lines (before the blank line).
fn with_headers(extra: &str) -> String {
    let (head, body) = INVITE.split_once("\r\n\r\n").unwrap_or_default();
    format!("{head}\r\n{extra}\r\n\r\n{body}")
}

fn assert_rsip_parses(bytes: &[u8]) {
    if let Err(e) = rsip::SipMessage::try_from(bytes) {
        panic!(
            "rsip rejects normalised output: {e}\n{}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn clean_message_is_borrowed() {
    let n = norm(INVITE.as_bytes());
    assert!(matches!(n.bytes, Cow::Borrowed(_)));
    assert_eq!(n.unknown_method, None);
    assert_eq!(&n.bytes[..], INVITE.as_bytes());
    assert_rsip_parses(&n.bytes);
}

#[test]
fn leading_line_ends_are_skipped_without_copying() {
    let input = format!("\r\n\r\n{INVITE}");
    let n = norm(input.as_bytes());
    assert!(matches!(n.bytes, Cow::Borrowed(_)));
    assert_eq!(&n.bytes[..], INVITE.as_bytes());
}

#[test]
fn every_compact_name_is_expanded_in_any_case() {
    for (letter, full) in COMPACT_NAMES {
        for c in [letter, letter.to_ascii_uppercase()] {
            let line = format!("{}: value-{}", char::from(c), full);
            let input = with_headers(&line);
            let n = norm(input.as_bytes());
            let out = text(&n);
            assert!(
                out.contains(&format!("\r\n{full}: value-{full}\r\n")),
                "{line} -> {out}"
            );
            assert!(matches!(n.bytes, Cow::Owned(_)));
        }
    }
    assert_eq!(expand_compact_name("v"), Some("Via"));
    assert_eq!(expand_compact_name("I"), Some("Call-ID"));
    assert_eq!(expand_compact_name("q"), None);
    assert_eq!(expand_compact_name("via"), None);
}

#[test]
fn compact_message_parses_in_rsip() {
    let input = "OPTIONS sip:user@example.com SIP/2.0\r\n\
v: SIP/2.0/UDP host;branch=z9hG4bK1\r\n\
f: <sip:a@example.com>;tag=1\r\n\
t: <sip:user@example.com>\r\n\
i: abc@host\r\n\
CSeq: 1 OPTIONS\r\n\
m: <sip:a@host>\r\n\
k: timer\r\n\
L:0\r\n\r\n";
    let n = norm(input.as_bytes());
    assert_rsip_parses(&n.bytes);
    let Ok(rsip::SipMessage::Request(request)) = rsip::SipMessage::try_from(&n.bytes[..]) else {
        panic!("not a request");
    };
    assert!(request
        .headers
        .iter()
        .any(|h| matches!(h, rsip::Header::Via(_))));
    assert!(request
        .headers
        .iter()
        .any(|h| matches!(h, rsip::Header::CallId(_))));
    assert!(request
        .headers
        .iter()
        .any(|h| matches!(h, rsip::Header::Supported(_))));
    assert!(request
        .headers
        .iter()
        .any(|h| matches!(h, rsip::Header::ContentLength(_))));
}

#[test]
fn folded_lines_are_unfolded() {
    let input = with_headers("Subject: first\r\n  second\r\n\tthird");
    let n = norm(input.as_bytes());
    assert!(
        text(&n).contains("\r\nSubject: first second third\r\n"),
        "{}",
        text(&n)
    );
    let input = with_headers("Contact:\r\n  <sip:x@y>");
    let n = norm(input.as_bytes());
    assert!(text(&n).contains("\r\nContact: <sip:x@y>\r\n"));
    assert_rsip_parses(&n.bytes);
}

#[test]
fn lf_only_heads_get_crlf_and_bodies_are_untouched() {
    let input = "MESSAGE sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nContent-Length: 7\n\nx\ny\r\nz";
    let n = norm(input.as_bytes());
    assert_eq!(
        text(&n),
        "MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nContent-Length: 7\r\n\r\nx\ny\r\nz"
    );
    assert_rsip_parses(&n.bytes);
    // A single bare LF among CRLFs is enough to take the slow path.
    let mixed = INVITE.replacen("Max-Forwards: 70\r\n", "Max-Forwards: 70\n", 1);
    assert!(matches!(norm(mixed.as_bytes()).bytes, Cow::Owned(_)));
}

#[test]
fn white_space_around_names_and_values() {
    let input = with_headers("Subject   :\t hello \t");
    let n = norm(input.as_bytes());
    assert!(text(&n).contains("\r\nSubject: hello\r\n"), "{}", text(&n));
    let input = with_headers("X-Tab:\tvalue");
    let n = norm(input.as_bytes());
    assert!(text(&n).contains("\r\nX-Tab: value\r\n"));
    // Several spaces after the colon are fine for rsip: no copy.
    let input = with_headers("X-Spaces:    value");
    let n = norm(input.as_bytes());
    assert!(matches!(n.bytes, Cow::Borrowed(_)));
}

#[test]
fn list_headers_are_split() {
    let input = with_headers(
        "Via: SIP/2.0/UDP a;branch=z9hG4bK1 , SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bK2\r\n\
             Route: <sip:p1;lr>,<sip:p2;lr>\r\n\
             record-route: <sip:r1;lr>, <sip:r2;lr>\r\n\
             Contact: \"Doe, John\" <sip:j@h;x=a,b>;q=0.5, <sip:k@h>\r\n\
             m: <sip:l@h>,<sip:m@h>",
    );
    let n = norm(input.as_bytes());
    let out = text(&n);
    for line in [
        "\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\n",
        "\r\nVia: SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bK2\r\n",
        "\r\nRoute: <sip:p1;lr>\r\nRoute: <sip:p2;lr>\r\n",
        "\r\nrecord-route: <sip:r1;lr>\r\nrecord-route: <sip:r2;lr>\r\n",
        "\r\nContact: \"Doe, John\" <sip:j@h;x=a,b>;q=0.5\r\nContact: <sip:k@h>\r\n",
        "\r\nContact: <sip:l@h>\r\nContact: <sip:m@h>\r\n",
    ] {
        assert!(out.contains(line), "{line:?} missing in {out}");
    }
    assert_rsip_parses(&n.bytes);
}

#[test]
fn lists_that_need_no_split_stay_borrowed() {
    for line in [
        "Contact: *",
        "Contact: \"Doe, John\" <sip:j@h>",
        "Route: <sip:a,b@h;lr>",
        "Accept: application/sdp, text/plain",
    ] {
        let input = with_headers(line);
        let n = norm(input.as_bytes());
        assert!(matches!(n.bytes, Cow::Borrowed(_)), "{line}");
    }
}

#[test]
fn unknown_methods_are_replaced() {
    let input = INVITE.replace("INVITE", "NEWMETHOD");
    let n = norm(input.as_bytes());
    assert_eq!(n.unknown_method.as_deref(), Some("NEWMETHOD"));
    let out = text(&n);
    assert!(
        out.starts_with("PUBLISH sip:bob@biloxi.example.com SIP/2.0\r\n"),
        "{out}"
    );
    assert!(out.contains("\r\nCSeq: 314159 PUBLISH\r\n"));
    assert_rsip_parses(&n.bytes);

    // Methods are case-sensitive: `invite` is not INVITE; its CSeq follows it.
    let input = INVITE.replace("INVITE", "invite");
    let n = norm(input.as_bytes());
    assert_eq!(n.unknown_method.as_deref(), Some("invite"));
    assert!(text(&n).contains("\r\nCSeq: 314159 PUBLISH\r\n"));

    // A CSeq naming another method is left for the parser to reject.
    let input = INVITE.replacen("INVITE sip", "NEWMETHOD sip", 1);
    let full = normalize_full(input.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert!(!full.cseq_method_replaced);
    assert!(text(&full.normalized).contains("\r\nCSeq: 314159 INVITE\r\n"));

    let input = INVITE.replace("INVITE", "!interesting-Method0123456789_*+`.%indeed'~");
    let full = normalize_full(input.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert!(full.cseq_method_replaced);
    for known in KNOWN_METHODS {
        assert!(is_known_method(known));
    }
}

#[test]
fn responses_are_never_method_checked() {
    let input = "SIP/2.0 200 OK\r\nCSeq: 1 NEWMETHOD\r\n\r\n";
    let n = norm(input.as_bytes());
    assert_eq!(n.unknown_method, None);
    assert!(matches!(n.bytes, Cow::Borrowed(_)));
}

#[test]
fn non_utf8_is_replaced_in_the_head_only() {
    let mut input = with_headers("From: \"Jos\u{e9}\" <sip:j@h>;tag=1").into_bytes();
    // Make it Latin-1: replace the two UTF-8 octets of é by 0xE9.
    let pos = input
        .windows(2)
        .position(|w| w == [0xc3, 0xa9])
        .unwrap_or(0);
    input.splice(pos..pos + 2, [0xe9]);
    input.extend_from_slice(&[0xff, 0xfe]);
    let n = norm(&input);
    assert!(text(&n).contains("From: \"Jos\u{fffd}\" <sip:j@h>;tag=1"));
    assert!(n.bytes.ends_with(&[0xff, 0xfe]), "the body is untouched");
    assert_rsip_parses(&n.bytes);
}

#[test]
fn errors() {
    let cases: [(&str, ParseError); 6] = [
        (
            "INVITE sip:a@b SIP/2.0\r\nNoColonHere\r\n\r\n",
            ParseError::Syntax(String::new()),
        ),
        (
            "INVITE sip:a@b SIP/2.0\r\nBad Name: x\r\n\r\n",
            ParseError::Syntax(String::new()),
        ),
        (
            "INVITE sip:a@b SIP/2.0\r\n continued: x\r\n\r\n",
            ParseError::Syntax(String::new()),
        ),
        (
            "INVITE sip:a@b SIP/2.0\r\nVia: x\r\n",
            ParseError::Framing(FramingError::NoHeadEnd),
        ),
        ("INV<ITE sip:a@b SIP/2.0\r\n\r\n", ParseError::StartLine),
        ("INVITE\r\n\r\n", ParseError::StartLine),
    ];
    for (input, expected) in cases {
        let error = normalize(input.as_bytes()).expect_err(input);
        assert_eq!(
            std::mem::discriminant(&error),
            std::mem::discriminant(&expected),
            "{input}"
        );
    }
}

#[test]
fn rfc4475_wsinv_normalises_to_rsip_readable_octets() {
    let wsinv = "INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0\r\n\
TO :\r\n sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n\r\n\
from   : \"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n  ;\r\n  tag = 98asjd8\r\n\
MaX-fOrWaRdS: 0068\r\n\
Call-ID: wsinv.ndaksdj@192.0.2.1\r\n\
Content-Length   : 0\r\n\
cseq: 0009\r\n  INVITE\r\n\
Via  : SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw\r\n\
s :\r\n\
v:  SIP  / 2.0  / TCP     spindle.example.com   ;\r\n  branch  =   z9hG4bK9ikj8  ,\r\n SIP  /    2.0   / UDP  192.168.255.111   ; branch=\r\n z9hG4bK30239\r\n\
m:\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =\r\n      newvalue ;\r\n  secondparam ; q = 0.33\r\n\r\n";
    let n = norm(wsinv.as_bytes());
    let out = text(&n);
    for line in [
        "\r\nTO: sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n\r\n",
        "\r\ncseq: 0009 INVITE\r\n",
        "\r\nVia: SIP  /   2.0 /UDP 192.0.2.2;branch=390skdjuw\r\n",
        "\r\nSubject: \r\n",
        "\r\nVia: SIP  / 2.0  / TCP     spindle.example.com   ; branch  =   z9hG4bK9ikj8\r\n",
        "\r\nVia: SIP  /    2.0   / UDP  192.168.255.111   ; branch= z9hG4bK30239\r\n",
        "\r\nContact: \"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam = newvalue ; secondparam ; q = 0.33\r\n",
    ] {
        assert!(out.contains(line), "{line:?} missing in\n{out}");
    }
    assert_rsip_parses(&n.bytes);
}
