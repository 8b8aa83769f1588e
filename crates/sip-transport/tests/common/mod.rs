//! Helpers shared by the integration tests: loopback-only configs, bounded waits, and a tiny
//! test-side framer for reading SIP messages off raw sockets.
#![allow(dead_code)] // Each test binary uses its own subset.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use sip_transport::{Inbound, TransportConfig, TransportEvent, Transports};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc::Receiver;

/// The bound on every wait: generous for a loaded CI machine, short enough to fail fast.
pub const WAIT: Duration = Duration::from_secs(5);

/// `127.0.0.1:0`.
pub fn v4() -> SocketAddr {
    (Ipv4Addr::LOCALHOST, 0).into()
}

/// `[::1]:0`.
pub fn v6() -> SocketAddr {
    (Ipv6Addr::LOCALHOST, 0).into()
}

/// A config binding `udp` and `tcp`; small buffers keep the tests light.
pub fn config(udp: &[SocketAddr], tcp: &[SocketAddr]) -> TransportConfig {
    TransportConfig {
        udp: udp.to_vec(),
        tcp: tcp.to_vec(),
        recv_buffer: 256 * 1024,
        ..TransportConfig::default()
    }
}

/// Binds `config`, panicking on failure.
pub async fn bind(config: TransportConfig) -> (Transports, Receiver<TransportEvent>) {
    Transports::bind(config).await.expect("bind on loopback")
}

/// The next event, within [`WAIT`].
pub async fn next_event(events: &mut Receiver<TransportEvent>) -> TransportEvent {
    tokio::time::timeout(WAIT, events.recv())
        .await
        .expect("an event within the wait")
        .expect("the event channel is open")
}

/// The next event, which must be a received message.
pub async fn next_inbound(events: &mut Receiver<TransportEvent>) -> Inbound {
    match next_event(events).await {
        TransportEvent::Received(inbound) => inbound,
        other => panic!("expected a message, got {other:?}"),
    }
}

/// The next event, which must be a failed send; returns its destination.
pub async fn next_failure(events: &mut Receiver<TransportEvent>) -> SocketAddr {
    match next_event(events).await {
        TransportEvent::SendFailed { destination, .. } => destination,
        other => panic!("expected a failed send, got {other:?}"),
    }
}

/// A small SIP request with a correct Content-Length.
pub fn request(tag: &str, body: &str) -> Vec<u8> {
    format!(
        "MESSAGE sip:bob@example.invalid SIP/2.0\r\n\
         Via: SIP/2.0/TCP client.invalid;branch=z9hG4bK{tag}\r\n\
         From: <sip:alice@example.invalid>;tag=a{tag}\r\n\
         To: <sip:bob@example.invalid>\r\n\
         Call-ID: {tag}@client.invalid\r\n\
         CSeq: 1 MESSAGE\r\n\
         Max-Forwards: 70\r\n\
         Content-Type: text/plain\r\n\
         Content-Length: {}\r\n\
         \r\n\
         {body}",
        body.len()
    )
    .into_bytes()
}

/// A small SIP response with a correct Content-Length and no body.
pub fn response(tag: &str) -> Vec<u8> {
    format!(
        "SIP/2.0 200 OK\r\n\
         Via: SIP/2.0/TCP client.invalid;branch=z9hG4bK{tag}\r\n\
         From: <sip:alice@example.invalid>;tag=a{tag}\r\n\
         To: <sip:bob@example.invalid>;tag=b{tag}\r\n\
         Call-ID: {tag}@client.invalid\r\n\
         CSeq: 1 MESSAGE\r\n\
         Content-Length: 0\r\n\
         \r\n"
    )
    .into_bytes()
}

/// Reads one SIP message off `stream` (head up to the blank line, then Content-Length
/// octets), within [`WAIT`]. `pending` carries octets read past the message to the next call.
pub async fn read_message(stream: &mut TcpStream, pending: &mut Vec<u8>) -> Vec<u8> {
    tokio::time::timeout(WAIT, async {
        loop {
            if let Some(len) = complete_message_len(pending) {
                return pending.drain(..len).collect();
            }
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await.expect("read from transports");
            assert!(n > 0, "connection closed before a whole message arrived");
            pending.extend_from_slice(&chunk[..n]);
        }
    })
    .await
    .expect("a message within the wait")
}

/// The length of the message at the front of `buf`, once it is all there.
fn complete_message_len(buf: &[u8]) -> Option<usize> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&buf[..head_end]).expect("test messages are UTF-8");
    let body_len = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    (buf.len() >= head_end + body_len).then_some(head_end + body_len)
}

/// Waits (within [`WAIT`]) until the transports close `stream`: EOF or a reset. Octets that
/// arrive first are discarded.
pub async fn wait_closed(stream: &mut TcpStream) {
    tokio::time::timeout(WAIT, async {
        let mut chunk = [0u8; 4096];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .expect("the transports close the connection within the wait");
}

/// Waits (within [`WAIT`]) until `condition` holds, checking every few milliseconds: for
/// state with no event to wait on, such as the connection table emptying.
pub async fn eventually(mut condition: impl FnMut() -> bool) {
    tokio::time::timeout(WAIT, async {
        while !condition() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the condition holds within the wait");
}
