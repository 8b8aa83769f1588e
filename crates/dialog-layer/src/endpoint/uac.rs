//! The client side: sending INVITEs and in-dialog requests, CANCEL, and responses to them
//! (the UAC core ACKs every 2xx, §13.2.2.4).
use std::net::SocketAddr;

use bytes::Bytes;
use sip_message::Transport;

use super::records::{CancelState, ClientKey, ClientMachine, ClientTx, InviteContext, Tx, TxKind};
use super::{ChallengedRequest, Endpoint, EndpointError};
use crate::dialog::{DialogState, Role};
use crate::fields::{param, tag_of, uri_host_port, uri_of};
use crate::timer::{Timer, TimerSet};
use crate::transaction::client_invite::{self, ClientInvite};
use crate::transaction::client_non_invite::{self, ClientNonInvite};
use crate::writer::{Body, MessageWriter};
use crate::{Dialog, DialogId, EndpointEvent, IncomingResponse, Time, TxId};

/// An INVITE to send outside any dialog.
#[derive(Debug, Clone)]
pub struct InviteRequest {
    /// Request-URI (also the To URI).
    pub uri: String,
    /// Where to send it (next hop).
    pub destination: SocketAddr,
    /// Transport.
    pub transport: Transport,
    /// Our user name (From and Contact).
    pub from_user: String,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// The body (an SDP offer).
    pub body: Option<Body>,
}

/// How to send an INVITE beyond its [`InviteRequest`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InviteOptions {
    /// Reuse this Call-ID (a retry with credentials), else a fresh one.
    pub call_id: Option<String>,
    /// Reuse this From tag, else a fresh one.
    pub local_tag: Option<String>,
    /// The CSeq number (1 when zero).
    pub cseq: u32,
    /// Route header values, first hop first (an outbound proxy: `<sip:proxy;lr>`).
    pub routes: Vec<String>,
}

/// The identity a request outside a dialog carries, where it is not fresh.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestOptions {
    /// Reuse this Call-ID, else a fresh one.
    pub call_id: Option<String>,
    /// Reuse this From tag, else a fresh one.
    pub local_tag: Option<String>,
    /// The CSeq number (1 when zero).
    pub cseq: u32,
    /// The From value without tag (default: our user at our address).
    pub from: Option<String>,
    /// The To value (default: the Request-URI).
    pub to: Option<String>,
    /// Add our Contact (REGISTER binds it).
    pub contact: bool,
}

/// The identity of a sent INVITE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentInvite {
    /// The INVITE client transaction.
    pub tx: TxId,
    /// Its Call-ID.
    pub call_id: String,
    /// Our From tag.
    pub local_tag: String,
}

/// What [`Endpoint::cancel`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelOutcome {
    /// The CANCEL went out now, as a new client transaction.
    Sent(TxId),
    /// No provisional response yet: the CANCEL is held until one arrives (RFC 3261 §9.1).
    Deferred,
    /// The INVITE already has a final response (or is gone): nothing to cancel.
    TooLate,
}

impl Endpoint {
    /// Sends an INVITE outside a dialog, starting an INVITE client transaction.
    pub fn send_invite(
        &mut self,
        now: Time,
        req: InviteRequest,
    ) -> Result<SentInvite, EndpointError> {
        self.send_invite_with(now, req, InviteOptions::default())
    }

    /// Sends an INVITE outside a dialog with `options`: the identity of an earlier attempt
    /// (a retry with credentials after 401/407 keeps Call-ID and From tag and raises the CSeq,
    /// RFC 3261 §22.2) and a pre-loaded route set (an outbound proxy, §8.1.2).
    pub fn send_invite_with(
        &mut self,
        now: Time,
        req: InviteRequest,
        options: InviteOptions,
    ) -> Result<SentInvite, EndpointError> {
        let local = self
            .local_address(req.transport, req.destination)
            .ok_or(EndpointError::NoLocalAddress(req.transport))?;
        if uri_host_port(&req.uri).is_none() {
            return Err(EndpointError::InvalidUri);
        }
        let call_id = options.call_id.unwrap_or_else(|| self.ids.call_id());
        let local_tag = options.local_tag.unwrap_or_else(|| self.ids.tag());
        let branch = self.ids.branch();
        let via = dialog_via(req.transport, local, &branch);
        let from = format!(
            "<sip:{}@{}>;tag={local_tag}",
            req.from_user,
            local_host(local)
        );
        let to = format!("<{}>", req.uri);
        let cseq = options.cseq.max(1);
        let mut w = MessageWriter::request("INVITE", &req.uri);
        w.header("Via", &via)
            .header("Max-Forwards", "70")
            .header("From", &from)
            .header("To", &to)
            .header("Call-ID", &call_id)
            .header("CSeq", &format!("{cseq} INVITE"))
            .header("Contact", &contact(&req.from_user, local, req.transport))
            .header("User-Agent", &self.config.user_agent.clone())
            .header("Allow", super::ALLOW);
        for route in &options.routes {
            w.header("Route", route);
        }
        w.headers(&req.headers);
        let bytes = w.finish(req.body.as_ref());
        let ctx = InviteContext::new(
            req.uri.clone(),
            via,
            from,
            to,
            call_id.clone(),
            cseq,
            options.routes,
        );
        let tx = self.start_client(
            now,
            "INVITE",
            branch,
            req.transport,
            req.destination,
            bytes,
            Some(Box::new(ctx)),
        );
        Ok(SentInvite {
            tx,
            call_id,
            local_tag,
        })
    }

    /// Sends a request outside any dialog other than INVITE (OPTIONS, a stray BYE for tests),
    /// starting a non-INVITE client transaction.
    pub fn send_request(
        &mut self,
        now: Time,
        method: &str,
        uri: &str,
        destination: SocketAddr,
        transport: Transport,
        headers: Vec<(String, String)>,
    ) -> Result<TxId, EndpointError> {
        let options = RequestOptions::default();
        self.send_request_with(now, method, uri, destination, transport, headers, options)
    }

    /// Like [`Endpoint::send_request`], with the identity the request must carry (REGISTER
    /// keeps its Call-ID and raises its CSeq across refreshes, RFC 3261 §10.2).
    #[allow(clippy::too_many_arguments)]
    pub fn send_request_with(
        &mut self,
        now: Time,
        method: &str,
        uri: &str,
        destination: SocketAddr,
        transport: Transport,
        headers: Vec<(String, String)>,
        options: RequestOptions,
    ) -> Result<TxId, EndpointError> {
        let local = self
            .local_address(transport, destination)
            .ok_or(EndpointError::NoLocalAddress(transport))?;
        if method == "INVITE" || method == "ACK" || method == "CANCEL" {
            return Err(EndpointError::InvalidState);
        }
        let branch = self.ids.branch();
        let tag = options.local_tag.unwrap_or_else(|| self.ids.tag());
        let call_id = options.call_id.unwrap_or_else(|| self.ids.call_id());
        let from = options
            .from
            .unwrap_or_else(|| format!("<sip:{}@{}>", self.config.contact_user, local_host(local)));
        let to = options.to.unwrap_or_else(|| format!("<{uri}>"));
        let mut w = MessageWriter::request(method, uri);
        w.header(
            "Via",
            &format!(
                "SIP/2.0/{} {local};branch={branch};rport",
                transport.via_token()
            ),
        )
        .header("Max-Forwards", "70")
        .header("From", &format!("{from};tag={tag}"))
        .header("To", &to)
        .header("Call-ID", &call_id)
        .header("CSeq", &format!("{} {method}", options.cseq.max(1)));
        if options.contact {
            w.header(
                "Contact",
                &contact(&self.config.contact_user, local, transport),
            );
        }
        w.header("User-Agent", &self.config.user_agent.clone())
            .headers(&headers);
        let bytes = w.finish(None);
        Ok(self.start_client(now, method, branch, transport, destination, bytes, None))
    }

    /// Cancels a pending INVITE client transaction (RFC 3261 §9.1). `headers` (Reason,
    /// User-to-User) go into the CANCEL.
    pub fn cancel(
        &mut self,
        now: Time,
        invite: TxId,
        headers: Vec<(String, String)>,
    ) -> CancelOutcome {
        let Some(tx) = self.txs.get_mut(&invite) else {
            return CancelOutcome::TooLate;
        };
        let TxKind::Client(client) = &mut tx.kind else {
            return CancelOutcome::TooLate;
        };
        let ClientMachine::Invite(machine) = &client.machine else {
            return CancelOutcome::TooLate;
        };
        let Some(ctx) = client.invite.as_mut() else {
            return CancelOutcome::TooLate;
        };
        if ctx.cancel != CancelState::None {
            return CancelOutcome::TooLate;
        }
        if machine.is_calling() {
            ctx.cancel = CancelState::Pending { headers };
            return CancelOutcome::Deferred;
        }
        if !machine.is_proceeding() {
            return CancelOutcome::TooLate;
        }
        CancelOutcome::Sent(self.send_cancel(now, invite, headers))
    }

    /// Builds and sends the CANCEL for `invite` (which is Proceeding), arming the give-up.
    fn send_cancel(&mut self, now: Time, invite: TxId, headers: Vec<(String, String)>) -> TxId {
        let give_up = now + self.config.timers.t1_x64();
        let Some(tx) = self.txs.get_mut(&invite) else {
            return invite;
        };
        let (transport, destination) = (tx.transport, tx.destination);
        let TxKind::Client(client) = &mut tx.kind else {
            return invite;
        };
        let Some(ctx) = client.invite.as_mut() else {
            return invite;
        };
        ctx.cancel = CancelState::Sent;
        // §9.1: same Request-URI, Call-ID, From, To (no tag), top Via, CSeq number, Route.
        let mut w = MessageWriter::request("CANCEL", &ctx.uri);
        w.header("Via", &ctx.via)
            .header("Max-Forwards", "70")
            .header("From", &ctx.from)
            .header("To", &ctx.to)
            .header("Call-ID", &ctx.call_id)
            .header("CSeq", &format!("{} CANCEL", ctx.cseq));
        for route in &ctx.routes {
            w.header("Route", route);
        }
        w.headers(&headers);
        let bytes = w.finish(None);
        let branch = client.key.branch.clone();
        // If no final response comes within 64·T1 of the CANCEL, the INVITE is given up.
        tx.timers.set(Timer::CancelGiveUp, give_up);
        self.schedule(invite);
        self.start_client(now, "CANCEL", branch, transport, destination, bytes, None)
    }

    /// Sends a request inside a dialog (BYE, re-INVITE, INFO, ...), §12.2.1.1.
    ///
    /// A re-INVITE gets our Contact and Allow (§8.1.1.8) and runs an INVITE client
    /// transaction of its own: its 2xx is ACKed by the endpoint with the re-INVITE's CSeq, a
    /// non-2xx final response by the transaction (§17.1.1.3), and it may refresh the remote
    /// target but never the route set (§12.2.1.2).
    pub fn send_in_dialog(
        &mut self,
        now: Time,
        dialog: &DialogId,
        method: &str,
        mut headers: Vec<(String, String)>,
        body: Option<Body>,
    ) -> Result<TxId, EndpointError> {
        let _span = tracing::debug_span!("dialog", call_id = %dialog.call_id, method).entered();
        let d = self
            .dialogs
            .get_mut(dialog)
            .ok_or(EndpointError::NoDialog)?;
        d.local_seq = d.local_seq.saturating_add(1);
        let d = d.clone();
        let (destination, transport) = (next_hop(&d), d.transport);
        let local = self
            .local_address(transport, destination)
            .ok_or(EndpointError::NoLocalAddress(transport))?;
        let branch = self.ids.branch();
        let invite = (method == "INVITE").then(|| {
            headers.push((
                "Contact".to_owned(),
                contact(&self.config.contact_user, local, transport),
            ));
            headers.push(("Allow".to_owned(), super::ALLOW.to_owned()));
            let (uri, routes) = dialog_target(&d);
            Box::new(
                InviteContext::new(
                    uri,
                    dialog_via(transport, local, &branch),
                    d.local_party.clone(),
                    d.remote_party.clone(),
                    d.id.call_id.clone(),
                    d.local_seq,
                    routes,
                )
                .within_dialog(),
            )
        });
        let bytes = self.dialog_request(
            &d,
            method,
            d.local_seq,
            local,
            &branch,
            &headers,
            body.as_ref(),
        );
        Ok(self.start_client(now, method, branch, transport, destination, bytes, invite))
    }

    /// Writes a request inside dialog `d` (§12.2.1.1), with the route set applied.
    #[allow(clippy::too_many_arguments)]
    fn dialog_request(
        &self,
        d: &Dialog,
        method: &str,
        cseq: u32,
        local: SocketAddr,
        branch: &str,
        headers: &[(String, String)],
        body: Option<&Body>,
    ) -> Bytes {
        let (ruri, routes) = dialog_target(d);
        let mut w = MessageWriter::request(method, &ruri);
        w.header("Via", &dialog_via(d.transport, local, branch))
            .header("Max-Forwards", "70")
            .header("From", &d.local_party)
            .header("To", &d.remote_party)
            .header("Call-ID", &d.id.call_id)
            .header("CSeq", &format!("{cseq} {method}"));
        for route in &routes {
            w.header("Route", route);
        }
        if method != "ACK" {
            w.header("User-Agent", &self.config.user_agent);
        }
        w.headers(headers);
        w.finish(body)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn start_client(
        &mut self,
        now: Time,
        method: &str,
        branch: String,
        transport: Transport,
        destination: SocketAddr,
        bytes: Bytes,
        invite: Option<Box<InviteContext>>,
    ) -> TxId {
        let id = self.alloc_tx();
        let reliable = transport.is_reliable();
        let mut timers = TimerSet::default();
        let cfg = self.config.timers;
        let machine = if method == "INVITE" {
            ClientMachine::Invite(ClientInvite::start(now, &cfg, reliable, &mut timers))
        } else {
            ClientMachine::NonInvite(ClientNonInvite::start(now, &cfg, reliable, &mut timers))
        };
        let key = ClientKey {
            branch,
            method: method.to_owned(),
        };
        tracing::debug!(tx = %id, method, %destination, "client transaction started");
        self.client_index.insert(key.clone(), id);
        let client = ClientTx {
            key,
            machine,
            request: bytes.clone(),
            invite,
        };
        self.txs.insert(
            id,
            Tx {
                transport,
                destination,
                timers,
                kind: TxKind::Client(Box::new(client)),
            },
        );
        self.schedule(id);
        self.send(transport, destination, bytes);
        id
    }

    pub(super) fn fire_client_timer(&mut self, now: Time, id: TxId, timer: Timer) {
        let Some(tx) = self.txs.get_mut(&id) else {
            return;
        };
        let TxKind::Client(client) = &mut tx.kind else {
            return;
        };
        let (retransmit, timed_out, terminated) = match &mut client.machine {
            ClientMachine::Invite(m) => match m.on_timer(timer, now, &mut tx.timers) {
                client_invite::Action::Retransmit => (true, false, false),
                client_invite::Action::TimedOut => (false, true, true),
                client_invite::Action::Terminated => (false, false, true),
                _ => (false, false, false),
            },
            ClientMachine::NonInvite(m) => {
                match m.on_timer(timer, now, &self.config.timers, &mut tx.timers) {
                    client_non_invite::Action::Retransmit => (true, false, false),
                    client_non_invite::Action::TimedOut => (false, true, true),
                    client_non_invite::Action::Terminated => (false, false, true),
                    _ => (false, false, false),
                }
            }
        };
        if retransmit {
            let (t, d, b) = (tx.transport, tx.destination, client.request.clone());
            tracing::debug!(tx = %id, ?timer, "retransmit request");
            self.send(t, d, b);
        }
        if timed_out {
            tracing::debug!(tx = %id, ?timer, "client transaction timed out");
            self.events.push_back(EndpointEvent::Timeout { tx: id });
        }
        if terminated {
            self.remove_tx(id);
        }
    }

    /// A response matched client transaction `id`.
    pub(super) fn client_response(
        &mut self,
        now: Time,
        id: TxId,
        mut response: Box<IncomingResponse>,
    ) {
        let _span = tracing::debug_span!("tx", tx = %id, code = response.code).entered();
        let cfg = self.config.timers;
        let Some(tx) = self.txs.get_mut(&id) else {
            return;
        };
        let reliable = tx.transport.is_reliable();
        let TxKind::Client(client) = &mut tx.kind else {
            return;
        };
        let code = response.code;
        match &mut client.machine {
            ClientMachine::NonInvite(m) => {
                if m.on_response(code, now, &cfg, reliable, &mut tx.timers)
                    == client_non_invite::Action::PassUp
                {
                    if matches!(code, 401 | 407) {
                        response.challenged = Some(ChallengedRequest {
                            transport: tx.transport,
                            destination: tx.destination,
                            request: client.request.clone(),
                        });
                    }
                    self.events
                        .push_back(EndpointEvent::Response { tx: id, response });
                }
            }
            ClientMachine::Invite(m) => {
                let action = m.on_response(code, now, &cfg, reliable, &mut tx.timers);
                match action {
                    client_invite::Action::PassUp => {
                        response.dialog = self.uac_dialog(id, &response, DialogState::Early);
                        // A held CANCEL goes out on the first provisional (§9.1).
                        let pending = self.take_pending_cancel(id);
                        self.events
                            .push_back(EndpointEvent::Response { tx: id, response });
                        if let Some(headers) = pending {
                            self.send_cancel(now, id, headers);
                        }
                    }
                    client_invite::Action::PassUp2xx => self.uac_2xx(now, id, response),
                    client_invite::Action::AckAndPassUp => {
                        self.ack_non_2xx(id, &response);
                        if matches!(code, 401 | 407) {
                            // A challenged re-INVITE can be sent again like any in-dialog
                            // request; the first INVITE has its own retry in the call model.
                            response.challenged = self.challenged_reinvite(id);
                        }
                        self.drop_early_dialogs(id);
                        self.events
                            .push_back(EndpointEvent::Response { tx: id, response });
                    }
                    client_invite::Action::ResendAck => {
                        if let Some(tx) = self.txs.get(&id) {
                            if let TxKind::Client(c) = &tx.kind {
                                if let Some(ack) = c.invite.as_ref().and_then(|i| i.ack.clone()) {
                                    let (t, d) = (tx.transport, tx.destination);
                                    self.send(t, d, ack);
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        self.schedule(id);
    }

    /// The request of client transaction `id` when it is a re-INVITE inside a dialog.
    fn challenged_reinvite(&self, id: TxId) -> Option<ChallengedRequest> {
        let tx = self.txs.get(&id)?;
        let TxKind::Client(client) = &tx.kind else {
            return None;
        };
        client
            .invite
            .as_ref()
            .filter(|ctx| ctx.in_dialog)
            .map(|_| ChallengedRequest {
                transport: tx.transport,
                destination: tx.destination,
                request: client.request.clone(),
            })
    }

    fn take_pending_cancel(&mut self, id: TxId) -> Option<Vec<(String, String)>> {
        let tx = self.txs.get_mut(&id)?;
        let TxKind::Client(client) = &mut tx.kind else {
            return None;
        };
        let ctx = client.invite.as_mut()?;
        match std::mem::replace(&mut ctx.cancel, CancelState::None) {
            CancelState::Pending { headers } => Some(headers),
            other => {
                ctx.cancel = other;
                None
            }
        }
    }

    /// ACK for a 300-699 (§17.1.1.3): same branch, To from the response.
    fn ack_non_2xx(&mut self, id: TxId, response: &IncomingResponse) {
        let Some(tx) = self.txs.get_mut(&id) else {
            return;
        };
        let (transport, destination) = (tx.transport, tx.destination);
        let TxKind::Client(client) = &mut tx.kind else {
            return;
        };
        let Some(ctx) = client.invite.as_mut() else {
            return;
        };
        // Same branch as the INVITE: this ACK is part of its transaction (§17.1.1.3).
        let ack = ctx.ack_request(&ctx.via, &response.fields.to);
        ctx.ack = Some(ack.clone());
        self.send(transport, destination, ack);
    }

    /// A 2xx to our INVITE: confirm (or create, for a new fork) the dialog, ACK it, and pass
    /// it up once per dialog; a retransmitted 2xx gets the same ACK again (§13.2.2.4).
    fn uac_2xx(&mut self, now: Time, id: TxId, mut response: Box<IncomingResponse>) {
        let _ = now;
        let Some(remote_tag) = response.fields.to_tag.clone() else {
            tracing::debug!(tx = %id, "2xx without To tag discarded");
            return;
        };
        let resend = self.txs.get(&id).and_then(|tx| match &tx.kind {
            TxKind::Client(c) => c
                .invite
                .as_ref()
                .and_then(|i| i.acks_2xx.get(&remote_tag).cloned()),
            TxKind::Server(_) => None,
        });
        if let Some((destination, ack)) = resend {
            let transport = self
                .txs
                .get(&id)
                .map(|t| t.transport)
                .unwrap_or(sip_message::Transport::Udp);
            self.send(transport, destination, ack);
            return;
        }
        let Some(dialog_id) = self.uac_dialog(id, &response, DialogState::Confirmed) else {
            // A re-INVITE's 2xx after its dialog ended (a BYE crossed it) is still ACKed.
            self.ack_orphan_2xx(id, remote_tag, response);
            return;
        };
        let Some(d) = self.dialogs.get(&dialog_id).cloned() else {
            return;
        };
        // The ACK carries the CSeq of the INVITE it acknowledges: the dialog's first INVITE
        // or a later re-INVITE (§13.2.2.4).
        let cseq = self
            .txs
            .get(&id)
            .and_then(|tx| match &tx.kind {
                TxKind::Client(c) => c.invite.as_ref().map(|i| i.cseq),
                TxKind::Server(_) => None,
            })
            .unwrap_or(d.invite_cseq);
        let destination = next_hop(&d);
        let Some(local) = self.local_address(d.transport, destination) else {
            return;
        };
        let branch = self.ids.branch();
        let ack = self.dialog_request(&d, "ACK", cseq, local, &branch, &[], None);
        if let Some(tx) = self.txs.get_mut(&id) {
            if let TxKind::Client(c) = &mut tx.kind {
                if let Some(ctx) = c.invite.as_mut() {
                    ctx.acks_2xx.insert(remote_tag, (destination, ack.clone()));
                }
            }
        }
        self.send(d.transport, destination, ack);
        response.dialog = Some(dialog_id);
        self.events
            .push_back(EndpointEvent::Response { tx: id, response });
    }

    /// ACKs the 2xx of a re-INVITE whose dialog is gone, from what the transaction kept of
    /// the request (§13.2.2.4: every 2xx is ACKed), and passes it up without a dialog.
    fn ack_orphan_2xx(&mut self, id: TxId, remote_tag: String, response: Box<IncomingResponse>) {
        let branch = self.ids.branch();
        let Some(tx) = self.txs.get_mut(&id) else {
            return;
        };
        let (transport, destination) = (tx.transport, tx.destination);
        let TxKind::Client(client) = &mut tx.kind else {
            return;
        };
        let Some(ctx) = client.invite.as_mut().filter(|c| c.in_dialog) else {
            return;
        };
        // A new branch: the ACK of a 2xx is a transaction of its own (§13.2.2.4).
        let sent_by = ctx.via.split(";branch=").next().unwrap_or_default();
        let ack = ctx.ack_request(
            &format!("{sent_by};branch={branch};rport"),
            &response.fields.to,
        );
        ctx.acks_2xx.insert(remote_tag, (destination, ack.clone()));
        self.send(transport, destination, ack);
        self.events
            .push_back(EndpointEvent::Response { tx: id, response });
    }

    /// Creates or updates the UAC dialog for a 1xx-with-tag or 2xx (§12.1.2).
    fn uac_dialog(
        &mut self,
        id: TxId,
        response: &IncomingResponse,
        state: DialogState,
    ) -> Option<DialogId> {
        let remote_tag = response.fields.to_tag.clone()?;
        let tx = self.txs.get(&id)?;
        let TxKind::Client(client) = &tx.kind else {
            return None;
        };
        let ctx = client.invite.as_ref()?;
        let local_tag = tag_of(&ctx.from)?;
        let dialog_id = DialogId {
            call_id: ctx.call_id.clone(),
            local_tag,
            remote_tag,
        };
        let remote_target = response.fields.contact.clone();
        match self.dialogs.get_mut(&dialog_id) {
            Some(d) if ctx.in_dialog => {
                // A re-INVITE's 2xx refreshes the target only (§12.2.1.2).
                if let (DialogState::Confirmed, Some(target)) = (state, remote_target) {
                    d.remote_target = target;
                }
            }
            // A response with another tag to a re-INVITE creates nothing.
            None if ctx.in_dialog => return None,
            Some(d) => {
                if state == DialogState::Confirmed {
                    d.state = DialogState::Confirmed;
                    // The 2xx's Record-Route is authoritative (§12.1.2).
                    d.route_set = response.fields.record_route.iter().rev().cloned().collect();
                }
                if let Some(target) = remote_target {
                    d.remote_target = target;
                }
            }
            None => {
                let d = Dialog {
                    id: dialog_id.clone(),
                    state,
                    role: Role::Uac,
                    local_seq: ctx.cseq,
                    remote_seq: None,
                    local_party: ctx.from.clone(),
                    remote_party: response.fields.to.clone(),
                    remote_target: remote_target.unwrap_or_else(|| ctx.uri.clone()),
                    route_set: response.fields.record_route.iter().rev().cloned().collect(),
                    transport: tx.transport,
                    peer: tx.destination,
                    invite_cseq: ctx.cseq,
                };
                tracing::debug!(call_id = %dialog_id.call_id, ?state, "dialog created (UAC)");
                self.dialogs.insert(dialog_id.clone(), d);
            }
        }
        Some(dialog_id)
    }

    /// Removes the early dialogs of a failed INVITE.
    fn drop_early_dialogs(&mut self, id: TxId) {
        let Some(tx) = self.txs.get(&id) else { return };
        let TxKind::Client(client) = &tx.kind else {
            return;
        };
        let Some(ctx) = client.invite.as_ref() else {
            return;
        };
        let call_id = ctx.call_id.clone();
        self.dialogs.retain(|k, d| {
            !(k.call_id == call_id && d.state == DialogState::Early && d.role == Role::Uac)
        });
    }
}

/// The Request-URI and Route values of a request inside `d` (§12.2.1.1). Strict routing: the
/// first route becomes the Request-URI and the remote target goes last.
fn dialog_target(d: &Dialog) -> (String, Vec<String>) {
    let strict = d
        .route_set
        .first()
        .is_some_and(|r| param(uri_of(r), "lr").is_none());
    if strict {
        let mut routes: Vec<String> = d.route_set[1..].to_vec();
        routes.push(format!("<{}>", d.remote_target));
        (uri_of(&d.route_set[0]).to_owned(), routes)
    } else {
        (d.remote_target.clone(), d.route_set.clone())
    }
}

/// Our Via value for a request sent from `local`.
fn dialog_via(transport: Transport, local: SocketAddr, branch: &str) -> String {
    format!(
        "SIP/2.0/{} {local};branch={branch};rport",
        transport.via_token()
    )
}

/// Where the next request of a dialog goes: the first route, else the remote target, when
/// it names an IP literal; otherwise back where the peer's messages came from.
pub(super) fn next_hop(d: &Dialog) -> SocketAddr {
    let uri = d
        .route_set
        .first()
        .map(|r| uri_of(r).to_owned())
        .unwrap_or_else(|| d.remote_target.clone());
    literal_destination(&uri).unwrap_or(d.peer)
}

/// The socket address of a URI whose host is an IP literal (port 5060 by default).
pub fn literal_destination(uri: &str) -> Option<SocketAddr> {
    let (host, port, _) = uri_host_port(uri)?;
    let ip: std::net::IpAddr = host.parse().ok()?;
    Some(SocketAddr::new(ip, port.unwrap_or(5060)))
}

/// Our Contact value for `transport`.
pub(super) fn contact(user: &str, local: SocketAddr, transport: Transport) -> String {
    match transport {
        Transport::Udp => format!("<sip:{user}@{local}>"),
        Transport::Tcp => format!("<sip:{user}@{local};transport=tcp>"),
    }
}

/// The host part of a local address as it appears in a URI (`[::1]` for IPv6).
fn local_host(local: SocketAddr) -> String {
    match local {
        SocketAddr::V4(a) => a.ip().to_string(),
        SocketAddr::V6(a) => format!("[{}]", a.ip()),
    }
}
