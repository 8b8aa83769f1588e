//! Glare (RFC 3261 §14.1): when both sides of a dialog send a re-INVITE at once, each answers
//! the other's with 491, and each tries once more after a random pause, chosen so that the two
//! do not collide again: 2.1 to 4 s for the side that owns the Call-ID (it sent the INVITE that
//! created the dialog), 0 to 2 s for the other, in steps of 10 ms. The pause is drawn from the
//! model's seeded RNG, and its timers are kept in one ordered set.
use std::time::Duration;

use rand::Rng;

use crate::model::CallModel;
use crate::{CallError, CallHandle, CallState, Direction, RequestId, Time};

/// A hold or retrieve waiting to be tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlareRetry {
    /// When.
    pub at: Time,
    /// Hold (true) or retrieve.
    pub hold: bool,
    /// The request that will get the reply.
    pub request: RequestId,
}

impl CallModel {
    /// Schedules the second try of `call`'s re-INVITE after a 491.
    pub(crate) fn schedule_glare_retry(
        &mut self,
        now: Time,
        call: CallHandle,
        hold: bool,
        request: RequestId,
    ) {
        let owner = self
            .calls
            .get(&call)
            .is_some_and(|c| c.record.direction == Direction::Outgoing);
        let steps: u64 = if owner {
            self.rng.random_range(210..=400)
        } else {
            self.rng.random_range(0..=200)
        };
        let at = now + Duration::from_millis(steps * 10);
        tracing::debug!(%call, owner, pause_ms = steps * 10, "491: re-INVITE tried again later");
        if let Some(c) = self.calls.get_mut(&call) {
            c.glare_retry = Some(GlareRetry { at, hold, request });
            self.glare_timers.insert((at, call));
        }
    }

    /// The next glare retry, for [`CallModel::poll_timeout`].
    pub(crate) fn glare_timeout(&self) -> Option<Time> {
        self.glare_timers.first().map(|&(at, _)| at)
    }

    /// Sends every re-INVITE whose pause is over. A call that has moved on meanwhile (dropped,
    /// disconnected, answering the peer's own re-INVITE) fails the request instead.
    pub(crate) fn fire_glare_retries(&mut self, now: Time) {
        while let Some(&(at, call)) = self.glare_timers.first() {
            if at > now {
                break;
            }
            self.glare_timers.pop_first();
            let Some(c) = self.calls.get_mut(&call) else {
                continue;
            };
            // A retry that no longer matches was failed when its call ended.
            let Some(retry) = c.glare_retry.take_if(|r| r.at == at) else {
                continue;
            };
            let from = if retry.hold {
                CallState::Connected
            } else {
                CallState::OnHold
            };
            let result = if c.record.state == from && !c.awaiting_ack {
                self.start_reinvite(now, call, retry.hold, retry.request, true)
            } else {
                Err(CallError::OperationFailed)
            };
            if let Err(error) = result {
                self.reply(retry.request, Err(error));
            }
        }
    }
}
