//! Hold and retrieve (TAPI `lineHold` / `lineUnhold`) by re-INVITE: RFC 3261 §14 and the
//! direction attribute of RFC 3264 §8.4 (`a=sendonly` holds, `a=sendrecv` retrieves).
//!
//! Both are asynchronous like a drop: a request id at once, a `reply` when the re-INVITE ends.
//! A 2xx moves the call to `onhold` (or back to `connected`); a first 491 is tried again after
//! a random pause (`glare.rs`); a second one and the other failures leave the session as it
//! was (§14.1) with a failed reply; 481, 408 or no answer at all end the
//! dialog (§12.2.1.2, §14.1). A call dropped meanwhile fails the request: the BYE does not wait
//! for the re-INVITE.
use dialog_layer::{IncomingRequest, IncomingResponse, TxId};
use rsip::prelude::HasHeaders;
use sip_message::Reason;

use crate::call::Reinvite;
use crate::disconnect::mode_for_response;
use crate::model::CallModel;
use crate::sdp::{audio_sdp, MediaDirection};
use crate::{
    CallError, CallHandle, CallState, ConnectedMode, DisconnectMode, EndedBy, Mode, RequestId, Time,
};

impl CallModel {
    /// Puts a connected call on hold (TAPI `lineHold`): a re-INVITE offering `a=sendonly`.
    /// Returns a request id; the `reply` follows when the re-INVITE ends, the call moving to
    /// `onhold` on its 2xx. Refused (`invalcallstate`) unless the call is `connected` and active
    /// with no INVITE exchange in progress (our 2xx unacknowledged, or another re-INVITE).
    pub fn hold(&mut self, now: Time, call: CallHandle) -> Result<RequestId, CallError> {
        self.send_reinvite(now, call, true)
    }

    /// Retrieves a held call (TAPI `lineUnhold`): a re-INVITE offering `a=sendrecv`; the call
    /// is `connected` again on its 2xx. Refused unless the call is `onhold`.
    pub fn unhold(&mut self, now: Time, call: CallHandle) -> Result<RequestId, CallError> {
        self.send_reinvite(now, call, false)
    }

    fn send_reinvite(
        &mut self,
        now: Time,
        call: CallHandle,
        hold: bool,
    ) -> Result<RequestId, CallError> {
        let _span = tracing::info_span!("call", %call, hold).entered();
        let c = self.calls.get(&call).ok_or(CallError::InvalCallHandle)?;
        let from = if hold {
            CallState::Connected
        } else {
            CallState::OnHold
        };
        // A conference leg or a bridged appearance is held through its conference or its
        // stations, not on its own; an unacknowledged 2xx is an INVITE still in progress.
        if c.record.state != from
            || c.awaiting_ack
            || c.reinvite.is_some()
            || c.glare_retry.is_some()
            || c.conf.is_some()
            || c.bridge.is_some()
            || self.inactive.contains(&call)
        {
            return Err(CallError::InvalCallState);
        }
        let request = self.alloc_request();
        self.start_reinvite(now, call, hold, request, false)?;
        Ok(request)
    }

    /// Sends the re-INVITE of request `request` (`retried`: the second try after a 491).
    pub(crate) fn start_reinvite(
        &mut self,
        now: Time,
        call: CallHandle,
        hold: bool,
        request: RequestId,
        retried: bool,
    ) -> Result<(), CallError> {
        let c = self.calls.get(&call).ok_or(CallError::InvalCallHandle)?;
        let dialog = c.dialog.clone().ok_or(CallError::InvalCallState)?;
        let local = self
            .endpoint
            .local_address(c.transport, c.peer)
            .ok_or(CallError::OperationUnavail)?;
        let mut offer = c.sdp;
        offer.version += 1;
        offer.direction = if hold {
            MediaDirection::SEND_ONLY
        } else {
            MediaDirection::SEND_RECV
        };
        let tx = self
            .endpoint
            .send_in_dialog(
                now,
                &dialog,
                "INVITE",
                Vec::new(),
                Some(audio_sdp(local, offer)),
            )
            .map_err(|_| CallError::OperationUnavail)?;
        self.bind_tx(tx, call);
        if let Some(c) = self.calls.get_mut(&call) {
            // The version is spent whatever the answer (each new offer raises it, RFC 3264
            // §8); the direction changes only when the offer is accepted.
            c.sdp.version = offer.version;
            c.reinvite = Some(Reinvite {
                tx,
                hold,
                request,
                retried,
                offer,
            });
        }
        tracing::debug!(%call, hold, retried, "re-INVITE sent");
        Ok(())
    }

    /// A response to one of our re-INVITEs; false when `tx` is not one.
    pub(crate) fn on_reinvite_response(
        &mut self,
        now: Time,
        call: CallHandle,
        tx: TxId,
        response: &IncomingResponse,
    ) -> bool {
        let Some(c) = self.calls.get_mut(&call) else {
            return false;
        };
        let Some(reinvite) = c.reinvite.filter(|r| r.tx == tx) else {
            return false;
        };
        let code = response.code;
        if code < 200 {
            return true;
        }
        c.reinvite = None;
        let _span = tracing::info_span!("call", %call, code).entered();
        match code {
            200..=299 => {
                // The endpoint has ACKed it with the re-INVITE's CSeq.
                if let Some(c) = self.calls.get_mut(&call) {
                    c.sdp = reinvite.offer;
                }
                if reinvite.hold {
                    self.set_state(now, call, CallState::OnHold, None);
                } else {
                    self.set_state(
                        now,
                        call,
                        CallState::Connected,
                        Some(Mode::Connected(ConnectedMode::Active)),
                    );
                }
                self.reply(reinvite.request, Ok(()));
            }
            408 | 481 => {
                self.reply(reinvite.request, Err(CallError::OperationFailed));
                let reasons = self.take_info(call, response.message.headers());
                let mode = mode_for_response(code, false, &reasons);
                self.reinvite_lost_dialog(now, call, mode, EndedBy::Remote, Some(code));
            }
            _ => {
                // 491 (glare), 488 and the rest: the session stays as it was (§14.1).
                if code == 491 && !reinvite.retried {
                    // Tried once more after a random pause; the reply waits for that try.
                    self.schedule_glare_retry(now, call, reinvite.hold, reinvite.request);
                } else {
                    self.reply(reinvite.request, Err(CallError::OperationFailed));
                }
            }
        }
        true
    }

    /// Timer B or a transport failure of one of our re-INVITEs; false when `tx` is not one.
    pub(crate) fn on_reinvite_failure(&mut self, now: Time, call: CallHandle, tx: TxId) -> bool {
        let Some(c) = self.calls.get_mut(&call) else {
            return false;
        };
        let Some(reinvite) = c.reinvite.filter(|r| r.tx == tx) else {
            return false;
        };
        c.reinvite = None;
        self.reply(reinvite.request, Err(CallError::OperationFailed));
        self.reinvite_lost_dialog(now, call, DisconnectMode::Unreachable, EndedBy::Stack, None);
        true
    }

    /// 481, 408 or no answer to a re-INVITE: the dialog is over (§12.2.1.2, §14.1). After
    /// 408 or a timeout the peer may still hold its side, so a BYE tells it (RFC 5057 §5.1);
    /// after 481 there is nothing left to end.
    fn reinvite_lost_dialog(
        &mut self,
        now: Time,
        call: CallHandle,
        mode: DisconnectMode,
        by: EndedBy,
        status: Option<u16>,
    ) {
        let Some(dialog) = self.calls.get(&call).and_then(|c| c.dialog.clone()) else {
            return;
        };
        if status == Some(481) {
            self.endpoint.remove_dialog(&dialog);
        } else {
            let headers = vec![("Reason".to_owned(), Reason::q850(102).to_string())];
            self.send_bye(now, call, headers);
        }
        self.remote_disconnect(now, call, mode, by, status);
    }

    /// A re-INVITE from the peer: 491 while ours is in progress (§14.2), else 200 with our
    /// description answering its offer (RFC 3264 §6.1; still `sendonly` while we hold), or
    /// offering one when it came without SDP.
    pub(crate) fn on_remote_reinvite(
        &mut self,
        now: Time,
        tx: TxId,
        call: Option<CallHandle>,
        request: &IncomingRequest,
    ) {
        let Some(c) = call.and_then(|call| self.calls.get_mut(&call)) else {
            // A dialog with no call (a leftover): keep it alive until its BYE.
            let _ = self.endpoint.respond(now, tx, 200, Vec::new(), None);
            return;
        };
        if c.reinvite.is_some() {
            let _ = self.endpoint.respond(now, tx, 491, Vec::new(), None);
            return;
        }
        let wanted = if c.record.state == CallState::OnHold {
            MediaDirection::SEND_ONLY
        } else {
            MediaDirection::SEND_RECV
        };
        let body = request.message.body();
        let direction = if body.is_empty() {
            wanted
        } else {
            wanted.answer_to(MediaDirection::of_offer(body))
        };
        if direction != c.sdp.direction {
            c.sdp.direction = direction;
            c.sdp.version += 1;
        }
        let sdp = c.sdp;
        c.awaiting_ack = true;
        let local = self
            .endpoint
            .local_address(request.transport, request.source);
        let body = local.map(|l| audio_sdp(l, sdp));
        let _ = self.endpoint.respond(now, tx, 200, Vec::new(), body);
    }
}
