//! The TCP connection table: one entry per remote address, accepted and opened connections
//! alike, so a response follows its request's connection (RFC 3261 §18.2.2) and requests to a
//! peer reuse an open connection.
//!
//! An entry exists from the moment a connection is wanted: while an outgoing connection is
//! still being opened, sends to the same destination queue behind the first one instead of
//! opening a second connection, and the queue keeps their order.
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use tokio::sync::mpsc::{self, error::TrySendError};

/// Messages a connection may have queued before sends to it fail: bounds the memory a peer
/// that stops reading can pin.
pub(crate) const QUEUE_CAPACITY: usize = 1024;

/// What a connection's writer sends.
#[derive(Debug)]
pub(crate) enum Outgoing {
    /// A message from [`crate::Transports::send`]; reported as failed if never written.
    Message(Bytes),
    /// The CRLF answering a keep-alive ping (RFC 5626 §3.5.1); internal, never reported.
    Pong,
}

/// The identity of one connection, so a closing connection removes its own entry and not
/// a newer one to the same address.
pub(crate) type ConnectionId = u64;

#[derive(Debug)]
struct Entry {
    id: ConnectionId,
    queue: mpsc::Sender<Outgoing>,
}

/// A connection entry just created; its owner runs the connection and drains `queue`.
#[derive(Debug)]
pub(crate) struct NewEntry {
    pub id: ConnectionId,
    /// For the connection's own use (pongs); keeps the queue open while the reader lives.
    pub sender: mpsc::Sender<Outgoing>,
    pub queue: mpsc::Receiver<Outgoing>,
}

/// Why a message could not be queued.
#[derive(Debug, thiserror::Error)]
pub(crate) enum QueueError {
    /// The connection has [`QUEUE_CAPACITY`] messages waiting.
    #[error("TCP send queue full ({QUEUE_CAPACITY} messages waiting)")]
    Full,
}

/// Open and opening connections by remote address.
#[derive(Debug, Default)]
pub(crate) struct ConnectionTable {
    entries: Mutex<HashMap<SocketAddr, Entry>>,
    next_id: AtomicU64,
}

impl ConnectionTable {
    fn entries(&self) -> MutexGuard<'_, HashMap<SocketAddr, Entry>> {
        // A panic elsewhere cannot leave the map half-updated: every update is one call.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn new_entry(&self) -> (Entry, NewEntry) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (sender, queue) = mpsc::channel(QUEUE_CAPACITY);
        (
            Entry {
                id,
                queue: sender.clone(),
            },
            NewEntry { id, sender, queue },
        )
    }

    /// Queues `bytes` on the connection to `remote`. Returns a new entry, with `bytes` already
    /// queued in it, when there was no usable connection: the caller must open it.
    pub fn queue_or_create(
        &self,
        remote: SocketAddr,
        bytes: Bytes,
    ) -> Result<Option<NewEntry>, QueueError> {
        let mut entries = self.entries();
        let message = match entries.get(&remote) {
            Some(entry) => match entry.queue.try_send(Outgoing::Message(bytes)) {
                Ok(()) => return Ok(None),
                Err(TrySendError::Full(_)) => return Err(QueueError::Full),
                // That connection is closing; its leftovers are reported by its writer.
                Err(TrySendError::Closed(message)) => message,
            },
            None => Outgoing::Message(bytes),
        };
        let (entry, new) = self.new_entry();
        // Cannot fail: the queue is fresh, empty and open.
        let _ = entry.queue.try_send(message);
        entries.insert(remote, entry);
        Ok(Some(new))
    }

    /// Registers an accepted connection from `remote`. A previous entry for the same address
    /// is replaced (its connection lives on until it closes, but new sends use this one).
    pub fn register(&self, remote: SocketAddr) -> NewEntry {
        let (entry, new) = self.new_entry();
        if self.entries().insert(remote, entry).is_some() {
            tracing::debug!(%remote, "connection replaces an older one to the same address");
        }
        new
    }

    /// Removes the entry of connection `id` to `remote`, if it is still the current one.
    pub fn remove(&self, remote: SocketAddr, id: ConnectionId) {
        let mut entries = self.entries();
        if entries.get(&remote).is_some_and(|entry| entry.id == id) {
            entries.remove(&remote);
        }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Drops every entry.
    pub fn clear(&self) {
        self.entries().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(port: u16) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], port))
    }

    fn message(queued: Option<Outgoing>) -> Bytes {
        match queued {
            Some(Outgoing::Message(bytes)) => bytes,
            other => panic!("expected a message, got {other:?}"),
        }
    }

    #[test]
    fn sends_while_opening_share_one_entry_in_order() {
        let table = ConnectionTable::default();
        let mut new = table
            .queue_or_create(addr(5060), Bytes::from_static(b"one"))
            .expect("queued")
            .expect("a new entry");
        for second in [b"two", b"six"] {
            let again = table.queue_or_create(addr(5060), Bytes::from_static(second));
            assert!(again.expect("queued").is_none(), "no second connection");
        }
        assert_eq!(message(new.queue.try_recv().ok()), "one");
        assert_eq!(message(new.queue.try_recv().ok()), "two");
        assert_eq!(message(new.queue.try_recv().ok()), "six");
        assert_eq!(table.len(), 1);
    }

    #[test]
    fn closed_entry_is_replaced() {
        let table = ConnectionTable::default();
        let old = table
            .queue_or_create(addr(1), Bytes::new())
            .expect("queued")
            .expect("new");
        drop(old);
        let new = table
            .queue_or_create(addr(1), Bytes::from_static(b"x"))
            .expect("queued");
        let mut new = new.expect("a closed connection is not reused");
        assert_eq!(message(new.queue.try_recv().ok()), "x");
    }

    #[test]
    fn remove_spares_a_newer_entry() {
        let table = ConnectionTable::default();
        let old = table.register(addr(2));
        let new = table.register(addr(2));
        table.remove(addr(2), old.id);
        assert_eq!(table.len(), 1);
        table.remove(addr(2), new.id);
        assert_eq!(table.len(), 0);
    }

    #[test]
    fn full_queue_is_an_error() {
        let table = ConnectionTable::default();
        let _new = table
            .queue_or_create(addr(3), Bytes::new())
            .expect("queued")
            .expect("new");
        for _ in 1..QUEUE_CAPACITY {
            assert!(table
                .queue_or_create(addr(3), Bytes::new())
                .expect("queued")
                .is_none());
        }
        assert!(matches!(
            table.queue_or_create(addr(3), Bytes::new()),
            Err(QueueError::Full)
        ));
    }
}
