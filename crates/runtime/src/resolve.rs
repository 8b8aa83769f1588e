//! Turning host names into socket addresses: IO, so it lives here and not in the core.
//!
//! This is plain A/AAAA resolution with the URI's port (or 5060): NAPTR/SRV (RFC 3263) is not
//! done. Among the addresses found, the first one a bound socket of the request's transport can
//! reach (same address family) wins, so an IPv4-only UA never picks an IPv6 address.
use std::net::SocketAddr;

use call_model::Transport;

use crate::{Host, SipUri, UaError};

/// Resolves `uri`'s host and port. `usable` says whether a bound socket can reach an address.
/// `Ok(None)` for an IP literal, which the model routes by itself.
pub(crate) async fn resolve_name(
    uri: &SipUri,
    transport: Transport,
    usable: impl Fn(SocketAddr) -> bool,
) -> Result<Option<SocketAddr>, UaError> {
    match &uri.host {
        Host::Ip(_) => Ok(None),
        Host::Name(name) => lookup(name, uri.port_or_default(), transport, usable)
            .await
            .map(Some),
    }
}

/// The socket address of a URI, resolving a host name if needed (for the outbound proxy, which
/// must be an address whatever its host is).
pub(crate) async fn resolve_uri(
    uri: &SipUri,
    transport: Transport,
    usable: impl Fn(SocketAddr) -> bool,
) -> Result<SocketAddr, UaError> {
    match &uri.host {
        Host::Ip(ip) => Ok(SocketAddr::new(*ip, uri.port_or_default())),
        Host::Name(name) => lookup(name, uri.port_or_default(), transport, usable).await,
    }
}

async fn lookup(
    name: &str,
    port: u16,
    transport: Transport,
    usable: impl Fn(SocketAddr) -> bool,
) -> Result<SocketAddr, UaError> {
    let found = tokio::net::lookup_host((name, port))
        .await
        .map_err(|source| UaError::Resolve {
            host: name.to_owned(),
            source,
        })?;
    let chosen = found
        .into_iter()
        .find(|addr| usable(*addr))
        .ok_or_else(|| UaError::NoAddress {
            host: name.to_owned(),
            transport,
        })?;
    tracing::debug!(host = %name, %chosen, "resolved");
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ip_literals_are_left_to_the_model() {
        let uri = SipUri::parse("sip:bob@127.0.0.1:5070").expect("valid");
        assert_eq!(
            resolve_name(&uri, Transport::Udp, |_| true)
                .await
                .expect("ok"),
            None
        );
        let addr = resolve_uri(&uri, Transport::Udp, |_| true)
            .await
            .expect("ok");
        assert_eq!(addr, "127.0.0.1:5070".parse().expect("addr"));
    }

    #[tokio::test]
    async fn localhost_resolves_with_default_port_and_family_filter() {
        let uri = SipUri::parse("sip:bob@localhost").expect("valid");
        let addr = resolve_name(&uri, Transport::Udp, |a| a.is_ipv4())
            .await
            .expect("localhost resolves")
            .expect("a name gives an address");
        assert_eq!(addr, "127.0.0.1:5060".parse().expect("addr"));
        let none = resolve_name(&uri, Transport::Tcp, |_| false).await;
        assert!(matches!(
            none,
            Err(UaError::NoAddress {
                transport: Transport::Tcp,
                ..
            })
        ));
    }

    #[tokio::test]
    async fn unknown_names_fail_typed() {
        let uri = SipUri::parse("sip:bob@no-such-host.invalid").expect("valid");
        let err = resolve_name(&uri, Transport::Udp, |_| true).await;
        assert!(matches!(err, Err(UaError::Resolve { .. })), "{err:?}");
    }
}
