//! Compact transaction records: the fields the RFC needs, not whole messages.
use std::collections::HashMap;
use std::net::SocketAddr;

use bytes::Bytes;
use sip_message::Transport;

use crate::timer::TimerSet;
use crate::transaction::client_invite::{self, ClientInvite};
use crate::transaction::client_non_invite::{self, ClientNonInvite};
use crate::transaction::server_invite::{self, ServerInvite};
use crate::transaction::server_non_invite::{self, ServerNonInvite};
use crate::{DialogId, MessageWriter};

/// Matches a response to its client transaction (§17.1.3): top Via branch and CSeq method.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientKey {
    /// The branch we put in the top Via.
    pub branch: String,
    /// The CSeq method (`CANCEL` shares its INVITE's branch).
    pub method: String,
}

/// Matches a request to its server transaction (§17.2.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ServerKey {
    /// RFC 3261: branch with the magic cookie, sent-by, and the method (`ACK` counts as
    /// `INVITE`).
    Rfc3261 {
        /// Top Via branch.
        branch: String,
        /// Top Via sent-by, lower case.
        sent_by: String,
        /// Method, ACK mapped to INVITE.
        method: String,
    },
    /// RFC 2543 fallback for branches without the cookie (§17.2.3): Request-URI, From tag,
    /// Call-ID, CSeq number, top Via and method.
    Rfc2543 {
        /// Request-URI.
        uri: String,
        /// From tag.
        from_tag: String,
        /// Call-ID.
        call_id: String,
        /// CSeq number.
        cseq: u32,
        /// Whole top Via value.
        via: String,
        /// Method, ACK mapped to INVITE.
        method: String,
    },
}

/// One transaction.
#[derive(Debug)]
pub struct Tx {
    /// Transport it runs on.
    pub transport: Transport,
    /// Where its messages go.
    pub destination: SocketAddr,
    /// Its armed timers.
    pub timers: TimerSet,
    /// Client or server record.
    pub kind: TxKind,
}

/// Client or server.
#[derive(Debug)]
pub enum TxKind {
    /// We sent the request.
    Client(Box<ClientTx>),
    /// We received the request.
    Server(Box<ServerTx>),
}

/// The machine of a client transaction.
#[derive(Debug)]
pub enum ClientMachine {
    /// INVITE.
    Invite(ClientInvite),
    /// Anything else.
    NonInvite(ClientNonInvite),
}

/// A client transaction.
#[derive(Debug)]
pub struct ClientTx {
    /// Its index key.
    pub key: ClientKey,
    /// Its machine.
    pub machine: ClientMachine,
    /// The request octets, for retransmission.
    pub request: Bytes,
    /// INVITE-only context.
    pub invite: Option<Box<InviteContext>>,
}

/// What an INVITE client transaction keeps to build its CANCEL and ACKs.
#[derive(Debug)]
pub struct InviteContext {
    /// Request-URI.
    pub uri: String,
    /// Our top Via value.
    pub via: String,
    /// From value (with our tag).
    pub from: String,
    /// To value (no tag).
    pub to: String,
    /// Call-ID.
    pub call_id: String,
    /// CSeq number.
    pub cseq: u32,
    /// Route header values sent with the INVITE.
    pub routes: Vec<String>,
    /// CANCEL progress.
    pub cancel: CancelState,
    /// The ACK for a non-2xx final response, to resend on its retransmissions.
    pub ack: Option<Bytes>,
    /// The ACK sent for each answering dialog's 2xx, by remote tag.
    pub acks_2xx: HashMap<String, (SocketAddr, Bytes)>,
    /// A re-INVITE inside an existing dialog: its responses never create a dialog and never
    /// replace the route set (§12.2.1.2), and it is never cancelled by the call model.
    pub in_dialog: bool,
}

impl InviteContext {
    /// The context of an INVITE sent with these values, no CANCEL asked for and nothing
    /// ACKed yet; outside a dialog unless [`InviteContext::within_dialog`] says otherwise.
    pub fn new(
        uri: String,
        via: String,
        from: String,
        to: String,
        call_id: String,
        cseq: u32,
        routes: Vec<String>,
    ) -> Self {
        InviteContext {
            uri,
            via,
            from,
            to,
            call_id,
            cseq,
            routes,
            cancel: CancelState::None,
            ack: None,
            acks_2xx: HashMap::new(),
            in_dialog: false,
        }
    }

    /// The same, for a re-INVITE inside an existing dialog.
    pub fn within_dialog(self) -> Self {
        InviteContext {
            in_dialog: true,
            ..self
        }
    }

    /// An ACK for a final response to this INVITE, built from the request (§17.1.1.3,
    /// §13.2.2.4): same Request-URI, From, Call-ID, CSeq number and Route set, `to` from the
    /// response, and the Via given.
    pub fn ack_request(&self, via: &str, to: &str) -> Bytes {
        let mut w = MessageWriter::request("ACK", &self.uri);
        w.header("Via", via)
            .header("Max-Forwards", "70")
            .header("From", &self.from)
            .header("To", to)
            .header("Call-ID", &self.call_id)
            .header("CSeq", &format!("{} ACK", self.cseq));
        for route in &self.routes {
            w.header("Route", route);
        }
        w.finish(None)
    }
}

/// Where a CANCEL of this INVITE stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelState {
    /// Not asked for.
    None,
    /// Asked for before any provisional: held until one arrives (§9.1).
    Pending {
        /// Extra headers (Reason, User-to-User) for the CANCEL.
        headers: Vec<(String, String)>,
    },
    /// Sent.
    Sent,
}

/// The machine of a server transaction.
#[derive(Debug)]
pub enum ServerMachine {
    /// INVITE.
    Invite(ServerInvite),
    /// Anything else.
    NonInvite(ServerNonInvite),
}

/// A server transaction.
#[derive(Debug)]
pub struct ServerTx {
    /// Its index key.
    pub key: ServerKey,
    /// Its machine.
    pub machine: ServerMachine,
    /// The request method.
    pub method: String,
    /// What responses copy from the request.
    pub request: ResponseContext,
    /// Our To tag for this transaction's responses.
    pub to_tag: Option<String>,
    /// The last response sent, for retransmission.
    pub last_response: Option<Bytes>,
    /// The dialog its responses created.
    pub dialog: Option<DialogId>,
    /// Where the request came from.
    pub source: SocketAddr,
    /// Its entry in the merged-request index (INVITEs outside a dialog).
    pub merge_key: Option<MergeKey>,
}

/// Identifies a request outside a dialog for merged-request detection (§8.2.2.2): From tag,
/// Call-ID and CSeq.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MergeKey {
    /// Call-ID.
    pub call_id: String,
    /// From tag.
    pub from_tag: String,
    /// CSeq number.
    pub cseq: u32,
}

/// The request fields a response copies (§8.2.6.2) and a UAS dialog needs (§12.1.1).
#[derive(Debug, Clone)]
pub struct ResponseContext {
    /// Every Via value.
    pub vias: Vec<String>,
    /// From value.
    pub from: String,
    /// From tag.
    pub from_tag: Option<String>,
    /// To value as received.
    pub to: String,
    /// Call-ID.
    pub call_id: String,
    /// CSeq number.
    pub cseq: u32,
    /// CSeq method.
    pub cseq_method: String,
    /// Record-Route values.
    pub record_route: Vec<String>,
    /// Contact URI.
    pub contact: Option<String>,
}

impl TxKind {
    /// True when the transaction only absorbs retransmissions until its last timer.
    pub fn is_lingering(&self) -> bool {
        match self {
            TxKind::Client(c) => match &c.machine {
                ClientMachine::Invite(m) => m.is_lingering(),
                ClientMachine::NonInvite(m) => m.is_lingering(),
            },
            TxKind::Server(s) => match &s.machine {
                ServerMachine::Invite(m) => m.is_lingering(),
                ServerMachine::NonInvite(m) => m.is_lingering(),
            },
        }
    }
}

impl ClientTx {
    /// Feeds a transport failure; true when the transaction ended.
    pub fn on_transport_error(&mut self, timers: &mut TimerSet) -> bool {
        match &mut self.machine {
            ClientMachine::Invite(m) => {
                m.on_transport_error(timers) == client_invite::Action::TimedOut
            }
            ClientMachine::NonInvite(m) => {
                m.on_transport_error(timers) == client_non_invite::Action::TimedOut
            }
        }
    }
}

impl ServerTx {
    /// Feeds a transport failure; true when the transaction ended.
    pub fn on_transport_error(&mut self, timers: &mut TimerSet) -> bool {
        match &mut self.machine {
            ServerMachine::Invite(m) => {
                m.on_transport_error(timers) != server_invite::Action::Nothing
            }
            ServerMachine::NonInvite(m) => {
                m.on_transport_error(timers) != server_non_invite::Action::Nothing
            }
        }
    }
}
