//! Accepting TCP connections.
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tracing::Instrument;

use crate::shared::Shared;
use crate::{connection, socket};

/// Pause after an accept error: the usual one is running out of file descriptors, and
/// retrying at once would spin until one is freed.
const ERROR_PAUSE: Duration = Duration::from_millis(50);

/// Spawns the accept loop of `listener`.
pub(crate) fn spawn_accept_loop(shared: &Arc<Shared>, listener: TcpListener) {
    let span = match listener.local_addr() {
        Ok(local) => tracing::debug_span!("tcp_listener", %local),
        Err(_) => tracing::debug_span!("tcp_listener"),
    };
    shared
        .tasks
        .spawn(accept_loop(Arc::clone(shared), listener).instrument(span));
}

/// Registers and runs every accepted connection, until shutdown or until nobody listens.
async fn accept_loop(shared: Arc<Shared>, listener: TcpListener) {
    loop {
        let accepted = tokio::select! {
            _ = shared.shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, remote)) => {
                if shared.events.is_closed() {
                    tracing::debug!("event receiver dropped, accept loop ends");
                    break;
                }
                let remote = socket::canonical(remote);
                let entry = shared.connections.register(remote);
                let span = connection::span(remote, entry.id, "accepted");
                let task = connection::run(Arc::clone(&shared), stream, remote, entry);
                shared.tasks.spawn(task.instrument(span));
            }
            Err(error) => {
                tracing::debug!(%error, "accept failed");
                tokio::time::sleep(ERROR_PAUSE).await;
            }
        }
    }
}
