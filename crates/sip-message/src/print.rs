//! Message output: standard reason phrases and an always-correct Content-Length. (pending)
use bytes::Bytes;

/// The standard reason phrase for a status code (`486` → `Busy Here`), or a generic one by
/// class for codes without one.
pub fn reason_phrase(code: u16) -> &'static str {
    let _ = code;
    todo!()
}

/// Serialises a message: the status line uses [`reason_phrase`] (unless the response carries
/// an explicit non-default phrase via `StatusCode::Other`), any Content-Length header is
/// replaced by one matching the body, and the body follows.
pub fn encode(message: &rsip::SipMessage) -> Bytes {
    let _ = message;
    todo!()
}
