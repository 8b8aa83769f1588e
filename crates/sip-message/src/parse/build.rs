//! Builds rsip's message model from normalised octets.
//!
//! rsip's own message reader is not used: it cannot read many valid Request-URIs (IPv6,
//! `sip:user;par=x@host`, the RFC 4475 `intmeth` URI, `tel:`), so one unusual URI would cost
//! the whole message. The start line is read here, strictly (RFC 3261 §7.1, §7.2: single
//! spaces, no trailing white space), URIs with [`crate::uri`], and header lines are mapped
//! to rsip's `Header` variants exactly as rsip maps them.
use rsip::headers::UntypedHeader;
use rsip::{Method, Request, Response, SipMessage, StatusCode, Version};

use super::header_map::to_header;
use super::ParseError;
use crate::framing::head::{content_length_value, merge};
use crate::uri::parse_uri_with_headers;
use crate::{scan, FramingError};

/// Builds the message from normalised octets (see [`crate::normalize`]) whose head (blank
/// line included) is `head_len` octets long.
pub(super) fn build(normalized: &[u8], head_len: usize) -> Result<SipMessage, ParseError> {
    let (head, rest) = normalized.split_at(head_len.min(normalized.len()));
    let head = std::str::from_utf8(head)
        .map_err(|_| ParseError::Syntax("head is not UTF-8".to_owned()))?;
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let start_line = lines.next().unwrap_or_default();
    let mut headers = Vec::with_capacity(16);
    let mut content_length = None;
    for line in lines.take_while(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').ok_or_else(|| {
            ParseError::Syntax(format!("header line without a colon: {line:.40}"))
        })?;
        let header = to_header(name, scan::trim_lws(value));
        if let rsip::Header::ContentLength(value) = &header {
            let value = content_length_value(value.value().as_bytes())?;
            content_length = merge(content_length, value)?;
        }
        headers.push(header);
    }
    let body = match content_length {
        Some(declared) if declared > rest.len() => {
            let available = rest.len();
            return Err(FramingError::Truncated {
                declared,
                available,
            }
            .into());
        }
        // Octets after the body are not part of this message (RFC 4475 §3.1.1.8).
        Some(declared) => &rest[..declared],
        None => rest,
    };
    let headers = rsip::Headers::from(headers);
    let body = body.to_vec();
    if let Some(rest) = strip_prefix_ignore_case(start_line, "SIP/") {
        let status_code = read_status_line(rest)?;
        Ok(SipMessage::Response(Response {
            status_code,
            version: Version::V2,
            headers,
            body,
        }))
    } else {
        let (method, uri) = read_request_line(start_line)?;
        Ok(SipMessage::Request(Request {
            method,
            uri,
            version: Version::V2,
            headers,
            body,
        }))
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Checks the `x.y` after `SIP/`: 2.0 is fine, another number is a [`ParseError::Version`]
/// (505), anything else a malformed start line.
fn check_version(after_slash: &str) -> Result<(), ParseError> {
    let (major, minor) = after_slash.split_once('.').ok_or(ParseError::StartLine)?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(major) || !digits(minor) {
        return Err(ParseError::StartLine);
    }
    if major.trim_start_matches('0') == "2" && minor.trim_start_matches('0').is_empty() {
        Ok(())
    } else {
        Err(ParseError::Version(format!("SIP/{after_slash}")))
    }
}

/// `SIP/2.0 SP 3DIGIT SP Reason-Phrase` (after `SIP/`). The reason phrase may be empty, and
/// its space is tolerated missing.
fn read_status_line(rest: &str) -> Result<StatusCode, ParseError> {
    let (version, rest) = rest.split_once(' ').ok_or(ParseError::StartLine)?;
    check_version(version)?;
    let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::StartLine);
    }
    let code: u16 = code.parse().map_err(|_| ParseError::StartLine)?;
    if !(100..=699).contains(&code) {
        return Err(ParseError::StartLine);
    }
    Ok(match StatusCode::from(code) {
        StatusCode::Other(code, _) => StatusCode::Other(code, reason.to_owned()),
        known => known,
    })
}

/// `Method SP Request-URI SP SIP-Version`, single spaces only (RFC 4475 §3.1.2.9/.10).
fn read_request_line(line: &str) -> Result<(Method, rsip::Uri), ParseError> {
    let mut parts = line.split(' ');
    let (Some(method), Some(uri), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ParseError::StartLine);
    };
    // The version first: a request in another SIP version deserves 505 whatever its URI.
    check_version(strip_prefix_ignore_case(version, "SIP/").ok_or(ParseError::StartLine)?)?;
    if !crate::normalize::is_known_method(method) {
        return Err(ParseError::StartLine);
    }
    let method: Method = method.parse().map_err(|_| ParseError::StartLine)?;
    let (uri, uri_headers) = parse_uri_with_headers(uri).map_err(|_| ParseError::StartLine)?;
    // Headers are not allowed in a SIP Request-URI (RFC 3261 §19.1.5, RFC 4475 §3.1.2.11).
    if uri_headers.is_some() {
        return Err(ParseError::StartLine);
    }
    Ok((method, uri))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(check_version("2.0"), Ok(()));
        assert_eq!(check_version("02.00"), Ok(()));
        assert_eq!(
            check_version("7.0"),
            Err(ParseError::Version("SIP/7.0".into()))
        );
        assert_eq!(
            check_version("2.1"),
            Err(ParseError::Version("SIP/2.1".into()))
        );
        assert_eq!(check_version("2.0  "), Err(ParseError::StartLine));
        assert_eq!(check_version("two"), Err(ParseError::StartLine));
        assert_eq!(check_version("2."), Err(ParseError::StartLine));
    }

    #[test]
    fn status_lines() {
        assert_eq!(read_status_line("2.0 486 Busy"), Ok(StatusCode::BusyHere));
        assert_eq!(read_status_line("2.0 100 "), Ok(StatusCode::Trying));
        assert_eq!(read_status_line("2.0 100"), Ok(StatusCode::Trying));
        assert_eq!(
            read_status_line("2.0 299 Fine"),
            Ok(StatusCode::Other(299, "Fine".into()))
        );
        for bad in [
            "2.0 4294967301 x",
            "2.0 99 x",
            "2.0 700 x",
            "2.0 2x0 x",
            "2.0",
            "3.0 200 OK",
        ] {
            assert!(read_status_line(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn request_lines() {
        assert!(read_request_line("INVITE sip:a@b SIP/2.0").is_ok());
        assert_eq!(
            read_request_line("OPTIONS sip:t.watson@example.org SIP/7.0"),
            Err(ParseError::Version("SIP/7.0".into()))
        );
        for bad in [
            "INVITE  sip:a@b  SIP/2.0",
            "INVITE sip:a@b SIP/2.0 ",
            "INVITE sip:user@example.com; lr SIP/2.0",
            "INVITE <sip:a@b> SIP/2.0",
            "INVITE sip:user@example.com?Route=%3Csip:example.com%3E SIP/2.0",
            "invite sip:a@b SIP/2.0",
            "INVITE sip:a@b",
            "",
        ] {
            assert_eq!(
                read_request_line(bad),
                Err(ParseError::StartLine),
                "{bad:?}"
            );
        }
    }
}
