//! The state shared by the [`crate::Transports`] handle and every task it spawned.
use std::net::SocketAddr;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use sip_message::Limits;
use tokio::net::{TcpListener, UdpSocket};
use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::events::EventSink;
use crate::table::ConnectionTable;
use crate::{socket, Transport, TransportConfig, TransportError, TransportEvent};

/// One bound UDP socket.
#[derive(Debug, Clone)]
pub(crate) struct UdpEndpoint {
    pub local: SocketAddr,
    pub socket: Arc<UdpSocket>,
}

/// Everything the tasks need. Holds no cancel-on-drop guard, so tasks can keep it alive
/// without keeping themselves alive.
#[derive(Debug)]
pub(crate) struct Shared {
    /// Where events go.
    pub events: EventSink,
    /// Bound UDP sockets, for sending. Emptied at shutdown so the ports are released even while
    /// clones of the handle live on.
    udp: RwLock<Vec<UdpEndpoint>>,
    /// Bound UDP addresses (actual ports), kept after shutdown for `local_addr`.
    pub udp_addrs: Vec<SocketAddr>,
    /// Bound TCP listener addresses (actual ports).
    pub tcp_addrs: Vec<SocketAddr>,
    /// Open and opening TCP connections by remote address.
    pub connections: ConnectionTable,
    /// Close TCP connections idle for this long.
    pub idle_timeout: Duration,
    /// Framing limits for TCP streams.
    pub limits: Limits,
    /// Cancelled at shutdown (or when the last handle is dropped); every task watches it.
    pub shutdown: CancellationToken,
    /// Every task spawned, so shutdown can wait for them.
    pub tasks: TaskTracker,
    /// The runtime `bind` ran on: `send` is synchronous and may be called off the runtime.
    pub runtime: Handle,
}

impl Shared {
    /// Binds every socket of `config`. The sockets come back separately so that the caller
    /// can start their loops once `Shared` is in an `Arc`.
    pub fn bind(
        config: &TransportConfig,
        events: mpsc::Sender<TransportEvent>,
    ) -> Result<(Shared, Vec<UdpEndpoint>, Vec<TcpListener>), TransportError> {
        let mut udp = Vec::with_capacity(config.udp.len());
        for &addr in &config.udp {
            let socket = socket::bind_udp(addr, config.recv_buffer).map_err(|source| {
                TransportError::Bind {
                    transport: Transport::Udp,
                    addr,
                    source,
                }
            })?;
            let local = socket.local_addr().map_err(|source| TransportError::Bind {
                transport: Transport::Udp,
                addr,
                source,
            })?;
            tracing::info!(%local, "UDP transport bound");
            udp.push(UdpEndpoint {
                local,
                socket: Arc::new(socket),
            });
        }
        let mut listeners = Vec::with_capacity(config.tcp.len());
        let mut tcp_addrs = Vec::with_capacity(config.tcp.len());
        for &addr in &config.tcp {
            let bind_error = |source| TransportError::Bind {
                transport: Transport::Tcp,
                addr,
                source,
            };
            let listener = socket::bind_tcp_listener(addr).map_err(bind_error)?;
            let local = listener.local_addr().map_err(bind_error)?;
            tracing::info!(%local, "TCP transport listening");
            tcp_addrs.push(local);
            listeners.push(listener);
        }
        let runtime = Handle::current();
        let tasks = TaskTracker::new();
        let shutdown = CancellationToken::new();
        let shared = Shared {
            events: EventSink::new(events, runtime.clone(), tasks.clone(), shutdown.clone()),
            udp_addrs: udp.iter().map(|endpoint| endpoint.local).collect(),
            udp: RwLock::new(udp.clone()),
            tcp_addrs,
            connections: ConnectionTable::default(),
            idle_timeout: config.tcp_idle_timeout,
            limits: config.limits,
            shutdown,
            tasks,
            runtime,
        };
        Ok((shared, udp, listeners))
    }

    /// The bound UDP socket of `destination`'s address family.
    pub fn udp_socket_for(&self, destination: SocketAddr) -> Option<UdpEndpoint> {
        let udp = self.udp.read().unwrap_or_else(PoisonError::into_inner);
        udp.iter()
            .find(|endpoint| endpoint.local.is_ipv4() == destination.is_ipv4())
            .cloned()
    }

    /// The bound TCP listener address of `destination`'s address family: outgoing connections
    /// are opened from its IP so that the peer sees the same host as in our Via and Contact.
    pub fn tcp_listener_for(&self, destination: SocketAddr) -> Option<SocketAddr> {
        self.tcp_addrs
            .iter()
            .copied()
            .find(|local| local.is_ipv4() == destination.is_ipv4())
    }

    /// Drops the handle's references to the UDP sockets (the tasks dropped theirs).
    pub fn close_sockets(&self) {
        self.udp
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}
