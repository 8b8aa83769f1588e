//! Received messages: framing, parsing, matching to transactions (§17.1.3, §17.2.3) and
//! dialogs, and the checks of §8.2 that answer a request before the TU sees it.
use std::net::SocketAddr;

use rsip::prelude::HasHeaders;
use sip_message::{ParseError, Transport};

use super::records::{MergeKey, ResponseContext, ServerKey, ServerMachine, ServerTx, Tx, TxKind};
use super::Endpoint;
use crate::fields::Fields;
use crate::ids::BRANCH_COOKIE;
use crate::timer::TimerSet;
use crate::transaction::server_invite::{self, ServerInvite};
use crate::transaction::server_non_invite::{self, ServerNonInvite};
use crate::{ClientKey, DialogId, EndpointEvent, IncomingRequest, IncomingResponse, Time, TxId};

/// Methods we know but do not serve: answered 405 with Allow (§8.2.1).
const KNOWN_UNSUPPORTED: &[&str] = &[
    "REGISTER",
    "SUBSCRIBE",
    "NOTIFY",
    "PUBLISH",
    "MESSAGE",
    "REFER",
    "PRACK",
    "UPDATE",
];

impl Endpoint {
    /// Feeds one received datagram (UDP) or framed message (TCP). Malformed requests are
    /// answered (400, 505, ...) or discarded; nothing here panics on any input.
    pub fn handle_packet(
        &mut self,
        now: Time,
        transport: Transport,
        local: SocketAddr,
        remote: SocketAddr,
        bytes: &[u8],
    ) {
        let _ = local;
        let framed = match transport {
            Transport::Udp => match sip_message::frame_datagram(bytes, &self.config.limits) {
                Ok(framed) => framed,
                Err(error) => return self.reject(transport, remote, bytes, &error.into()),
            },
            Transport::Tcp => bytes,
        };
        let parsed = match sip_message::parse(framed) {
            Ok(parsed) => parsed,
            Err(error) => return self.reject(transport, remote, framed, &error),
        };
        let mut message = parsed.message;
        if let rsip::SipMessage::Request(request) = &mut message {
            // §18.2.1 / RFC 3581: note where the request really came from in its top Via, so
            // responses go back there (and never to an address a Via merely names).
            sip_message::via::stamp_received(request, remote);
        }
        let fields = match Fields::read(message.headers()) {
            Ok(fields) => fields,
            Err(e) => {
                return self.reject(transport, remote, framed, &ParseError::MissingHeader(e.0))
            }
        };
        match message {
            rsip::SipMessage::Request(request) => {
                let unknown = parsed.unknown_method.is_some();
                let method = parsed
                    .unknown_method
                    .unwrap_or_else(|| request.method.to_string());
                let request = IncomingRequest {
                    method,
                    message: request,
                    fields,
                    transport,
                    source: remote,
                    dialog: None,
                };
                self.incoming_request(now, request, unknown);
            }
            rsip::SipMessage::Response(response) => {
                let code = response.status_code.code();
                let response = IncomingResponse {
                    code,
                    message: response,
                    fields,
                    dialog: None,
                    challenged: None,
                };
                self.incoming_response(now, Box::new(response));
            }
        }
    }

    /// Answers an unparsable request when it can be answered; discards anything else.
    fn reject(&mut self, transport: Transport, remote: SocketAddr, raw: &[u8], error: &ParseError) {
        tracing::debug!(%remote, %error, "malformed message");
        if let Some(bytes) = sip_message::error_response(raw, error) {
            self.send(transport, remote, bytes);
        }
    }

    fn incoming_response(&mut self, now: Time, response: Box<IncomingResponse>) {
        let Some(branch) = response.fields.branch.clone() else {
            return;
        };
        let key = ClientKey {
            branch,
            method: response.fields.cseq_method.clone(),
        };
        match self.client_index.get(&key) {
            Some(&id) => self.client_response(now, id, response),
            None => tracing::debug!(code = response.code, "response matches no transaction"),
        }
    }

    fn incoming_request(&mut self, now: Time, mut request: IncomingRequest, unknown: bool) {
        let method = request.method.clone();
        let as_invite = if method == "ACK" {
            "INVITE"
        } else {
            method.as_str()
        };
        let key = server_key(&request, as_invite);
        if method == "ACK" {
            return self.incoming_ack(now, key, request);
        }
        if let Some(&id) = self.server_index.get(&key) {
            return self.retransmitted_request(id);
        }
        if method == "CANCEL" {
            return self.incoming_cancel(now, key, request);
        }
        let id = self.new_server_tx(now, key, &request);
        let to_tag = request.fields.to_tag.clone();
        // §8.2: checks in the RFC's order; each failure answers and ends here.
        if unknown {
            return self.answer(now, id, 501);
        }
        let uri = request.message.uri.to_string();
        if !(uri.starts_with("sip:") || uri.starts_with("sips:")) {
            return self.answer(now, id, 416);
        }
        if KNOWN_UNSUPPORTED.contains(&method.as_str()) {
            return self.answer(now, id, 405);
        }
        if let Some(required) = header_value(&request.message, "require") {
            let _ = self.respond(now, id, 420, vec![("Unsupported".into(), required)], None);
            return;
        }
        if method == "INVITE" && !request.message.body.is_empty() {
            let sdp = header_value(&request.message, "content-type")
                .is_some_and(|c| c.to_ascii_lowercase().starts_with("application/sdp"));
            if !sdp {
                let _ = self.respond(
                    now,
                    id,
                    415,
                    vec![("Accept".into(), "application/sdp".into())],
                    None,
                );
                return;
            }
        }
        if method == "INVITE" && !accepts_sdp(&request.message) {
            // §8.2.3 / RFC 4475 §3.3.15: our answers carry SDP, which the request refuses.
            let warning = (
                "Warning".to_owned(),
                "399 sipdrop \"Accept excludes application/sdp\"".to_owned(),
            );
            let _ = self.respond(now, id, 406, vec![warning], None);
            return;
        }
        match to_tag {
            Some(local_tag) => {
                let dialog = DialogId {
                    call_id: request.fields.call_id.clone(),
                    local_tag,
                    remote_tag: request.fields.from_tag.clone().unwrap_or_default(),
                };
                let Some(d) = self.dialogs.get_mut(&dialog) else {
                    return self.answer(now, id, 481);
                };
                // §12.2.2: a lower CSeq than the last one is out of order.
                if d.remote_seq.is_some_and(|last| request.fields.cseq <= last)
                    && method != "INVITE"
                {
                    return self.answer(now, id, 500);
                }
                d.remote_seq = Some(request.fields.cseq);
                // A target refresh request (re-INVITE, UPDATE) moves the remote target (§12.2.2).
                if matches!(method.as_str(), "INVITE" | "UPDATE") {
                    if let Some(contact) = &request.fields.contact {
                        d.remote_target = contact.clone();
                    }
                }
                request.dialog = Some(dialog);
            }
            None => {
                if method == "INVITE" && self.is_merged(id, &request) {
                    return self.answer(now, id, 482);
                }
                // BYE and INFO (RFC 6086 §4.2.2) exist only inside a dialog.
                if method == "BYE" || method == "INFO" {
                    return self.answer(now, id, 481);
                }
                if method == "OPTIONS" {
                    return self.answer(now, id, 200);
                }
            }
        }
        if method == "INVITE" {
            // Stop the peer's INVITE retransmissions at once (§17.2.1).
            let _ = self.respond(now, id, 100, Vec::new(), None);
        }
        tracing::debug!(tx = %id, method = %method, "request passed up");
        self.events.push_back(EndpointEvent::Request {
            tx: id,
            request: Box::new(request),
        });
    }

    fn answer(&mut self, now: Time, id: TxId, code: u16) {
        if let Err(error) = self.respond(now, id, code, Vec::new(), None) {
            tracing::debug!(tx = %id, %error, "could not answer");
        }
    }

    /// §8.2.2.2: an INVITE without To tag whose From tag, Call-ID and CSeq match a pending
    /// transaction that arrived by another path.
    fn is_merged(&mut self, id: TxId, request: &IncomingRequest) -> bool {
        let key = MergeKey {
            call_id: request.fields.call_id.clone(),
            from_tag: request.fields.from_tag.clone().unwrap_or_default(),
            cseq: request.fields.cseq,
        };
        let live = self
            .merge_index
            .get(&key)
            .is_some_and(|other| *other != id && self.txs.contains_key(other));
        if live {
            return true;
        }
        if let Some(TxKind::Server(s)) = self.txs.get_mut(&id).map(|t| &mut t.kind) {
            s.merge_key = Some(key.clone());
        }
        self.merge_index.insert(key, id);
        false
    }

    fn retransmitted_request(&mut self, id: TxId) {
        let Some(tx) = self.txs.get(&id) else { return };
        let TxKind::Server(server) = &tx.kind else {
            return;
        };
        let resend = match &server.machine {
            ServerMachine::Invite(m) => {
                m.on_retransmitted_request() == server_invite::Action::ResendLast
            }
            ServerMachine::NonInvite(m) => {
                m.on_retransmitted_request() == server_non_invite::Action::ResendLast
            }
        };
        tracing::debug!(tx = %id, resend, "retransmitted request absorbed");
        if resend {
            if let Some(bytes) = server.last_response.clone() {
                let (t, d) = (tx.transport, tx.destination);
                self.send(t, d, bytes);
            }
        }
    }

    fn incoming_ack(&mut self, now: Time, key: ServerKey, request: IncomingRequest) {
        let cfg = self.config.timers;
        // An ACK for a non-2xx shares the INVITE's branch (§17.2.3).
        if let Some(&id) = self.server_index.get(&key) {
            if let Some(tx) = self.txs.get_mut(&id) {
                let reliable = tx.transport.is_reliable();
                if let TxKind::Server(server) = &mut tx.kind {
                    if let ServerMachine::Invite(m) = &mut server.machine {
                        if !m.awaits_2xx_ack() {
                            m.on_ack(now, &cfg, reliable, &mut tx.timers);
                            self.schedule(id);
                            return;
                        }
                    }
                }
            }
        }
        // An ACK for a 2xx is its own transaction, matched by dialog (§13.3.1.4).
        let (Some(local_tag), Some(remote_tag)) = (
            request.fields.to_tag.clone(),
            request.fields.from_tag.clone(),
        ) else {
            return;
        };
        let dialog = DialogId {
            call_id: request.fields.call_id.clone(),
            local_tag,
            remote_tag,
        };
        let Some(&id) = self.awaiting_ack.get(&dialog) else {
            tracing::debug!("ACK matches nothing pending: absorbed");
            return;
        };
        let Some(tx) = self.txs.get_mut(&id) else {
            return;
        };
        let TxKind::Server(server) = &mut tx.kind else {
            return;
        };
        if server.request.cseq != request.fields.cseq {
            return;
        }
        if let ServerMachine::Invite(m) = &mut server.machine {
            if m.on_2xx_acked(&mut tx.timers) {
                self.awaiting_ack.remove(&dialog);
                let mut request = request;
                request.dialog = Some(dialog.clone());
                self.events.push_back(EndpointEvent::Ack {
                    tx: id,
                    dialog,
                    request: Box::new(request),
                });
            }
        }
    }

    fn incoming_cancel(&mut self, now: Time, key: ServerKey, request: IncomingRequest) {
        let invite_key = match &key {
            ServerKey::Rfc3261 {
                branch, sent_by, ..
            } => ServerKey::Rfc3261 {
                branch: branch.clone(),
                sent_by: sent_by.clone(),
                method: "INVITE".into(),
            },
            ServerKey::Rfc2543 {
                uri,
                from_tag,
                call_id,
                cseq,
                via,
                ..
            } => ServerKey::Rfc2543 {
                uri: uri.clone(),
                from_tag: from_tag.clone(),
                call_id: call_id.clone(),
                cseq: *cseq,
                via: via.clone(),
                method: "INVITE".into(),
            },
        };
        let id = self.new_server_tx(now, key, &request);
        let Some(&invite) = self.server_index.get(&invite_key) else {
            return self.answer(now, id, 481);
        };
        // §9.2: 200 to the CANCEL whatever the INVITE's state (as pjsip does); a 487 to the
        // INVITE only while it has no final response.
        let to_tag = self.txs.get(&invite).and_then(|tx| match &tx.kind {
            TxKind::Server(s) => s.to_tag.clone(),
            TxKind::Client(_) => None,
        });
        if let (Some(tag), Some(TxKind::Server(s))) =
            (to_tag, self.txs.get_mut(&id).map(|t| &mut t.kind))
        {
            s.to_tag = Some(tag);
        }
        self.answer(now, id, 200);
        let pending = self.txs.get(&invite).is_some_and(|tx| {
            matches!(&tx.kind, TxKind::Server(s) if matches!(&s.machine, ServerMachine::Invite(m) if m.is_proceeding()))
        });
        if pending {
            self.answer(now, invite, 487);
            self.events.push_back(EndpointEvent::Cancelled {
                tx: invite,
                cancel: Box::new(request),
            });
        }
    }

    fn new_server_tx(&mut self, now: Time, key: ServerKey, request: &IncomingRequest) -> TxId {
        let _ = now;
        let id = self.alloc_tx();
        let f = &request.fields;
        let machine = if request.method == "INVITE" {
            ServerMachine::Invite(ServerInvite::new())
        } else {
            ServerMachine::NonInvite(ServerNonInvite::new())
        };
        let destination = response_destination(request);
        let server = ServerTx {
            key: key.clone(),
            machine,
            method: request.method.clone(),
            request: ResponseContext {
                vias: f.vias.clone(),
                from: f.from.clone(),
                from_tag: f.from_tag.clone(),
                to: f.to.clone(),
                call_id: f.call_id.clone(),
                cseq: f.cseq,
                cseq_method: f.cseq_method.clone(),
                record_route: f.record_route.clone(),
                contact: f.contact.clone(),
            },
            to_tag: None,
            last_response: None,
            dialog: None,
            source: request.source,
            merge_key: None,
        };
        tracing::debug!(tx = %id, method = %request.method, "server transaction started");
        self.server_index.insert(key, id);
        self.txs.insert(
            id,
            Tx {
                transport: request.transport,
                destination,
                timers: TimerSet::default(),
                kind: TxKind::Server(Box::new(server)),
            },
        );
        id
    }
}

/// The server transaction key of a request (§17.2.3), `method` with ACK mapped to INVITE.
fn server_key(request: &IncomingRequest, method: &str) -> ServerKey {
    let f = &request.fields;
    match &f.branch {
        Some(branch) if branch.starts_with(BRANCH_COOKIE) => ServerKey::Rfc3261 {
            branch: branch.clone(),
            sent_by: f.top_sent_by.clone(),
            method: method.to_owned(),
        },
        _ => ServerKey::Rfc2543 {
            uri: request.message.uri.to_string(),
            from_tag: f.from_tag.clone().unwrap_or_default(),
            call_id: f.call_id.clone(),
            cseq: f.cseq,
            via: f.top_via().to_owned(),
            method: method.to_owned(),
        },
    }
}

/// Where responses to a request go: over TCP back on the connection; over UDP where
/// RFC 3261 §18.2.2 and RFC 3581 §4 say (sip-message's `response_destination`), falling back
/// to the source address when the Via names no usable address.
fn response_destination(request: &IncomingRequest) -> SocketAddr {
    if request.transport.is_reliable() {
        return request.source;
    }
    sip_message::via::top_via_header(request.message.headers())
        .and_then(|via| sip_message::via::response_destination(via, request.source))
        .unwrap_or(request.source)
}

/// Whether an INVITE's Accept header (absent: yes, RFC 3261 §20.1) admits application/sdp.
fn accepts_sdp(request: &rsip::Request) -> bool {
    let accepts: Vec<String> = request
        .headers()
        .iter()
        .filter_map(|h| match h {
            rsip::Header::Accept(v) => {
                Some(rsip::headers::UntypedHeader::value(v).to_ascii_lowercase())
            }
            _ => None,
        })
        .collect();
    if accepts.is_empty() || accepts.iter().all(|a| a.trim().is_empty()) {
        return true;
    }
    accepts.iter().flat_map(|a| a.split(',')).any(|range| {
        let media = range.split(';').next().unwrap_or("").trim();
        matches!(media, "application/sdp" | "application/*" | "*/*")
    })
}

/// The first value of a header that rsip keeps as `Other`, by lower-case name.
fn header_value(request: &rsip::Request, lower_name: &str) -> Option<String> {
    request.headers().iter().find_map(|h| match h {
        rsip::Header::Other(name, value) if name.eq_ignore_ascii_case(lower_name) => {
            Some(value.trim().to_owned())
        }
        rsip::Header::ContentType(v) if lower_name == "content-type" => {
            Some(rsip::headers::UntypedHeader::value(v).trim().to_owned())
        }
        rsip::Header::Require(v) if lower_name == "require" => {
            Some(rsip::headers::UntypedHeader::value(v).trim().to_owned())
        }
        _ => None,
    })
}
