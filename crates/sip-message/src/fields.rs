//! Robust accessors for the fields every layer needs, reading rsip's untyped header values
//! with this crate's readers (rsip's typed forms fail on valid input, see [`crate::uri`]).
//!
//! The Via accessors live in [`crate::via`] ([`crate::via::top_via`],
//! [`crate::via::top_via_branch`]).
use rsip::headers::UntypedHeader;
use rsip::Header;

use crate::name_addr::tag_of;
use crate::scan;

/// A CSeq value: sequence number and method, as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CSeqValue {
    /// The sequence number (at most 2^31 - 1, RFC 3261 §8.1.1.5).
    pub seq: u32,
    /// The method exactly as written (methods are case-sensitive).
    pub method: String,
}

/// Why a CSeq value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid CSeq: {0}")]
pub struct CSeqError(pub &'static str);

/// The largest CSeq number allowed (RFC 3261 §8.1.1.5: less than 2^31).
pub const MAX_CSEQ: u32 = (1 << 31) - 1;

impl CSeqValue {
    /// Reads `1*DIGIT LWS Method`.
    pub fn parse(value: &str) -> Result<Self, CSeqError> {
        let value = scan::trim_lws(value);
        let digits = value.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(CSeqError("no sequence number"));
        }
        let (number, rest) = value.split_at(digits);
        let number = number.trim_start_matches('0');
        let seq = if number.is_empty() {
            0
        } else if number.len() > 10 {
            return Err(CSeqError("sequence number too large"));
        } else {
            number
                .parse::<u64>()
                .map_err(|_| CSeqError("sequence number too large"))?
        };
        let seq = u32::try_from(seq)
            .ok()
            .filter(|&s| s <= MAX_CSEQ)
            .ok_or(CSeqError("sequence number above 2^31-1"))?;
        if !rest.starts_with(scan::is_lws) {
            return Err(CSeqError("no space before the method"));
        }
        let method = scan::trim_lws(rest);
        if !scan::is_token(method) {
            return Err(CSeqError("method is not a token"));
        }
        Ok(CSeqValue {
            seq,
            method: method.to_owned(),
        })
    }
}

impl std::fmt::Display for CSeqValue {
    /// Prints `<seq> <method>`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.seq, self.method)
    }
}

/// The CSeq of `headers`, read; `None` when absent or unreadable.
pub fn cseq(headers: &rsip::Headers) -> Option<CSeqValue> {
    headers.iter().find_map(|h| match h {
        Header::CSeq(c) => CSeqValue::parse(c.value()).ok(),
        _ => None,
    })
}

/// The Call-ID value, trimmed.
pub fn call_id(headers: &rsip::Headers) -> Option<&str> {
    headers.iter().find_map(|h| match h {
        Header::CallId(c) => Some(scan::trim_lws(c.value())),
        _ => None,
    })
}

/// The `tag` of the From header.
pub fn from_tag(headers: &rsip::Headers) -> Option<&str> {
    headers.iter().find_map(|h| match h {
        Header::From(v) => Some(tag_of(v.value())),
        _ => None,
    })?
}

/// The `tag` of the To header.
pub fn to_tag(headers: &rsip::Headers) -> Option<&str> {
    headers.iter().find_map(|h| match h {
        Header::To(v) => Some(tag_of(v.value())),
        _ => None,
    })?
}

/// The values of the headers rsip does not know (`Header::Other`) named `name`, in any case.
pub fn other_header_values<'a>(
    headers: &'a rsip::Headers,
    name: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    headers.iter().filter_map(move |h| match h {
        Header::Other(n, v) if n.eq_ignore_ascii_case(name) => Some(v.as_str()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cseq_values() {
        assert_eq!(
            CSeqValue::parse("0009\t INVITE "),
            Ok(CSeqValue {
                seq: 9,
                method: "INVITE".into()
            })
        );
        assert_eq!(
            CSeqValue::parse("2147483647 ACK").map(|c| c.seq),
            Ok(MAX_CSEQ)
        );
        assert_eq!(
            CSeqValue::parse("000000000000000000001 BYE").map(|c| c.seq),
            Ok(1),
            "leading zeros do not count towards the size"
        );
        for bad in [
            "2147483648 INVITE",
            "36893488147419103232 REGISTER",
            "INVITE",
            "1INVITE",
            "1 ",
            "1 IN VITE",
            "-1 INVITE",
            "",
        ] {
            assert!(CSeqValue::parse(bad).is_err(), "{bad:?}");
        }
        let c = CSeqValue::parse("1 !interesting-Method0123456789_*+`.%indeed'~").unwrap();
        assert_eq!(
            c.to_string(),
            "1 !interesting-Method0123456789_*+`.%indeed'~"
        );
    }

    #[test]
    fn accessors() {
        let headers: rsip::Headers = vec![
            Header::CallId(" abc@h ".into()),
            Header::CSeq("3 BYE".into()),
            Header::From("<sip:a@b>;tag=f1".into()),
            Header::To("sip:c@d".into()),
            Header::Other("reason".into(), "Q.850;cause=16".into()),
            Header::Other("Reason".into(), "SIP;cause=200".into()),
        ]
        .into();
        assert_eq!(call_id(&headers), Some("abc@h"));
        assert_eq!(
            cseq(&headers),
            Some(CSeqValue {
                seq: 3,
                method: "BYE".into()
            })
        );
        assert_eq!(from_tag(&headers), Some("f1"));
        assert_eq!(to_tag(&headers), None);
        assert_eq!(other_header_values(&headers, "REASON").count(), 2);
    }
}
