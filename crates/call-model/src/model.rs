//! The call model's driving type: calls, handles, and the commands of the TAPI model.
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;

use dialog_layer::{
    literal_destination, DialogId, Endpoint, EndpointConfig, InviteOptions, InviteRequest, TxId,
};

use crate::call::{Call, InviteState, PendingDrop};
use crate::drop_plan::{plan_drop, DropPlan};
use crate::sdp::{audio_sdp, MediaDirection, SessionDescription};
use crate::{
    CallError, CallRecord, CallState, Config, ConnectedMode, Direction, EndedBy, Event, Mode, Time,
    Transmit, Transport,
};

/// A call handle (TAPI `HCALL`): valid from allocation until `deallocate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallHandle(pub u32);

impl std::fmt::Display for CallHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The id of an asynchronous request, echoed in its `reply` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u32);

/// Where to place a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallTarget {
    /// The Request-URI, e.g. `sip:bob@127.0.0.1:5070` (`;transport=tcp` selects TCP).
    pub uri: String,
    /// Where to send the INVITE when not the URI's own host (an outbound proxy, or the
    /// address the runtime resolved a host name to).
    pub destination: Option<SocketAddr>,
    /// The transport, overriding the URI's `transport` parameter.
    pub transport: Option<Transport>,
}

/// What to send with a drop.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DropParams {
    /// User-user information (first octet: protocol discriminator).
    pub uui: Option<Vec<u8>>,
    /// Q.850 cause for the Reason header (default from the config: 16, or 21 for a decline).
    pub cause: Option<u16>,
    /// Final response for an offered call (default from the config: 603).
    pub decline_code: Option<u16>,
}

/// The call model. See the crate documentation for how to drive it.
#[derive(Debug)]
pub struct CallModel {
    pub(crate) config: Config,
    pub(crate) endpoint: Endpoint,
    pub(crate) calls: HashMap<CallHandle, Call>,
    pub(crate) by_tx: HashMap<TxId, CallHandle>,
    pub(crate) by_dialog: HashMap<DialogId, CallHandle>,
    pub(crate) events: VecDeque<Event>,
    /// Cancelled INVITEs of deallocated calls: a 2xx crossing the CANCEL still gets ACK + BYE
    /// with these headers (the SIP duties of a call outlive its record).
    pub(crate) leftover_invites: HashMap<TxId, Leftover>,
    /// Dialogs of deallocated calls whose BYE waits for the ACK of our 2xx.
    pub(crate) leftover_acks: HashMap<DialogId, Leftover>,
    /// The registration, when one was asked for.
    pub(crate) registrar: Option<crate::registration::Registrar>,
    /// Challenged requests sent again with credentials, by their new transaction: how many
    /// times the request has been answered so far.
    pub(crate) challenge_attempts: HashMap<TxId, u8>,
    /// Re-INVITEs waiting out a 491's pause, by time (`glare.rs`).
    pub(crate) glare_timers: std::collections::BTreeSet<(Time, CallHandle)>,
    /// Randomness of the model itself (the glare pause), seeded from the config.
    pub(crate) rng: rand::rngs::StdRng,
    /// Bridged stations whose view is `connected/inactive`.
    pub(crate) inactive: std::collections::HashSet<CallHandle>,
    next_handle: u32,
    next_request: u32,
}

impl CallModel {
    /// A call model with no calls.
    pub fn new(config: Config) -> Self {
        let seed = config.seed;
        let endpoint = Endpoint::new(EndpointConfig {
            timers: config.timers,
            seed: config.seed,
            user_agent: config.user_agent.clone(),
            contact_user: config.local_user.clone(),
            ..EndpointConfig::default()
        });
        CallModel {
            config,
            endpoint,
            calls: HashMap::new(),
            by_tx: HashMap::new(),
            by_dialog: HashMap::new(),
            events: VecDeque::new(),
            inactive: std::collections::HashSet::new(),
            challenge_attempts: HashMap::new(),
            glare_timers: std::collections::BTreeSet::new(),
            // Its own stream: the endpoint draws ids from the same seed.
            rng: rand::SeedableRng::seed_from_u64(seed ^ 0x9e37_79b9_7f4a_7c15),
            registrar: None,
            leftover_invites: HashMap::new(),
            leftover_acks: HashMap::new(),
            next_handle: 1,
            next_request: 1,
        }
    }

    /// Tells the model a local address it can send from and receive on (Via, Contact).
    pub fn add_local_address(&mut self, transport: Transport, addr: SocketAddr) {
        self.endpoint.add_local_address(transport, addr);
    }

    /// Feeds a datagram (UDP) or a framed message (TCP) received from `remote` at `local`.
    pub fn handle_packet(
        &mut self,
        now: Time,
        transport: Transport,
        local: SocketAddr,
        remote: SocketAddr,
        bytes: &[u8],
    ) {
        self.endpoint
            .handle_packet(now, transport, local, remote, bytes);
        self.process_endpoint_events(now);
    }

    /// Fires every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Time) {
        self.endpoint.handle_timeout(now);
        self.process_endpoint_events(now);
        self.registration_tick(now);
        self.fire_glare_retries(now);
    }

    /// Reports that a send to `destination` failed (RFC 3261 §8.1.3.1).
    pub fn handle_send_failure(
        &mut self,
        now: Time,
        transport: Transport,
        destination: SocketAddr,
    ) {
        self.endpoint
            .handle_send_failure(now, transport, destination);
        self.process_endpoint_events(now);
    }

    /// Places a call: allocates a handle and sends the INVITE (state `dialing`).
    pub fn make_call(&mut self, now: Time, target: CallTarget) -> Result<CallHandle, CallError> {
        let (_, _, uri_transport) =
            dialog_layer::fields::uri_host_port(&target.uri).ok_or(CallError::InvalAddress)?;
        let transport = target.transport.unwrap_or(match uri_transport.as_deref() {
            Some("tcp") => Transport::Tcp,
            _ => Transport::Udp,
        });
        let destination = target
            .destination
            .or_else(|| literal_destination(&target.uri))
            .ok_or(CallError::InvalAddress)?;
        let local = self
            .endpoint
            .local_address(transport, destination)
            .ok_or(CallError::OperationUnavail)?;
        let handle = self.alloc_handle();
        let body = audio_sdp(local, initial_sdp(handle));
        let request = InviteRequest {
            uri: target.uri.clone(),
            destination,
            transport,
            from_user: self.config.local_user.clone(),
            headers: Vec::new(),
            body: Some(body),
        };
        let options = InviteOptions {
            routes: self.config.outbound_route.clone(),
            ..InviteOptions::default()
        };
        let sent = self
            .endpoint
            .send_invite_with(now, request, options)
            .map_err(|_| CallError::OperationUnavail)?;
        let record = CallRecord::new(Direction::Outgoing, now, sent.call_id, target.uri.clone());
        let mut call = Call::new(handle, record, transport, destination);
        call.record.local_tag = Some(sent.local_tag);
        call.invite_tx = Some(sent.tx);
        call.invite = Some(InviteState {
            uri: target.uri.clone(),
            cseq: 1,
            auth_attempts: 0,
        });
        self.calls.insert(handle, call);
        self.bind_tx(sent.tx, handle);
        self.set_state(now, handle, CallState::Dialing, None);
        Ok(handle)
    }

    /// Accepts an offered call: sends 180 Ringing (state `accepted`).
    pub fn accept(&mut self, now: Time, call: CallHandle) -> Result<(), CallError> {
        let c = self.calls.get(&call).ok_or(CallError::InvalCallHandle)?;
        if c.record.state != CallState::Offering {
            return Err(CallError::InvalCallState);
        }
        let tx = c.invite_tx.ok_or(CallError::InvalCallState)?;
        let dialog = self
            .endpoint
            .respond(now, tx, 180, Vec::new(), None)
            .map_err(|_| CallError::InvalCallState)?;
        self.bind_dialog(call, dialog);
        self.set_state(now, call, CallState::Accepted, None);
        Ok(())
    }

    /// Answers an offered or accepted call: sends 200 with an SDP answer (state `connected`).
    pub fn answer(&mut self, now: Time, call: CallHandle) -> Result<(), CallError> {
        let _span = tracing::info_span!("call", %call).entered();
        let c = self.calls.get(&call).ok_or(CallError::InvalCallHandle)?;
        if !matches!(c.record.state, CallState::Offering | CallState::Accepted) {
            return Err(CallError::InvalCallState);
        }
        let tx = c.invite_tx.ok_or(CallError::InvalCallState)?;
        let local = self
            .endpoint
            .local_address(c.transport, c.peer)
            .ok_or(CallError::OperationUnavail)?;
        let body = audio_sdp(local, c.sdp);
        let dialog = self
            .endpoint
            .respond(now, tx, 200, Vec::new(), Some(body))
            .map_err(|_| CallError::InvalCallState)?;
        self.bind_dialog(call, dialog);
        if let Some(c) = self.calls.get_mut(&call) {
            c.awaiting_ack = true;
            c.record.sip_status = Some(200);
            c.record.connected_at = Some(now);
        }
        self.set_state(
            now,
            call,
            CallState::Connected,
            Some(Mode::Connected(ConnectedMode::Active)),
        );
        Ok(())
    }

    /// Drops a call (TAPI `lineDrop`): returns a request id at once; a `reply` event follows
    /// when the BYE / CANCEL / final response has been handed to the transaction layer.
    /// Dropping a conference parent cascades to every participant; dropping one station of a
    /// bridged appearance while others remain only makes that station inactive.
    pub fn drop_call(
        &mut self,
        now: Time,
        call: CallHandle,
        params: DropParams,
    ) -> Result<RequestId, CallError> {
        let _span = tracing::info_span!("call", %call).entered();
        let c = self.calls.get(&call).ok_or(CallError::InvalCallHandle)?;
        if params
            .uui
            .as_ref()
            .is_some_and(|u| u.len() > self.config.uui_limit)
        {
            return Err(CallError::UserUserInfoTooBig);
        }
        if params
            .decline_code
            .is_some_and(|code| !(400..=699).contains(&code))
        {
            return Err(CallError::InvalParam);
        }
        plan_drop(c.record.state, c.awaiting_ack)?;
        if c.is_conference_parent() {
            return Ok(self.drop_conference(now, call, &params));
        }
        if let Some(request) = self.drop_bridged(now, call, &params) {
            return Ok(request);
        }
        let request = self.alloc_request();
        self.drop_leg(now, call, &params, Some(request));
        self.left_conference(now, call);
        Ok(request)
    }

    /// Drops one SIP leg by the drop table; `request` gets its reply when the wire action is
    /// carried out (none for the legs of a cascade, which reply once for the parent).
    pub(crate) fn drop_leg(
        &mut self,
        now: Time,
        call: CallHandle,
        params: &DropParams,
        request: Option<RequestId>,
    ) {
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        let Ok(plan) = plan_drop(c.record.state, c.awaiting_ack) else {
            return;
        };
        let decline = plan == DropPlan::Decline;
        let decline_code = params.decline_code.unwrap_or(self.config.decline_code);
        let cause = params.cause.unwrap_or(if decline {
            decline_cause(decline_code, self.config.decline_cause)
        } else {
            self.config.drop_cause
        });
        let headers = crate::drop_headers::reason_and_uui(cause, params.uui.as_deref());
        if let Some(c) = self.calls.get_mut(&call) {
            c.record.ended_by = Some(EndedBy::Local);
            c.record.reason_sent = Some(sip_message::Reason::q850(cause).to_string());
            c.record.uui_sent = params.uui.clone();
        }
        tracing::debug!(%call, ?plan, "drop");
        match plan {
            DropPlan::Decline => {
                let code = decline_code;
                if let Some(tx) = self.calls.get(&call).and_then(|c| c.invite_tx) {
                    let _ = self.endpoint.respond(now, tx, code, headers, None);
                }
                if let Some(c) = self.calls.get_mut(&call) {
                    c.record.sip_status = Some(code);
                }
                self.reply_to(request);
            }
            DropPlan::DeferredCancel | DropPlan::Cancel => {
                // A 2xx crossing the CANCEL gets ACK + BYE with the same Reason/UUI.
                if let Some(c) = self.calls.get_mut(&call) {
                    c.cancelling = true;
                    c.drop_headers = headers.clone();
                }
                let tx = self.calls.get(&call).and_then(|c| c.invite_tx);
                let outcome = tx.map(|tx| self.endpoint.cancel(now, tx, headers));
                match outcome {
                    // The reply follows when the CANCEL goes out or the INVITE ends.
                    Some(dialog_layer::CancelOutcome::Deferred) => {
                        if let Some(c) = self.calls.get_mut(&call) {
                            c.pending = Some(PendingDrop { request });
                        }
                    }
                    _ => self.reply_to(request),
                }
            }
            DropPlan::Bye => {
                self.send_bye(now, call, headers);
                self.reply_to(request);
            }
            DropPlan::ByeAfterAck => {
                if let Some(c) = self.calls.get_mut(&call) {
                    c.pending = Some(PendingDrop { request });
                    c.drop_headers = headers;
                }
            }
            DropPlan::Nothing => {
                if let Some(c) = self.calls.get_mut(&call) {
                    // The remote ended it; the record keeps who did.
                    c.record.ended_by = c.remote_ended_by;
                    c.record.reason_sent = None;
                    c.record.uui_sent = None;
                }
                self.reply_to(request);
            }
        }
        self.set_state(now, call, CallState::Idle, None);
        self.forget_finished(call);
    }

    /// Frees an idle call's record. Refused (`invalcallstate`) while the call is not idle.
    pub fn deallocate(&mut self, call: CallHandle) -> Result<(), CallError> {
        let c = self.calls.get(&call).ok_or(CallError::InvalCallHandle)?;
        if c.record.state != CallState::Idle {
            return Err(CallError::InvalCallState);
        }
        if let Some(c) = self.calls.remove(&call) {
            // Only this call's own keys: no scan over every transaction or dialog.
            for tx in &c.txs {
                if self.by_tx.get(tx) == Some(&call) {
                    self.by_tx.remove(tx);
                }
            }
            if let Some(d) = &c.dialog {
                if self.by_dialog.get(d) == Some(&call) {
                    self.by_dialog.remove(d);
                }
            }
            self.inactive.remove(&call);
            // Freeing the record must not cancel what the call still owes on the wire.
            let leftover = Leftover {
                headers: c.drop_headers,
                request: c.pending.as_ref().and_then(|p| p.request),
            };
            match (c.cancelling, c.invite_tx, c.pending.is_some(), c.dialog) {
                (true, Some(tx), _, _) => {
                    self.leftover_invites.insert(tx, leftover);
                }
                (_, _, true, Some(dialog)) => {
                    self.leftover_acks.insert(dialog, leftover);
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The record of an allocated call.
    pub fn call_info(&self, call: CallHandle) -> Option<&CallRecord> {
        self.calls.get(&call).map(|c| &c.record)
    }

    /// How many calls are allocated (not yet deallocated): leaks show here.
    pub fn allocated_calls(&self) -> usize {
        self.calls.len()
    }

    /// Entries of the model's routing indexes (transaction → call, dialog → call, and the SIP
    /// duties of deallocated calls). Zero once every call is deallocated and its transactions
    /// have ended: anything else is a leak.
    pub fn routing_entries(&self) -> usize {
        self.by_tx.len()
            + self.by_dialog.len()
            + self.leftover_invites.len()
            + self.leftover_acks.len()
            + self.challenge_attempts.len()
    }

    /// Handles of every call that is not idle.
    pub fn live_calls(&self) -> Vec<CallHandle> {
        let mut live: Vec<CallHandle> = self
            .calls
            .values()
            .filter(|c| c.record.state != CallState::Idle)
            .map(|c| c.handle)
            .collect();
        live.sort();
        live
    }

    /// True when no transaction has work left: nothing to send, retransmit or wait for.
    /// Transactions that only absorb retransmissions may linger (until their Timer D, I, J,
    /// K, L or M); a process may exit then (the peer retransmits to nobody, harmlessly).
    pub fn is_quiescent(&self) -> bool {
        self.endpoint.active_transaction_count() == 0
    }

    /// Number of transactions of any kind, lingering ones included.
    pub fn transaction_count(&self) -> usize {
        self.endpoint.transaction_count()
    }

    /// The next message to send.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.endpoint.poll_transmit()
    }

    /// The next event for the application.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`CallModel::handle_timeout`] must next be called.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Time> {
        [
            self.endpoint.poll_timeout(),
            self.registration_timeout(),
            self.glare_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    pub(crate) fn alloc_handle(&mut self) -> CallHandle {
        let handle = CallHandle(self.next_handle);
        self.next_handle += 1;
        handle
    }

    pub(crate) fn alloc_request(&mut self) -> RequestId {
        let id = RequestId(self.next_request);
        self.next_request += 1;
        id
    }

    pub(crate) fn reply(&mut self, request: RequestId, result: Result<(), CallError>) {
        self.events.push_back(Event::Reply { request, result });
    }

    /// Reports a carried-out drop, when it has a request of its own.
    pub(crate) fn reply_to(&mut self, request: Option<RequestId>) {
        if let Some(request) = request {
            self.reply(request, Ok(()));
        }
    }

    /// Changes a call's state and reports it (one event per change).
    pub(crate) fn set_state(
        &mut self,
        now: Time,
        call: CallHandle,
        state: CallState,
        mode: Option<Mode>,
    ) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if c.record.state == state && mode.is_none() {
            return;
        }
        tracing::info!(%call, from = %c.record.state, to = %state, "call state");
        c.record.state = state;
        if state == CallState::Idle {
            c.record.ended_at = Some(now);
        }
        // A hold or retrieve still in progress when the call ends has failed; its re-INVITE
        // finishes on the wire unobserved.
        let failed = match state {
            CallState::Idle | CallState::Disconnected => c
                .reinvite
                .take()
                .map(|r| r.request)
                .or_else(|| c.glare_retry.take().map(|r| r.request)),
            _ => None,
        };
        self.events.push_back(Event::CallState {
            call,
            state,
            mode,
            at: now,
        });
        if let Some(request) = failed {
            self.reply(request, Err(CallError::OperationFailed));
        }
    }

    /// Makes `dialog` the call's dialog; an earlier one (another fork's early dialog) no
    /// longer leads to the call.
    pub(crate) fn bind_dialog(&mut self, call: CallHandle, dialog: Option<DialogId>) {
        if let Some(id) = dialog {
            if let Some(c) = self.calls.get_mut(&call) {
                c.record.local_tag = Some(id.local_tag.clone());
                c.record.remote_tag = Some(id.remote_tag.clone());
                if let Some(old) = c.dialog.replace(id.clone()) {
                    if old != id && self.by_dialog.get(&old) == Some(&call) {
                        self.by_dialog.remove(&old);
                    }
                }
            }
            self.by_dialog.insert(id, call);
        }
    }

    /// Routes the events of transaction `tx` to `call`, and remembers it on the call so that
    /// `deallocate` removes exactly its own entries.
    pub(crate) fn bind_tx(&mut self, tx: TxId, call: CallHandle) {
        if let Some(c) = self.calls.get_mut(&call) {
            // Finished transactions leave the index on their own (`Terminated`); their ids
            // here are only pruned when the list grows, to keep it small on long calls.
            if c.txs.len() >= 8 {
                let by_tx = &self.by_tx;
                c.txs.retain(|t| by_tx.contains_key(t));
            }
            c.txs.push(tx);
        }
        self.by_tx.insert(tx, call);
    }

    /// Sends a BYE on the call's dialog with `headers` (Reason, User-to-User).
    pub(crate) fn send_bye(&mut self, now: Time, call: CallHandle, headers: Vec<(String, String)>) {
        let Some(dialog) = self.calls.get(&call).and_then(|c| c.dialog.clone()) else {
            return;
        };
        match self
            .endpoint
            .send_in_dialog(now, &dialog, "BYE", headers, None)
        {
            Ok(tx) => self.bind_tx(tx, call),
            Err(error) => tracing::debug!(%call, %error, "BYE not sent"),
        }
        self.endpoint.remove_dialog(&dialog);
    }

    /// Forgets the dialog of a call that needs no more SIP traffic (its record stays).
    pub(crate) fn forget_finished(&mut self, call: CallHandle) {
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        if c.pending.is_some() || c.cancelling {
            return;
        }
        if let Some(d) = c.dialog.clone() {
            self.endpoint.remove_dialog(&d);
        }
    }
}

/// What a deallocated call still owes on the wire: the drop's headers for a BYE, and the
/// drop request to reply to once it is carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Leftover {
    pub headers: Vec<(String, String)>,
    pub request: Option<RequestId>,
}

/// The Q.850 cause that says the same as a decline status: 486 busy (17), 480 no answer (19),
/// 404 unallocated number (1); any other code uses the configured cause (21, call rejected).
fn decline_cause(code: u16, configured: u16) -> u16 {
    match code {
        486 | 600 => 17,
        480 => 19,
        404 | 604 => 1,
        _ => configured,
    }
}

/// A call's first session description: session id from its handle, a media port to announce
/// (no media flows; peers still want a plausible one), both directions.
pub(crate) fn initial_sdp(call: CallHandle) -> SessionDescription {
    let offset = u16::try_from(call.0 % 10_000).unwrap_or(0);
    SessionDescription {
        session: u64::from(call.0),
        version: 1,
        media_port: 20_000 + offset * 2,
        direction: MediaDirection::SEND_RECV,
    }
}
