//! The RFC 3261 base timer values.
use std::time::Duration;

/// T1, T2 and T4 (RFC 3261 §17.1.1.1, table 4); every other timer derives from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerConfig {
    /// Round-trip estimate (500 ms).
    pub t1: Duration,
    /// Longest retransmit interval for non-INVITE requests and INVITE responses (4 s).
    pub t2: Duration,
    /// Longest time a message stays in the network (5 s).
    pub t4: Duration,
}

impl Default for TimerConfig {
    fn default() -> Self {
        TimerConfig {
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            t4: Duration::from_secs(5),
        }
    }
}

impl TimerConfig {
    /// Timers following from a T1: T2 = 8·T1 and T4 = 10·T1 (the CLI's `--t1` rule).
    pub fn from_t1(t1: Duration) -> Self {
        TimerConfig {
            t1,
            t2: t1 * 8,
            t4: t1 * 10,
        }
    }

    /// 64·T1: Timers B, F, H, J (unreliable), L, M.
    pub fn t1_x64(&self) -> Duration {
        self.t1 * 64
    }
}
