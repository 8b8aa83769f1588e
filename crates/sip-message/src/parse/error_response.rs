//! The response to a request that could not be parsed, built from its raw octets.
//!
//! The parse failed, so nothing here trusts rsip: header lines are found leniently (compact
//! names, any case, folded lines, LF-only line ends, non-UTF-8 octets) and copied verbatim.
use bytes::Bytes;

use super::ParseError;
use crate::framing::head::{find_head_end, leading_line_ends};
use crate::name_addr::tag_of;
use crate::normalize::expand_compact_name;
use crate::print::reason_phrase;
use crate::scan;

/// The longest explanation put in the Warning header.
const MAX_WARNING_TEXT: usize = 120;

pub(super) fn error_response(raw: &[u8], error: &ParseError) -> Option<Bytes> {
    let status = error.response_status()?;
    let raw = &raw[leading_line_ends(raw)..];
    // Only the head matters; without a blank line, take everything.
    let head = &raw[..find_head_end(raw, 0).unwrap_or(raw.len())];
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    if !is_request_line(lines.next()?) {
        return None;
    }
    let headers = unfold(lines);
    let find = |wanted: &str| {
        headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
            .map(|(_, v)| v.as_str())
    };
    let vias: Vec<&str> = headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("Via"))
        .map(|(_, v)| v.as_str())
        .collect();
    if vias.is_empty() {
        return None;
    }

    let mut out = String::with_capacity(512);
    out.push_str(&format!("SIP/2.0 {status} {}\r\n", reason_phrase(status)));
    for via in vias {
        push_header(&mut out, "Via", via);
    }
    if let Some(from) = find("From") {
        push_header(&mut out, "From", from);
    }
    let call_id = find("Call-ID");
    if let Some(to) = find("To") {
        if tag_of(to).is_some() {
            push_header(&mut out, "To", to);
        } else {
            let tag = derived_tag(call_id.unwrap_or_default());
            push_header(&mut out, "To", &format!("{to};tag={tag}"));
        }
    }
    if let Some(call_id) = call_id {
        push_header(&mut out, "Call-ID", call_id);
    }
    if let Some(cseq) = find("CSeq") {
        push_header(&mut out, "CSeq", cseq);
    }
    out.push_str("Warning: 399 sipdrop \"");
    out.push_str(&warning_text(error));
    out.push_str("\"\r\nContent-Length: 0\r\n\r\n");
    Some(Bytes::from(out))
}

/// A start line that can only be a request: a token, then a space, not `SIP/...`.
fn is_request_line(line: &str) -> bool {
    let first = line.split(' ').next().unwrap_or_default();
    line.contains(' ')
        && scan::is_token(first)
        && !line
            .get(..4)
            .is_some_and(|s| s.eq_ignore_ascii_case("SIP/"))
}

/// Header lines as (full name, unfolded trimmed value); lines without a colon are skipped.
fn unfold<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(scan::trim_lws(line));
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            let name = scan::trim_lws(name);
            let name = expand_compact_name(name).unwrap_or(name);
            headers.push((name.to_owned(), scan::trim_lws(value).to_owned()));
        }
    }
    headers
}

fn push_header(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str(": ");
    // A stray CR inside a copied line must not end our header early.
    out.extend(
        value
            .chars()
            .map(|c| if c == '\r' || c == '\n' { ' ' } else { c }),
    );
    out.push_str("\r\n");
}

/// A To tag that is the same for every retransmission of the request (no clock, no RNG).
fn derived_tag(call_id: &str) -> String {
    format!("sd{:016x}", scan::fnv1a64(call_id.as_bytes()))
}

/// The error as warn-text: printable, no quotes or backslashes, bounded length.
fn warning_text(error: &ParseError) -> String {
    error
        .to_string()
        .chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .take(MAX_WARNING_TEXT)
        .collect()
}
