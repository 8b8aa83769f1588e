//! The non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6).
use std::time::Duration;

use crate::timer::{Timer, TimerSet};
use crate::{Time, TimerConfig};

/// The states of Figure 6.
///
/// ```text
///                                    |Request from TU
///                                    |send request
///                Timer E             V
///                send request  +-----------+
///                    +---------|           |-------------------+
///                    |         |  Trying   |  Timer F          |
///                    +-------->|           |  or Transport Err.|
///                              +-----------+  inform TU        |
///                 200-699         |  |                         |
///                 resp. to TU     |  |1xx                      |
///                 +---------------+  |resp. to TU              |
///                 |                  |                         |
///                 |   Timer E        V       Timer F           |
///                 |   send req +-----------+ or Transport Err. |
///                 |  +---------|           | inform TU         |
///                 |  |         |Proceeding |------------------>|
///                 |  +-------->|           |-----+             |
///                 |            +-----------+     |1xx          |
///                 |              |      ^        |resp to TU   |
///                 | 200-699      |      +--------+             |
///                 | resp. to TU  |                             |
///                 |              |                             |
///                 |              V                             |
///                 |            +-----------+                   |
///                 |            |           |                   |
///                 |            | Completed |                   |
///                 |            |           |                   |
///                 |            +-----------+                   |
///                 |              ^   |                         |
///                 |              |   | Timer K                 |
///                 +--------------+   | -                       |
///                                    |                         |
///                                    V                         |
///              NOTE:           +-----------+                   |
///                              |           |                   |
///          transitions         | Terminated|<------------------+
///          labeled with        |           |
///          the event           +-----------+
///          over the action
///          to take
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Trying { e_interval: Duration },
    Proceeding,
    Completed,
    Terminated,
}

/// What the endpoint must do after an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing.
    Nothing,
    /// Retransmit the request.
    Retransmit,
    /// Pass the response to the TU.
    PassUp,
    /// Timer F fired or the transport failed: inform the TU.
    TimedOut,
    /// The transaction ended quietly.
    Terminated,
}

/// A non-INVITE client transaction.
#[derive(Debug, Clone)]
pub struct ClientNonInvite {
    state: State,
}

impl ClientNonInvite {
    /// Starts the transaction: the request has just been sent.
    pub fn start(now: Time, cfg: &TimerConfig, reliable: bool, timers: &mut TimerSet) -> Self {
        if !reliable {
            timers.set(Timer::E, now + cfg.t1);
        }
        timers.set(Timer::F, now + cfg.t1_x64());
        ClientNonInvite {
            state: State::Trying { e_interval: cfg.t1 },
        }
    }

    /// A timer fired.
    pub fn on_timer(
        &mut self,
        timer: Timer,
        now: Time,
        cfg: &TimerConfig,
        timers: &mut TimerSet,
    ) -> Action {
        match (self.state, timer) {
            (State::Trying { e_interval }, Timer::E) => {
                // Trying doubles the interval up to T2 (§17.1.2.2).
                let next = (e_interval * 2).min(cfg.t2);
                self.state = State::Trying { e_interval: next };
                timers.set(Timer::E, now + next);
                Action::Retransmit
            }
            (State::Proceeding, Timer::E) => {
                // Proceeding retransmits every T2.
                timers.set(Timer::E, now + cfg.t2);
                Action::Retransmit
            }
            (State::Trying { .. } | State::Proceeding, Timer::F) => {
                self.terminate(timers, Action::TimedOut)
            }
            (State::Completed, Timer::K) => self.terminate(timers, Action::Terminated),
            _ => Action::Nothing,
        }
    }

    /// A response matched this transaction.
    pub fn on_response(
        &mut self,
        code: u16,
        now: Time,
        cfg: &TimerConfig,
        reliable: bool,
        timers: &mut TimerSet,
    ) -> Action {
        match (self.state, code) {
            (State::Trying { .. } | State::Proceeding, 100..=199) => {
                // Timer E keeps its running deadline; from Proceeding on it re-arms at T2.
                self.state = State::Proceeding;
                Action::PassUp
            }
            (State::Trying { .. } | State::Proceeding, 200..=699) => {
                timers.clear(Timer::E);
                timers.clear(Timer::F);
                let k = if reliable { Duration::ZERO } else { cfg.t4 };
                timers.set(Timer::K, now + k);
                self.state = State::Completed;
                Action::PassUp
            }
            _ => Action::Nothing,
        }
    }

    /// The transport reported a failure sending the request.
    pub fn on_transport_error(&mut self, timers: &mut TimerSet) -> Action {
        match self.state {
            State::Trying { .. } | State::Proceeding => self.terminate(timers, Action::TimedOut),
            _ => Action::Nothing,
        }
    }

    /// True once only absorbing retransmissions (Completed): nothing left to send.
    pub fn is_lingering(&self) -> bool {
        matches!(self.state, State::Completed | State::Terminated)
    }

    fn terminate(&mut self, timers: &mut TimerSet, action: Action) -> Action {
        *timers = TimerSet::default();
        self.state = State::Terminated;
        action
    }
}
