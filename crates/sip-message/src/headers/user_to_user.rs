//! The `User-to-User` header (RFC 7433): `04a1b2c3;encoding=hex;purpose=isdn-uui`.
//!
//! Parameters are read in any order and case, quoted or not; a missing `encoding` means hex
//! (RFC 7433 §4.1). Output is lower-case hex with `encoding=hex` always written.
use rsip::Header;

use crate::fields::other_header_values;
use crate::scan;

/// A User-to-User value: the UUI octets and the parameters that qualify them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserToUser {
    /// The user-user information octets, decoded (first octet: protocol discriminator).
    pub data: Vec<u8>,
    /// The `purpose` parameter (default `isdn-uui`).
    pub purpose: Option<String>,
    /// The `content` parameter, when given.
    pub content: Option<String>,
}

/// A User-to-User header value that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UuiParseError {
    /// The data is not an even number of hex digits.
    #[error("User-to-User data is not valid hex")]
    BadHex,
    /// The `encoding` parameter names something other than `hex`.
    #[error("unsupported User-to-User encoding {0:?}")]
    UnsupportedEncoding(String),
    /// The value is empty or otherwise unreadable.
    #[error("invalid User-to-User header value")]
    Invalid,
}

/// The purpose assumed when none is given (RFC 7434 §4).
pub const DEFAULT_UUI_PURPOSE: &str = "isdn-uui";

impl UserToUser {
    /// UUI for ISDN user-user transport: `purpose=isdn-uui`, hex encoding.
    pub fn isdn(data: Vec<u8>) -> Self {
        UserToUser {
            data,
            purpose: Some(DEFAULT_UUI_PURPOSE.to_owned()),
            content: None,
        }
    }

    /// The purpose, with the default (`isdn-uui`) when the value named none.
    pub fn effective_purpose(&self) -> &str {
        self.purpose.as_deref().unwrap_or(DEFAULT_UUI_PURPOSE)
    }

    /// Parses one header value (`04a1;encoding=hex;purpose=isdn-uui`, parameters in any
    /// order and case; a missing `encoding` means hex per RFC 7433 §4.1).
    pub fn parse(value: &str) -> Result<Self, UuiParseError> {
        let value = scan::trim_lws(value);
        let data_end = scan::find_top_level(value, b';').unwrap_or(value.len());
        let data = scan::trim_lws(&value[..data_end]);
        // uui-data = token / quoted-string (RFC 7433 §4.1).
        let data = if data.starts_with('"') {
            scan::unquote(data).ok_or(UuiParseError::Invalid)?
        } else {
            data.to_owned()
        };
        if data.is_empty() {
            return Err(UuiParseError::Invalid);
        }
        let params = scan::parse_params(&value[data_end..]).map_err(|_| UuiParseError::Invalid)?;
        let mut uui = UserToUser {
            data: Vec::new(),
            purpose: None,
            content: None,
        };
        for (name, raw) in params {
            let text = raw.map(scan::param_text);
            if name.eq_ignore_ascii_case("encoding") {
                let encoding = text.ok_or(UuiParseError::Invalid)?;
                if !encoding.eq_ignore_ascii_case("hex") {
                    return Err(UuiParseError::UnsupportedEncoding(encoding));
                }
            } else if name.eq_ignore_ascii_case("purpose") {
                uui.purpose = Some(text.ok_or(UuiParseError::Invalid)?);
            } else if name.eq_ignore_ascii_case("content") {
                uui.content = Some(text.ok_or(UuiParseError::Invalid)?);
            }
        }
        uui.data = decode_hex(&data)?;
        Ok(uui)
    }

    /// The first readable `User-to-User` header of `headers`, if any.
    pub fn first_in(headers: &rsip::Headers) -> Option<UserToUser> {
        other_header_values(headers, "User-to-User")
            .flat_map(scan::split_list)
            .find_map(|value| UserToUser::parse(value).ok())
    }

    /// This value as an rsip header, ready to push.
    pub fn to_header(&self) -> rsip::Header {
        Header::Other("User-to-User".to_owned(), self.to_string())
    }
}

fn decode_hex(text: &str) -> Result<Vec<u8>, UuiParseError> {
    fn nibble(b: u8) -> Result<u8, UuiParseError> {
        match b {
            b'0'..=b'9' => Ok(b - b'0'),
            b'a'..=b'f' => Ok(b - b'a' + 10),
            b'A'..=b'F' => Ok(b - b'A' + 10),
            _ => Err(UuiParseError::BadHex),
        }
    }
    let bytes = text.as_bytes();
    if bytes.len() % 2 != 0 {
        return Err(UuiParseError::BadHex);
    }
    bytes
        .chunks_exact(2)
        .map(|pair| Ok(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

/// A parameter value: bare when it is a token, quoted otherwise.
fn push_param_value(out: &mut String, value: &str) {
    if scan::is_token(value) {
        out.push_str(value);
    } else {
        scan::push_quoted(out, value);
    }
}

impl std::fmt::Display for UserToUser {
    /// Prints the header value, e.g. `04a1b2;encoding=hex;purpose=isdn-uui`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(self.data.len() * 2 + 40);
        for &b in &self.data {
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
        out.push_str(";encoding=hex");
        if let Some(purpose) = &self.purpose {
            out.push_str(";purpose=");
            push_param_value(&mut out, purpose);
        }
        if let Some(content) = &self.content {
            out.push_str(";content=");
            push_param_value(&mut out, content);
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn isdn_prints_as_specified() {
        let uui = UserToUser::isdn(vec![0x04, 0xa1, 0xb2, 0xc3]);
        assert_eq!(uui.to_string(), "04a1b2c3;encoding=hex;purpose=isdn-uui");
        assert_eq!(
            uui.to_header(),
            Header::Other(
                "User-to-User".into(),
                "04a1b2c3;encoding=hex;purpose=isdn-uui".into()
            )
        );
    }

    #[test]
    fn lenient_parsing() {
        let uui =
            UserToUser::parse(" 04A1B2C3 ; PURPOSE = \"isdn-uui\" ;Encoding=HEX;content=isdn-uui ")
                .unwrap();
        assert_eq!(uui.data, vec![0x04, 0xa1, 0xb2, 0xc3]);
        assert_eq!(uui.purpose.as_deref(), Some("isdn-uui"));
        assert_eq!(uui.content.as_deref(), Some("isdn-uui"));
        let uui = UserToUser::parse("0401").unwrap();
        assert_eq!(uui.purpose, None);
        assert_eq!(uui.effective_purpose(), "isdn-uui");
        let uui = UserToUser::parse("\"0401\";x=y").unwrap();
        assert_eq!(uui.data, vec![4, 1]);
    }

    #[test]
    fn rejects_bad_values() {
        assert_eq!(UserToUser::parse("041"), Err(UuiParseError::BadHex));
        assert_eq!(UserToUser::parse("04zz"), Err(UuiParseError::BadHex));
        assert_eq!(UserToUser::parse("04é1"), Err(UuiParseError::BadHex));
        assert_eq!(
            UserToUser::parse("0401;encoding=base64"),
            Err(UuiParseError::UnsupportedEncoding("base64".into()))
        );
        assert_eq!(UserToUser::parse(""), Err(UuiParseError::Invalid));
        assert_eq!(
            UserToUser::parse(";encoding=hex"),
            Err(UuiParseError::Invalid)
        );
        assert_eq!(UserToUser::parse("0401;;"), Err(UuiParseError::Invalid));
        assert_eq!(
            UserToUser::parse("0401;purpose"),
            Err(UuiParseError::Invalid)
        );
    }

    #[test]
    fn first_in_finds_any_case_and_skips_bad() {
        let headers: rsip::Headers = vec![
            Header::Other("user-to-user".into(), "zz".into()),
            Header::Other("USER-TO-USER".into(), "0102;purpose=x, 0304".into()),
        ]
        .into();
        let uui = UserToUser::first_in(&headers).unwrap();
        assert_eq!(uui.data, vec![1, 2]);
        assert_eq!(uui.purpose.as_deref(), Some("x"));
        assert_eq!(UserToUser::first_in(&rsip::Headers::default()), None);
    }

    proptest! {
        #[test]
        fn round_trip(data in proptest::collection::vec(any::<u8>(), 1..64),
                      purpose in proptest::option::of("[^\r\n]{0,20}"),
                      content in proptest::option::of("[a-z-]{1,10}")) {
            let uui = UserToUser { data, purpose, content };
            prop_assert_eq!(UserToUser::parse(&uui.to_string()), Ok(uui));
        }

        #[test]
        fn never_panics(value in "\\PC{0,60}") {
            let _ = UserToUser::parse(&value);
        }
    }
}
