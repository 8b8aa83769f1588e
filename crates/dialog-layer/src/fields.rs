//! The few header fields the transaction and dialog layers need, read once per message.
//!
//! rsip keeps most headers as untyped strings; its typed conversions fail on inputs real PBXs
//! send (IPv6 sent-by, odd parameters), so this layer reads the fields it needs from the
//! header values itself, leniently, and never panics.
use rsip::headers::UntypedHeader;
use rsip::Header;
use sip_message::via::ViaValue;

/// The header fields that identify a message to the transaction and dialog layers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    /// Call-ID value.
    pub call_id: String,
    /// From header value, whole.
    pub from: String,
    /// From tag.
    pub from_tag: Option<String>,
    /// To header value, whole.
    pub to: String,
    /// To tag.
    pub to_tag: Option<String>,
    /// CSeq number.
    pub cseq: u32,
    /// CSeq method token.
    pub cseq_method: String,
    /// Every Via value, top first.
    pub vias: Vec<String>,
    /// The top Via's branch parameter.
    pub branch: Option<String>,
    /// The top Via's sent-by (`host[:port]`), lower-cased, for transaction matching.
    pub top_sent_by: String,
    /// The first Contact URI (without angle brackets).
    pub contact: Option<String>,
    /// Record-Route values, in message order.
    pub record_route: Vec<String>,
    /// Route values, in message order.
    pub route: Vec<String>,
}

/// A required field is missing or unreadable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("missing or invalid {0} header")]
pub struct FieldError(pub &'static str);

impl Fields {
    /// Reads the fields from a message's headers.
    pub fn read(headers: &rsip::Headers) -> Result<Fields, FieldError> {
        let mut call_id = None;
        let mut from = None;
        let mut to = None;
        let mut cseq = None;
        let mut vias = Vec::new();
        let mut contact = None;
        let mut record_route = Vec::new();
        let mut route = Vec::new();
        for header in headers.iter() {
            match header {
                Header::CallId(h) if call_id.is_none() => {
                    call_id = Some(h.value().trim().to_owned())
                }
                Header::From(h) if from.is_none() => from = Some(h.value().trim().to_owned()),
                Header::To(h) if to.is_none() => to = Some(h.value().trim().to_owned()),
                Header::CSeq(h) if cseq.is_none() => cseq = Some(h.value().trim().to_owned()),
                Header::Via(h) => vias.extend(split_list(h.value())),
                Header::Contact(h) if contact.is_none() => {
                    contact = split_list(h.value())
                        .into_iter()
                        .next()
                        .map(|v| uri_of(&v).to_owned())
                }
                Header::RecordRoute(h) => record_route.extend(split_list(h.value())),
                Header::Route(h) => route.extend(split_list(h.value())),
                _ => {}
            }
        }
        let call_id = call_id
            .filter(|c| !c.is_empty())
            .ok_or(FieldError("Call-ID"))?;
        let from = from.ok_or(FieldError("From"))?;
        let to = to.ok_or(FieldError("To"))?;
        let cseq = cseq.ok_or(FieldError("CSeq"))?;
        let cseq = sip_message::fields::CSeqValue::parse(&cseq).map_err(|_| FieldError("CSeq"))?;
        let (number, cseq_method) = (cseq.seq, cseq.method);
        if vias.is_empty() {
            return Err(FieldError("Via"));
        }
        let top = ViaValue::parse(&vias[0]).map_err(|_| FieldError("Via"))?;
        let branch = top.branch().map(str::to_owned);
        let top_sent_by = top.sent_by().to_ascii_lowercase();
        Ok(Fields {
            call_id,
            from_tag: tag_of(&from),
            from,
            to_tag: tag_of(&to),
            to,
            cseq: number,
            cseq_method,
            vias,
            branch,
            top_sent_by,
            contact,
            record_route,
            route,
        })
    }

    /// The top Via value.
    pub fn top_via(&self) -> &str {
        self.vias.first().map(String::as_str).unwrap_or("")
    }
}

/// Splits a header value at commas that are outside quotes and angle brackets.
pub fn split_list(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth_angle = false;
    let mut quoted = false;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in value.char_indices() {
        if quoted {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            '<' => depth_angle = true,
            '>' => depth_angle = false,
            ',' if !depth_angle => {
                let part = value[start..i].trim();
                if !part.is_empty() {
                    out.push(part.to_owned());
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    let part = value[start..].trim();
    if !part.is_empty() {
        out.push(part.to_owned());
    }
    out
}

/// The URI of a name-addr or addr-spec value: inside `<>` when present, else up to the first `;`.
pub fn uri_of(value: &str) -> &str {
    if let Some(open) = find_unquoted(value, '<') {
        let rest = &value[open + 1..];
        return rest
            .find('>')
            .map(|close| &rest[..close])
            .unwrap_or(rest)
            .trim();
    }
    value.split(';').next().unwrap_or("").trim()
}

/// The first `needle` outside a quoted string.
fn find_unquoted(value: &str, needle: char) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in value.char_indices() {
        if quoted {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
        } else if c == '"' {
            quoted = true;
        } else if c == needle {
            return Some(i);
        }
    }
    None
}

/// A parameter of a `;`-separated parameter list (case-insensitive name), value unquoted.
pub fn param<'a>(params: &'a str, name: &str) -> Option<&'a str> {
    params.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches('"'))
    })
}

/// The `tag` parameter of a From or To value (read by sip-message's lenient reader).
pub fn tag_of(value: &str) -> Option<String> {
    sip_message::name_addr::tag_of(value)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// Host, port and `transport` parameter of a SIP URI string (`sip:u@h:p;transport=tcp`).
pub fn uri_host_port(uri: &str) -> Option<(String, Option<u16>, Option<String>)> {
    let uri = uri.trim();
    let rest = uri
        .strip_prefix("sip:")
        .or_else(|| uri.strip_prefix("sips:"))
        .or_else(|| uri.strip_prefix("SIP:"))?;
    let (hostport_and_params, _headers) = rest.split_once('?').unwrap_or((rest, ""));
    let after_user = hostport_and_params
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(hostport_and_params);
    let mut parts = after_user.splitn(2, ';');
    let hostport = parts.next()?;
    let params = parts.next().map(|p| format!(";{p}")).unwrap_or_default();
    let transport = param(&params, "transport").map(str::to_ascii_lowercase);
    let (host, port) = split_host_port(hostport)?;
    Some((host.to_owned(), port, transport))
}

/// Splits `host[:port]`, with IPv6 references in brackets (`[::1]:5060`).
pub fn split_host_port(hostport: &str) -> Option<(&str, Option<u16>)> {
    let hostport = hostport.trim();
    if let Some(rest) = hostport.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if after.is_empty() => None,
            None => return None,
        };
        return Some((host, port));
    }
    match hostport.rsplit_once(':') {
        Some((host, port)) => Some((host, Some(port.parse().ok()?))),
        None if !hostport.is_empty() => Some((hostport, None)),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_uris() {
        assert_eq!(
            tag_of("\"A;tag=x\" <sip:a@b;tag=no>;tag=yes").as_deref(),
            Some("yes")
        );
        assert_eq!(tag_of("sip:a@b;tag=t1").as_deref(), Some("t1"));
        assert_eq!(tag_of("<sip:a@b>"), None);
        assert_eq!(
            uri_of("\"Bob\" <sip:bob@h:5070;transport=tcp>;tag=1"),
            "sip:bob@h:5070;transport=tcp"
        );
        assert_eq!(uri_of("sip:bob@h;tag=1"), "sip:bob@h");
    }

    #[test]
    fn via_fields() {
        let mut headers = rsip::Headers::default();
        for (name, value) in [
            ("Via", "SIP/2.0/UDP [::1]:5060;branch=z9hG4bKabc;rport"),
            ("From", "<sip:a@h>;tag=f"),
            ("To", "<sip:b@h>"),
            ("Call-ID", "c"),
            ("CSeq", "7 INVITE"),
        ] {
            headers.push(match name {
                "Via" => Header::Via(value.into()),
                "From" => Header::From(value.into()),
                "To" => Header::To(value.into()),
                "Call-ID" => Header::CallId(value.into()),
                _ => Header::CSeq(value.into()),
            });
        }
        let f = Fields::read(&headers).unwrap();
        assert_eq!(f.top_sent_by, "[::1]:5060");
        assert_eq!(f.branch.as_deref(), Some("z9hG4bKabc"));
        assert_eq!((f.cseq, f.cseq_method.as_str()), (7, "INVITE"));
        assert_eq!(f.from_tag.as_deref(), Some("f"));
        assert_eq!(f.to_tag, None);
    }

    #[test]
    fn uri_parts() {
        assert_eq!(
            uri_host_port("sip:bob@127.0.0.1:5070;transport=TCP"),
            Some(("127.0.0.1".into(), Some(5070), Some("tcp".into())))
        );
        assert_eq!(
            uri_host_port("sip:[::1]:5080"),
            Some(("::1".into(), Some(5080), None))
        );
        assert_eq!(
            uri_host_port("sip:example.test"),
            Some(("example.test".into(), None, None))
        );
        assert_eq!(uri_host_port("tel:+123"), None);
    }

    #[test]
    fn lists_split_outside_quotes_and_brackets() {
        assert_eq!(
            split_list("<sip:a,b@x;lr>, \"x,y\" <sip:c>"),
            vec!["<sip:a,b@x;lr>".to_owned(), "\"x,y\" <sip:c>".to_owned()]
        );
    }
}
