//! The `User-to-User` header (RFC 7433). API contract (implementation pending).

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

impl UserToUser {
    /// UUI for ISDN user-user transport: `purpose=isdn-uui`, hex encoding.
    pub fn isdn(data: Vec<u8>) -> Self {
        let _ = data;
        todo!()
    }

    /// Parses one header value (`04a1;encoding=hex;purpose=isdn-uui`, parameters in any
    /// order and case; a missing `encoding` means hex per RFC 7433 §4.1).
    pub fn parse(value: &str) -> Result<Self, UuiParseError> {
        let _ = value;
        todo!()
    }

    /// The first readable `User-to-User` header of `headers`, if any.
    pub fn first_in(headers: &rsip::Headers) -> Option<UserToUser> {
        let _ = headers;
        todo!()
    }

    /// This value as an rsip header, ready to push.
    pub fn to_header(&self) -> rsip::Header {
        todo!()
    }
}

impl std::fmt::Display for UserToUser {
    /// Prints the header value, e.g. `04a1b2;encoding=hex;purpose=isdn-uui`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let _ = f;
        todo!()
    }
}
