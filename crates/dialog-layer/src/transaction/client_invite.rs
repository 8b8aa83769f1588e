//! The INVITE client transaction (RFC 3261 §17.1.1, Figure 5, as amended by RFC 6026 §7.2).
use std::time::Duration;

use crate::timer::{Timer, TimerSet};
use crate::{Time, TimerConfig};

/// The states of Figure 5 with RFC 6026's Accepted.
///
/// ```text
///                               |INVITE from TU
///             Timer A fires     |INVITE sent      Timer B fires
///             Reset A,          V                 or Transport Err.
///             INVITE sent +-----------+           inform TU
///               +---------|           |--------------------------+
///               |         |  Calling  |                          |
///               +-------->|           |-----------+              |
///  300-699                +-----------+ 2xx       |              |
///  ACK sent                  |  |       2xx to TU |              |
///  resp. to TU               |  |1xx              |              |
///  +-------------------------+  |1xx to TU        |              |
///  |                            V                 |              |
///  |                      +-----------+           |              |
///  |                      |Proceeding |---------->|              |
///  |                      +-----------+ 2xx       |              |
///  |         300-699         |          2xx to TU |              |
///  |         ACK sent,       |                    V              |
///  |         resp. to TU     |              +-----------+        |
///  |                         |              | Accepted  |--+ 2xx |
///  |                         |              +-----------+  | to TU
///  |  300-699                V                 |    ^------+     |
///  |  ACK sent      +-----------+   Timer M    |                 |
///  |  +-------------| Completed |   fires      |                 |
///  |  +------------>|           |              |                 |
///  |                +-----------+              |                 |
///  |                   |  Timer D fires        |                 |
///  +------------------>|  -                    |                 |
///                      V                       V                 |
///                 +---------------------------------------+      |
///                 |              Terminated               |<-----+
///                 +---------------------------------------+
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Calling { a_interval: Duration },
    Proceeding,
    Accepted,
    Completed,
    Terminated,
}

/// What the endpoint must do after an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing.
    Nothing,
    /// Retransmit the INVITE.
    Retransmit,
    /// Pass the response to the TU.
    PassUp,
    /// A 2xx: pass it up and let the UAC core ACK it.
    PassUp2xx,
    /// A first 300-699: send the ACK and pass the response up.
    AckAndPassUp,
    /// A retransmitted 300-699: send the ACK again.
    ResendAck,
    /// The transaction timed out (Timer B, or the CANCEL give-up): inform the TU.
    TimedOut,
    /// The transaction ended quietly.
    Terminated,
}

/// An INVITE client transaction.
#[derive(Debug, Clone)]
pub struct ClientInvite {
    state: State,
}

impl ClientInvite {
    /// Starts the transaction: the INVITE has just been sent.
    pub fn start(now: Time, cfg: &TimerConfig, reliable: bool, timers: &mut TimerSet) -> Self {
        if !reliable {
            timers.set(Timer::A, now + cfg.t1);
        }
        timers.set(Timer::B, now + cfg.t1_x64());
        ClientInvite {
            state: State::Calling { a_interval: cfg.t1 },
        }
    }

    /// A timer fired.
    pub fn on_timer(&mut self, timer: Timer, now: Time, timers: &mut TimerSet) -> Action {
        match (self.state, timer) {
            (State::Calling { a_interval }, Timer::A) => {
                let next = a_interval * 2;
                self.state = State::Calling { a_interval: next };
                timers.set(Timer::A, now + next);
                Action::Retransmit
            }
            (State::Calling { .. }, Timer::B) => self.terminate(timers, Action::TimedOut),
            (State::Calling { .. } | State::Proceeding, Timer::CancelGiveUp) => {
                self.terminate(timers, Action::TimedOut)
            }
            (State::Completed, Timer::D) | (State::Accepted, Timer::M) => {
                self.terminate(timers, Action::Terminated)
            }
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
            (State::Calling { .. } | State::Proceeding, 100..=199) => {
                timers.clear(Timer::A);
                timers.clear(Timer::B);
                self.state = State::Proceeding;
                Action::PassUp
            }
            (State::Calling { .. } | State::Proceeding, 200..=299) => {
                timers.clear(Timer::A);
                timers.clear(Timer::B);
                timers.clear(Timer::CancelGiveUp);
                timers.set(Timer::M, now + cfg.t1_x64());
                self.state = State::Accepted;
                Action::PassUp2xx
            }
            (State::Accepted, 200..=299) => Action::PassUp2xx,
            (State::Calling { .. } | State::Proceeding, 300..=699) => {
                timers.clear(Timer::A);
                timers.clear(Timer::B);
                timers.clear(Timer::CancelGiveUp);
                let d = if reliable {
                    Duration::ZERO
                } else {
                    Duration::from_secs(32).max(cfg.t1_x64())
                };
                timers.set(Timer::D, now + d);
                self.state = State::Completed;
                Action::AckAndPassUp
            }
            (State::Completed, 300..=699) => Action::ResendAck,
            _ => Action::Nothing,
        }
    }

    /// The transport reported a failure sending the INVITE.
    pub fn on_transport_error(&mut self, timers: &mut TimerSet) -> Action {
        match self.state {
            State::Calling { .. } => self.terminate(timers, Action::TimedOut),
            _ => Action::Nothing,
        }
    }

    /// True before any response arrived (a CANCEL must wait, RFC 3261 §9.1).
    pub fn is_calling(&self) -> bool {
        matches!(self.state, State::Calling { .. })
    }

    /// True once a provisional and no final response arrived (a CANCEL may go now).
    pub fn is_proceeding(&self) -> bool {
        self.state == State::Proceeding
    }

    /// True once only absorbing retransmissions (Completed, Accepted): nothing left to send.
    pub fn is_lingering(&self) -> bool {
        matches!(
            self.state,
            State::Completed | State::Accepted | State::Terminated
        )
    }

    fn terminate(&mut self, timers: &mut TimerSet, action: Action) -> Action {
        *timers = TimerSet::default();
        self.state = State::Terminated;
        action
    }
}
