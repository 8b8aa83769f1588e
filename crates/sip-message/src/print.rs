//! Message output: standard reason phrases and an always-correct Content-Length.
//!
//! rsip's `Display` cannot be used for the start line: it prints `486 BusyHere` (the enum
//! variant's name), IPv6 Request-URI hosts without brackets and non-SIP schemes as
//! `scheme://`. Its per-header `Display` (`Name: value`) is correct and is used.
use std::io::Write;

use bytes::Bytes;
use rsip::{Header, SipMessage, StatusCode};

use crate::uri::format_uri;

/// The standard reason phrase for a status code (`486` → `Busy Here`), or a generic one by
/// class for codes without one.
pub fn reason_phrase(code: u16) -> &'static str {
    specific_phrase(code).unwrap_or(match code {
        100..=199 => "Informational",
        200..=299 => "Successful",
        300..=399 => "Redirection",
        400..=499 => "Client Error",
        500..=599 => "Server Error",
        600..=699 => "Global Failure",
        _ => "Unknown",
    })
}

/// The phrases of RFC 3261 §21 and of the later RFCs that define codes.
fn specific_phrase(code: u16) -> Option<&'static str> {
    Some(match code {
        100 => "Trying",
        180 => "Ringing",
        181 => "Call Is Being Forwarded",
        182 => "Queued",
        183 => "Session Progress",
        199 => "Early Dialog Terminated",
        200 => "OK",
        202 => "Accepted",
        204 => "No Notification",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Moved Temporarily",
        305 => "Use Proxy",
        380 => "Alternative Service",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        410 => "Gone",
        412 => "Conditional Request Failed",
        413 => "Request Entity Too Large",
        414 => "Request-URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Unsupported URI Scheme",
        417 => "Unknown Resource-Priority",
        420 => "Bad Extension",
        421 => "Extension Required",
        422 => "Session Interval Too Small",
        423 => "Interval Too Brief",
        424 => "Bad Location Information",
        428 => "Use Identity Header",
        429 => "Provide Referrer Identity",
        430 => "Flow Failed",
        433 => "Anonymity Disallowed",
        436 => "Bad Identity-Info",
        437 => "Unsupported Certificate",
        438 => "Invalid Identity Header",
        439 => "First Hop Lacks Outbound Support",
        440 => "Max-Breadth Exceeded",
        469 => "Bad Info Package",
        470 => "Consent Needed",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        482 => "Loop Detected",
        483 => "Too Many Hops",
        484 => "Address Incomplete",
        485 => "Ambiguous",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        489 => "Bad Event",
        491 => "Request Pending",
        493 => "Undecipherable",
        494 => "Security Agreement Required",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Server Time-out",
        505 => "Version Not Supported",
        513 => "Message Too Large",
        555 => "Push Notification Service Not Supported",
        580 => "Precondition Failure",
        600 => "Busy Everywhere",
        603 => "Decline",
        604 => "Does Not Exist Anywhere",
        606 => "Not Acceptable",
        607 => "Unwanted",
        608 => "Rejected",
        _ => return None,
    })
}

/// The phrase [`encode`] writes for a status: an explicit phrase carried by
/// `StatusCode::Other` (other than rsip's placeholder `Other`), else [`reason_phrase`].
pub fn status_phrase(status: &StatusCode) -> &str {
    match status {
        StatusCode::Other(_, phrase) if !phrase.is_empty() && phrase != "Other" => phrase,
        status => reason_phrase(status.code()),
    }
}

/// Serialises a message: the status line uses [`reason_phrase`] (unless the response carries
/// an explicit non-default phrase via `StatusCode::Other`), any Content-Length header is
/// replaced by one matching the body, and the body follows.
///
/// CR and LF inside a header value (which would end the header early and let text injected
/// by an application become a header) are written as spaces.
pub fn encode(message: &SipMessage) -> Bytes {
    let (headers, body) = match message {
        SipMessage::Request(r) => (&r.headers, &r.body),
        SipMessage::Response(r) => (&r.headers, &r.body),
    };
    let mut out: Vec<u8> = Vec::with_capacity(512 + body.len());
    // Writing into a Vec cannot fail; the results are ignored for that reason.
    let _ = match message {
        SipMessage::Request(r) => {
            write!(out, "{} {} {}\r\n", r.method, format_uri(&r.uri), r.version)
        }
        SipMessage::Response(r) => write!(
            out,
            "{} {} {}\r\n",
            r.version,
            r.status_code.code(),
            status_phrase(&r.status_code)
        ),
    };
    for header in headers.iter() {
        if matches!(header, Header::ContentLength(_)) {
            continue;
        }
        let start = out.len();
        let _ = write!(out, "{header}");
        for b in &mut out[start..] {
            if *b == b'\r' || *b == b'\n' {
                *b = b' ';
            }
        }
        out.extend_from_slice(b"\r\n");
    }
    let _ = write!(out, "Content-Length: {}\r\n\r\n", body.len());
    out.extend_from_slice(body);
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsip::headers::*;

    #[test]
    fn phrases() {
        assert_eq!(reason_phrase(486), "Busy Here");
        assert_eq!(reason_phrase(481), "Call/Transaction Does Not Exist");
        assert_eq!(reason_phrase(607), "Unwanted");
        assert_eq!(reason_phrase(199), "Early Dialog Terminated");
        assert_eq!(reason_phrase(299), "Successful");
        assert_eq!(reason_phrase(499), "Client Error");
        assert_eq!(reason_phrase(42), "Unknown");
        for code in [
            100, 180, 181, 182, 183, 199, 200, 202, 204, 300, 301, 302, 305, 380, 400, 401, 402,
            403, 404, 405, 406, 407, 408, 410, 413, 414, 415, 416, 417, 420, 421, 422, 423, 428,
            429, 430, 433, 436, 437, 438, 439, 440, 469, 470, 480, 481, 482, 483, 484, 485, 486,
            487, 488, 491, 493, 494, 500, 501, 502, 503, 504, 505, 513, 580, 600, 603, 604, 606,
            607, 608,
        ] {
            let generic = [
                "Informational",
                "Successful",
                "Redirection",
                "Client Error",
                "Server Error",
                "Global Failure",
            ];
            assert!(
                !generic.contains(&reason_phrase(code)),
                "{code} has no specific phrase"
            );
        }
    }

    fn response(status: StatusCode, body: &[u8]) -> SipMessage {
        SipMessage::Response(rsip::Response {
            status_code: status,
            version: rsip::Version::V2,
            headers: vec![
                Header::Via(Via::new("SIP/2.0/UDP h;branch=z9hG4bK1")),
                Header::ContentLength(ContentLength::new("999")),
                Header::CallId(CallId::new("x@y")),
                Header::ContentLength(ContentLength::new("1")),
                Header::Other("Reason".into(), "Q.850;cause=16\r\nInjected: yes".into()),
            ]
            .into(),
            body: body.to_vec(),
        })
    }

    #[test]
    fn encodes_status_line_and_content_length() {
        let bytes = encode(&response(StatusCode::BusyHere, b"hello"));
        assert_eq!(
            &bytes[..],
            &b"SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCall-ID: x@y\r\n\
               Reason: Q.850;cause=16  Injected: yes\r\nContent-Length: 5\r\n\r\nhello"[..]
        );
        let bytes = encode(&response(StatusCode::Other(299, "Fine Thanks".into()), b""));
        assert!(bytes.starts_with(b"SIP/2.0 299 Fine Thanks\r\n"));
        assert!(bytes.ends_with(b"Content-Length: 0\r\n\r\n"));
        let bytes = encode(&response(StatusCode::from(499), b""));
        assert!(bytes.starts_with(b"SIP/2.0 499 Client Error\r\n"));
    }

    #[test]
    fn encodes_request_line_with_ipv6_and_tel() {
        let request = |uri: &str| {
            SipMessage::Request(rsip::Request {
                method: rsip::Method::Invite,
                uri: crate::uri::parse_uri(uri).unwrap(),
                version: rsip::Version::V2,
                headers: rsip::Headers::default(),
                body: vec![],
            })
        };
        let bytes = encode(&request("sip:bob@[2001:db8::1]:5070"));
        assert_eq!(
            &bytes[..],
            b"INVITE sip:bob@[2001:db8::1]:5070 SIP/2.0\r\nContent-Length: 0\r\n\r\n"
        );
        let bytes = encode(&request("tel:+15551234"));
        assert!(bytes.starts_with(b"INVITE tel:+15551234 SIP/2.0\r\n"));
    }
}
