//! Delayed actions (`--answer-after`, `--drop-after`, `--cancel-after`): a sleeping task per
//! timer that posts a [`Due`] back to the subcommand's loop, so every action on the UA happens
//! in that one loop, in order with the events.
use std::time::Duration;

use sipdrop_runtime::CallHandle;
use tokio::sync::mpsc;

/// An action whose time has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Answer an accepted call (`--answer-after`).
    Answer(CallHandle),
    /// Drop a connected call (`--drop-after`).
    Drop(CallHandle),
    /// Drop a call whatever its state (`--cancel-after`).
    Cancel(CallHandle),
    /// Drop every call (`conference`).
    DropAll,
}

/// Schedules [`Due`]s.
#[derive(Debug, Clone)]
pub struct Timers {
    tx: mpsc::UnboundedSender<Due>,
}

impl Timers {
    /// A scheduler and the receiver its dues arrive on.
    pub fn new() -> (Timers, mpsc::UnboundedReceiver<Due>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Timers { tx }, rx)
    }

    /// Posts `due` after `delay` (at once for zero).
    pub fn after(&self, delay: Duration, due: Due) {
        if delay.is_zero() {
            let _ = self.tx.send(due);
            return;
        }
        let tx = self.tx.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            // The loop may have finished meanwhile: the action is moot then.
            let _ = tx.send(due);
        });
    }
}
