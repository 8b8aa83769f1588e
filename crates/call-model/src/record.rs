//! The call record: what stays queryable after a drop until `deallocate` (drop-semantics §2).
use crate::{CallState, DisconnectMode};
use dialog_layer::Time;

/// Who ended a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndedBy {
    /// The application dropped it.
    Local,
    /// The remote party ended it (BYE, CANCEL, final error response).
    Remote,
    /// The stack gave up (timeout, transport failure).
    Stack,
}

impl EndedBy {
    /// `local`, `remote` or `stack`.
    pub fn as_str(self) -> &'static str {
        match self {
            EndedBy::Local => "local",
            EndedBy::Remote => "remote",
            EndedBy::Stack => "stack",
        }
    }
}

/// Which side placed the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// We sent the INVITE.
    Outgoing,
    /// We received the INVITE.
    Incoming,
    /// A local conference handle: no SIP leg of its own.
    Conference,
}

/// A snapshot of a call, kept after it ends until it is deallocated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    /// Incoming or outgoing.
    pub direction: Direction,
    /// The current state.
    pub state: CallState,
    /// The disconnect mode, once the call was disconnected by the remote or the stack.
    pub disconnect_mode: Option<DisconnectMode>,
    /// Who ended it, once it ended.
    pub ended_by: Option<EndedBy>,
    /// The final SIP status that ended or answered it (e.g. 486, 200, 487).
    pub sip_status: Option<u16>,
    /// Reason header values received (as printed, e.g. `Q.850;cause=16`).
    pub reason_received: Vec<String>,
    /// Reason header value we sent on the drop.
    pub reason_sent: Option<String>,
    /// UUI received (decoded octets).
    pub uui_received: Option<Vec<u8>>,
    /// UUI we sent on the drop.
    pub uui_sent: Option<Vec<u8>>,
    /// SIP Call-ID.
    pub sip_call_id: String,
    /// Our tag.
    pub local_tag: Option<String>,
    /// The peer's tag.
    pub remote_tag: Option<String>,
    /// The remote URI (To of an outgoing call, From of an incoming one).
    pub remote_uri: String,
    /// When the call was created.
    pub created_at: Time,
    /// When it connected.
    pub connected_at: Option<Time>,
    /// When it went idle.
    pub ended_at: Option<Time>,
    /// The peer is a conference focus (its Contact has `isfocus`, RFC 4579): dropping the call
    /// leaves a remote conference, which goes on without us.
    pub remote_focus: bool,
}

impl CallRecord {
    /// A fresh record.
    pub fn new(direction: Direction, now: Time, sip_call_id: String, remote_uri: String) -> Self {
        CallRecord {
            direction,
            state: CallState::Idle,
            disconnect_mode: None,
            ended_by: None,
            sip_status: None,
            reason_received: Vec::new(),
            reason_sent: None,
            uui_received: None,
            uui_sent: None,
            sip_call_id,
            local_tag: None,
            remote_tag: None,
            remote_uri,
            created_at: now,
            connected_at: None,
            ended_at: None,
            remote_focus: false,
        }
    }
}
