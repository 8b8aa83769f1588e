//! SIP transports on tokio: UDP and TCP sockets, IPv4 and IPv6.
//!
//! The transport knows sockets and framing, nothing of SIP semantics: it hands framed
//! messages up as [`Inbound`] and sends octets queued with [`Transports::send`]. Responses to
//! TCP requests go back over the connection the request came on (RFC 3261 §18.2.2) because
//! connections are keyed by the peer's address and a send to that address reuses the open
//! connection.
//!
//! # Tasks
//! [`Transports::bind`] spawns one receive loop per UDP socket, one accept loop per TCP
//! listener and, per TCP connection (accepted or opened), a reader and a writer. Each
//! connection is closed after [`TransportConfig::tcp_idle_timeout`] without traffic, on a
//! framing error (only that connection), on EOF, or on a write error.
//!
//! # Shutdown
//! [`Transports::shutdown`] stops every task, closes every socket and waits until they are
//! gone. Dropping the last clone of [`Transports`] also stops the tasks, without waiting.
//! Dropping the event receiver stops delivery: receive loops end when they next have something
//! to deliver.
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
pub use sip_message::Transport;
use tokio::sync::mpsc;
use tokio_util::sync::DropGuard;

mod activity;
mod codec;
mod connect;
mod connection;
mod events;
mod listener;
mod shared;
mod socket;
mod table;
mod udp;

pub use codec::{CodecError, SipCodec};

use shared::Shared;

/// Capacity of the event channel returned by [`Transports::bind`]. When it is full, UDP
/// datagrams are dropped (UDP is lossy and the sender retransmits) and TCP readers wait.
pub const EVENT_CHANNEL_CAPACITY: usize = 4096;

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
#[derive(Clone)]
pub struct Transports {
    inner: Arc<Inner>,
}

/// What the clones of [`Transports`] share. The tasks hold only [`Shared`], never this, so
/// dropping the last clone drops the guard and cancels them.
struct Inner {
    shared: Arc<Shared>,
    _stop_on_drop: DropGuard,
}

impl fmt::Debug for Transports {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transports")
            .field("udp", &self.inner.shared.udp_addrs)
            .field("tcp", &self.inner.shared.tcp_addrs)
            .field("tcp_connections", &self.inner.shared.connections.len())
            .finish()
    }
}

impl Transports {
    /// Binds every socket of `config`; events arrive on the returned receiver.
    ///
    /// Must be called within a tokio runtime; the tasks run on that runtime.
    pub async fn bind(
        config: TransportConfig,
    ) -> Result<(Transports, mpsc::Receiver<TransportEvent>), TransportError> {
        let (tx, rx) = mpsc::channel(EVENT_CHANNEL_CAPACITY);
        let (shared, udp_sockets, tcp_listeners) = Shared::bind(&config, tx)?;
        let shared = Arc::new(shared);
        for socket in udp_sockets {
            udp::spawn_receive_loop(&shared, socket);
        }
        for listener in tcp_listeners {
            listener::spawn_accept_loop(&shared, listener);
        }
        let guard = shared.shutdown.clone().drop_guard();
        let transports = Transports {
            inner: Arc::new(Inner {
                shared,
                _stop_on_drop: guard,
            }),
        };
        Ok((transports, rx))
    }

    /// The local address bound for `transport` in the address family of `peer`
    /// (what goes into Via and Contact).
    ///
    /// This is the address as bound: a socket bound to an unspecified address (`0.0.0.0`,
    /// `::`) reports it as such, with the actual port chosen by the OS.
    pub fn local_addr(&self, transport: Transport, peer: SocketAddr) -> Option<SocketAddr> {
        let shared = &self.inner.shared;
        let bound = match transport {
            Transport::Udp => &shared.udp_addrs,
            Transport::Tcp => &shared.tcp_addrs,
        };
        let peer = socket::canonical(peer);
        bound
            .iter()
            .copied()
            .find(|local| local.is_ipv4() == peer.is_ipv4())
    }

    /// Queues `bytes` to `destination`. Over TCP, an open connection to `destination` (accepted
    /// or opened) is reused, else one is opened. Failures come back as
    /// [`TransportEvent::SendFailed`].
    ///
    /// Never blocks and may be called from any thread. After [`Transports::shutdown`] it does
    /// nothing.
    pub fn send(&self, transport: Transport, destination: SocketAddr, bytes: Bytes) {
        let shared = &self.inner.shared;
        if shared.shutdown.is_cancelled() {
            tracing::debug!(%transport, %destination, "send after shutdown ignored");
            return;
        }
        let destination = socket::canonical(destination);
        match transport {
            Transport::Udp => udp::send(shared, destination, bytes),
            Transport::Tcp => connect::send(shared, destination, bytes),
        }
    }

    /// The number of open (or opening) TCP connections.
    pub fn tcp_connection_count(&self) -> usize {
        self.inner.shared.connections.len()
    }

    /// Stops every task, closes every socket and connection, and waits until all are gone.
    /// Messages already queued on a TCP connection are written first (within a second);
    /// nothing is reported as [`TransportEvent::SendFailed`] after this call. Idempotent;
    /// [`Transports::send`] does nothing afterwards.
    pub async fn shutdown(&self) {
        let shared = &self.inner.shared;
        shared.shutdown.cancel();
        shared.tasks.close();
        shared.tasks.wait().await;
        // The tasks are gone; release what the handle itself holds so the ports are free.
        shared.close_sockets();
        shared.connections.clear();
        tracing::debug!("transports shut down");
    }
}
