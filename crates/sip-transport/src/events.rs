//! Delivering events to the core, with the right policy for each source when the channel is
//! full: UDP drops, TCP waits, failures are never lost.
use std::net::SocketAddr;

use tokio::runtime::Handle;
use tokio::sync::mpsc::{self, error::TrySendError};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::{Inbound, Transport, TransportEvent};

/// The sending side of the event channel.
#[derive(Debug, Clone)]
pub(crate) struct EventSink {
    tx: mpsc::Sender<TransportEvent>,
    runtime: Handle,
    tasks: TaskTracker,
    shutdown: CancellationToken,
}

/// Why an event was not delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Undelivered {
    /// The channel is full (UDP only: the datagram is dropped).
    Full,
    /// The receiver is gone: nobody listens any more.
    Closed,
}

impl EventSink {
    pub fn new(
        tx: mpsc::Sender<TransportEvent>,
        runtime: Handle,
        tasks: TaskTracker,
        shutdown: CancellationToken,
    ) -> Self {
        EventSink {
            tx,
            runtime,
            tasks,
            shutdown,
        }
    }

    /// Delivers a datagram without waiting: a receive loop that blocked on a full channel
    /// would let the kernel drop datagrams anyway, with no log of it.
    pub fn try_deliver(&self, inbound: Inbound) -> Result<(), Undelivered> {
        match self.tx.try_send(TransportEvent::Received(inbound)) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => Err(Undelivered::Full),
            Err(TrySendError::Closed(_)) => Err(Undelivered::Closed),
        }
    }

    /// Delivers a stream message, waiting for room: the wait stops the connection's reader,
    /// and TCP flow control then slows the peer down.
    pub async fn deliver(&self, inbound: Inbound) -> Result<(), Undelivered> {
        self.tx
            .send(TransportEvent::Received(inbound))
            .await
            .map_err(|_| Undelivered::Closed)
    }

    /// Whether the receiver was dropped.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// Reports a failed send. Callable from synchronous code: when the channel is full the
    /// report waits in a task, because a lost failure would leave a transaction waiting for
    /// its timer instead of failing fast (RFC 3261 §8.1.3.1).
    pub fn report_send_failed(
        &self,
        transport: Transport,
        destination: SocketAddr,
        error: impl ToString,
    ) {
        let error = error.to_string();
        tracing::debug!(%transport, %destination, %error, "send failed");
        let event = TransportEvent::SendFailed {
            transport,
            destination,
            error,
        };
        match self.tx.try_send(event) {
            Ok(()) | Err(TrySendError::Closed(_)) => {}
            Err(TrySendError::Full(event)) => {
                let tx = self.tx.clone();
                let shutdown = self.shutdown.clone();
                self.tasks.spawn_on(
                    async move {
                        // Fails only when the receiver is gone, and then nobody cares; the
                        // select keeps a full, undrained channel from stalling shutdown.
                        tokio::select! {
                            _ = shutdown.cancelled() => {}
                            _ = tx.send(event) => {}
                        }
                    },
                    &self.runtime,
                );
            }
        }
    }
}
