//! TCP, connections accepted by the transports: framing, replies on the same connection,
//! keep-alives, corrupt streams, idle timeout.
mod common;

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use common::{bind, config, next_inbound, read_message, request, response, v4, v6, wait_closed};
use sip_transport::{Transport, TransportConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Connects a client to the transports' listener of `family`.
async fn connect(transports: &sip_transport::Transports, family: SocketAddr) -> TcpStream {
    let listener = transports
        .local_addr(Transport::Tcp, family)
        .expect("a TCP listener");
    let client = TcpStream::connect(listener)
        .await
        .expect("connect to the listener");
    client.set_nodelay(true).expect("TCP_NODELAY");
    client
}

/// Two messages written in odd chunks arrive as two whole messages; a reply sent to the
/// inbound's remote address comes back over the client's own connection.
async fn chunked_messages_and_reply(family: SocketAddr) {
    let (transports, mut events) = bind(config(&[], &[family])).await;
    let mut client = connect(&transports, family).await;
    let client_addr = client.local_addr().expect("client address");
    let first = request("one", "first body");
    let second = request("two", "");
    let stream: Vec<u8> = [first.clone(), second.clone()].concat();
    let mut rest = &stream[..];
    for size in [1, 7, 13, 64, 3, 101].iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (chunk, tail) = rest.split_at((*size).min(rest.len()));
        client.write_all(chunk).await.expect("client write");
        // A pause lets each chunk reach the reader on its own; correctness does not depend on it.
        tokio::time::sleep(Duration::from_millis(1)).await;
        rest = tail;
    }

    let inbound = next_inbound(&mut events).await;
    assert_eq!(inbound.transport, Transport::Tcp);
    assert_eq!(inbound.bytes, first);
    assert_eq!(inbound.remote, client_addr);
    assert_eq!(
        Some(inbound.local),
        transports.local_addr(Transport::Tcp, family)
    );
    assert_eq!(next_inbound(&mut events).await.bytes, second);

    let reply = response("one");
    transports.send(Transport::Tcp, inbound.remote, Bytes::from(reply.clone()));
    let mut pending = Vec::new();
    assert_eq!(read_message(&mut client, &mut pending).await, reply);
    assert_eq!(
        transports.tcp_connection_count(),
        1,
        "the reply opened no connection"
    );
}

#[tokio::test]
async fn ipv4_chunked_messages_and_reply() {
    chunked_messages_and_reply(v4()).await;
}

#[tokio::test]
async fn ipv6_chunked_messages_and_reply() {
    chunked_messages_and_reply(v6()).await;
}

#[tokio::test]
async fn keep_alive_ping_gets_a_pong_and_is_not_delivered() {
    let (transports, mut events) = bind(config(&[], &[v4()])).await;
    let mut client = connect(&transports, v4()).await;
    client.write_all(b"\r\n\r\n").await.expect("ping");
    let mut pong = [0u8; 2];
    tokio::time::timeout(common::WAIT, client.read_exact(&mut pong))
        .await
        .expect("a pong within the wait")
        .expect("read the pong");
    assert_eq!(&pong, b"\r\n");

    let message = request("after-ping", "");
    client.write_all(&message).await.expect("write");
    assert_eq!(
        next_inbound(&mut events).await.bytes,
        message,
        "the ping was not delivered"
    );
}

#[tokio::test]
async fn bad_content_length_closes_only_that_connection() {
    let (transports, mut events) = bind(config(&[], &[v4()])).await;
    let mut good = connect(&transports, v4()).await;
    let mut bad = connect(&transports, v4()).await;

    let corrupt = b"MESSAGE sip:bob@example.invalid SIP/2.0\r\nContent-Length: many\r\n\r\n";
    bad.write_all(corrupt).await.expect("write");
    wait_closed(&mut bad).await;

    let message = request("still-good", "body");
    good.write_all(&message).await.expect("write");
    let inbound = next_inbound(&mut events).await;
    assert_eq!(inbound.bytes, message);
    transports.send(
        Transport::Tcp,
        inbound.remote,
        Bytes::from(response("still-good")),
    );
    let mut pending = Vec::new();
    assert_eq!(
        read_message(&mut good, &mut pending).await,
        response("still-good")
    );
}

#[tokio::test]
async fn idle_connection_is_closed() {
    let config = TransportConfig {
        tcp_idle_timeout: Duration::from_millis(200),
        ..config(&[], &[v4()])
    };
    let (transports, mut events) = bind(config).await;
    let mut client = connect(&transports, v4()).await;
    // Traffic first, so the timeout is measured from the last octet, not from accept.
    let message = request("idle", "");
    client.write_all(&message).await.expect("write");
    assert_eq!(next_inbound(&mut events).await.bytes, message);
    wait_closed(&mut client).await;
    common::eventually(|| transports.tcp_connection_count() == 0).await;
}
