//! URIs: a reader and a printer that stand in for rsip's where rsip gets URIs wrong.
//!
//! rsip 0.4 cannot read several valid URIs: IPv6 references (`sip:[2001:db8::1]:5060`, it
//! splits the host at the first `:`), users containing `.` or `;` (`sip:user;par=x@host`),
//! unknown `transport=` values, `tel:` URIs (read as host `tel`, port `+1...`), and other
//! schemes unless written `scheme://`. Its `Display` prints IPv6 hosts without brackets and any
//! non-SIP scheme as `scheme://`. [`parse_uri`] reads all of these into the same `rsip::Uri`
//! model; [`format_uri`] prints them back correctly. Use them instead of rsip's `Uri` parsing
//! and `Display` for anything that can come from the network.
//!
//! Mapping into `rsip::Uri`:
//! - `sip:`/`sips:`: user and password in `auth`, host (IP literals as `Host::IpAddr`,
//!   brackets removed), port, and parameters as `rsip::Param` (unknown names, and known names
//!   with values rsip rejects, as `Param::Other`). URI headers (`?h=v`) cannot be held by
//!   `rsip::Uri` and are dropped (see [`parse_uri_with_headers`] to get them).
//! - `tel:`: `Scheme::Other("tel")`, the number as `Host::Domain`, parameters as above.
//! - any other scheme: `Scheme::Other(scheme)` and the rest, verbatim, as `Host::Domain`.
use std::net::IpAddr;

use rsip::{Auth, Host, HostWithPort, Param, Scheme, Uri};

/// Why a URI could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid URI: {0}")]
pub struct UriError(pub &'static str);

mod parts;

pub(crate) use parts::UriParts;
pub(crate) use parts::{parse_host_port_parts, parse_parts, parse_port, HostPart};
use parts::{uri_params, SchemeKind};

/// Reads a URI (no surrounding `<>`, no whitespace). URI headers are dropped.
pub fn parse_uri(text: &str) -> Result<Uri, UriError> {
    parse_parts(text).map(|parts| to_uri(&parts))
}

/// Reads a URI and also returns its headers component (the text after `?`, SIP/SIPS only).
pub fn parse_uri_with_headers(text: &str) -> Result<(Uri, Option<&str>), UriError> {
    let parts = parse_parts(text)?;
    Ok((to_uri(&parts), parts.headers))
}

/// The rsip model of a URI read by [`parse_parts`].
pub(crate) fn to_uri(parts: &UriParts<'_>) -> Uri {
    let scheme = match parts.kind {
        SchemeKind::Sip => Scheme::Sip,
        SchemeKind::Sips => Scheme::Sips,
        SchemeKind::Tel | SchemeKind::Other => Scheme::Other(parts.scheme.to_owned()),
    };
    let auth = parts.user.map(|user| Auth {
        user: user.to_owned(),
        password: parts.password.map(str::to_owned),
    });
    Uri {
        scheme: Some(scheme),
        auth,
        host_with_port: HostWithPort {
            host: to_host(parts.host),
            port: parts.port.map(rsip::Port::from),
        },
        params: uri_params(parts.params)
            .map(|(name, value)| to_param(name, value))
            .collect(),
        headers: Vec::new(),
    }
}

/// The rsip host for a host part.
pub(crate) fn to_host(host: HostPart<'_>) -> Host {
    match host {
        HostPart::Ip(ip) => Host::IpAddr(ip),
        HostPart::Name(name) => Host::Domain(name.into()),
    }
}

/// rsip's typed parameter where rsip accepts the value, `Param::Other` otherwise (rsip
/// rejects e.g. `transport=sctp-tls` or `method=FOO`, which are valid).
fn to_param(name: &str, value: Option<&str>) -> Param {
    match Param::try_from((name, value)) {
        Ok(param) => param,
        Err(_) => Param::Other(name.into(), value.map(Into::into)),
    }
}

/// Prints a host: IPv6 addresses in brackets (rsip prints them bare).
pub fn format_host(host: &Host) -> String {
    match host {
        Host::Domain(domain) => domain.to_string(),
        Host::IpAddr(IpAddr::V4(ip)) => ip.to_string(),
        Host::IpAddr(IpAddr::V6(ip)) => format!("[{ip}]"),
    }
}

/// Prints `host[:port]` with IPv6 hosts in brackets.
pub fn format_host_port(host_with_port: &HostWithPort) -> String {
    let host = format_host(&host_with_port.host);
    match host_with_port.port {
        Some(port) => format!("{host}:{}", u16::from(port)),
        None => host,
    }
}

/// Prints a URI as it goes on the wire (what rsip's `Display` should print): `scheme:` for
/// every scheme, IPv6 hosts in brackets, `transport=` in lower case.
pub fn format_uri(uri: &Uri) -> String {
    let mut out = String::with_capacity(64);
    match &uri.scheme {
        Some(Scheme::Sip) => out.push_str("sip:"),
        Some(Scheme::Sips) => out.push_str("sips:"),
        Some(Scheme::Other(scheme)) => {
            out.push_str(scheme);
            out.push(':');
        }
        None => {}
    }
    if let Some(auth) = &uri.auth {
        out.push_str(&auth.user);
        if let Some(password) = &auth.password {
            out.push(':');
            out.push_str(password);
        }
        out.push('@');
    }
    out.push_str(&format_host_port(&uri.host_with_port));
    for param in &uri.params {
        match param {
            Param::Transport(transport) => {
                out.push_str(";transport=");
                out.push_str(&transport.to_string().to_ascii_lowercase());
            }
            other => out.push_str(&other.to_string()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(text: &str) -> String {
        format_uri(&parse_uri(text).unwrap_or_else(|e| panic!("{text}: {e}")))
    }

    #[test]
    fn sip_uris() {
        let uri = parse_uri("sip:alice:secret@example.com:5070;transport=TCP;lr;x=y").unwrap();
        assert_eq!(uri.scheme, Some(Scheme::Sip));
        assert_eq!(uri.user(), Some("alice"));
        assert_eq!(
            uri.auth.as_ref().and_then(|a| a.password.as_deref()),
            Some("secret")
        );
        assert_eq!(uri.host(), &Host::Domain("example.com".into()));
        assert_eq!(uri.port().map(|p| u16::from(*p)), Some(5070));
        assert_eq!(uri.transport(), Some(&rsip::Transport::Tcp));
        assert!(uri.params.contains(&Param::Lr));
        assert_eq!(
            roundtrip("sip:alice:secret@example.com:5070;transport=TCP;lr;x=y"),
            "sip:alice:secret@example.com:5070;transport=tcp;lr;x=y"
        );
        assert_eq!(roundtrip("SIPS:b@10.0.0.1"), "sips:b@10.0.0.1");
        assert_eq!(
            parse_uri("sip:10.0.0.1").unwrap().host(),
            &Host::IpAddr([10, 0, 0, 1].into())
        );
    }

    #[test]
    fn ipv6_hosts() {
        let uri = parse_uri("sip:bob@[2001:db8::1]:5060;transport=udp").unwrap();
        assert_eq!(uri.host(), &Host::IpAddr("2001:db8::1".parse().unwrap()));
        assert_eq!(uri.port().map(|p| u16::from(*p)), Some(5060));
        assert_eq!(format_uri(&uri), "sip:bob@[2001:db8::1]:5060;transport=udp");
        assert_eq!(roundtrip("sip:[::1]"), "sip:[::1]");
        assert!(parse_uri("sip:[::1").is_err());
        assert!(parse_uri("sip:[zz::1]").is_err());
        assert!(parse_uri("sip:[::1]x").is_err());
        // rsip's own reader cannot do this.
        assert!(Uri::try_from("sip:bob@[2001:db8::1]:5060").is_err());
    }

    #[test]
    fn odd_users_and_params() {
        let uri = parse_uri("sip:user;par=u%40example.net@example.com").unwrap();
        assert_eq!(uri.user(), Some("user;par=u%40example.net"));
        assert_eq!(uri.host(), &Host::Domain("example.com".into()));
        let uri = parse_uri("sip:first.last@example.com").unwrap();
        assert_eq!(uri.user(), Some("first.last"));
        let uri = parse_uri("sip:a@b;transport=sctp-tls;method=FOO;user=phone").unwrap();
        assert_eq!(
            uri.params[0],
            Param::Other("transport".into(), Some("sctp-tls".into()))
        );
        assert_eq!(
            uri.params[1],
            Param::Other("method".into(), Some("FOO".into()))
        );
        assert_eq!(uri.params[2], Param::User("phone".into()));
        let weird = "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com";
        let uri = parse_uri(weird).unwrap();
        assert_eq!(
            uri.user(),
            Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
        );
        assert_eq!(format_uri(&uri), weird);
    }

    #[test]
    fn headers_are_reported() {
        let (uri, headers) =
            parse_uri_with_headers("sip:user@example.com?Route=%3Csip:example.com%3E").unwrap();
        assert_eq!(headers, Some("Route=%3Csip:example.com%3E"));
        assert_eq!(format_uri(&uri), "sip:user@example.com");
    }

    #[test]
    fn other_schemes() {
        let uri = parse_uri("tel:+1-212-555-0100;phone-context=example.com").unwrap();
        assert_eq!(uri.scheme, Some(Scheme::Other("tel".into())));
        assert_eq!(uri.host(), &Host::Domain("+1-212-555-0100".into()));
        assert_eq!(
            format_uri(&uri),
            "tel:+1-212-555-0100;phone-context=example.com"
        );
        assert_eq!(
            roundtrip("soap.beep://192.0.2.103:3002"),
            "soap.beep://192.0.2.103:3002"
        );
        assert_eq!(roundtrip("isbn:2983792873"), "isbn:2983792873");
        assert_eq!(
            parse_uri("nobodyKnowsThisScheme:totallyopaquecontent")
                .unwrap()
                .scheme,
            Some(Scheme::Other("nobodyKnowsThisScheme".into()))
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "<sip:a@b>",
            "sip:a@b c",
            "sip:",
            "sip:@b",
            "sip:a@",
            "sip:a@b:",
            "sip:a@b:99999",
            "sip:a@b:+1",
            "sip:a@b;",
            "sip:a@b;;x",
            "noscheme",
            "1x:abc",
            "x:",
            "sip:a@b\"c",
            "sip:a@exa mple.com",
            "tel:",
        ] {
            assert!(parse_uri(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
