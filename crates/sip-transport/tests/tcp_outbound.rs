//! TCP, connections opened by the transports: reuse, ordering, failures.
mod common;

use std::net::SocketAddr;

use bytes::Bytes;
use common::{
    bind, config, eventually, next_failure, next_inbound, read_message, request, response, v4, v6,
    WAIT,
};
use sip_transport::Transport;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

/// Accepts the next connection on `peer`, within the wait.
async fn accept(peer: &TcpListener) -> (TcpStream, SocketAddr) {
    tokio::time::timeout(WAIT, peer.accept())
        .await
        .expect("a connection")
        .expect("accept")
}

/// A request to a peer opens a connection; the second reuses it; the peer's reply on that
/// connection comes back as an inbound message; a third send still uses the same connection.
async fn open_and_reuse(family: SocketAddr, with_listener: bool) {
    let tcp = if with_listener {
        vec![family]
    } else {
        Vec::new()
    };
    let (transports, mut events) = bind(config(&[], &tcp)).await;
    let peer = TcpListener::bind(family).await.expect("peer listener");
    let peer_addr = peer.local_addr().expect("peer address");

    let (first, second) = (request("first", "1"), request("second", "2"));
    transports.send(Transport::Tcp, peer_addr, Bytes::from(first.clone()));
    let (mut stream, from) = accept(&peer).await;
    if let Some(listener) = transports.local_addr(Transport::Tcp, peer_addr) {
        assert_eq!(
            from.ip(),
            listener.ip(),
            "connections come from the listener's IP"
        );
    }
    let mut pending = Vec::new();
    assert_eq!(read_message(&mut stream, &mut pending).await, first);
    transports.send(Transport::Tcp, peer_addr, Bytes::from(second.clone()));
    // Arriving on the first accepted stream proves the connection was reused.
    assert_eq!(read_message(&mut stream, &mut pending).await, second);

    let reply = response("first");
    stream.write_all(&reply).await.expect("peer reply");
    let inbound = next_inbound(&mut events).await;
    assert_eq!(inbound.bytes, reply);
    assert_eq!(inbound.transport, Transport::Tcp);
    assert_eq!(inbound.remote, peer_addr);

    let third = request("third", "3");
    transports.send(Transport::Tcp, inbound.remote, Bytes::from(third.clone()));
    assert_eq!(read_message(&mut stream, &mut pending).await, third);
    assert_eq!(transports.tcp_connection_count(), 1);
}

#[tokio::test]
async fn ipv4_open_and_reuse_from_listener_ip() {
    open_and_reuse(v4(), true).await;
}

#[tokio::test]
async fn ipv6_open_and_reuse_from_listener_ip() {
    open_and_reuse(v6(), true).await;
}

#[tokio::test]
async fn open_and_reuse_without_a_listener() {
    open_and_reuse(v4(), false).await;
}

// Several workers, so the connect task races the sends that queue behind it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_while_connecting_open_one_connection_in_order() {
    let (transports, _events) = bind(config(&[], &[v4()])).await;
    let peer = TcpListener::bind(v4()).await.expect("peer listener");
    let peer_addr = peer.local_addr().expect("peer address");
    let messages: Vec<Vec<u8>> = (0..50).map(|i| request(&format!("m{i}"), "")).collect();
    for message in &messages {
        transports.send(Transport::Tcp, peer_addr, Bytes::from(message.clone()));
    }
    let (mut stream, _) = accept(&peer).await;
    let mut pending = Vec::new();
    for message in &messages {
        assert_eq!(&read_message(&mut stream, &mut pending).await, message);
    }
    assert_eq!(transports.tcp_connection_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_to_a_closed_port_fails() {
    let (transports, mut events) = bind(config(&[], &[v4()])).await;
    // A port that was just free: nothing listens there any more.
    let closed = TcpListener::bind(v4())
        .await
        .expect("listener")
        .local_addr()
        .expect("addr");
    transports.send(Transport::Tcp, closed, Bytes::from(request("a", "")));
    transports.send(Transport::Tcp, closed, Bytes::from(request("b", "")));
    // Each queued message is reported, whether both waited on one attempt or not.
    assert_eq!(next_failure(&mut events).await, closed);
    assert_eq!(next_failure(&mut events).await, closed);
    eventually(|| transports.tcp_connection_count() == 0).await;
}

#[tokio::test]
async fn a_connection_closed_by_the_peer_is_reopened() {
    let (transports, _events) = bind(config(&[], &[v4()])).await;
    let peer = TcpListener::bind(v4()).await.expect("peer listener");
    let peer_addr = peer.local_addr().expect("peer address");
    transports.send(
        Transport::Tcp,
        peer_addr,
        Bytes::from(request("before", "")),
    );
    let (stream, _) = accept(&peer).await;
    drop(stream);
    eventually(|| transports.tcp_connection_count() == 0).await;

    let after = request("after", "");
    transports.send(Transport::Tcp, peer_addr, Bytes::from(after.clone()));
    let (mut stream, _) = accept(&peer).await;
    let mut pending = Vec::new();
    assert_eq!(read_message(&mut stream, &mut pending).await, after);
}
