//! When a connection last moved octets either way, for its idle timeout. The reader and the
//! writer run in separate tasks; an atomic lets both record traffic without a lock.
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, ReadBuf};
use tokio::time::Instant;

/// The time of a connection's last traffic, as milliseconds since the connection started.
/// Millisecond resolution is plenty for timeouts of seconds (tests use 200 ms).
#[derive(Debug)]
pub(crate) struct Activity {
    start: Instant,
    last_ms: AtomicU64,
}

impl Activity {
    /// A clock starting now, which counts as traffic.
    pub fn new() -> Arc<Self> {
        Arc::new(Activity {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
        })
    }

    /// Records traffic now.
    pub fn touch(&self) {
        let elapsed = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.fetch_max(elapsed, Ordering::Relaxed);
    }

    /// When the connection becomes idle unless there is traffic before then.
    pub fn idle_deadline(&self, timeout: Duration) -> Instant {
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        self.start + last + timeout
    }
}

/// A reader that records every successful read in an [`Activity`].
#[derive(Debug)]
pub(crate) struct TrackedRead<R> {
    inner: R,
    activity: Arc<Activity>,
}

impl<R> TrackedRead<R> {
    pub fn new(inner: R, activity: Arc<Activity>) -> Self {
        TrackedRead { inner, activity }
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for TrackedRead<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn deadline_moves_with_traffic() {
        let activity = Activity::new();
        let timeout = Duration::from_millis(200);
        let first = activity.idle_deadline(timeout);
        tokio::time::advance(Duration::from_millis(150)).await;
        assert_eq!(
            activity.idle_deadline(timeout),
            first,
            "no traffic, same deadline"
        );
        activity.touch();
        assert_eq!(
            activity.idle_deadline(timeout),
            first + Duration::from_millis(150)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn reads_are_recorded() {
        use tokio::io::AsyncReadExt;
        let activity = Activity::new();
        let before = activity.idle_deadline(Duration::ZERO);
        tokio::time::advance(Duration::from_millis(5)).await;
        let mut reader = TrackedRead::new(&b"abc"[..], Arc::clone(&activity));
        let mut out = Vec::new();
        reader.read_to_end(&mut out).await.expect("read");
        assert_eq!(out, b"abc");
        assert!(activity.idle_deadline(Duration::ZERO) > before);
    }
}
