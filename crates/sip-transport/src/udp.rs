//! UDP: one receive loop per socket, and sends straight from the caller's thread.
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tracing::Instrument;

use crate::events::Undelivered;
use crate::shared::{Shared, UdpEndpoint};
use crate::{Inbound, Transport, TransportError};

/// Larger than any UDP payload (65,507 octets over IPv4), so no datagram is ever truncated.
const RECEIVE_BUFFER: usize = 65_536;

/// Pause after a receive error, so that a persistent one cannot spin the loop.
const ERROR_PAUSE: Duration = Duration::from_millis(10);

/// Spawns the receive loop of `endpoint`.
pub(crate) fn spawn_receive_loop(shared: &Arc<Shared>, endpoint: UdpEndpoint) {
    let span = tracing::debug_span!("udp", local = %endpoint.local);
    shared
        .tasks
        .spawn(receive_loop(Arc::clone(shared), endpoint).instrument(span));
}

/// Hands every datagram up whole, until shutdown or until nobody listens.
async fn receive_loop(shared: Arc<Shared>, endpoint: UdpEndpoint) {
    let mut buf = vec![0u8; RECEIVE_BUFFER];
    loop {
        let received = tokio::select! {
            _ = shared.shutdown.cancelled() => break,
            received = endpoint.socket.recv_from(&mut buf) => received,
        };
        let (len, remote) = match received {
            Ok(received) => received,
            Err(error) => {
                // E.g. ICMP errors surfacing on some platforms: not fatal to the socket.
                tracing::debug!(%error, "UDP receive error");
                tokio::time::sleep(ERROR_PAUSE).await;
                continue;
            }
        };
        let datagram = buf.get(..len).unwrap_or_default();
        if is_keep_alive(datagram) {
            tracing::trace!(%remote, "UDP keep-alive ignored");
            continue;
        }
        let inbound = Inbound {
            transport: Transport::Udp,
            local: endpoint.local,
            remote,
            bytes: Bytes::copy_from_slice(datagram),
        };
        match shared.events.try_deliver(inbound) {
            Ok(()) => {}
            Err(Undelivered::Full) => {
                tracing::debug!(%remote, len, "event channel full, UDP datagram dropped");
            }
            Err(Undelivered::Closed) => {
                tracing::debug!("event receiver dropped, UDP receive loop ends");
                break;
            }
        }
    }
}

/// Empty datagrams and CRLF keep-alives carry no message; peers send them to keep NAT
/// bindings open, and the core would only answer them with parse errors.
fn is_keep_alive(datagram: &[u8]) -> bool {
    datagram
        .iter()
        .all(|&octet| octet == b'\r' || octet == b'\n')
}

/// Sends `bytes` to `destination` from the bound socket of its address family.
pub(crate) fn send(shared: &Arc<Shared>, destination: SocketAddr, bytes: Bytes) {
    let Some(endpoint) = shared.udp_socket_for(destination) else {
        let error = TransportError::NotBound(Transport::Udp);
        shared
            .events
            .report_send_failed(Transport::Udp, destination, error);
        return;
    };
    // The common case costs one system call and no task; only a full send buffer defers.
    match endpoint.socket.try_send_to(&bytes, destination) {
        Ok(_) => {}
        Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
            let shared_for_task = Arc::clone(shared);
            shared.tasks.spawn_on(
                async move {
                    let sent = tokio::select! {
                        _ = shared_for_task.shutdown.cancelled() => return,
                        sent = endpoint.socket.send_to(&bytes, destination) => sent,
                    };
                    if let Err(error) = sent {
                        report_udp_error(&shared_for_task, destination, error);
                    }
                },
                &shared.runtime,
            );
        }
        Err(error) => report_udp_error(shared, destination, error),
    }
}

/// A UDP send error says something about the destination (unreachable, refused: every
/// transaction towards it should fail fast, RFC 3261 §8.1.3.1) or only about this one
/// datagram (too large, a port-0 destination): then the datagram is lost like any other
/// on UDP, and the transactions towards that peer go on.
fn report_udp_error(shared: &Shared, destination: SocketAddr, error: io::Error) {
    if concerns_only_this_datagram(&error, destination) {
        tracing::debug!(%destination, %error, "datagram dropped");
        return;
    }
    shared
        .events
        .report_send_failed(Transport::Udp, destination, error);
}

fn concerns_only_this_datagram(error: &io::Error, destination: SocketAddr) -> bool {
    // Linux errno for "message too long" (the same on every Linux architecture).
    const EMSGSIZE: i32 = 90;
    destination.port() == 0
        || error.raw_os_error() == Some(EMSGSIZE)
        || error.kind() == io::ErrorKind::InvalidInput
}

#[cfg(test)]
mod tests {
    use super::is_keep_alive;

    #[test]
    fn keep_alives_are_recognised() {
        assert!(is_keep_alive(b""));
        assert!(is_keep_alive(b"\r\n"));
        assert!(is_keep_alive(b"\r\n\r\n"));
        assert!(!is_keep_alive(b"\r\nOPTIONS sip:a@b SIP/2.0\r\n"));
        assert!(!is_keep_alive(b"\0\0\0\0"));
    }
}
