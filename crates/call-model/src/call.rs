//! One call's private state: its record plus the SIP linkage the drop rules need.
use std::net::SocketAddr;

use dialog_layer::{DialogId, TxId};

use crate::sdp::SessionDescription;
use crate::{CallHandle, CallRecord, EndedBy, RequestId, Transport};

/// A drop whose wire action waits (a deferred CANCEL, or a BYE waiting for the ACK).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDrop {
    /// The request to reply to once the action is carried out (none within a cascade).
    pub request: Option<RequestId>,
}

/// One call.
#[derive(Debug)]
pub struct Call {
    /// Its handle.
    pub handle: CallHandle,
    /// What the application can query.
    pub record: CallRecord,
    /// The INVITE transaction (client for outgoing, server for incoming).
    pub invite_tx: Option<TxId>,
    /// The dialog, once early or confirmed.
    pub dialog: Option<DialogId>,
    /// Transport of the call.
    pub transport: Transport,
    /// The peer's address.
    pub peer: SocketAddr,
    /// We are the UAS of a 2xx whose ACK has not come.
    pub awaiting_ack: bool,
    /// A 180/183 arrived (480/408 then mean `noanswer`).
    pub ringback: bool,
    /// We sent (or hold) a CANCEL: a crossing 2xx gets ACK + BYE, a 487 is ours.
    pub cancelling: bool,
    /// Reason / User-to-User headers of our drop, for a follow-up BYE.
    pub drop_headers: Vec<(String, String)>,
    /// A drop waiting for its wire action.
    pub pending: Option<PendingDrop>,
    /// Who ended it before the application dropped it.
    pub remote_ended_by: Option<EndedBy>,
    /// How to send the INVITE again (a retry with credentials): Request-URI, and the CSeq
    /// and number of authentication attempts so far.
    pub invite: Option<InviteState>,
    /// Its place in a local conference.
    pub conf: Option<ConfRole>,
    /// Its place in a bridged appearance.
    pub bridge: Option<BridgeRole>,
    /// Our side of the session description (RFC 3264): what is in force, with the last
    /// version number used.
    pub sdp: SessionDescription,
    /// Our re-INVITE in progress (hold or retrieve), at most one (RFC 3261 §14.1).
    pub reinvite: Option<Reinvite>,
    /// A re-INVITE answered 491, waiting to be tried again (RFC 3261 §14.1).
    pub glare_retry: Option<crate::glare::GlareRetry>,
    /// The transactions routed to this call (`CallModel::bind_tx`), some perhaps finished.
    pub txs: Vec<TxId>,
}

/// A re-INVITE we sent to hold or retrieve a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reinvite {
    /// Its INVITE client transaction.
    pub tx: TxId,
    /// True to hold (`a=sendonly`), false to retrieve (`a=sendrecv`).
    pub hold: bool,
    /// The request to reply to when it ends.
    pub request: RequestId,
    /// This is the second try, after a 491: another 491 fails the request.
    pub retried: bool,
    /// The description it offers, ours once the re-INVITE succeeds.
    pub offer: SessionDescription,
}

/// What an outgoing call keeps of its INVITE to send it again with credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteState {
    /// The Request-URI.
    pub uri: String,
    /// The CSeq of the last INVITE.
    pub cseq: u32,
    /// Challenges answered so far (at most two: a second 401 for the same realm means the
    /// credentials are wrong).
    pub auth_attempts: u8,
}

/// A call's place in a local conference (drop-semantics §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfRole {
    /// The conference handle itself: no SIP leg, its participants are.
    Parent {
        /// The participant calls, in the order they joined.
        participants: Vec<CallHandle>,
    },
    /// A participant of the conference `parent`.
    Participant {
        /// The conference handle.
        parent: CallHandle,
    },
}

/// A call's place in a bridged appearance (drop-semantics §6): one SIP leg, several stations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BridgeRole {
    /// The station that owns the SIP leg.
    Owner {
        /// The other stations sharing it.
        stations: Vec<CallHandle>,
    },
    /// Another station on the owner's leg.
    Station {
        /// The owner.
        owner: CallHandle,
    },
}

impl Call {
    /// A new call.
    pub fn new(
        handle: CallHandle,
        record: CallRecord,
        transport: Transport,
        peer: SocketAddr,
    ) -> Self {
        Call {
            handle,
            record,
            invite_tx: None,
            dialog: None,
            transport,
            peer,
            awaiting_ack: false,
            ringback: false,
            cancelling: false,
            drop_headers: Vec::new(),
            pending: None,
            remote_ended_by: None,
            conf: None,
            bridge: None,
            invite: None,
            sdp: crate::model::initial_sdp(handle),
            reinvite: None,
            txs: Vec::new(),
            glare_retry: None,
        }
    }

    /// True for a conference handle.
    pub fn is_conference_parent(&self) -> bool {
        matches!(self.conf, Some(ConfRole::Parent { .. }))
    }
}
