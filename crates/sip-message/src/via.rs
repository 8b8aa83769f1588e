//! Via processing at the receiving transport (RFC 3261 §18.2.1, RFC 3581), and a Via reader
//! ([`ViaValue`]) that other layers should use instead of rsip's `typed::Via`, which cannot
//! read LWS inside the value, IPv6 sent-by hosts or IPv6 `received` values.
use std::net::{IpAddr, SocketAddr};

use rsip::headers::UntypedHeader;
use rsip::Header;

mod value;

pub use value::{ViaError, ViaValue};

/// The first Via header of `headers` (after [`crate::parse()`], one value per header).
pub fn top_via_header(headers: &rsip::Headers) -> Option<&rsip::headers::Via> {
    headers.iter().find_map(|h| match h {
        Header::Via(via) => Some(via),
        _ => None,
    })
}

/// The first Via of `headers`, read; `None` when there is none or it is unreadable (a message
/// from [`crate::parse()`] always has a readable one).
pub fn top_via(headers: &rsip::Headers) -> Option<ViaValue> {
    top_via_header(headers).and_then(|via| ViaValue::parse(via.value()).ok())
}

/// The branch of the top Via (the transaction key, RFC 3261 §17.2.3).
pub fn top_via_branch(headers: &rsip::Headers) -> Option<String> {
    top_via(headers).and_then(|via| via.branch().map(str::to_owned))
}

/// Adds `received=` to the top Via when its sent-by host differs from the source IP, and fills
/// an empty `rport` parameter with the source port (RFC 3581 §4). Does nothing without a Via.
///
/// With `rport` present, `received` is added even when the host matches (RFC 3581 §4). The
/// Via is rewritten in canonical form only when something is added.
pub fn stamp_received(request: &mut rsip::Request, source: SocketAddr) {
    let Some(header) = request
        .headers
        .iter_mut()
        .find(|h| matches!(h, Header::Via(_)))
    else {
        return;
    };
    let Header::Via(untyped) = header else {
        return;
    };
    let Ok(mut via) = ViaValue::parse(untyped.value()) else {
        return;
    };
    let source_ip = source.ip().to_canonical();
    let host_matches = match &via.host {
        rsip::Host::IpAddr(ip) => ip.to_canonical() == source_ip,
        rsip::Host::Domain(_) => false,
    };
    let empty_rport = via.rport() == Some(None);
    if host_matches && !empty_rport {
        return;
    }
    // RFC 3261 grammar: received = IPv4address / IPv6address (no brackets).
    via.set_param("received", Some(source_ip.to_string()));
    if empty_rport {
        via.set_param("rport", Some(source.port().to_string()));
    }
    *header = Header::Via(rsip::headers::Via::new(via.to_string()));
}

/// Where a response to a request with this top Via goes over an unreliable transport
/// (RFC 3261 §18.2.2, RFC 3581 §4): `received` (or the sent-by host) and `rport` (or the
/// sent-by port, 5060 by default). `None` when the Via cannot be read or names no IP literal
/// and has no `received`.
///
/// A Via that was not stamped but carries an empty `rport` answers to the source address.
pub fn response_destination(
    top_via: &rsip::headers::Via,
    source: SocketAddr,
) -> Option<SocketAddr> {
    let via = ViaValue::parse(top_via.value()).ok()?;
    let rport = via.rport();
    let ip: IpAddr = match (via.received(), rport, &via.host) {
        (Some(received), _, _) => received,
        (None, Some(None), _) => source.ip(),
        (None, _, rsip::Host::IpAddr(ip)) => *ip,
        (None, _, rsip::Host::Domain(_)) => return None,
    };
    let port = match rport {
        Some(Some(port)) => port,
        Some(None) => source.port(),
        None => via.port.unwrap_or(5060),
    };
    Some(SocketAddr::new(ip, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request_with_via(via: &str) -> rsip::Request {
        rsip::Request {
            method: rsip::Method::Invite,
            uri: crate::uri::parse_uri("sip:a@b").expect("uri"),
            version: rsip::Version::V2,
            headers: vec![
                Header::Via(rsip::headers::Via::new(via)),
                Header::Via(rsip::headers::Via::new(
                    "SIP/2.0/UDP second;branch=z9hG4bK2",
                )),
            ]
            .into(),
            body: vec![],
        }
    }

    fn top(request: &rsip::Request) -> String {
        top_via_header(&request.headers)
            .map(|v| v.value().to_owned())
            .unwrap_or_default()
    }

    #[test]
    fn stamps_received_when_host_differs() {
        let mut req = request_with_via("SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1");
        stamp_received(&mut req, "192.0.2.4:5060".parse().unwrap());
        assert_eq!(
            top(&req),
            "SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1;received=192.0.2.4"
        );
        // The second Via is untouched.
        assert!(req
            .headers
            .iter()
            .any(|h| h.to_string() == "Via: SIP/2.0/UDP second;branch=z9hG4bK2"));
    }

    #[test]
    fn leaves_matching_host_alone() {
        let original = "SIP/2.0/UDP  192.0.2.4:5070 ; branch=z9hG4bK1";
        let mut req = request_with_via(original);
        stamp_received(&mut req, "192.0.2.4:6000".parse().unwrap());
        assert_eq!(top(&req), original);
    }

    #[test]
    fn fills_rport_and_always_adds_received() {
        let mut req = request_with_via("SIP/2.0/UDP 192.0.2.4:5070;rport;branch=z9hG4bK1");
        stamp_received(&mut req, "192.0.2.4:6000".parse().unwrap());
        assert_eq!(
            top(&req),
            "SIP/2.0/UDP 192.0.2.4:5070;rport=6000;branch=z9hG4bK1;received=192.0.2.4"
        );
        let dest = response_destination(
            top_via_header(&req.headers).unwrap(),
            "198.51.100.1:1".parse().unwrap(),
        );
        assert_eq!(dest, Some("192.0.2.4:6000".parse().unwrap()));
    }

    #[test]
    fn ipv6_received_and_mapped_sources() {
        let mut req = request_with_via("SIP/2.0/UDP [2001:db8::9];branch=z9hG4bK1");
        stamp_received(&mut req, "[2001:db8::1]:5060".parse().unwrap());
        assert_eq!(
            top(&req),
            "SIP/2.0/UDP [2001:db8::9];branch=z9hG4bK1;received=2001:db8::1"
        );
        let dest = response_destination(
            top_via_header(&req.headers).unwrap(),
            "[::1]:9".parse().unwrap(),
        );
        assert_eq!(dest, Some("[2001:db8::1]:5060".parse().unwrap()));

        let original = "SIP/2.0/UDP 192.0.2.4;branch=z9hG4bK1";
        let mut req = request_with_via(original);
        stamp_received(&mut req, "[::ffff:192.0.2.4]:5060".parse().unwrap());
        assert_eq!(top(&req), original);
    }

    #[test]
    fn unreadable_or_missing_via_is_left_alone() {
        let mut req = request_with_via("garbage");
        stamp_received(&mut req, "192.0.2.4:5060".parse().unwrap());
        assert_eq!(top(&req), "garbage");
        let mut empty = req.clone();
        empty.headers = rsip::Headers::default();
        stamp_received(&mut empty, "192.0.2.4:5060".parse().unwrap());
        assert!(empty.headers.is_empty());
    }

    #[test]
    fn destinations() {
        let src: SocketAddr = "203.0.113.5:40000".parse().unwrap();
        let dest = |v: &str| response_destination(&rsip::headers::Via::new(v), src);
        assert_eq!(
            dest("SIP/2.0/UDP 192.0.2.1"),
            Some("192.0.2.1:5060".parse().unwrap())
        );
        assert_eq!(
            dest("SIP/2.0/UDP 192.0.2.1:5070"),
            Some("192.0.2.1:5070".parse().unwrap())
        );
        assert_eq!(
            dest("SIP/2.0/UDP host.example.com:5050;received=127.0.0.1"),
            Some("127.0.0.1:5050".parse().unwrap())
        );
        assert_eq!(dest("SIP/2.0/UDP host.example.com;rport"), Some(src));
        assert_eq!(
            dest("SIP/2.0/UDP host.example.com;rport=1234;received=192.0.2.9"),
            Some("192.0.2.9:1234".parse().unwrap())
        );
        assert_eq!(dest("SIP/2.0/UDP host.example.com"), None);
        assert_eq!(dest("nonsense"), None);
    }

    #[test]
    fn helpers() {
        let req = request_with_via("SIP/2.0/UDP h;branch=z9hG4bKabc");
        assert_eq!(top_via_branch(&req.headers).as_deref(), Some("z9hG4bKabc"));
        assert_eq!(
            top_via(&req.headers).map(|v| v.sent_by()).as_deref(),
            Some("h")
        );
    }
}
