//! The answering side's policy (`listen`, and B in `demo`): what to do when a call is offered
//! or connects, driven by call-state events.
use std::collections::HashMap;
use std::time::Duration;

use sipdrop_runtime::{CallHandle, CallState, DisconnectMode, DropParams, Ua};

use super::report::{deallocate, log_refusal, release};
use super::timers::{Due, Timers};
use crate::cli::args::OnOffer;

/// How offered calls are handled.
#[derive(Debug, Clone)]
pub struct UasPolicy {
    /// Answer, decline or ring.
    pub on_offer: OnOffer,
    /// With `Answer`: 180 first and answer after this long; zero answers at once, no 180.
    pub answer_after: Duration,
    /// Drop a call this long after it connects.
    pub drop_after: Option<Duration>,
    /// UUI, cause and decline code for every drop (decline or `drop_after`).
    pub drop_params: DropParams,
}

/// How an answered (or declined) call ended, for the caller to count or check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UasOutcome {
    /// The call.
    pub call: CallHandle,
    /// How the remote ended it; `None` when we did (decline, `--drop-after`, shutdown).
    pub mode: Option<DisconnectMode>,
    /// UUI received from the remote.
    pub uui_received: Option<Vec<u8>>,
}

/// The incoming calls and what the policy knows of them.
#[derive(Debug)]
pub struct Uas {
    policy: UasPolicy,
    /// The last state of every call not yet idle, so a timer does not act on a call that
    /// moved on.
    states: HashMap<CallHandle, CallState>,
}

impl Uas {
    /// A UAS applying `policy`.
    pub fn new(policy: UasPolicy) -> Self {
        Uas {
            policy,
            states: HashMap::new(),
        }
    }

    /// Reacts to a call-state event; returns the outcome once the call is idle and
    /// deallocated.
    pub async fn on_state(
        &mut self,
        ua: &Ua,
        timers: &Timers,
        call: CallHandle,
        state: CallState,
    ) -> Option<UasOutcome> {
        self.states.insert(call, state);
        match state {
            CallState::Offering => self.offered(ua, timers, call).await,
            CallState::Connected => {
                if let Some(delay) = self.policy.drop_after {
                    timers.after(delay, Due::Drop(call));
                }
            }
            CallState::Disconnected => release(ua, call).await,
            CallState::Idle => {
                self.states.remove(&call);
                // Read the record before it is freed: how it ended and what UUI came with it.
                let record = ua.call_info(call).await;
                deallocate(ua, call).await;
                return Some(UasOutcome {
                    call,
                    mode: record.as_ref().and_then(|r| r.disconnect_mode),
                    uui_received: record.and_then(|r| r.uui_received),
                });
            }
            _ => {}
        }
        None
    }

    /// Carries out a delayed action.
    pub async fn on_due(&mut self, ua: &Ua, due: Due) {
        match due {
            Due::Answer(call)
                if matches!(
                    self.state(call),
                    Some(CallState::Offering | CallState::Accepted)
                ) =>
            {
                if let Err(e) = ua.answer(call).await {
                    log_refusal("answer", call, &e);
                }
            }
            Due::Drop(call) if self.state(call) == Some(CallState::Connected) => {
                if let Err(e) = ua.drop_call(call, self.policy.drop_params.clone()).await {
                    log_refusal("drop", call, &e);
                }
            }
            // The call moved on (cancelled, ended) before its time came.
            _ => {}
        }
    }

    fn state(&self, call: CallHandle) -> Option<CallState> {
        self.states.get(&call).copied()
    }

    async fn offered(&mut self, ua: &Ua, timers: &Timers, call: CallHandle) {
        let result = match self.policy.on_offer {
            OnOffer::Answer if self.policy.answer_after.is_zero() => ua.answer(call).await,
            OnOffer::Answer => {
                let accepted = ua.accept(call).await;
                if accepted.is_ok() {
                    timers.after(self.policy.answer_after, Due::Answer(call));
                }
                accepted
            }
            OnOffer::Ring => ua.accept(call).await,
            OnOffer::Decline => ua
                .drop_call(call, self.policy.drop_params.clone())
                .await
                .map(|_request| ()),
        };
        if let Err(e) = result {
            log_refusal("offer handling", call, &e);
        }
    }
}
