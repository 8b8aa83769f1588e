//! Creating sockets with the options tokio does not expose: buffer sizes, `IPV6_V6ONLY`,
//! `SO_REUSEADDR`.
use std::io;
use std::net::{IpAddr, SocketAddr};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::{TcpListener, TcpSocket, TcpStream, UdpSocket};

/// Send buffer requested for UDP sockets: enough for a burst of retransmissions without
/// `WouldBlock`, small next to the receive side where bursts from many peers pile up.
const UDP_SEND_BUFFER: usize = 1024 * 1024;

/// Pending connections the kernel queues for a listener before we accept them.
const LISTEN_BACKLOG: i32 = 1024;

/// `addr` with an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) turned into plain IPv4: v6
/// sockets are `IPV6_V6ONLY`, so such a destination is reached over the v4 socket.
pub(crate) fn canonical(addr: SocketAddr) -> SocketAddr {
    SocketAddr::new(addr.ip().to_canonical(), addr.port())
}

/// A new socket of `addr`'s family; a v6 one is v6-only so that v4 and v6 sockets can share a
/// port and a v4 peer never shows up as a mapped v6 address.
fn new_socket(addr: SocketAddr, kind: Type, protocol: Protocol) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), kind, Some(protocol))?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.set_nonblocking(true)?;
    Ok(socket)
}

/// Binds a UDP socket with a receive buffer of (if the kernel allows) `recv_buffer` octets.
pub(crate) fn bind_udp(addr: SocketAddr, recv_buffer: usize) -> io::Result<UdpSocket> {
    let socket = new_socket(addr, Type::DGRAM, Protocol::UDP)?;
    set_recv_buffer(&socket, recv_buffer);
    if let Err(error) = socket.set_send_buffer_size(UDP_SEND_BUFFER) {
        tracing::debug!(%error, "cannot set UDP send buffer size");
    }
    socket.bind(&addr.into())?;
    UdpSocket::from_std(socket.into())
}

/// Binds and listens on a TCP socket.
pub(crate) fn bind_tcp_listener(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = new_socket(addr, Type::STREAM, Protocol::TCP)?;
    // Lets a restarted agent bind its port while old connections linger in TIME_WAIT.
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(LISTEN_BACKLOG)?;
    TcpListener::from_std(socket.into())
}

/// Opens a TCP connection to `destination`, from `local_ip` when given (port chosen by the OS).
pub(crate) async fn connect_tcp(
    destination: SocketAddr,
    local_ip: Option<IpAddr>,
) -> io::Result<TcpStream> {
    let socket = if destination.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    if let Some(ip) = local_ip.filter(|ip| !ip.is_unspecified()) {
        socket.bind(SocketAddr::new(ip, 0))?;
    }
    socket.connect(destination).await
}

/// Asks for `wanted` octets of receive buffer. The kernel caps `SO_RCVBUF` at
/// `net.core.rmem_max`; `SO_RCVBUFFORCE` overrides that when we have `CAP_NET_ADMIN`. Neither
/// failing is fatal: a smaller buffer only means more loss under bursts.
fn set_recv_buffer(socket: &Socket, wanted: usize) {
    if let Err(error) = socket.set_recv_buffer_size(wanted) {
        tracing::debug!(%error, "cannot set SO_RCVBUF");
    }
    if !recv_buffer_is_enough(socket, wanted) {
        force_recv_buffer(socket, wanted);
    }
    match socket.recv_buffer_size() {
        Ok(obtained) => tracing::debug!(requested = wanted, obtained, "UDP receive buffer"),
        Err(error) => tracing::debug!(%error, "cannot read SO_RCVBUF"),
    }
}

/// Whether the buffer obtained is at least `wanted`.
fn recv_buffer_is_enough(socket: &Socket, wanted: usize) -> bool {
    socket
        .recv_buffer_size()
        .is_ok_and(|reported| as_requested(reported) >= wanted)
}

/// The `SO_RCVBUF` value set, from the one reported: Linux doubles the value set (half is for
/// its bookkeeping) and reports the doubled value.
fn as_requested(reported: usize) -> usize {
    if cfg!(any(target_os = "linux", target_os = "android")) {
        reported / 2
    } else {
        reported
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn force_recv_buffer(socket: &Socket, wanted: usize) {
    // Fails with EPERM without CAP_NET_ADMIN, which is the common case: fall back silently.
    if let Err(error) = rustix::net::sockopt::set_socket_recv_buffer_size_force(socket, wanted) {
        tracing::debug!(%error, "SO_RCVBUFFORCE refused; keeping the capped buffer");
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn force_recv_buffer(_socket: &Socket, _wanted: usize) {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn mapped_v6_becomes_v4() {
        let mapped = SocketAddr::new(IpAddr::V6(Ipv4Addr::LOCALHOST.to_ipv6_mapped()), 5060);
        assert_eq!(
            canonical(mapped),
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 5060)
        );
        let v6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 5060);
        assert_eq!(canonical(v6), v6);
    }

    #[tokio::test]
    async fn udp_socket_gets_a_receive_buffer() {
        // Below Linux's default rmem_max (208 KiB), so the request is granted in full.
        let wanted = 64 * 1024;
        let socket = bind_udp((Ipv4Addr::LOCALHOST, 0).into(), wanted).expect("bind");
        let socket = socket2::SockRef::from(&socket);
        assert!(recv_buffer_is_enough(&socket, wanted));
    }

    #[tokio::test]
    async fn v6_sockets_are_v6_only() {
        let socket = bind_udp((Ipv6Addr::LOCALHOST, 0).into(), 64 * 1024).expect("bind");
        assert!(socket2::SockRef::from(&socket)
            .only_v6()
            .expect("IPV6_V6ONLY"));
    }
}
