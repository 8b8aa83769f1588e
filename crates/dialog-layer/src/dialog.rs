//! Dialogs (RFC 3261 §12): identity, route set, remote target, CSeq spaces.
use std::net::SocketAddr;

use sip_message::Transport;

/// A dialog's identity: Call-ID and both tags (§12).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DialogId {
    /// Call-ID.
    pub call_id: String,
    /// Our tag.
    pub local_tag: String,
    /// The peer's tag.
    pub remote_tag: String,
}

/// Early (after a 1xx with a To tag) or confirmed (after a 2xx).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogState {
    /// Created by a provisional response.
    Early,
    /// Created or confirmed by a 2xx.
    Confirmed,
}

/// Which side of the dialog-creating INVITE we were.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// We sent the INVITE.
    Uac,
    /// We received it.
    Uas,
}

/// The state of one dialog, the fields §12 requires.
#[derive(Debug, Clone)]
pub struct Dialog {
    /// Identity.
    pub id: DialogId,
    /// Early or confirmed.
    pub state: DialogState,
    /// Our role in the creating INVITE.
    pub role: Role,
    /// Our CSeq space: the last number we used.
    pub local_seq: u32,
    /// The peer's last CSeq number, once it sent an in-dialog request.
    pub remote_seq: Option<u32>,
    /// Our From (UAC) or To (UAS) value, with our tag.
    pub local_party: String,
    /// The peer's value, with its tag.
    pub remote_party: String,
    /// The peer's Contact URI.
    pub remote_target: String,
    /// The route set (§12.1.1 / §12.1.2), first hop first.
    pub route_set: Vec<String>,
    /// Transport of the dialog.
    pub transport: Transport,
    /// Where the peer's messages came from: the fallback destination when a URI names a host
    /// we cannot resolve here.
    pub peer: SocketAddr,
    /// CSeq of the INVITE that created the dialog.
    pub invite_cseq: u32,
}
