//! From the common flags to a [`UaConfig`], and the drop parameters they imply.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use sipdrop_runtime::{
    Credentials, DropParams, Host, ModelConfig, SipUri, TimerConfig, Transport, TransportConfig,
    UaConfig,
};
use tokio::time::Instant;

use super::args::{Common, TransportArg};

/// The default `--udp` of `listen` and `serve`.
pub const SERVER_UDP: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 5060);
/// The default `--udp` of `call` and `conference`: any free port.
pub const CLIENT_UDP: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// What differs between subcommands when building a UA.
#[derive(Debug, Clone, Copy)]
pub struct UaShape {
    /// `--udp` when not given.
    pub default_udp: SocketAddr,
    /// The final response of a drop on an offered call.
    pub decline_code: u16,
    /// Outgoing requests will use TCP: a TCP socket is bound even without `--tcp`, so
    /// connections have a local address for Via and Contact.
    pub needs_tcp: bool,
}

/// The default `--udp` of `call` for a target: loopback of the target's address family (an
/// IPv4 socket cannot reach `sip:bob@[::1]`).
pub fn client_udp_for(target: &SipUri) -> SocketAddr {
    match target.host {
        Host::Ip(IpAddr::V6(_)) => SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 0),
        _ => CLIENT_UDP,
    }
}

/// The UA configuration for `common`.
pub fn ua_config(common: &Common, shape: UaShape, origin: Instant, name: &str) -> UaConfig {
    let udp = common.udp.unwrap_or(shape.default_udp);
    let tcp = common
        .tcp
        .or_else(|| shape.needs_tcp.then(|| SocketAddr::new(udp.ip(), 0)));
    let credentials = common.user.as_ref().map(|user| Credentials {
        user: user.clone(),
        password: common.password.clone().unwrap_or_default(),
    });
    // An outbound proxy is a pre-loaded route set (RFC 3261 §8.1.2): every INVITE carries
    // `Route: <proxy;lr>` and goes to the proxy.
    let outbound_route = common
        .proxy
        .as_ref()
        .map(|p| vec![loose_route(&p.text)])
        .unwrap_or_default();
    let model = ModelConfig {
        timers: TimerConfig::from_t1(common.t1),
        // The pure crates take their randomness as a seed; the OS provides it here only.
        seed: rand::random(),
        decline_code: shape.decline_code,
        // The digest user names us too (PBXs match a caller by its From user), when it can
        // stand in a SIP URI as it is.
        local_user: common
            .user
            .clone()
            .filter(|u| crate::cli::values::is_sip_user(u))
            .unwrap_or_else(|| "sipdrop".into()),
        credentials,
        outbound_route,
        ..ModelConfig::default()
    };
    UaConfig {
        model,
        transport: TransportConfig {
            udp: vec![udp],
            tcp: tcp.into_iter().collect(),
            ..TransportConfig::default()
        },
        proxy: common.proxy.as_ref().map(|p| p.text.clone()),
        sip_trace: common.log.sip_trace,
        origin: Some(origin),
        name: name.to_owned(),
    }
}

/// `--transport` as the model's type.
pub fn transport(common: &Common) -> Option<Transport> {
    common.transport.map(|t| match t {
        TransportArg::Udp => Transport::Udp,
        TransportArg::Tcp => Transport::Tcp,
    })
}

/// Whether a call to a URI with `uri_transport` goes over TCP, given the flags.
pub fn uses_tcp(common: &Common, uri_transport: Option<Transport>) -> bool {
    let proxy_transport = common.proxy.as_ref().and_then(|p| p.uri.transport);
    transport(common).or(proxy_transport).or(uri_transport) == Some(Transport::Tcp)
}

/// What every drop sends: `--uui` and `--cause` (the model's defaults when absent).
pub fn drop_params(common: &Common) -> DropParams {
    DropParams {
        uui: common.uui.as_ref().map(|u| u.0.clone()),
        cause: common.cause,
        decline_code: None,
    }
}

/// `<uri;lr>` for a proxy URI (adding `;lr` when it lacks one).
fn loose_route(uri: &str) -> String {
    let uri = uri.trim().trim_start_matches('<').trim_end_matches('>');
    let has_lr = uri
        .split(';')
        .skip(1)
        .any(|p| p.trim().eq_ignore_ascii_case("lr"));
    if has_lr {
        format!("<{uri}>")
    } else {
        format!("<{uri};lr>")
    }
}

#[cfg(test)]
mod tests {
    use super::loose_route;

    #[test]
    fn proxy_uris_become_loose_routes() {
        assert_eq!(
            loose_route("sip:proxy.test:5060"),
            "<sip:proxy.test:5060;lr>"
        );
        assert_eq!(loose_route("sip:p@127.0.0.1;lr"), "<sip:p@127.0.0.1;lr>");
        assert_eq!(
            loose_route("<sip:p;transport=tcp>"),
            "<sip:p;transport=tcp;lr>"
        );
    }
}
