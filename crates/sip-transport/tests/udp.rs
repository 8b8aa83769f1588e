//! UDP: datagrams in and out on IPv4 and IPv6 loopback.
mod common;

use std::net::SocketAddr;

use bytes::Bytes;
use common::{bind, config, next_failure, next_inbound, request, v4, v6, WAIT};
use sip_transport::Transport;
use tokio::net::UdpSocket;

/// A peer socket sends a request to the transports, which deliver it whole; the reply sent to
/// the inbound's remote address reaches the peer from the same local address.
async fn receive_and_reply(family: SocketAddr) {
    let (transports, mut events) = bind(config(&[family], &[])).await;
    let peer = UdpSocket::bind(family).await.expect("peer socket");
    let peer_addr = peer.local_addr().expect("peer address");
    let local = transports
        .local_addr(Transport::Udp, peer_addr)
        .expect("a UDP socket");
    assert_eq!(local.ip(), family.ip());
    assert_ne!(local.port(), 0, "the actual port, not the requested 0");

    // Trailing octets past Content-Length stay: framing datagrams is the core's job.
    let mut datagram = request("udp1", "hello");
    datagram.extend_from_slice(b"\r\ntrailing");
    peer.send_to(&datagram, local).await.expect("peer send");
    let inbound = next_inbound(&mut events).await;
    assert_eq!(inbound.transport, Transport::Udp);
    assert_eq!(inbound.bytes, datagram);
    assert_eq!(inbound.remote, peer_addr);
    assert_eq!(inbound.local, local);

    transports.send(
        Transport::Udp,
        inbound.remote,
        Bytes::from_static(b"SIP/2.0 200 OK\r\n\r\n"),
    );
    let mut buf = [0u8; 2048];
    let (n, from) = tokio::time::timeout(WAIT, peer.recv_from(&mut buf))
        .await
        .expect("reply")
        .expect("recv");
    assert_eq!(&buf[..n], b"SIP/2.0 200 OK\r\n\r\n");
    assert_eq!(from, local);
}

#[tokio::test]
async fn ipv4_receive_and_reply() {
    receive_and_reply(v4()).await;
}

#[tokio::test]
async fn ipv6_receive_and_reply() {
    receive_and_reply(v6()).await;
}

#[tokio::test]
async fn both_families_at_once() {
    let (transports, mut events) = bind(config(&[v4(), v6()], &[])).await;
    for family in [v4(), v6()] {
        let peer = UdpSocket::bind(family).await.expect("peer socket");
        let peer_addr = peer.local_addr().expect("peer address");
        let local = transports
            .local_addr(Transport::Udp, peer_addr)
            .expect("a UDP socket");
        assert_eq!(local.is_ipv4(), family.is_ipv4());
        peer.send_to(b"OPTIONS sip:x SIP/2.0\r\n\r\n", local)
            .await
            .expect("send");
        let inbound = next_inbound(&mut events).await;
        assert_eq!(inbound.remote, peer_addr);
    }
}

#[tokio::test]
async fn keep_alives_and_empty_datagrams_are_not_delivered() {
    let (transports, mut events) = bind(config(&[v4()], &[])).await;
    let peer = UdpSocket::bind(v4()).await.expect("peer socket");
    let local = transports
        .local_addr(Transport::Udp, v4())
        .expect("a UDP socket");
    for noise in [&b"\r\n\r\n"[..], b"\r\n", b""] {
        peer.send_to(noise, local).await.expect("send");
    }
    let message = request("after-noise", "");
    peer.send_to(&message, local).await.expect("send");
    // Loopback keeps order, so the first event is the message if the noise was dropped.
    assert_eq!(next_inbound(&mut events).await.bytes, message);
}

#[tokio::test]
async fn send_without_a_socket_of_that_family_fails() {
    let (transports, mut events) = bind(config(&[v4()], &[])).await;
    let v6_peer: SocketAddr = "[::1]:5060".parse().expect("address");
    assert_eq!(transports.local_addr(Transport::Udp, v6_peer), None);
    assert_eq!(transports.local_addr(Transport::Tcp, v4()), None);
    transports.send(Transport::Udp, v6_peer, Bytes::from_static(b"x"));
    assert_eq!(next_failure(&mut events).await, v6_peer);
}

/// A datagram too large for UDP (or to port 0) is lost like any datagram: it does not fail the
/// destination, so the transactions towards that peer go on; the next send still arrives.
#[tokio::test]
async fn an_oversized_datagram_is_dropped_without_failing_the_destination() {
    let (transports, mut events) = bind(config(&[v4()], &[])).await;
    let peer = UdpSocket::bind(v4()).await.expect("peer socket");
    let peer_addr = peer.local_addr().expect("peer address");
    transports.send(Transport::Udp, peer_addr, Bytes::from(vec![b'x'; 70_000]));
    transports.send(
        Transport::Udp,
        SocketAddr::new(peer_addr.ip(), 0),
        Bytes::from_static(b"x"),
    );
    transports.send(
        Transport::Udp,
        peer_addr,
        Bytes::from_static(b"SIP/2.0 200 OK\r\n\r\n"),
    );
    let mut buf = [0u8; 2048];
    let (n, _) = tokio::time::timeout(WAIT, peer.recv_from(&mut buf))
        .await
        .expect("the next datagram arrives")
        .expect("recv");
    assert_eq!(&buf[..n], b"SIP/2.0 200 OK\r\n\r\n");
    // No SendFailed was reported for either dropped datagram.
    let quiet = tokio::time::timeout(std::time::Duration::from_millis(200), events.recv()).await;
    assert!(quiet.is_err(), "unexpected event: {quiet:?}");
}
