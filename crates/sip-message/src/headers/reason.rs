//! The `Reason` header (RFC 3326). API contract (implementation pending).

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

/// The standard text for a Q.850 cause, when it has one (16 → "Normal call clearing").
pub fn q850_text(cause: u16) -> Option<&'static str> {
    let _ = cause;
    todo!()
}

impl Reason {
    /// `Q.850;cause=N;text="<standard text>"`.
    pub fn q850(cause: u16) -> Self {
        let _ = cause;
        todo!()
    }

    /// `SIP;cause=CODE;text="TEXT"`.
    pub fn sip(code: u16, text: &str) -> Self {
        let _ = (code, text);
        todo!()
    }

    /// Parses one header value, which may hold several comma-joined Reason values.
    pub fn parse_list(value: &str) -> Result<Vec<Reason>, ReasonParseError> {
        let _ = value;
        todo!()
    }

    /// Every Reason value of every `Reason` header in `headers`, in order; unreadable values
    /// are skipped (a peer's bad Reason must never lose the call).
    pub fn all_in(headers: &rsip::Headers) -> Vec<Reason> {
        let _ = headers;
        todo!()
    }

    /// This value as an rsip header, ready to push (one value per header line).
    pub fn to_header(&self) -> rsip::Header {
        todo!()
    }
}

impl std::fmt::Display for Reason {
    /// Prints the header value, e.g. `Q.850;cause=16;text="Normal call clearing"`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let _ = f;
        todo!()
    }
}
