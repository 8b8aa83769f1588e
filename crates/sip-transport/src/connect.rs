//! Sending over TCP: queue on the connection to the destination, opening it first if needed.
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tracing::Instrument;

use crate::shared::Shared;
use crate::table::NewEntry;
use crate::{connection, socket, Transport};

/// Give up opening a connection after 64*T1 (RFC 3261 Timer B): by then the transaction that
/// wanted it has timed out anyway, and the OS default (minutes of SYN retries) is far longer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(32);

/// Queues `bytes` to `destination` over TCP.
pub(crate) fn send(shared: &Arc<Shared>, destination: SocketAddr, bytes: Bytes) {
    match shared.connections.queue_or_create(destination, bytes) {
        Ok(None) => {}
        Ok(Some(entry)) => {
            let span = connection::span(destination, entry.id, "opened");
            let task = open(Arc::clone(shared), destination, entry).instrument(span);
            shared.tasks.spawn_on(task, &shared.runtime);
        }
        Err(error) => shared
            .events
            .report_send_failed(Transport::Tcp, destination, error),
    }
}

/// Opens the connection of `entry` and runs it; on failure every queued message fails.
async fn open(shared: Arc<Shared>, destination: SocketAddr, entry: NewEntry) {
    // From the listener's IP, so the peer sees the host of our Via and Contact.
    let local_ip = shared.tcp_listener_for(destination).map(|local| local.ip());
    tracing::debug!(?local_ip, "connecting");
    let connecting =
        tokio::time::timeout(CONNECT_TIMEOUT, socket::connect_tcp(destination, local_ip));
    let connected = tokio::select! {
        _ = shared.shutdown.cancelled() => return,
        connected = connecting => connected,
    };
    let error = match connected {
        Ok(Ok(stream)) => return connection::run(shared, stream, destination, entry).await,
        Ok(Err(error)) => error.to_string(),
        Err(_elapsed) => format!("connect timed out after {} s", CONNECT_TIMEOUT.as_secs()),
    };
    tracing::debug!(%error, "connect failed");
    shared.connections.remove(destination, entry.id);
    connection::fail_queued(&shared, destination, entry.queue, &error);
}
