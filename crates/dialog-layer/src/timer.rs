//! The timers of RFC 3261 §17 (table 4) and RFC 6026, and the one queue that holds them all.
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::{Time, TxId};

/// A timer, named by its RFC letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Timer {
    /// INVITE request retransmit (client, unreliable).
    A,
    /// INVITE transaction timeout (client).
    B,
    /// Wait time for response retransmits (INVITE client, Completed).
    D,
    /// Non-INVITE request retransmit (client, unreliable).
    E,
    /// Non-INVITE transaction timeout (client).
    F,
    /// INVITE final response retransmit (server, Completed; also the UAS core's 2xx
    /// retransmission in Accepted, §13.3.1.4).
    G,
    /// Wait time for ACK receipt (server INVITE, Completed).
    H,
    /// Wait time for ACK retransmits (server INVITE, Confirmed).
    I,
    /// Wait time for request retransmits (non-INVITE server, Completed).
    J,
    /// Wait time for response retransmits (non-INVITE client, Completed).
    K,
    /// Wait time for accepted INVITE request retransmits (server, Accepted; RFC 6026).
    L,
    /// Wait time for retransmission of 2xx responses (client, Accepted; RFC 6026).
    M,
    /// 64·T1 after a CANCEL: give the INVITE up (RFC 3261 §9.1).
    CancelGiveUp,
}

/// The deadlines one transaction has set; a queue entry is live only while it is listed here.
#[derive(Debug, Default, Clone)]
pub struct TimerSet {
    armed: Vec<(Timer, Time)>,
    fresh: Vec<(Timer, Time)>,
}

impl TimerSet {
    /// Arms `timer` to fire at `at`, replacing an earlier deadline of the same timer.
    pub fn set(&mut self, timer: Timer, at: Time) {
        self.clear(timer);
        self.armed.push((timer, at));
        self.fresh.push((timer, at));
    }

    /// Disarms `timer`.
    pub fn clear(&mut self, timer: Timer) {
        self.armed.retain(|(t, _)| *t != timer);
    }

    /// True when `timer` is armed for exactly `at`.
    pub fn is_armed(&self, timer: Timer, at: Time) -> bool {
        self.armed.iter().any(|&(t, a)| t == timer && a == at)
    }

    /// Takes the timers armed since the last call (to push them onto the queue).
    pub fn take_fresh(&mut self) -> Vec<(Timer, Time)> {
        std::mem::take(&mut self.fresh)
    }
}

/// One queue for every transaction's timers: a min-heap with lazy deletion (an entry whose
/// transaction is gone or whose deadline was re-armed is skipped when popped).
#[derive(Debug, Default)]
pub struct TimerQueue {
    heap: BinaryHeap<Reverse<(Time, TxId, Timer)>>,
}

impl TimerQueue {
    /// Queues a deadline.
    pub fn push(&mut self, at: Time, tx: TxId, timer: Timer) {
        self.heap.push(Reverse((at, tx, timer)));
    }

    /// The earliest queued deadline (possibly stale).
    pub fn peek(&self) -> Option<Time> {
        self.heap.peek().map(|Reverse((at, _, _))| *at)
    }

    /// Pops the earliest entry due at or before `now`.
    pub fn pop_due(&mut self, now: Time) -> Option<(Time, TxId, Timer)> {
        match self.heap.peek() {
            Some(Reverse((at, _, _))) if *at <= now => self.heap.pop().map(|Reverse(e)| e),
            _ => None,
        }
    }
}
