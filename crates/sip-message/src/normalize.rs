//! Rewrites raw message octets into the form rsip 0.4 parses.
//!
//! rsip's message reader wants `Name: value` lines ended by CRLF, full header names, one
//! value per list header, a method it knows and valid UTF-8. The normaliser rewrites, in the
//! head only (the body is passed through untouched):
//! - compact header names (`v i f t m l c s k e o r u`, and `a b d j n x y`) to full names;
//! - folded lines (continuations starting with SP/HTAB) into one line, the fold becoming one SP;
//! - white space before the colon, and around the value;
//! - LF-only (and mixed) line ends to CRLF;
//! - comma-joined Via, Route, Record-Route and Contact values into one header line each
//!   (commas inside quoted strings and `<...>` do not split; `Contact: *` stays);
//! - a request method rsip does not know, or knows only case-insensitively (`invite` is not
//!   INVITE: methods are case-sensitive, RFC 3261 §7.1): reported in
//!   [`Normalized::unknown_method`] and replaced by [`UNKNOWN_METHOD_PLACEHOLDER`], in the CSeq
//!   as well when the CSeq names the same method;
//! - octets that are not UTF-8 (e.g. a Latin-1 display name) to U+FFFD: rsip holds header
//!   values as `String` and would reject the whole message.
//!
//! Header names are otherwise left as received: rsip matches them case-insensitively, and
//! unknown headers keep their spelling in `Header::Other`.
//!
//! A message that needs none of this is returned borrowed, after one pass over the head.
//!
//! What the normaliser does not fix, because rsip's message reader cannot hold it: a
//! Request-URI rsip cannot read (IPv6 hosts, users with `.` or `;`, `tel:`, unknown
//! `transport=`, other schemes). [`crate::parse()`] therefore reads the start line itself and
//! uses rsip only as the model; see [`crate::uri`].
use std::borrow::Cow;

use crate::framing::head::{find_head_end, leading_line_ends, lines};
use crate::scan;
use crate::{FramingError, ParseError};

/// The result of normalising one framed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized<'a> {
    /// Octets rsip can parse (borrowed when nothing had to change).
    pub bytes: Cow<'a, [u8]>,
    /// The request method as received when rsip does not know it (e.g. `NEWMETHOD`).
    pub unknown_method: Option<String>,
}

/// The method written in place of one rsip does not know. PUBLISH is chosen because a UA that
/// forgets to look at `unknown_method` still answers it sensibly (405 or 501, as RFC 3261
/// §8.2.1 wants for an unknown method), which no other placeholder guarantees.
pub const UNKNOWN_METHOD_PLACEHOLDER: rsip::Method = rsip::Method::Publish;

/// The methods rsip 0.4 knows, spelled as RFC 3261 requires (case-sensitive).
const KNOWN_METHODS: [&str; 14] = [
    "ACK",
    "BYE",
    "CANCEL",
    "INFO",
    "INVITE",
    "MESSAGE",
    "NOTIFY",
    "OPTIONS",
    "PRACK",
    "PUBLISH",
    "REFER",
    "REGISTER",
    "SUBSCRIBE",
    "UPDATE",
];

/// Compact header names (RFC 3261 §7.3.3 and the IANA SIP header registry).
const COMPACT_NAMES: [(u8, &str); 20] = [
    (b'a', "Accept-Contact"),
    (b'b', "Referred-By"),
    (b'c', "Content-Type"),
    (b'd', "Request-Disposition"),
    (b'e', "Content-Encoding"),
    (b'f', "From"),
    (b'i', "Call-ID"),
    (b'j', "Reject-Contact"),
    (b'k', "Supported"),
    (b'l', "Content-Length"),
    (b'm', "Contact"),
    (b'n', "Identity-Info"),
    (b'o', "Event"),
    (b'r', "Refer-To"),
    (b's', "Subject"),
    (b't', "To"),
    (b'u', "Allow-Events"),
    (b'v', "Via"),
    (b'x', "Session-Expires"),
    (b'y', "Identity"),
];

/// Headers whose comma-joined values are split into one line each.
const LIST_HEADERS: [&str; 4] = ["Via", "Route", "Record-Route", "Contact"];

/// The full name for a compact header name (`"v"` → `"Via"`), in any case.
pub fn expand_compact_name(name: &str) -> Option<&'static str> {
    match name.as_bytes() {
        [c] => {
            let c = c.to_ascii_lowercase();
            COMPACT_NAMES
                .iter()
                .find(|(k, _)| *k == c)
                .map(|(_, full)| *full)
        }
        _ => None,
    }
}

/// True when `method` is spelled exactly like one of the methods rsip knows.
pub fn is_known_method(method: &str) -> bool {
    KNOWN_METHODS.contains(&method)
}

fn is_list_header(name: &str) -> bool {
    LIST_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
        || name.eq_ignore_ascii_case("v")
        || name.eq_ignore_ascii_case("m")
}

/// Normalises one framed message (head and body); the body is passed through untouched.
pub fn normalize(message: &[u8]) -> Result<Normalized<'_>, crate::ParseError> {
    normalize_full(message).map(|n| n.normalized)
}

/// [`normalize`] plus what the parser needs to validate the original CSeq.
pub(crate) struct NormalizedFull<'a> {
    pub(crate) normalized: Normalized<'a>,
    /// The CSeq named the unknown method and now names the placeholder.
    pub(crate) cseq_method_replaced: bool,
    /// The length of the normalised head, blank line included (so the parser need not
    /// search for it again).
    pub(crate) head_len: usize,
}

pub(crate) fn normalize_full(message: &[u8]) -> Result<NormalizedFull<'_>, ParseError> {
    let message = &message[leading_line_ends(message)..];
    let head_len = find_head_end(message, 0).ok_or(FramingError::NoHeadEnd)?;
    let (head, body) = message.split_at(head_len);
    let unknown_method = unknown_method(head)?;
    if unknown_method.is_none() && !needs_rewrite(head) {
        return Ok(NormalizedFull {
            normalized: Normalized {
                bytes: Cow::Borrowed(message),
                unknown_method,
            },
            cseq_method_replaced: false,
            head_len,
        });
    }
    let mut out = Vec::with_capacity(message.len() + 64);
    let cseq_method_replaced = rewrite_head(head, unknown_method.as_deref(), &mut out)?;
    let head_len = out.len();
    out.extend_from_slice(body);
    Ok(NormalizedFull {
        normalized: Normalized {
            bytes: Cow::Owned(out),
            unknown_method,
        },
        cseq_method_replaced,
        head_len,
    })
}

/// The method of a request start line when rsip does not know it; `None` for known methods
/// and for responses. Fails when the start line does not begin with a token and a space.
fn unknown_method(head: &[u8]) -> Result<Option<String>, ParseError> {
    let line_end = head
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
        .unwrap_or(head.len());
    let line = &head[..line_end];
    if line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"SIP/") {
        return Ok(None);
    }
    let space = line
        .iter()
        .position(|&b| b == b' ')
        .ok_or(ParseError::StartLine)?;
    let method = std::str::from_utf8(&line[..space]).map_err(|_| ParseError::StartLine)?;
    if !scan::is_token(method) {
        return Err(ParseError::StartLine);
    }
    Ok((!is_known_method(method)).then(|| method.to_owned()))
}

/// One pass over the head: true when anything in it needs rewriting.
fn needs_rewrite(head: &[u8]) -> bool {
    if !head.is_ascii() && std::str::from_utf8(head).is_err() {
        return true;
    }
    // Every line, the blank one included, must end in CRLF. `head` ends with the LF of the
    // blank line, so the last piece `lines` yields is the empty rest after it.
    let mut lines = lines(head);
    let mut is_start_line = true;
    while let Some(piece) = lines.next() {
        let Some(line) = piece.strip_suffix(b"\r") else {
            return !piece.is_empty() || lines.next().is_some();
        };
        if !std::mem::take(&mut is_start_line)
            && !line.is_empty()
            && header_line_needs_rewrite(line)
        {
            return true;
        }
    }
    false
}

fn header_line_needs_rewrite(line: &[u8]) -> bool {
    if line.first().is_some_and(|&b| scan::is_ws(b)) || line.contains(&b'\r') {
        return true; // a continuation to unfold, or a stray CR
    }
    let Some(colon) = scan::find_byte(line, b':') else {
        return true; // malformed: let the slow path report it
    };
    let name = &line[..colon];
    let value = &line[colon + 1..];
    let name_str = std::str::from_utf8(name).unwrap_or("");
    if !scan::is_token(name_str) || expand_compact_name(name_str).is_some() {
        return true;
    }
    // rsip skips spaces after the colon, but not tabs, and keeps trailing white space.
    let value = value
        .iter()
        .position(|&b| b != b' ')
        .map_or(&value[..0], |p| &value[p..]);
    if value.first() == Some(&b'\t') || value.last().is_some_and(|&b| scan::is_ws(b)) {
        return true;
    }
    is_list_header(name_str) && scan::has_top_level_comma(value)
}

/// Writes the normalised head into `out`; returns whether the CSeq method was replaced.
fn rewrite_head(head: &[u8], unknown: Option<&str>, out: &mut Vec<u8>) -> Result<bool, ParseError> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let start_line = lines.next().unwrap_or_default();
    match unknown {
        Some(method) => {
            out.extend_from_slice(UNKNOWN_METHOD_PLACEHOLDER.to_string().as_bytes());
            out.extend_from_slice(
                start_line
                    .get(method.len()..)
                    .unwrap_or_default()
                    .as_bytes(),
            );
        }
        None => out.extend_from_slice(start_line.as_bytes()),
    }
    out.extend_from_slice(b"\r\n");

    let mut cseq_replaced = false;
    let mut current: Option<String> = None;
    for line in lines {
        if line.is_empty() {
            break; // the blank line ending the head
        }
        if line.starts_with([' ', '\t']) {
            let header = current.as_mut().ok_or_else(|| {
                ParseError::Syntax("continuation line without a header".to_owned())
            })?;
            header.push(' ');
            header.push_str(scan::trim_lws(line));
            continue;
        }
        if let Some(header) = current.replace(line.to_owned()) {
            cseq_replaced |= write_header(&header, unknown, out)?;
        }
    }
    if let Some(header) = current {
        cseq_replaced |= write_header(&header, unknown, out)?;
    }
    out.extend_from_slice(b"\r\n");
    Ok(cseq_replaced)
}

/// Writes one unfolded header as normalised lines; returns whether its CSeq method was
/// replaced by the placeholder.
fn write_header(line: &str, unknown: Option<&str>, out: &mut Vec<u8>) -> Result<bool, ParseError> {
    let (name, value) = line
        .split_once(':')
        .ok_or_else(|| ParseError::Syntax(format!("header line without a colon: {:.40}", line)))?;
    let name = scan::trim_lws(name);
    if !scan::is_token(name) {
        return Err(ParseError::Syntax(format!(
            "invalid header name {:.40}",
            name
        )));
    }
    let name = expand_compact_name(name).unwrap_or(name);
    let value = scan::trim_lws(value);
    if is_list_header(name) && value.contains(',') {
        let elements = scan::split_list(value);
        if elements.is_empty() {
            push_line(out, name, "");
        }
        for element in elements {
            push_line(out, name, element);
        }
        return Ok(false);
    }
    if let (Some(method), true) = (unknown, name.eq_ignore_ascii_case("CSeq")) {
        if let Some((seq, cseq_method)) = value.split_once([' ', '\t']) {
            if scan::trim_lws(cseq_method) == method {
                let value = format!("{} {}", seq, UNKNOWN_METHOD_PLACEHOLDER);
                push_line(out, name, &value);
                return Ok(true);
            }
        }
    }
    push_line(out, name, value);
    Ok(false)
}

fn push_line(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests;
