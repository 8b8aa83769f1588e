//! SIP transports on tokio: UDP and TCP sockets, IPv4 and IPv6. API contract (pending).
//!
//! The transport knows sockets and framing, nothing of SIP semantics: it hands framed
//! messages up as [`Inbound`] and sends [`Outbound`] octets. Responses to TCP requests go back
//! over the connection the request came on (RFC 3261 §18.2.2) because connections are keyed by
//! the peer's address and a send to that address reuses the open connection.
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
pub use sip_message::Transport;

/// How to bind the transports.
#[derive(Debug, Clone)]
pub struct TransportConfig {
    /// UDP sockets to bind (port 0 picks a free port).
    pub udp: Vec<SocketAddr>,
    /// TCP listeners to bind.
    pub tcp: Vec<SocketAddr>,
    /// Close a TCP connection idle for this long.
    pub tcp_idle_timeout: Duration,
    /// Requested socket receive buffer size (at least 4 MiB by default).
    pub recv_buffer: usize,
    /// Framing limits.
    pub limits: sip_message::Limits,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            udp: Vec::new(),
            tcp: Vec::new(),
            tcp_idle_timeout: Duration::from_secs(64),
            recv_buffer: 4 * 1024 * 1024,
            limits: sip_message::Limits::default(),
        }
    }
}

/// One message received.
#[derive(Debug, Clone)]
pub struct Inbound {
    /// The transport it arrived on.
    pub transport: Transport,
    /// Our local address it arrived at.
    pub local: SocketAddr,
    /// The peer's address (for TCP, the connection's remote address).
    pub remote: SocketAddr,
    /// For UDP the whole datagram (framing and parsing are the core's job, so it can answer 400);
    /// for TCP one framed message.
    pub bytes: Bytes,
}

/// What the transports report.
#[derive(Debug)]
pub enum TransportEvent {
    /// A message (or datagram) arrived.
    Received(Inbound),
    /// A send failed (connection refused, unreachable, ...): RFC 3261 §8.1.3.1 transport error.
    SendFailed {
        /// The transport of the failed send.
        transport: Transport,
        /// Where it was going.
        destination: SocketAddr,
        /// What went wrong.
        error: String,
    },
}

/// Errors binding or using the transports.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// Binding a socket failed.
    #[error("cannot bind {transport} socket on {addr}: {source}")]
    Bind {
        /// The transport.
        transport: Transport,
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// No socket of this transport (and address family) is bound.
    #[error("no {0} socket bound for this address family")]
    NotBound(Transport),
}

/// The bound transports. Cheap to clone; sends are queued, never awaited by the caller.
#[derive(Debug, Clone)]
pub struct Transports {}

impl Transports {
    /// Binds every socket of `config`; events arrive on the returned receiver.
    pub async fn bind(
        config: TransportConfig,
    ) -> Result<(Transports, tokio::sync::mpsc::Receiver<TransportEvent>), TransportError> {
        let _ = config;
        todo!()
    }

    /// The local address bound for `transport` in the address family of `peer`
    /// (what goes into Via and Contact).
    pub fn local_addr(&self, transport: Transport, peer: SocketAddr) -> Option<SocketAddr> {
        let _ = (transport, peer);
        todo!()
    }

    /// Queues `bytes` to `destination`. Over TCP, an open connection to `destination` (accepted
    /// or opened) is reused, else one is opened. Failures come back as
    /// [`TransportEvent::SendFailed`].
    pub fn send(&self, transport: Transport, destination: SocketAddr, bytes: Bytes) {
        let _ = (transport, destination, bytes);
        todo!()
    }
}
