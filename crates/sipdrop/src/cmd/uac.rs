//! The calling side (`call`, `conference`, A in `demo`): places calls, drops them on schedule,
//! and records how each one ended.
use std::collections::HashMap;
use std::time::Duration;

use sipdrop_runtime::{
    CallHandle, CallState, CallTarget, DisconnectMode, DropParams, Event, Mode, Ua, UaEvent,
};

use super::report::{deallocate, log_refusal, release};
use super::timers::{Due, Timers};

/// How one placed call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UacOutcome {
    /// It reached `connected`.
    pub connected: bool,
    /// We dropped it (a real drop: not the release of a call the remote had disconnected).
    pub dropped_by_us: bool,
    /// The disconnect mode, when the remote or the stack ended it.
    pub mode: Option<DisconnectMode>,
}

/// One call in progress.
#[derive(Debug, Clone, Copy)]
struct Tracked {
    state: CallState,
    outcome: UacOutcome,
}

/// The outgoing calls of one UA.
#[derive(Debug)]
pub struct Uac {
    drop_after: Option<Duration>,
    cancel_after: Option<Duration>,
    drop_params: DropParams,
    calls: HashMap<CallHandle, Tracked>,
}

impl Uac {
    /// Calls are dropped `drop_after` their connection and/or `cancel_after` their INVITE,
    /// with `drop_params`.
    pub fn new(
        drop_after: Option<Duration>,
        cancel_after: Option<Duration>,
        drop_params: DropParams,
    ) -> Self {
        Uac {
            drop_after,
            cancel_after,
            drop_params,
            calls: HashMap::new(),
        }
    }

    /// Calls in progress (placed, not yet ended).
    pub fn in_progress(&self) -> usize {
        self.calls.len()
    }

    /// The handles of the calls in progress.
    pub fn handles(&self) -> Vec<CallHandle> {
        self.calls.keys().copied().collect()
    }

    /// Whether every call in progress is connected.
    pub fn all_connected(&self) -> bool {
        !self.calls.is_empty()
            && self
                .calls
                .values()
                .all(|t| t.outcome.connected && t.state == CallState::Connected)
    }

    /// Places a call. `Err` with its (failed) outcome when the UA refuses it at once.
    pub async fn place(
        &mut self,
        ua: &Ua,
        timers: &Timers,
        target: CallTarget,
    ) -> Result<CallHandle, UacOutcome> {
        match ua.make_call(target).await {
            Ok(call) => {
                let outcome = UacOutcome::default();
                self.calls.insert(
                    call,
                    Tracked {
                        state: CallState::Dialing,
                        outcome,
                    },
                );
                if let Some(delay) = self.cancel_after {
                    timers.after(delay, Due::Cancel(call));
                }
                Ok(call)
            }
            Err(e) => {
                tracing::warn!(%e, "call not placed");
                Err(UacOutcome::default())
            }
        }
    }

    /// Follows a UA event; returns a call's outcome once it is idle and deallocated.
    /// Calls not placed here (an incoming call) are declined and cleaned up.
    pub async fn on_event(
        &mut self,
        ua: &Ua,
        timers: &Timers,
        event: &UaEvent,
    ) -> Option<UacOutcome> {
        let Event::CallState {
            call, state, mode, ..
        } = &event.event
        else {
            return None;
        };
        let (call, state) = (*call, *state);
        let Some(tracked) = self.calls.get_mut(&call) else {
            self.foreign(ua, call, state).await;
            return None;
        };
        tracked.state = state;
        match state {
            CallState::Connected => {
                tracked.outcome.connected = true;
                if let Some(delay) = self.drop_after {
                    timers.after(delay, Due::Drop(call));
                }
            }
            CallState::Disconnected => {
                if let Some(Mode::Disconnected(m)) = mode {
                    tracked.outcome.mode = Some(*m);
                }
                release(ua, call).await;
            }
            CallState::Idle => {
                let outcome = tracked.outcome;
                self.calls.remove(&call);
                deallocate(ua, call).await;
                return Some(outcome);
            }
            _ => {}
        }
        None
    }

    /// Carries out a delayed drop.
    pub async fn on_due(&mut self, ua: &Ua, due: Due) {
        let (call, wanted) = match due {
            Due::Drop(call) => (call, matches!(self.state(call), Some(CallState::Connected))),
            Due::Cancel(call) => (call, self.state(call).is_some_and(is_droppable)),
            Due::DropAll => {
                self.drop_all(ua).await;
                return;
            }
            Due::Answer(_) => return,
        };
        if wanted {
            self.drop_now(ua, call).await;
        }
    }

    /// Drops every call in progress that has not ended (interrupt, conference).
    pub async fn drop_all(&mut self, ua: &Ua) {
        for call in self.handles() {
            if self.state(call).is_some_and(is_droppable) {
                self.drop_now(ua, call).await;
            }
        }
    }

    /// Records that every call in progress is being dropped by us (a conference drop, which
    /// the model cascades to each of them).
    pub fn mark_dropped(&mut self) {
        for tracked in self.calls.values_mut() {
            if is_droppable(tracked.state) {
                tracked.outcome.dropped_by_us = true;
            }
        }
    }

    /// Drops `call` with the configured parameters, recording that we did.
    pub async fn drop_now(&mut self, ua: &Ua, call: CallHandle) {
        match ua.drop_call(call, self.drop_params.clone()).await {
            Ok(_request) => {
                if let Some(tracked) = self.calls.get_mut(&call) {
                    tracked.outcome.dropped_by_us = true;
                }
            }
            Err(e) => log_refusal("drop", call, &e),
        }
    }

    /// Gives up on the calls whose end was never seen (the UA stopped first) and returns
    /// their outcomes so far.
    pub fn abandon(&mut self) -> Vec<UacOutcome> {
        self.calls.drain().map(|(_, t)| t.outcome).collect()
    }

    fn state(&self, call: CallHandle) -> Option<CallState> {
        self.calls.get(&call).map(|t| t.state)
    }

    /// A call this side did not place: nobody will answer it here, so decline it, and keep
    /// the model tidy.
    async fn foreign(&mut self, ua: &Ua, call: CallHandle, state: CallState) {
        match state {
            CallState::Offering => {
                tracing::info!(%call, "declining an incoming call");
                if let Err(e) = ua.drop_call(call, DropParams::default()).await {
                    log_refusal("decline", call, &e);
                }
            }
            CallState::Disconnected => release(ua, call).await,
            CallState::Idle => deallocate(ua, call).await,
            _ => {}
        }
    }
}

/// Whether a drop of a call in `state` is ours to make: not once the remote disconnected it
/// (that drop is a release, not "dropped by us") nor once it is idle.
fn is_droppable(state: CallState) -> bool {
    !matches!(state, CallState::Disconnected | CallState::Idle)
}
