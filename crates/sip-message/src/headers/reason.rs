//! The `Reason` header (RFC 3326): `Q.850;cause=16;text="Normal call clearing"`.
//!
//! Read leniently, as drop-semantics.md §3 asks: any case for the protocol and parameter
//! names, LWS around `;` and `=`, quoted or bare `text`, stray `;`, several header lines and
//! comma-joined values (commas inside the quoted text do not split).
use rsip::Header;

use super::q850::q850_text;
use crate::fields::other_header_values;
use crate::scan;

/// The protocol of a Reason value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReasonProtocol {
    /// `SIP`: the cause is a SIP status code.
    Sip,
    /// `Q.850`: the cause is an ISDN cause value.
    Q850,
    /// Any other protocol token, as received.
    Other(String),
}

impl ReasonProtocol {
    fn from_token(token: &str) -> Self {
        if token.eq_ignore_ascii_case("SIP") {
            ReasonProtocol::Sip
        } else if token.eq_ignore_ascii_case("Q.850") {
            ReasonProtocol::Q850
        } else {
            ReasonProtocol::Other(token.to_owned())
        }
    }

    /// The token as printed (`SIP`, `Q.850`, or the other token).
    pub fn as_str(&self) -> &str {
        match self {
            ReasonProtocol::Sip => "SIP",
            ReasonProtocol::Q850 => "Q.850",
            ReasonProtocol::Other(token) => token,
        }
    }
}

/// One Reason value: `protocol ;cause=N [;text="..."]`, extension parameters dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// The protocol token.
    pub protocol: ReasonProtocol,
    /// The `cause` parameter, when present and numeric.
    pub cause: Option<u16>,
    /// The `text` parameter, unquoted and unescaped.
    pub text: Option<String>,
}

/// A Reason header value that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Reason header value: {0}")]
pub struct ReasonParseError(pub String);

impl Reason {
    /// `Q.850;cause=N;text="<standard text>"` (no text for causes without a standard one).
    pub fn q850(cause: u16) -> Self {
        Reason {
            protocol: ReasonProtocol::Q850,
            cause: Some(cause),
            text: q850_text(cause).map(str::to_owned),
        }
    }

    /// `SIP;cause=CODE;text="TEXT"`.
    pub fn sip(code: u16, text: &str) -> Self {
        Reason {
            protocol: ReasonProtocol::Sip,
            cause: Some(code),
            text: Some(text.to_owned()),
        }
    }

    /// Parses one header value, which may hold several comma-joined Reason values.
    pub fn parse_list(value: &str) -> Result<Vec<Reason>, ReasonParseError> {
        let elements = scan::split_list(value);
        if elements.is_empty() {
            return Err(ReasonParseError(value.to_owned()));
        }
        elements.into_iter().map(Reason::parse_one).collect()
    }

    /// Parses one Reason value (no commas outside quotes).
    fn parse_one(element: &str) -> Result<Reason, ReasonParseError> {
        let invalid = || ReasonParseError(element.to_owned());
        let element = scan::trim_lws(element);
        let (protocol, mut rest) =
            element.split_at(scan::find_top_level(element, b';').unwrap_or(element.len()));
        let protocol = scan::trim_lws(protocol);
        if !scan::is_token(protocol) {
            return Err(invalid());
        }
        let mut reason = Reason {
            protocol: ReasonProtocol::from_token(protocol),
            cause: None,
            text: None,
        };
        while let Some(after_semi) = rest.strip_prefix(';') {
            let end = scan::find_top_level(after_semi, b';').unwrap_or(after_semi.len());
            let param = scan::trim_lws(&after_semi[..end]);
            rest = &after_semi[end..];
            let (name, value) = match param.split_once('=') {
                Some((name, value)) => (scan::trim_lws(name), Some(scan::trim_lws(value))),
                None => (param, None),
            };
            if name.eq_ignore_ascii_case("cause") {
                let value = value.unwrap_or_default();
                let digits_only = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
                reason.cause = if digits_only {
                    value.parse().ok()
                } else {
                    None
                };
            } else if name.eq_ignore_ascii_case("text") {
                let value = value.ok_or_else(invalid)?;
                let text = if value.starts_with('"') {
                    scan::unquote(value).ok_or_else(invalid)?
                } else {
                    value.to_owned()
                };
                reason.text = Some(text);
            }
        }
        Ok(reason)
    }

    /// Every Reason value of every `Reason` header in `headers`, in order; unreadable values
    /// are skipped (a peer's bad Reason must never lose the call).
    pub fn all_in(headers: &rsip::Headers) -> Vec<Reason> {
        other_header_values(headers, "Reason")
            .flat_map(scan::split_list)
            .filter_map(|element| Reason::parse_one(element).ok())
            .collect()
    }

    /// This value as an rsip header, ready to push (one value per header line).
    pub fn to_header(&self) -> rsip::Header {
        Header::Other("Reason".to_owned(), self.to_string())
    }
}

impl std::fmt::Display for Reason {
    /// Prints the header value, e.g. `Q.850;cause=16;text="Normal call clearing"`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = String::from(self.protocol.as_str());
        if let Some(cause) = self.cause {
            out.push_str(";cause=");
            out.push_str(&cause.to_string());
        }
        if let Some(text) = &self.text {
            out.push_str(";text=");
            scan::push_quoted(&mut out, text);
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn builders_print_as_specified() {
        assert_eq!(
            Reason::q850(16).to_string(),
            r#"Q.850;cause=16;text="Normal call clearing""#
        );
        assert_eq!(Reason::q850(200).to_string(), "Q.850;cause=200");
        assert_eq!(
            Reason::sip(200, "Call completed elsewhere").to_string(),
            r#"SIP;cause=200;text="Call completed elsewhere""#
        );
        assert_eq!(
            Reason::q850(16).to_header(),
            Header::Other(
                "Reason".into(),
                r#"Q.850;cause=16;text="Normal call clearing""#.into()
            )
        );
    }

    #[test]
    fn lenient_parsing() {
        let parsed = Reason::parse_list(r#"q.850 ; CAUSE = 31 ; Text = "Normal, unspecified" , sip;cause=200;text="a \"b\", c""#).unwrap();
        assert_eq!(
            parsed,
            vec![
                Reason {
                    protocol: ReasonProtocol::Q850,
                    cause: Some(31),
                    text: Some("Normal, unspecified".into())
                },
                Reason {
                    protocol: ReasonProtocol::Sip,
                    cause: Some(200),
                    text: Some("a \"b\", c".into())
                },
            ]
        );
        let r = Reason::parse_list("Q.850;cause=16;;text=bare;x=1;").unwrap();
        assert_eq!(r[0].text.as_deref(), Some("bare"));
        let r = Reason::parse_list("Q.850;cause=abc").unwrap();
        assert_eq!(r[0].cause, None);
        let r = Reason::parse_list("Q.850;cause=99999").unwrap();
        assert_eq!(r[0].cause, None);
        let r = Reason::parse_list("preemption;cause=1").unwrap();
        assert_eq!(r[0].protocol, ReasonProtocol::Other("preemption".into()));
        let r = Reason::parse_list("Q.850;text=\"semi;colon\";cause=17").unwrap();
        assert_eq!(r[0].text.as_deref(), Some("semi;colon"));
        assert_eq!(r[0].cause, Some(17));
        for bad in [
            "",
            " , ",
            "Q 850;cause=1",
            "\"Q.850\";cause=16",
            "Q.850;text=\"open",
            "Q.850;text",
        ] {
            assert!(Reason::parse_list(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn all_in_collects_every_line_and_skips_bad_values() {
        let headers: rsip::Headers = vec![
            Header::Other(
                "reason".into(),
                "SIP;cause=200;text=\"Call completed elsewhere\"".into(),
            ),
            Header::Other("X-Reason".into(), "Q.850;cause=1".into()),
            Header::Other("REASON".into(), "bad value here, Q.850;cause=16".into()),
        ]
        .into();
        let all = Reason::all_in(&headers);
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].protocol, ReasonProtocol::Sip);
        assert_eq!(
            all[1],
            Reason {
                protocol: ReasonProtocol::Q850,
                cause: Some(16),
                text: None
            }
        );
    }

    fn protocol() -> impl Strategy<Value = ReasonProtocol> {
        prop_oneof![
            Just(ReasonProtocol::Sip),
            Just(ReasonProtocol::Q850),
            "[a-zA-Z0-9.!%*_+`'~-]{1,12}".prop_map(|t| ReasonProtocol::from_token(&t)),
        ]
    }

    proptest! {
        #[test]
        fn round_trip(protocol in protocol(), cause in proptest::option::of(any::<u16>()),
                      text in proptest::option::of("[^\r\n]{0,40}")) {
            let reason = Reason { protocol, cause, text };
            let printed = reason.to_string();
            prop_assert_eq!(Reason::parse_list(&printed), Ok(vec![reason.clone()]));
            let joined = format!("{printed}, {printed}");
            prop_assert_eq!(Reason::parse_list(&joined), Ok(vec![reason.clone(), reason]));
        }

        #[test]
        fn never_panics(value in "\\PC{0,60}") {
            let _ = Reason::parse_list(&value);
        }
    }
}
