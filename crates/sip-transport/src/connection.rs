//! One TCP connection, accepted or opened: a reader that frames and delivers messages and
//! answers keep-alive pings, and a writer that drains the connection's queue. Whichever ends
//! first (EOF, framing error, idle timeout, write error, shutdown) ends the other.
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use sip_message::Frame;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::codec::FramedRead;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::activity::{Activity, TrackedRead};
use crate::codec::{CodecError, SipCodec};
use crate::shared::Shared;
use crate::table::{NewEntry, Outgoing};
use crate::{Inbound, Transport};

/// The RFC 5626 §4.4.1 pong.
const PONG: &[u8] = b"\r\n";

/// Why a connection's reader stopped.
#[derive(Debug)]
enum Closed {
    /// The peer closed its side.
    Eof,
    /// The peer sent something that cannot be framed.
    Corrupt(CodecError),
    /// No octets either way for the idle timeout.
    Idle,
    /// The writer failed, or the transports shut down.
    Stopped,
    /// The event receiver is gone.
    NobodyListens,
}

impl fmt::Display for Closed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Closed::Eof => f.write_str("closed by peer"),
            Closed::Corrupt(error) => write!(f, "{error}"),
            Closed::Idle => f.write_str("idle timeout"),
            Closed::Stopped => f.write_str("stopped"),
            Closed::NobodyListens => f.write_str("event receiver dropped"),
        }
    }
}

/// Runs the connection `stream` to `remote` until it closes, then removes its table entry.
/// Call within the connection's span.
pub(crate) async fn run(
    shared: Arc<Shared>,
    stream: TcpStream,
    remote: SocketAddr,
    entry: NewEntry,
) {
    let NewEntry { id, sender, queue } = entry;
    let local = match stream.local_addr() {
        Ok(local) => local,
        Err(error) => {
            // The socket is already dead (e.g. reset right after accept).
            shared.connections.remove(remote, id);
            fail_queued(&shared, remote, queue, &error.to_string());
            return;
        }
    };
    // SIP messages are written whole; Nagle would only delay them.
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(%error, "cannot set TCP_NODELAY");
    }
    tracing::debug!(%local, "connection open");
    let (read, write) = stream.into_split();
    let activity = Activity::new();
    let stop = shared.shutdown.child_token();
    let writer = write_loop(
        Arc::clone(&shared),
        write,
        queue,
        remote,
        Arc::clone(&activity),
        stop.clone(),
    );
    shared.tasks.spawn(writer.in_current_span());
    let closed = read_loop(&shared, read, local, remote, &sender, &activity, &stop).await;
    tracing::debug!(reason = %closed, "connection closed");
    // Out of the table first, so that new sends open a new connection instead of queueing
    // here; what is already queued is reported as failed by the writer.
    shared.connections.remove(remote, id);
    stop.cancel();
}

/// Frames and delivers inbound messages until the connection should close.
async fn read_loop(
    shared: &Shared,
    read: OwnedReadHalf,
    local: SocketAddr,
    remote: SocketAddr,
    pong: &mpsc::Sender<Outgoing>,
    activity: &Arc<Activity>,
    stop: &CancellationToken,
) -> Closed {
    let read = TrackedRead::new(read, Arc::clone(activity));
    let mut frames = FramedRead::new(read, SipCodec::new(shared.limits));
    loop {
        let deadline = activity.idle_deadline(shared.idle_timeout);
        let frame = tokio::select! {
            _ = stop.cancelled() => return Closed::Stopped,
            _ = tokio::time::sleep_until(deadline) => {
                // The writer may have moved the deadline meanwhile.
                if activity.idle_deadline(shared.idle_timeout) <= Instant::now() {
                    return Closed::Idle;
                }
                continue;
            }
            frame = frames.next() => frame,
        };
        match frame {
            None => return Closed::Eof,
            Some(Err(error)) => return Closed::Corrupt(error),
            Some(Ok(Frame::KeepAlivePing)) => {
                tracing::trace!("keep-alive ping");
                // A full queue means messages are waiting to go out; they keep the peer's
                // flow alive as well as a pong would.
                if pong.try_send(Outgoing::Pong).is_err() {
                    tracing::debug!("send queue full, pong dropped");
                }
            }
            Some(Ok(Frame::Message(bytes))) => {
                let inbound = Inbound {
                    transport: Transport::Tcp,
                    local,
                    remote,
                    bytes,
                };
                tokio::select! {
                    _ = stop.cancelled() => return Closed::Stopped,
                    delivered = shared.events.deliver(inbound) => {
                        if delivered.is_err() {
                            return Closed::NobodyListens;
                        }
                    }
                }
            }
        }
    }
}

/// How long one write may take before the connection counts as stuck.
const WRITE_LIMIT: Duration = Duration::from_secs(5);
/// How long a stopping connection may spend writing what is still queued.
const FLUSH_LIMIT: Duration = Duration::from_secs(1);

async fn write_bounded(write: &mut OwnedWriteHalf, bytes: &[u8]) -> std::io::Result<()> {
    match tokio::time::timeout(WRITE_LIMIT, write.write_all(bytes)).await {
        Ok(written) => written,
        Err(_) => Err(std::io::Error::other("write timed out")),
    }
}

/// On a stop (shutdown, idle close), writes what is still queued, within [`FLUSH_LIMIT`]:
/// the last messages of a stopping UA (an ACK, a BYE) must not be lost on the way out.
async fn flush_queued(
    write: &mut OwnedWriteHalf,
    queue: &mut mpsc::Receiver<Outgoing>,
    activity: &Activity,
) {
    let flush = async {
        while let Ok(outgoing) = queue.try_recv() {
            let bytes = match &outgoing {
                Outgoing::Message(bytes) => bytes.clone(),
                Outgoing::Pong => Bytes::from_static(PONG),
            };
            if write.write_all(&bytes).await.is_err() {
                return;
            }
            activity.touch();
        }
        let _ = write.flush().await;
    };
    if tokio::time::timeout(FLUSH_LIMIT, flush).await.is_err() {
        tracing::debug!("queued messages not all written before the connection closed");
    }
}

/// Writes queued messages in order until the connection stops or a write fails.
async fn write_loop(
    shared: Arc<Shared>,
    mut write: OwnedWriteHalf,
    mut queue: mpsc::Receiver<Outgoing>,
    remote: SocketAddr,
    activity: Arc<Activity>,
    stop: CancellationToken,
) {
    let failure = loop {
        let outgoing = tokio::select! {
            biased;
            _ = stop.cancelled() => break None,
            outgoing = queue.recv() => outgoing,
        };
        // The reader holds a sender until it ends, and then `stop` is cancelled.
        let Some(outgoing) = outgoing else { break None };
        let bytes = match &outgoing {
            Outgoing::Message(bytes) => bytes.clone(),
            Outgoing::Pong => Bytes::from_static(PONG),
        };
        // A write started is finished (bounded), so a message is never cut in half.
        let written = write_bounded(&mut write, &bytes).await;
        match written {
            Ok(()) => activity.touch(),
            Err(error) => {
                let error = error.to_string();
                if let Outgoing::Message(_) = outgoing {
                    shared
                        .events
                        .report_send_failed(Transport::Tcp, remote, &error);
                }
                break Some(error);
            }
        }
    };
    if let Some(error) = &failure {
        tracing::debug!(%error, "write failed");
    } else {
        flush_queued(&mut write, &mut queue, &activity).await;
    }
    stop.cancel();
    let reason = failure.unwrap_or_else(|| "connection closed".to_owned());
    fail_queued(&shared, remote, queue, &reason);
}

/// Reports every message still queued as failed: the core must learn of each (RFC 3261
/// §8.1.3.1), not wait for a timeout. Nothing is reported after shutdown.
pub(crate) fn fail_queued(
    shared: &Shared,
    remote: SocketAddr,
    mut queue: mpsc::Receiver<Outgoing>,
    error: &str,
) {
    // Closing first makes later sends see a closed queue and open a new connection.
    queue.close();
    if shared.shutdown.is_cancelled() {
        return;
    }
    while let Ok(outgoing) = queue.try_recv() {
        if let Outgoing::Message(_) = outgoing {
            shared
                .events
                .report_send_failed(Transport::Tcp, remote, error);
        }
    }
}

/// The span of one connection's tasks: its remote address and id, at debug level because
/// addresses are personal data.
pub(crate) fn span(remote: SocketAddr, id: u64, origin: &'static str) -> tracing::Span {
    tracing::debug_span!(parent: None, "tcp", %remote, id, origin)
}
