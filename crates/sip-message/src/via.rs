//! Via processing at the receiving transport (RFC 3261 §18.2.1, RFC 3581). (pending)
use std::net::SocketAddr;

/// Adds `received=` to the top Via when its sent-by host differs from the source IP, and fills
/// an empty `rport` parameter with the source port (RFC 3581 §4). Does nothing without a Via.
pub fn stamp_received(request: &mut rsip::Request, source: SocketAddr) {
    let _ = (request, source);
    todo!()
}

/// Where a response to a request with this top Via goes over an unreliable transport
/// (RFC 3261 §18.2.2, RFC 3581 §4): `received` (or the sent-by host) and `rport` (or the
/// sent-by port, 5060 by default). `None` when the Via cannot be read or names no IP literal
/// and has no `received`.
pub fn response_destination(top_via: &rsip::headers::Via, source: SocketAddr) -> Option<SocketAddr> {
    let _ = (top_via, source);
    todo!()
}
