use super::*;
use crate::fields::{call_id, cseq, from_tag, to_tag, CSeqValue};
use crate::via::{top_via, top_via_branch};
use crate::FramingError;
use rsip::headers::UntypedHeader;
use rsip::{Header, Host, SipMessage};

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

fn ok(text: &str) -> ParsedMessage {
    parse(text.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn err(text: &str) -> ParseError {
    match parse(text.as_bytes()) {
        Ok(m) => panic!("parsed but should not: {m:?}\n{text}"),
        Err(e) => e,
    }
}

fn request(parsed: &ParsedMessage) -> &rsip::Request {
    match &parsed.message {
        SipMessage::Request(r) => r,
        SipMessage::Response(_) => panic!("not a request"),
    }
}

fn replace_line(prefix: &str, line: &str) -> String {
    INVITE
        .split_inclusive("\r\n")
        .map(|l| match (l.starts_with(prefix), line.is_empty()) {
            (true, true) => String::new(),
            (true, false) => format!("{line}\r\n"),
            (false, _) => l.to_owned(),
        })
        .collect::<Vec<_>>()
        .concat()
}

#[test]
fn plain_invite() {
    let parsed = ok(INVITE);
    let req = request(&parsed);
    assert_eq!(req.method, rsip::Method::Invite);
    assert_eq!(req.uri.user(), Some("bob"));
    assert_eq!(req.body, b"v=0\n");
    assert_eq!(parsed.unknown_method, None);
    assert_eq!(
        top_via_branch(&req.headers).as_deref(),
        Some("z9hG4bK776asdhds")
    );
    assert_eq!(
        call_id(&req.headers),
        Some("a84b4c76e66710@pc33.atlanta.example.com")
    );
    assert_eq!(
        cseq(&req.headers),
        Some(CSeqValue {
            seq: 314159,
            method: "INVITE".into()
        })
    );
    assert_eq!(from_tag(&req.headers), Some("1928301774"));
    assert_eq!(to_tag(&req.headers), None);
}

#[test]
fn same_model_as_rsip_for_what_rsip_reads() {
    let parsed = ok(INVITE);
    let rsip_parsed = SipMessage::try_from(INVITE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.message, rsip_parsed);
}

#[test]
fn body_follows_content_length_and_trailing_octets_are_ignored() {
    let parsed = ok(&format!("{INVITE}TRAILING JUNK"));
    assert_eq!(parsed.message.body(), b"v=0\n");
    let no_cl = replace_line("Content-Length", "");
    assert_eq!(ok(&format!("{no_cl}more")).message.body(), b"v=0\nmore");
    assert_eq!(
        err(&INVITE.replace("Content-Length: 4", "Content-Length: 40")),
        ParseError::Framing(FramingError::Truncated {
            declared: 40,
            available: 4
        })
    );
    assert_eq!(
        err(&INVITE.replace("Content-Length: 4", "Content-Length: -4")),
        ParseError::Framing(FramingError::BadContentLength)
    );
}

#[test]
fn ipv6_everywhere() {
    let text = INVITE
        .replace("sip:bob@biloxi.example.com SIP", "sip:bob@[2001:db8::1]:5060;transport=udp SIP")
        .replace(
            "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds",
            "Via: SIP/2.0/UDP [2001:db8::9]:5070;branch=z9hG4bK776asdhds;received=2001:db8::9;rport=5070",
        )
        .replace("<sip:alice@pc33.atlanta.example.com>", "<sip:alice@[::1]:5062;ob>");
    let parsed = ok(&text);
    let req = request(&parsed);
    assert_eq!(
        req.uri.host(),
        &Host::IpAddr("2001:db8::1".parse().unwrap())
    );
    let via = top_via(&req.headers).unwrap();
    assert_eq!(via.host, Host::IpAddr("2001:db8::9".parse().unwrap()));
    assert_eq!(via.received(), Some("2001:db8::9".parse().unwrap()));
    assert_eq!(via.rport(), Some(Some(5070)));
    let reencoded = crate::encode(&parsed.message);
    assert!(reencoded.starts_with(b"INVITE sip:bob@[2001:db8::1]:5060;transport=udp SIP/2.0\r\n"));
    assert_eq!(parse(&reencoded).map(|p| p.message), Ok(parsed.message));
}

#[test]
fn real_world_variants_parse() {
    for (prefix, line) in [
        ("INVITE sip", "INVITE sips:bob@biloxi.example.com;transport=tls SIP/2.0"),
        ("INVITE sip", "INVITE tel:+1-212-555-0100;phone-context=example.com SIP/2.0"),
        ("INVITE sip", "INVITE sip:+15551234;npdi;rn=+15550000@gw.example.com;user=phone SIP/2.0"),
        ("INVITE sip", "INVITE sip:first.last@example.com;lr;ob SIP/2.0"),
        ("From:", "From: \"Alice \\\"Al\\\" Smith\" <sip:alice@atlanta.example.com>;tag=1928301774"),
        ("From:", "From:    Alice    Smith    <sip:alice@atlanta.example.com>  ;  tag = 19"),
        ("From:", "From: <tel:+15551234>;tag=x"),
        ("From:", "From: \"Анна\" <sip:anna@example.com>;tag=x"),
        ("To:", "To: <sip:bob@biloxi.example.com;user=phone>;tag=abc;x-param"),
        ("Via:", "Via: SIP/2.0/UDP 10.0.0.1:5060;rport;branch=z9hG4bK1;received=10.0.0.2"),
        ("Via:", "Via: SIP/2.0/TLS pbx.example.com;branch=z9hG4bK1;alias;keep"),
        ("Contact:", "Contact: <sip:alice@10.0.0.1:5060;transport=udp>;+sip.instance=\"<urn:uuid:1>\";reg-id=1"),
        ("Contact:", "Contact: sip:alice@10.0.0.1;expires=60"),
        ("Max-Forwards:", "Max-Forwards:    70"),
    ] {
        let text = replace_line(prefix, line);
        let parsed = ok(&text);
        // And what goes out comes back the same.
        let reencoded = crate::encode(&parsed.message);
        assert_eq!(parse(&reencoded).map(|p| p.message), Ok(parsed.message), "{line}");
    }
}

#[test]
fn unknown_methods() {
    let parsed = ok(&INVITE.replace("INVITE", "NEWMETHOD"));
    assert_eq!(parsed.unknown_method.as_deref(), Some("NEWMETHOD"));
    assert_eq!(
        request(&parsed).method,
        crate::normalize::UNKNOWN_METHOD_PLACEHOLDER
    );
    // The request says NEWMETHOD, the CSeq INVITE: 400, not 501 (RFC 4475 §3.1.2.18).
    assert_eq!(
        err(&INVITE.replacen("INVITE", "NEWMETHOD", 1)),
        ParseError::CSeqMethodMismatch
    );
    // A CSeq naming the placeholder itself does not match an unknown method.
    let text = INVITE
        .replacen("INVITE", "NEWMETHOD", 1)
        .replace("314159 INVITE", "314159 PUBLISH");
    assert_eq!(err(&text), ParseError::CSeqMethodMismatch);
    assert_eq!(
        err(&INVITE.replace("314159 INVITE", "314159 invite")),
        ParseError::CSeqMethodMismatch
    );
}

#[test]
fn required_headers() {
    for (prefix, name) in [
        ("Via:", "Via"),
        ("From:", "From"),
        ("To:", "To"),
        ("Call-ID:", "Call-ID"),
        ("CSeq:", "CSeq"),
    ] {
        assert_eq!(
            err(&replace_line(prefix, "")),
            ParseError::MissingHeader(name),
            "{name}"
        );
    }
    // Max-Forwards is optional (RFC 2543 peers, RFC 4475 §3.4.1).
    ok(&replace_line("Max-Forwards:", ""));
}

#[test]
fn header_checks() {
    let bad_header = |prefix: &str, line: &str| match err(&replace_line(prefix, line)) {
        ParseError::BadHeader { name, .. } => name,
        other => panic!("{line}: {other:?}"),
    };
    assert_eq!(bad_header("CSeq:", "CSeq: 2147483648 INVITE"), "CSeq");
    assert_eq!(bad_header("CSeq:", "CSeq: INVITE"), "CSeq");
    assert_eq!(
        bad_header("Max-Forwards:", "Max-Forwards: 256"),
        "Max-Forwards"
    );
    assert_eq!(
        bad_header("Max-Forwards:", "Max-Forwards: many"),
        "Max-Forwards"
    );
    assert_eq!(bad_header("Via:", "Via: SIP/2.0/UDP host;;"), "Via");
    assert_eq!(
        bad_header("From:", "From: Bell, Alexander <sip:a@b>;tag=1"),
        "From"
    );
    assert_eq!(
        bad_header("To:", "To: \"Mr. J. User <sip:j.user@example.com>"),
        "To"
    );
    assert_eq!(bad_header("Call-ID:", "Call-ID: a b"), "Call-ID");
    assert_eq!(
        bad_header("Contact:", "Contact: sip:a@b?Route=x"),
        "Contact"
    );
    assert_eq!(
        bad_header("Content-Type:", "Date: Fri, 01 Jan 2010 16:00:00 EST"),
        "Date"
    );
    assert_eq!(
        bad_header("Max-Forwards:", "Max-Forwards: 70\r\nMax-Forwards: 5"),
        "Max-Forwards"
    );
    assert_eq!(bad_header("Call-ID:", "Call-ID: a@b\r\ni: c@d"), "Call-ID");
    ok(&replace_line("Contact:", "Contact: *"));
    ok(&replace_line("Max-Forwards:", "Max-Forwards: 0"));
    ok(&replace_line("CSeq:", "CSeq: 2147483647 INVITE"));
}

#[test]
fn versions_and_start_lines() {
    assert_eq!(
        err(&INVITE.replacen("SIP/2.0", "SIP/3.0", 1)),
        ParseError::Version("SIP/3.0".into())
    );
    assert_eq!(
        err(&INVITE.replacen("INVITE sip", "INVITE  sip", 1)),
        ParseError::StartLine
    );
    assert_eq!(err("SIP/2.0 2000 OK\r\n\r\n"), ParseError::StartLine);
    assert_eq!(err("GARBAGE\r\n\r\n"), ParseError::StartLine);
    assert_eq!(
        err("SIP/1.0 200 OK\r\n\r\n"),
        ParseError::Version("SIP/1.0".into())
    );
}

#[test]
fn responses() {
    let text = "SIP/2.0 180 Ringing\r\n\
Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.1\r\n\
To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n\
From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710\r\n\
CSeq: 314159 INVITE\r\n\
Content-Length: 0\r\n\r\n";
    let parsed = ok(text);
    let SipMessage::Response(response) = &parsed.message else {
        panic!("not a response")
    };
    assert_eq!(response.status_code, rsip::StatusCode::Ringing);
    assert_eq!(to_tag(&response.headers), Some("a6c85cf"));
    let custom = ok(&text.replace("180 Ringing", "299 Very Custom"));
    let SipMessage::Response(custom) = &custom.message else {
        panic!("not a response")
    };
    assert_eq!(
        custom.status_code,
        rsip::StatusCode::Other(299, "Very Custom".into())
    );
    assert!(crate::encode(&parsed.message).starts_with(b"SIP/2.0 180 Ringing\r\n"));
}

#[test]
fn status_mapping() {
    assert_eq!(
        ParseError::Version("SIP/3.0".into()).response_status(),
        Some(505)
    );
    assert_eq!(
        ParseError::Framing(FramingError::HeadTooLarge(10)).response_status(),
        Some(513)
    );
    assert_eq!(
        ParseError::Framing(FramingError::BodyTooLarge(10)).response_status(),
        Some(413)
    );
    assert_eq!(
        ParseError::Framing(FramingError::MissingContentLength).response_status(),
        Some(400)
    );
    assert_eq!(
        ParseError::Framing(FramingError::NoHeadEnd).response_status(),
        Some(400)
    );
    assert_eq!(ParseError::MissingHeader("Via").response_status(), None);
    assert_eq!(ParseError::MissingHeader("To").response_status(), Some(400));
    assert_eq!(ParseError::CSeqMethodMismatch.response_status(), Some(400));
    assert_eq!(ParseError::StartLine.response_status(), Some(400));
    assert_eq!(ParseError::Syntax("x".into()).response_status(), Some(400));
}

#[test]
fn error_response_copies_the_routing_headers() {
    let text = "INVITE sip:bob@biloxi.example.com SIP/2.0\n\
v: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;branch=z9hG4bK2\n\
VIA: SIP/2.0/UDP c.example.com\n  ;branch=z9hG4bK3\n\
t: Bob <sip:bob@biloxi.example.com>\n\
f: Alice <sip:alice@atlanta.example.com>;tag=1928301774\n\
i: a84b4c76e66710\n\
CSeq: 99999999999 INVITE\n\
Subject: ignored\n\n";
    let error = err(text);
    let response = error_response(text.as_bytes(), &error).unwrap_or_default();
    let response = String::from_utf8_lossy(&response);
    let expected_tag = format!("sd{:016x}", crate::scan::fnv1a64(b"a84b4c76e66710"));
    assert_eq!(
        response,
        format!(
            "SIP/2.0 400 Bad Request\r\n\
Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;branch=z9hG4bK2\r\n\
Via: SIP/2.0/UDP c.example.com ;branch=z9hG4bK3\r\n\
From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
To: Bob <sip:bob@biloxi.example.com>;tag={expected_tag}\r\n\
Call-ID: a84b4c76e66710\r\n\
CSeq: 99999999999 INVITE\r\n\
Warning: 399 sipdrop \"invalid CSeq header: sequence number too large\"\r\n\
Content-Length: 0\r\n\r\n"
        )
    );
    // Deterministic: the same request gets the same answer.
    assert_eq!(
        error_response(text.as_bytes(), &error),
        error_response(text.as_bytes(), &error)
    );
}

#[test]
fn error_response_keeps_an_existing_tag_and_uses_the_right_status() {
    let text = INVITE.replacen("SIP/2.0", "SIP/7.0", 1).replace(
        "To: Bob <sip:bob@biloxi.example.com>",
        "To: <sip:b@c>;tag=x",
    );
    let error = err(&text);
    let response = error_response(text.as_bytes(), &error).unwrap_or_default();
    let response = String::from_utf8_lossy(&response);
    assert!(
        response.starts_with("SIP/2.0 505 Version Not Supported\r\n"),
        "{response}"
    );
    assert!(response.contains("\r\nTo: <sip:b@c>;tag=x\r\n"));
    assert!(response.contains("\r\nWarning: 399 sipdrop \"unsupported SIP version 'SIP/7.0'\"\r\n"));
    assert!(response.ends_with("Content-Length: 0\r\n\r\n"));
    // What we send parses.
    assert!(parse(response.as_bytes()).is_ok(), "{response}");
}

#[test]
fn error_response_refuses_what_cannot_be_answered() {
    let error = ParseError::StartLine;
    assert_eq!(
        error_response(b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h\r\n\r\n", &error),
        None
    );
    assert_eq!(
        error_response(b"INVITE sip:a@b SIP/2.0\r\nTo: x\r\n\r\n", &error),
        None
    );
    assert_eq!(
        error_response(b"\x00\x01\x02 junk\r\nVia: x\r\n\r\n", &error),
        None
    );
    assert_eq!(error_response(b"", &error), None);
    assert_eq!(
        error_response(INVITE.as_bytes(), &ParseError::MissingHeader("Via")),
        None
    );
    let some = error_response(
        b"\r\nOPTIONS  sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n\r\n",
        &error,
    );
    assert!(some.is_some());
}

#[test]
fn reason_and_uui_survive_parse_and_encode() {
    let mut parsed = ok(INVITE);
    let SipMessage::Request(req) = &mut parsed.message else {
        panic!()
    };
    req.headers.push(crate::Reason::q850(16).to_header());
    req.headers
        .push(crate::UserToUser::isdn(vec![4, 0xa1]).to_header());
    let bytes = crate::encode(&parsed.message);
    let again = parse(&bytes).unwrap_or_else(|e| panic!("{e}"));
    let headers = match &again.message {
        SipMessage::Request(r) => &r.headers,
        _ => panic!(),
    };
    assert_eq!(
        crate::Reason::all_in(headers),
        vec![crate::Reason::q850(16)]
    );
    assert_eq!(
        crate::UserToUser::first_in(headers),
        Some(crate::UserToUser::isdn(vec![4, 0xa1]))
    );
    assert!(headers
        .iter()
        .any(|h| matches!(h, Header::Other(n, _) if n == "Reason")));
    let cl = headers.iter().find_map(|h| match h {
        Header::ContentLength(c) => Some(c.value().to_owned()),
        _ => None,
    });
    assert_eq!(cl.as_deref(), Some("4"));
}
