//! The non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8).
use std::time::Duration;

use crate::timer::{Timer, TimerSet};
use crate::{Time, TimerConfig};

/// The states of Figure 8.
///
/// ```text
///                                   |Request received
///                                   |pass to TU
///                                   V
///                             +-----------+
///                             |           |
///                             | Trying    |-------------+
///                             |           |             |
///                             +-----------+             |200-699 from TU
///                                   |                   |send response
///                                   |1xx from TU        |
///                                   |send response      |
///                                   |                   |
///                Request            V      1xx from TU  |
///                send response+-----------+send response|
///                    +--------|           |--------+    |
///                    |        | Proceeding|        |    |
///                    +------->|           |<-------+    |
///             +<--------------|           |             |
///             |Trnsprt Err    +-----------+             |
///             |Inform TU            |                   |
///             |                     |                   |
///             |                     |200-699 from TU    |
///             |                     |send response      |
///             |  Request            V                   |
///             |  send response+-----------+             |
///             |      +--------|           |             |
///             |      |        | Completed |<------------+
///             |      +------->|           |
///             +<--------------|           |
///             |Trnsprt Err    +-----------+
///             |Inform TU            |
///             |                     |Timer J fires
///             |                     |-
///             |                     |
///             |                     V
///             |               +-----------+
///             |               |           |
///             +-------------->| Terminated|
///                             |           |
///                             +-----------+
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Trying,
    Proceeding,
    Completed,
    Terminated,
}

/// What the endpoint must do after an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing (absorbed).
    Nothing,
    /// Send the last response again.
    ResendLast,
    /// The transaction ended.
    Terminated,
}

/// A non-INVITE server transaction.
#[derive(Debug, Clone)]
pub struct ServerNonInvite {
    state: State,
}

impl ServerNonInvite {
    /// A new transaction for a received request.
    pub fn new() -> Self {
        ServerNonInvite {
            state: State::Trying,
        }
    }

    /// The request was received again.
    pub fn on_retransmitted_request(&self) -> Action {
        match self.state {
            State::Proceeding | State::Completed => Action::ResendLast,
            _ => Action::Nothing,
        }
    }

    /// The TU sends a response. Returns false when the state forbids it.
    pub fn on_send_response(
        &mut self,
        code: u16,
        now: Time,
        cfg: &TimerConfig,
        reliable: bool,
        timers: &mut TimerSet,
    ) -> bool {
        match (self.state, code) {
            (State::Trying | State::Proceeding, 100..=199) => {
                self.state = State::Proceeding;
                true
            }
            (State::Trying | State::Proceeding, 200..=699) => {
                let j = if reliable {
                    Duration::ZERO
                } else {
                    cfg.t1_x64()
                };
                timers.set(Timer::J, now + j);
                self.state = State::Completed;
                true
            }
            _ => false,
        }
    }

    /// A timer fired.
    pub fn on_timer(&mut self, timer: Timer, timers: &mut TimerSet) -> Action {
        match (self.state, timer) {
            (State::Completed, Timer::J) => self.terminate(timers),
            _ => Action::Nothing,
        }
    }

    /// The transport failed to deliver a response.
    pub fn on_transport_error(&mut self, timers: &mut TimerSet) -> Action {
        match self.state {
            State::Terminated => Action::Nothing,
            _ => self.terminate(timers),
        }
    }

    /// True once only absorbing retransmissions (Completed).
    pub fn is_lingering(&self) -> bool {
        matches!(self.state, State::Completed | State::Terminated)
    }

    fn terminate(&mut self, timers: &mut TimerSet) -> Action {
        *timers = TimerSet::default();
        self.state = State::Terminated;
        Action::Terminated
    }
}

impl Default for ServerNonInvite {
    fn default() -> Self {
        Self::new()
    }
}
