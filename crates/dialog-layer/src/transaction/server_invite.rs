//! The INVITE server transaction (RFC 3261 §17.2.1, Figure 7, as amended by RFC 6026 §7.1),
//! including the UAS core's 2xx retransmission until ACK (§13.3.1.4) in the Accepted state.
use std::time::Duration;

use crate::timer::{Timer, TimerSet};
use crate::{Time, TimerConfig};

/// The states of Figure 7 with RFC 6026's Accepted.
///
/// ```text
///                                |INVITE
///                                |pass INV to TU
///             INVITE             V send 100 if TU won't in 200 ms
///             send response+------------+
///                 +--------|            |--------+ 101-199 from TU
///                 |        |            |        | send response
///                 +------->|            |<-------+
///                          | Proceeding |
///                          |            |--------+ Transport Err.
///                          |            |        | Inform TU
///                          |            |<-------+
///                          +------------+
///             300-699 from TU |    |2xx from TU
///             send response   |    |send response
///              +--------------+    +------------+
///              |                                |
///     INVITE   V          Timer G fires         |
///     send resp+-----------+ send response      |
///        +-----|           |------+             |
///        |     | Completed |      |             |
///        +---->|           |<-----+             |
///              +-----------+                    |
///              |    |                           |
///          ACK |    | Timer H fires             V
///           -  |    | or Transport Err.  +-----------+  2xx from TU
///              |    | Inform TU          |           |  send response
///              |    |                    | Accepted  |---------+
///              V    |                    |           |<--------+
///    +-----------+  |                    +-----------+
///    |           |  |                      |     ^
///    | Confirmed |  |     Timer L fires    |     | ACK (passed to TU)
///    |           |  |     -                |     +----
///    +-----------+  |                      |
///          |        |                      |
///          |Timer I |                      |
///          |-       |                      |
///          V        V                      V
///    +-----------------------------------------+
///    |                Terminated               |
///    +-----------------------------------------+
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Proceeding,
    Completed { g_interval: Duration },
    Confirmed,
    Accepted { g_interval: Duration, acked: bool },
    Terminated,
}

/// What the endpoint must do after an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing (absorbed).
    Nothing,
    /// Send the last response again.
    ResendLast,
    /// Timer H fired: no ACK came for our 300-699; inform the TU.
    AckTimedOut,
    /// Timer L fired without an ACK for our 2xx (§13.3.1.4): the TU should end the session.
    Ack2xxTimedOut,
    /// The transaction ended quietly.
    Terminated,
}

/// An INVITE server transaction.
#[derive(Debug, Clone)]
pub struct ServerInvite {
    state: State,
}

impl ServerInvite {
    /// A new transaction for a received INVITE.
    pub fn new() -> Self {
        ServerInvite {
            state: State::Proceeding,
        }
    }

    /// The INVITE was received again.
    pub fn on_retransmitted_request(&self) -> Action {
        match self.state {
            // Proceeding: resend the last provisional; Completed: the final.
            State::Proceeding | State::Completed { .. } => Action::ResendLast,
            // Accepted absorbs (RFC 6026 §7.1): the 2xx is retransmitted by its own timer.
            _ => Action::Nothing,
        }
    }

    /// The TU sends a response with status `code`. Returns false when the state forbids it.
    pub fn on_send_response(
        &mut self,
        code: u16,
        now: Time,
        cfg: &TimerConfig,
        reliable: bool,
        timers: &mut TimerSet,
    ) -> bool {
        match (self.state, code) {
            (State::Proceeding, 100..=199) => true,
            (State::Proceeding, 200..=299) => {
                // The UAS core retransmits the 2xx until the ACK (§13.3.1.4); over a reliable
                // transport the hop is reliable, so only the give-up timer runs.
                if !reliable {
                    timers.set(Timer::G, now + cfg.t1);
                }
                timers.set(Timer::L, now + cfg.t1_x64());
                self.state = State::Accepted {
                    g_interval: cfg.t1,
                    acked: false,
                };
                true
            }
            (State::Accepted { .. }, 200..=299) => true,
            (State::Proceeding, 300..=699) => {
                if !reliable {
                    timers.set(Timer::G, now + cfg.t1);
                }
                timers.set(Timer::H, now + cfg.t1_x64());
                self.state = State::Completed { g_interval: cfg.t1 };
                true
            }
            _ => false,
        }
    }

    /// An ACK matched this transaction (a non-2xx ACK, same branch).
    pub fn on_ack(&mut self, now: Time, cfg: &TimerConfig, reliable: bool, timers: &mut TimerSet) {
        if let State::Completed { .. } = self.state {
            timers.clear(Timer::G);
            timers.clear(Timer::H);
            let i = if reliable { Duration::ZERO } else { cfg.t4 };
            timers.set(Timer::I, now + i);
            self.state = State::Confirmed;
        }
    }

    /// The ACK for our 2xx arrived (matched by dialog): stop retransmitting the 2xx.
    pub fn on_2xx_acked(&mut self, timers: &mut TimerSet) -> bool {
        if let State::Accepted {
            g_interval,
            acked: false,
        } = self.state
        {
            timers.clear(Timer::G);
            self.state = State::Accepted {
                g_interval,
                acked: true,
            };
            return true;
        }
        false
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
            (State::Completed { g_interval }, Timer::G) => {
                let next = (g_interval * 2).min(cfg.t2);
                self.state = State::Completed { g_interval: next };
                timers.set(Timer::G, now + next);
                Action::ResendLast
            }
            (
                State::Accepted {
                    g_interval,
                    acked: false,
                },
                Timer::G,
            ) => {
                let next = (g_interval * 2).min(cfg.t2);
                self.state = State::Accepted {
                    g_interval: next,
                    acked: false,
                };
                timers.set(Timer::G, now + next);
                Action::ResendLast
            }
            (State::Completed { .. }, Timer::H) => self.terminate(timers, Action::AckTimedOut),
            (State::Confirmed, Timer::I) => self.terminate(timers, Action::Terminated),
            (State::Accepted { acked, .. }, Timer::L) => {
                let action = if acked {
                    Action::Terminated
                } else {
                    Action::Ack2xxTimedOut
                };
                self.terminate(timers, action)
            }
            _ => Action::Nothing,
        }
    }

    /// The transport failed to deliver a response.
    pub fn on_transport_error(&mut self, timers: &mut TimerSet) -> Action {
        match self.state {
            State::Terminated => Action::Nothing,
            _ => self.terminate(timers, Action::AckTimedOut),
        }
    }

    /// True while no final response was sent.
    pub fn is_proceeding(&self) -> bool {
        self.state == State::Proceeding
    }

    /// True while a 2xx was sent and its ACK has not arrived.
    pub fn awaits_2xx_ack(&self) -> bool {
        matches!(self.state, State::Accepted { acked: false, .. })
    }

    /// True once only absorbing retransmissions (Confirmed, or Accepted with the ACK in).
    pub fn is_lingering(&self) -> bool {
        matches!(
            self.state,
            State::Confirmed | State::Terminated | State::Accepted { acked: true, .. }
        )
    }

    fn terminate(&mut self, timers: &mut TimerSet, action: Action) -> Action {
        *timers = TimerSet::default();
        self.state = State::Terminated;
        action
    }
}

impl Default for ServerInvite {
    fn default() -> Self {
        Self::new()
    }
}
