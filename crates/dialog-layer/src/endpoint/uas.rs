//! The server side: responding on server transactions, UAS dialogs (§12.1.1) and the UAS
//! core's 2xx handling (§13.3.1.4).
use super::records::{ServerMachine, TxKind};
use super::uac::contact;
use super::{Endpoint, EndpointError};
use crate::dialog::{DialogState, Role};
use crate::timer::Timer;
use crate::transaction::{server_invite, server_non_invite};
use crate::writer::{Body, MessageWriter};
use crate::{Dialog, DialogId, EndpointEvent, Time, TxId};

impl Endpoint {
    /// Sends a response with status `code` on server transaction `tx`. For an INVITE, a
    /// 101-299 creates (or confirms) the dialog, whose id is returned.
    pub fn respond(
        &mut self,
        now: Time,
        tx: TxId,
        code: u16,
        headers: Vec<(String, String)>,
        body: Option<Body>,
    ) -> Result<Option<DialogId>, EndpointError> {
        let _span = tracing::debug_span!("tx", tx = %tx, code).entered();
        let cfg = self.config.timers;
        let contact_user = self.config.contact_user.clone();
        let user_agent = self.config.user_agent.clone();
        let tag_needed = code > 100;
        let fresh_tag = self.ids.tag();
        let entry = self.txs.get_mut(&tx).ok_or(EndpointError::NoTransaction)?;
        let (transport, destination) = (entry.transport, entry.destination);
        let reliable = transport.is_reliable();
        let TxKind::Server(server) = &mut entry.kind else {
            return Err(EndpointError::NoTransaction);
        };
        let allowed = match &mut server.machine {
            ServerMachine::Invite(m) => {
                m.on_send_response(code, now, &cfg, reliable, &mut entry.timers)
            }
            ServerMachine::NonInvite(m) => {
                m.on_send_response(code, now, &cfg, reliable, &mut entry.timers)
            }
        };
        if !allowed {
            return Err(EndpointError::InvalidState);
        }
        let req = &server.request;
        let existing_tag = crate::fields::tag_of(&req.to);
        if tag_needed && existing_tag.is_none() && server.to_tag.is_none() {
            server.to_tag = Some(fresh_tag);
        }
        let to = match (&existing_tag, &server.to_tag) {
            (None, Some(tag)) if tag_needed => format!("{};tag={tag}", req.to),
            _ => req.to.clone(),
        };
        let is_invite = server.method == "INVITE";
        let mut w = MessageWriter::response(code);
        for via in &req.vias {
            w.header("Via", via);
        }
        w.header("From", &req.from)
            .header("To", &to)
            .header("Call-ID", &req.call_id)
            .header("CSeq", &format!("{} {}", req.cseq, req.cseq_method));
        let creates_dialog = is_invite && (101..300).contains(&code);
        if creates_dialog {
            for rr in &req.record_route {
                w.header("Record-Route", rr);
            }
        }
        let local = self
            .local_addrs
            .iter()
            .find(|(t, a)| *t == transport && a.is_ipv4() == destination.is_ipv4())
            .map(|&(_, a)| a);
        if creates_dialog || (server.method == "OPTIONS" && code < 300) {
            if let Some(local) = local {
                w.header("Contact", &contact(&contact_user, local, transport));
            }
        }
        w.header("Server", &user_agent);
        if code == 405 || (server.method == "OPTIONS" && code < 300) {
            w.header("Allow", super::ALLOW);
        }
        w.headers(&headers);
        let bytes = w.finish(body.as_ref());
        server.last_response = Some(bytes.clone());
        let mut dialog_id = server.dialog.clone();
        if creates_dialog {
            if let (Some(remote_tag), Some(local_tag)) =
                (req.from_tag.clone(), server.to_tag.clone().or(existing_tag))
            {
                let id = DialogId {
                    call_id: req.call_id.clone(),
                    local_tag,
                    remote_tag,
                };
                let state = if code >= 200 {
                    DialogState::Confirmed
                } else {
                    DialogState::Early
                };
                match self.dialogs.get_mut(&id) {
                    Some(d) => d.state = d.state.max_with(state),
                    None => {
                        let d = Dialog {
                            id: id.clone(),
                            state,
                            role: Role::Uas,
                            local_seq: 0,
                            remote_seq: Some(req.cseq),
                            local_party: to.clone(),
                            remote_party: req.from.clone(),
                            remote_target: req.contact.clone().unwrap_or_default(),
                            route_set: req.record_route.clone(),
                            transport,
                            peer: server.source,
                            invite_cseq: req.cseq,
                        };
                        tracing::debug!(call_id = %id.call_id, ?state, "dialog created (UAS)");
                        self.dialogs.insert(id.clone(), d);
                    }
                }
                server.dialog = Some(id.clone());
                dialog_id = Some(id.clone());
                if code >= 200 {
                    self.awaiting_ack.insert(id, tx);
                }
            }
        } else if is_invite && code >= 300 {
            if let Some(id) = server.dialog.take() {
                self.dialogs.remove(&id);
            }
        }
        self.schedule(tx);
        self.send(transport, destination, bytes);
        Ok(dialog_id)
    }

    pub(super) fn fire_server_timer(&mut self, now: Time, id: TxId, timer: Timer) {
        let cfg = self.config.timers;
        let Some(tx) = self.txs.get_mut(&id) else {
            return;
        };
        let TxKind::Server(server) = &mut tx.kind else {
            return;
        };
        let (resend, event, terminated) = match &mut server.machine {
            ServerMachine::Invite(m) => match m.on_timer(timer, now, &cfg, &mut tx.timers) {
                server_invite::Action::ResendLast => (true, None, false),
                server_invite::Action::AckTimedOut => {
                    (false, Some(EndpointEvent::Timeout { tx: id }), true)
                }
                server_invite::Action::Ack2xxTimedOut => (
                    false,
                    Some(EndpointEvent::AckTimeout {
                        tx: id,
                        dialog: server.dialog.clone(),
                    }),
                    true,
                ),
                server_invite::Action::Terminated => (false, None, true),
                server_invite::Action::Nothing => (false, None, false),
            },
            ServerMachine::NonInvite(m) => match m.on_timer(timer, &mut tx.timers) {
                server_non_invite::Action::Terminated => (false, None, true),
                _ => (false, None, false),
            },
        };
        let resend = if resend {
            server.last_response.clone()
        } else {
            None
        };
        let dialog = server.dialog.clone();
        let (t, d) = (tx.transport, tx.destination);
        if let Some(bytes) = resend {
            tracing::debug!(tx = %id, ?timer, "retransmit response");
            self.send(t, d, bytes);
        }
        if terminated {
            if let Some(dialog) = dialog {
                if self.awaiting_ack.get(&dialog) == Some(&id) {
                    self.awaiting_ack.remove(&dialog);
                }
            }
        }
        if let Some(event) = event {
            self.events.push_back(event);
        }
        if terminated {
            self.remove_tx(id);
        }
    }
}

impl DialogState {
    /// The later of two states (a dialog never goes back from confirmed to early).
    fn max_with(self, other: DialogState) -> DialogState {
        if self == DialogState::Confirmed || other == DialogState::Confirmed {
            DialogState::Confirmed
        } else {
            DialogState::Early
        }
    }
}
