//! Stopping the transports: explicitly with `shutdown`, or by dropping every handle.
mod common;

use bytes::Bytes;
use common::{bind, config, next_inbound, request, v4, wait_closed, WAIT};
use sip_transport::Transport;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpStream, UdpSocket};

#[tokio::test]
async fn shutdown_closes_connections_and_frees_ports() {
    let (transports, mut events) = bind(config(&[v4()], &[v4()])).await;
    let tcp = transports
        .local_addr(Transport::Tcp, v4())
        .expect("listener");
    let udp = transports
        .local_addr(Transport::Udp, v4())
        .expect("UDP socket");
    let mut client = TcpStream::connect(tcp).await.expect("connect");
    let message = request("before-shutdown", "");
    client.write_all(&message).await.expect("write");
    assert_eq!(next_inbound(&mut events).await.bytes, message);

    tokio::time::timeout(WAIT, transports.shutdown())
        .await
        .expect("shutdown completes");
    wait_closed(&mut client).await;
    assert!(
        TcpStream::connect(tcp).await.is_err(),
        "the listener is closed"
    );
    UdpSocket::bind(udp)
        .await
        .expect("the UDP port is free again");
    assert_eq!(transports.tcp_connection_count(), 0);
    // Sends after shutdown are ignored, and a second shutdown is harmless.
    transports.send(Transport::Udp, udp, Bytes::from_static(b"late"));
    transports.shutdown().await;
}

#[tokio::test]
async fn dropping_every_handle_stops_the_tasks() {
    let (transports, mut events) = bind(config(&[v4()], &[v4()])).await;
    let clone = transports.clone();
    drop(transports);
    drop(clone);
    // The channel closes once every task has ended and released its sender.
    let end = tokio::time::timeout(WAIT, events.recv())
        .await
        .expect("the channel closes");
    assert!(end.is_none());
}
