//! Just enough of a SIP URI (RFC 3261 §19.1, §25.1) to know where a request goes: scheme, host,
//! port and `transport` parameter. The call model parses the full URI; this reader exists so the
//! runtime can resolve host names (IO the core must not do) and so a CLI can reject a malformed
//! URI before starting anything.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use call_model::Transport;

/// The host part of a SIP URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// An IPv4 or IPv6 literal: no resolution needed.
    Ip(IpAddr),
    /// A host name, to resolve.
    Name(String),
}

/// The routing-relevant parts of a `sip:` or `sips:` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipUri {
    /// `sips:` rather than `sip:`.
    pub secure: bool,
    /// The user part, without password, when there is one.
    pub user: Option<String>,
    /// The host.
    pub host: Host,
    /// The explicit port.
    pub port: Option<u16>,
    /// The `transport` parameter, when present.
    pub transport: Option<Transport>,
}

/// Why a string is not a usable SIP URI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UriError {
    /// The scheme is neither `sip:` nor `sips:`.
    #[error("expected a 'sip:' or 'sips:' URI")]
    Scheme,
    /// Whitespace or control characters (a URI has none unescaped).
    #[error("whitespace or control characters in URI")]
    Characters,
    /// `@` with nothing before it.
    #[error("empty user part before '@'")]
    EmptyUser,
    /// No host.
    #[error("missing host")]
    MissingHost,
    /// The host is neither an IP literal nor a host name.
    #[error("invalid host '{0}'")]
    Host(String),
    /// The port is not a number in 1..=65535.
    #[error("invalid port '{0}'")]
    Port(String),
    /// A `transport` parameter other than `udp` or `tcp`.
    #[error("unsupported transport '{0}' (udp or tcp)")]
    Transport(String),
    /// A parameter with an empty name.
    #[error("invalid URI parameter '{0}'")]
    Param(String),
}

impl SipUri {
    /// Parses `text` as a SIP URI.
    pub fn parse(text: &str) -> Result<SipUri, UriError> {
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(UriError::Characters);
        }
        let (secure, rest) = if let Some(rest) = strip_prefix_ci(text, "sips:") {
            (true, rest)
        } else if let Some(rest) = strip_prefix_ci(text, "sip:") {
            (false, rest)
        } else {
            return Err(UriError::Scheme);
        };
        // Headers (`?...`) may contain '@'; user info and parameters may not contain '?'.
        let rest = rest.split_once('?').map_or(rest, |(before, _)| before);
        // The user part may contain ';' (telephone-subscriber) but never an unescaped '@',
        // and parameters never contain '@': the last '@' ends the user info.
        let (user, host_and_params) = match rest.rsplit_once('@') {
            Some((userinfo, after)) => {
                let user = userinfo
                    .split_once(':')
                    .map_or(userinfo, |(user, _password)| user);
                if user.is_empty() {
                    return Err(UriError::EmptyUser);
                }
                (Some(user.to_owned()), after)
            }
            None => (None, rest),
        };
        let mut pieces = host_and_params.split(';');
        let (host, port) = parse_hostport(pieces.next().unwrap_or_default())?;
        let mut transport = None;
        for param in pieces {
            let (name, value) = param.split_once('=').map_or((param, ""), |(n, v)| (n, v));
            if name.is_empty() {
                return Err(UriError::Param(param.to_owned()));
            }
            if name.eq_ignore_ascii_case("transport") {
                transport = Some(match value.to_ascii_lowercase().as_str() {
                    "udp" => Transport::Udp,
                    "tcp" => Transport::Tcp,
                    _ => return Err(UriError::Transport(value.to_owned())),
                });
            }
        }
        Ok(SipUri {
            secure,
            user,
            host,
            port,
            transport,
        })
    }

    /// The port to use: the explicit one, else 5061 for `sips:` and 5060 for `sip:` (RFC 3263
    /// without NAPTR/SRV).
    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or(if self.secure { 5061 } else { 5060 })
    }
}

impl FromStr for SipUri {
    type Err = UriError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SipUri::parse(s)
    }
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn parse_hostport(hostport: &str) -> Result<(Host, Option<u16>), UriError> {
    if hostport.is_empty() {
        return Err(UriError::MissingHost);
    }
    if let Some(bracketed) = hostport.strip_prefix('[') {
        let (literal, after) = bracketed
            .split_once(']')
            .ok_or_else(|| UriError::Host(hostport.to_owned()))?;
        let ip: Ipv6Addr = literal
            .parse()
            .map_err(|_| UriError::Host(hostport.to_owned()))?;
        let port = match after {
            "" => None,
            _ => {
                let digits = after
                    .strip_prefix(':')
                    .ok_or_else(|| UriError::Host(hostport.to_owned()))?;
                Some(parse_port(digits)?)
            }
        };
        return Ok((Host::Ip(IpAddr::V6(ip)), port));
    }
    let (host, port) = match hostport.split_once(':') {
        Some((host, digits)) => (host, Some(parse_port(digits)?)),
        None => (hostport, None),
    };
    if host.is_empty() {
        return Err(UriError::MissingHost);
    }
    if let Ok(v4) = host.parse::<Ipv4Addr>() {
        return Ok((Host::Ip(IpAddr::V4(v4)), port));
    }
    if !is_hostname(host) {
        return Err(UriError::Host(host.to_owned()));
    }
    Ok((Host::Name(host.to_owned()), port))
}

fn parse_port(digits: &str) -> Result<u16, UriError> {
    match digits.parse::<u16>() {
        Ok(port) if port != 0 && digits.bytes().all(|b| b.is_ascii_digit()) => Ok(port),
        _ => Err(UriError::Port(digits.to_owned())),
    }
}

/// RFC 3261 `hostname`: dot-separated labels of letters, digits and inner hyphens, the last
/// one starting with a letter (so `1.2.3.999` is a bad IPv4 address, not a name).
fn is_hostname(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    labels.iter().all(label_ok)
        && labels
            .last()
            .is_some_and(|l| l.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> SipUri {
        match SipUri::parse(text) {
            Ok(uri) => uri,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    #[test]
    fn ipv4_with_port_and_transport() {
        let uri = ok("sip:bob@127.0.0.1:5070;transport=TCP");
        assert_eq!(uri.user.as_deref(), Some("bob"));
        assert_eq!(uri.host, Host::Ip("127.0.0.1".parse().expect("ip")));
        assert_eq!(uri.port, Some(5070));
        assert_eq!(uri.transport, Some(Transport::Tcp));
        assert!(!uri.secure);
    }

    #[test]
    fn ipv6_literal() {
        let uri = ok("sip:[::1]:5062");
        assert_eq!(uri.host, Host::Ip("::1".parse().expect("ip")));
        assert_eq!(uri.port, Some(5062));
        assert_eq!(ok("sip:alice@[2001:db8::1]").port_or_default(), 5060);
    }

    #[test]
    fn host_names_and_defaults() {
        let uri = ok("SIPS:alice:secret@Example.TEST;lr?subject=a@b");
        assert!(uri.secure);
        assert_eq!(uri.user.as_deref(), Some("alice"));
        assert_eq!(uri.host, Host::Name("Example.TEST".into()));
        assert_eq!(uri.port_or_default(), 5061);
        assert_eq!(
            ok("sip:+1-212-555-1212;phone-context=x@gw.example.test").port,
            None
        );
    }

    #[test]
    fn malformed() {
        for (text, err) in [
            ("bob@127.0.0.1", UriError::Scheme),
            ("http://x", UriError::Scheme),
            ("sip:", UriError::MissingHost),
            ("sip:bob@", UriError::MissingHost),
            ("sip:@host", UriError::EmptyUser),
            ("sip:bob@host:0", UriError::Port("0".into())),
            ("sip:bob@host:99999", UriError::Port("99999".into())),
            ("sip:bob@host:+5", UriError::Port("+5".into())),
            ("sip:bob@1.2.3.999", UriError::Host("1.2.3.999".into())),
            ("sip:bob@ho_st", UriError::Host("ho_st".into())),
            ("sip:bob@[::1", UriError::Host("[::1".into())),
            ("sip:bob@::1", UriError::Port(":1".into())),
            (
                "sip:bob@host;transport=tls",
                UriError::Transport("tls".into()),
            ),
            ("sip:bob@host;=x", UriError::Param("=x".into())),
            ("sip:bob @host", UriError::Characters),
        ] {
            assert_eq!(SipUri::parse(text), Err(err), "{text}");
        }
    }
}
