//! The URI reader proper: splits a URI into borrowed parts and checks them, allocating
//! nothing, so that validation on the parse path is cheap; conversion to `rsip::Uri` is
//! separate (`super::to_uri`).
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::UriError;

/// The scheme, classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SchemeKind {
    Sip,
    Sips,
    Tel,
    /// Any other scheme: the rest of the URI is opaque.
    Other,
}

/// A host as written: an IP literal (brackets removed) or a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostPart<'a> {
    Ip(IpAddr),
    Name(&'a str),
}

/// A URI split into its parts, all borrowed from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UriParts<'a> {
    pub(crate) scheme: &'a str,
    pub(crate) kind: SchemeKind,
    pub(crate) user: Option<&'a str>,
    pub(crate) password: Option<&'a str>,
    /// SIP/SIPS host; for tel the number; for other schemes everything after the colon.
    pub(crate) host: HostPart<'a>,
    pub(crate) port: Option<u16>,
    /// `;name[=value]` parameters, checked, with their leading `;` (empty when none).
    pub(crate) params: &'a str,
    /// The text after `?` (SIP/SIPS only).
    pub(crate) headers: Option<&'a str>,
}

/// Reads a URI (no surrounding `<>`, no whitespace).
pub(crate) fn parse_parts(text: &str) -> Result<UriParts<'_>, UriError> {
    if text.is_empty() {
        return Err(UriError("empty"));
    }
    if !text.bytes().all(is_uri_byte) {
        return Err(UriError(
            "forbidden character (whitespace, control, <, > or \")",
        ));
    }
    let colon = text.find(':').ok_or(UriError("no scheme"))?;
    let (scheme, rest) = (&text[..colon], &text[colon + 1..]);
    if !is_scheme(scheme) {
        return Err(UriError("bad scheme"));
    }
    let kind = if scheme.eq_ignore_ascii_case("sip") {
        SchemeKind::Sip
    } else if scheme.eq_ignore_ascii_case("sips") {
        SchemeKind::Sips
    } else if scheme.eq_ignore_ascii_case("tel") {
        SchemeKind::Tel
    } else {
        SchemeKind::Other
    };
    let mut parts = UriParts {
        scheme,
        kind,
        user: None,
        password: None,
        host: HostPart::Name(rest),
        port: None,
        params: "",
        headers: None,
    };
    match kind {
        SchemeKind::Sip | SchemeKind::Sips => read_sip(rest, &mut parts)?,
        SchemeKind::Tel => {
            let (number, params) = rest.split_at(rest.find(';').unwrap_or(rest.len()));
            if number.is_empty() {
                return Err(UriError("empty telephone number"));
            }
            check_params(params)?;
            parts.host = HostPart::Name(number);
            parts.params = params;
        }
        SchemeKind::Other if rest.is_empty() => return Err(UriError("empty URI body")),
        SchemeKind::Other => {}
    }
    Ok(parts)
}

/// Printable ASCII other than SP, `<`, `>` and `"`; octets above 0x7F are tolerated (some
/// PBXs put raw UTF-8 in user parts).
fn is_uri_byte(b: u8) -> bool {
    b >= 0x80 || (b > 0x20 && b < 0x7f && !matches!(b, b'<' | b'>' | b'"'))
}

fn is_scheme(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

fn read_sip<'a>(rest: &'a str, parts: &mut UriParts<'a>) -> Result<(), UriError> {
    // '@' cannot appear unescaped after the userinfo (hostport, params and headers exclude
    // it), so the first '@' ends the userinfo even when the user holds ';' or '?'.
    let hostpart = match rest.find('@') {
        Some(at) => {
            let userinfo = &rest[..at];
            let (user, password) = match userinfo.find(':') {
                Some(c) => (&userinfo[..c], Some(&userinfo[c + 1..])),
                None => (userinfo, None),
            };
            if user.is_empty() {
                return Err(UriError("empty user"));
            }
            parts.user = Some(user);
            parts.password = password;
            &rest[at + 1..]
        }
        None => rest,
    };
    let hostpart = match hostpart.find('?') {
        Some(q) => {
            parts.headers = Some(&hostpart[q + 1..]);
            &hostpart[..q]
        }
        None => hostpart,
    };
    let params_at = hostpart.find(';').unwrap_or(hostpart.len());
    let (host, port) = parse_host_port_parts(&hostpart[..params_at])?;
    parts.host = host;
    parts.port = port;
    parts.params = &hostpart[params_at..];
    check_params(parts.params)
}

/// Reads `host [":" port]` where host is a name, an IPv4 address or a bracketed IPv6
/// reference.
pub(crate) fn parse_host_port_parts(text: &str) -> Result<(HostPart<'_>, Option<u16>), UriError> {
    let (host, port_text) = if let Some(inner) = text.strip_prefix('[') {
        let close = inner.find(']').ok_or(UriError("unclosed IPv6 reference"))?;
        let ip: Ipv6Addr = inner[..close]
            .parse()
            .map_err(|_| UriError("bad IPv6 address"))?;
        let after = &inner[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(port) => Some(port),
            None if after.is_empty() => None,
            None => return Err(UriError("text after IPv6 reference")),
        };
        (HostPart::Ip(IpAddr::V6(ip)), port)
    } else {
        let (name, port) = match text.find(':') {
            Some(c) => (&text[..c], Some(&text[c + 1..])),
            None => (text, None),
        };
        if name.is_empty() {
            return Err(UriError("empty host"));
        }
        let name_ok = name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
        if !name_ok {
            return Err(UriError("bad host name"));
        }
        let host = match name.parse::<Ipv4Addr>() {
            Ok(ip) => HostPart::Ip(IpAddr::V4(ip)),
            Err(_) => HostPart::Name(name),
        };
        (host, port)
    };
    let port = match port_text {
        None => None,
        Some(p) => Some(parse_port(p).ok_or(UriError("bad port"))?),
    };
    Ok((host, port))
}

/// A port: one to five digits, at most 65535 (no sign, unlike `str::parse`).
pub(crate) fn parse_port(text: &str) -> Option<u16> {
    if text.is_empty() || text.len() > 5 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// URI parameters: empty, or `;name[=value]` repeated with non-empty names.
fn check_params(text: &str) -> Result<(), UriError> {
    if text.is_empty() {
        return Ok(());
    }
    let body = text.strip_prefix(';').ok_or(UriError("bad parameters"))?;
    if body
        .split(';')
        .any(|part| part.is_empty() || part.starts_with('='))
    {
        return Err(UriError("empty parameter"));
    }
    Ok(())
}

/// The parameters of a checked parameter text, as `(name, value)` pairs.
pub(crate) fn uri_params(text: &str) -> impl Iterator<Item = (&str, Option<&str>)> {
    text.strip_prefix(';')
        .unwrap_or_default()
        .split(';')
        .filter(|p| !p.is_empty())
        .map(|part| match part.find('=') {
            Some(eq) => (&part[..eq], Some(&part[eq + 1..])),
            None => (part, None),
        })
}
