//! How endpoint events move calls: offered calls, responses to our INVITEs, remote BYE and
//! CANCEL, ACKs, timeouts, and the races of the drop table.
use dialog_layer::{EndpointEvent, IncomingRequest, IncomingResponse, TxId};
use rsip::prelude::HasHeaders;
use sip_message::{Reason, UserToUser};

use crate::call::Call;
use crate::disconnect::{mode_for_bye, mode_for_cancel, mode_for_response};
use crate::drop_headers::reason_and_uui;
use crate::model::CallModel;
use crate::{
    CallHandle, CallRecord, CallState, ConnectedMode, Direction, DisconnectMode, EndedBy, Event,
    Mode, Time,
};

impl CallModel {
    /// Drains the endpoint's events into call state changes.
    pub(crate) fn process_endpoint_events(&mut self, now: Time) {
        while let Some(event) = self.endpoint.poll_event() {
            match event {
                EndpointEvent::Request { tx, request } => self.on_request(now, tx, *request),
                EndpointEvent::Response { tx, response } => self.route_response(now, tx, *response),
                EndpointEvent::Ack { dialog, .. } => match self.by_dialog.get(&dialog) {
                    Some(&call) => self.on_ack(now, call, false),
                    None => self.leftover_ack(now, &dialog),
                },
                EndpointEvent::AckTimeout {
                    dialog: Some(dialog),
                    ..
                } => match self.by_dialog.get(&dialog) {
                    Some(&call) => self.on_ack(now, call, true),
                    None => self.leftover_ack(now, &dialog),
                },
                EndpointEvent::Cancelled { tx, cancel } => self.on_cancelled(now, tx, &cancel),
                EndpointEvent::Timeout { tx } | EndpointEvent::TransportError { tx } => {
                    self.route_failure(now, tx)
                }
                EndpointEvent::Terminated { tx } => {
                    self.by_tx.remove(&tx);
                    self.challenge_attempts.remove(&tx);
                    if let Some(leftover) = self.leftover_invites.remove(&tx) {
                        self.reply_to(leftover.request);
                    }
                }
                _ => {}
            }
        }
    }

    /// A response belongs to the registration, to a call, or to a deallocated call's INVITE.
    fn route_response(&mut self, now: Time, tx: TxId, response: IncomingResponse) {
        if self.on_register_response(now, tx, &response) {
            return;
        }
        if response.challenged.is_some() && self.retry_challenged_request(now, tx, &response) {
            return;
        }
        if self.by_tx.contains_key(&tx) {
            return self.on_response(now, tx, response);
        }
        let Some(leftover) = self.leftover_invites.get_mut(&tx) else {
            return;
        };
        // A held CANCEL went out with this provisional, or the INVITE ended: the drop is done.
        let request = leftover.request.take();
        self.reply_to(request);
        if response.code < 200 {
            return;
        }
        let Some(leftover) = self.leftover_invites.remove(&tx) else {
            return;
        };
        if let (200..=299, Some(dialog)) = (response.code, response.dialog) {
            // The 2xx crossed the CANCEL of a call already deallocated: ACKed by the endpoint,
            // ended here with the drop's Reason/UUI.
            let _ = self
                .endpoint
                .send_in_dialog(now, &dialog, "BYE", leftover.headers, None);
            self.endpoint.remove_dialog(&dialog);
        }
    }

    /// The ACK (or its timeout) for a deallocated call whose BYE waited for it.
    fn leftover_ack(&mut self, now: Time, dialog: &dialog_layer::DialogId) {
        if let Some(leftover) = self.leftover_acks.remove(dialog) {
            let _ = self
                .endpoint
                .send_in_dialog(now, dialog, "BYE", leftover.headers, None);
            self.endpoint.remove_dialog(dialog);
            self.reply_to(leftover.request);
        }
    }

    /// A failed transaction belongs to the registration or to a call.
    fn route_failure(&mut self, now: Time, tx: TxId) {
        if !self.on_register_failure(now, tx) {
            self.on_failure(now, tx);
        }
    }

    fn on_request(&mut self, now: Time, tx: TxId, request: IncomingRequest) {
        match (request.method.as_str(), request.dialog.clone()) {
            ("INVITE", None) => self.on_new_invite(now, tx, request),
            ("BYE", Some(dialog)) => {
                let _ = self.endpoint.respond(now, tx, 200, Vec::new(), None);
                let Some(&call) = self.by_dialog.get(&dialog) else {
                    return;
                };
                self.on_remote_bye(now, call, &request);
            }
            ("INVITE", Some(dialog)) => {
                let call = self.by_dialog.get(&dialog).copied();
                self.on_remote_reinvite(now, tx, call, &request);
            }
            _ => {
                // INFO and other in-dialog requests are acknowledged.
                let _ = self.endpoint.respond(now, tx, 200, Vec::new(), None);
            }
        }
    }

    fn on_new_invite(&mut self, now: Time, tx: TxId, request: IncomingRequest) {
        let handle = self.alloc_handle();
        let f = &request.fields;
        let remote_uri = dialog_layer::fields::uri_of(&f.from).to_owned();
        let mut record = CallRecord::new(Direction::Incoming, now, f.call_id.clone(), remote_uri);
        record.remote_tag = f.from_tag.clone();
        // A focus dialling out to us (RFC 4579 §5.4) says so in its Contact.
        record.remote_focus = crate::focus::contact_is_focus(request.message.headers());
        let mut call = Call::new(handle, record, request.transport, request.source);
        call.invite_tx = Some(tx);
        self.calls.insert(handle, call);
        self.bind_tx(tx, handle);
        self.take_info(handle, request.message.headers());
        self.set_state(now, handle, CallState::Offering, None);
    }

    fn on_remote_bye(&mut self, now: Time, call: CallHandle, request: &IncomingRequest) {
        let _span = tracing::info_span!("call", %call).entered();
        let state = match self.calls.get(&call) {
            Some(c) => c.record.state,
            None => return,
        };
        let reasons = self.take_info(call, request.message.headers());
        match state {
            CallState::Offering | CallState::Accepted => {
                // A BYE on the early dialog of an offered call: 487 to its INVITE.
                if let Some(tx) = self.calls.get(&call).and_then(|c| c.invite_tx) {
                    let _ = self.endpoint.respond(now, tx, 487, Vec::new(), None);
                }
                self.remote_disconnect(
                    now,
                    call,
                    mode_for_bye(&reasons),
                    EndedBy::Remote,
                    Some(487),
                );
            }
            CallState::Idle | CallState::Disconnected => {}
            _ => self.remote_disconnect(now, call, mode_for_bye(&reasons), EndedBy::Remote, None),
        }
        if let Some(d) = self.calls.get(&call).and_then(|c| c.dialog.clone()) {
            self.endpoint.remove_dialog(&d);
        }
    }

    fn on_cancelled(&mut self, now: Time, tx: TxId, cancel: &IncomingRequest) {
        let Some(&call) = self.by_tx.get(&tx) else {
            return;
        };
        let offered = self
            .calls
            .get(&call)
            .is_some_and(|c| matches!(c.record.state, CallState::Offering | CallState::Accepted));
        let reasons = self.take_info(call, cancel.message.headers());
        if offered {
            self.remote_disconnect(
                now,
                call,
                mode_for_cancel(&reasons),
                EndedBy::Remote,
                Some(487),
            );
        }
    }

    fn on_ack(&mut self, now: Time, call: CallHandle, timed_out: bool) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        c.awaiting_ack = false;
        if let Some(pending) = c.pending.take() {
            // The BYE held until the ACK (or its timeout) goes now (RFC 3261 §15).
            let headers = std::mem::take(&mut c.drop_headers);
            self.send_bye(now, call, headers);
            self.reply_to(pending.request);
            return;
        }
        if timed_out && matches!(c.record.state, CallState::Connected | CallState::OnHold) {
            // §13.3.1.4: no ACK in 64·T1, the session is ended with a BYE.
            let headers = vec![("Reason".to_owned(), Reason::q850(102).to_string())];
            self.send_bye(now, call, headers);
            self.remote_disconnect(now, call, DisconnectMode::TempFailure, EndedBy::Stack, None);
        }
    }

    fn on_response(&mut self, now: Time, tx: TxId, response: IncomingResponse) {
        let Some(&call) = self.by_tx.get(&tx) else {
            return;
        };
        if self.on_reinvite_response(now, call, tx, &response) {
            return;
        }
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        if c.invite_tx != Some(tx) {
            return; // A response to our BYE or CANCEL: the call already moved on.
        }
        let (state, cancelling) = (c.record.state, c.cancelling);
        let code = response.code;
        match code {
            100..=199 => {
                if cancelling {
                    // The held CANCEL went out with this provisional: the drop is carried out.
                    if let Some(p) = self.calls.get_mut(&call).and_then(|c| c.pending.take()) {
                        self.reply_to(p.request);
                    }
                    return;
                }
                if code > 100 {
                    if let Some(c) = self.calls.get_mut(&call) {
                        c.ringback = true;
                    }
                }
                if response.dialog.is_some()
                    && self.calls.get(&call).is_some_and(|c| c.dialog.is_none())
                {
                    self.bind_dialog(call, response.dialog.clone());
                }
                let next = if code == 100 {
                    CallState::Proceeding
                } else {
                    CallState::Ringback
                };
                if matches!(state, CallState::Dialing | CallState::Proceeding) && state != next {
                    self.set_state(now, call, next, None);
                }
            }
            200..=299 => self.on_answered(now, call, response),
            _ => {
                if cancelling {
                    // Our CANCEL's 487, or another final: the INVITE is over, the drop done.
                    if let Some(p) = self.calls.get_mut(&call).and_then(|c| c.pending.take()) {
                        self.reply_to(p.request);
                    }
                    if let Some(c) = self.calls.get_mut(&call) {
                        c.cancelling = false;
                        c.record.sip_status = Some(code);
                    }
                    return;
                }
                if !matches!(
                    state,
                    CallState::Dialing | CallState::Proceeding | CallState::Ringback
                ) {
                    return;
                }
                if self.retry_with_credentials(now, call, &response) {
                    return;
                }
                let reasons = self.take_info(call, response.message.headers());
                let ringback = self.calls.get(&call).is_some_and(|c| c.ringback);
                let mode = mode_for_response(code, ringback, &reasons);
                self.remote_disconnect(now, call, mode, EndedBy::Remote, Some(code));
            }
        }
    }

    /// A 2xx to our INVITE (the endpoint has ACKed it).
    fn on_answered(&mut self, now: Time, call: CallHandle, response: IncomingResponse) {
        let _span = tracing::info_span!("call", %call).entered();
        let Some(dialog) = response.dialog.clone() else {
            return;
        };
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        let other_fork = c.dialog.as_ref().is_some_and(|d| *d != dialog)
            && matches!(c.record.state, CallState::Connected | CallState::OnHold);
        if c.cancelling
            || c.record.state == CallState::Idle
            || c.record.state == CallState::Disconnected
            || other_fork
        {
            // A 2xx crossing our CANCEL, after our drop, or from a second fork: ACK (done by
            // the endpoint) then BYE with the drop's Reason/UUI (RFC 5407 §3.1.2).
            let headers = if c.drop_headers.is_empty() {
                reason_and_uui(self.config.drop_cause, None)
            } else {
                c.drop_headers.clone()
            };
            let pending = self.calls.get_mut(&call).and_then(|c| {
                c.cancelling = false;
                c.pending.take()
            });
            match self
                .endpoint
                .send_in_dialog(now, &dialog, "BYE", headers, None)
            {
                Ok(tx) => self.bind_tx(tx, call),
                Err(error) => tracing::debug!(%call, %error, "BYE after crossing 2xx not sent"),
            }
            self.endpoint.remove_dialog(&dialog);
            if let Some(p) = pending {
                self.reply_to(p.request);
            }
            return;
        }
        self.bind_dialog(call, Some(dialog));
        self.take_info(call, response.message.headers());
        let focus = crate::focus::contact_is_focus(response.message.headers());
        if let Some(c) = self.calls.get_mut(&call) {
            c.record.sip_status = Some(response.code);
            c.record.connected_at = Some(now);
            c.record.remote_focus = focus;
        }
        self.set_state(
            now,
            call,
            CallState::Connected,
            Some(Mode::Connected(ConnectedMode::Active)),
        );
    }

    /// Timer B, the CANCEL give-up, Timer H, or a transport failure.
    fn on_failure(&mut self, now: Time, tx: TxId) {
        let Some(&call) = self.by_tx.get(&tx) else {
            return;
        };
        if self.on_reinvite_failure(now, call, tx) {
            return;
        }
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if c.invite_tx != Some(tx) {
            return;
        }
        if let Some(p) = c.pending.take() {
            c.cancelling = false;
            self.reply_to(p.request);
            return;
        }
        c.cancelling = false;
        if matches!(
            c.record.state,
            CallState::Dialing | CallState::Proceeding | CallState::Ringback
        ) {
            self.remote_disconnect(now, call, DisconnectMode::Unreachable, EndedBy::Stack, None);
        }
    }

    /// The call was ended by the peer or the stack: `disconnected` with its mode.
    pub(crate) fn remote_disconnect(
        &mut self,
        now: Time,
        call: CallHandle,
        mode: DisconnectMode,
        by: EndedBy,
        status: Option<u16>,
    ) {
        let _span = tracing::info_span!("call", %call).entered();
        if let Some(c) = self.calls.get_mut(&call) {
            c.remote_ended_by = Some(by);
            c.record.ended_by = Some(by);
            c.record.disconnect_mode = Some(mode);
            if status.is_some() {
                c.record.sip_status = status;
            }
        }
        self.set_state(
            now,
            call,
            CallState::Disconnected,
            Some(Mode::Disconnected(mode)),
        );
        self.mirror_to_stations(now, call, Some(Mode::Disconnected(mode)));
        self.left_conference(now, call);
    }

    /// Stores received Reason values and UUI on the record; announces them (before any
    /// `disconnected` they explain). Returns the Reason values.
    pub(crate) fn take_info(&mut self, call: CallHandle, headers: &rsip::Headers) -> Vec<Reason> {
        let reasons = Reason::all_in(headers);
        let uui = UserToUser::first_in(headers);
        let Some(c) = self.calls.get_mut(&call) else {
            return reasons;
        };
        if reasons.is_empty() && uui.is_none() {
            return reasons;
        }
        c.record.reason_received = reasons.iter().map(ToString::to_string).collect();
        if let Some(uui) = uui {
            c.record.uui_received = Some(uui.data);
        }
        self.events.push_back(Event::CallInfo { call });
        reasons
    }
}
