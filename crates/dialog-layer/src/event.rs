//! What the endpoint reports to the layer above (the transaction user).
use std::net::SocketAddr;

use sip_message::Transport;

use crate::{DialogId, Fields, TxId};

/// A request received and passed up once (retransmissions are absorbed).
#[derive(Debug, Clone)]
pub struct IncomingRequest {
    /// The method, as received (also unknown ones).
    pub method: String,
    /// The message.
    pub message: rsip::Request,
    /// Its identifying fields.
    pub fields: Fields,
    /// The transport it came on.
    pub transport: Transport,
    /// Its source address.
    pub source: SocketAddr,
    /// The dialog it belongs to, when it has a To tag matching one.
    pub dialog: Option<DialogId>,
}

/// A response passed up to the transaction user.
#[derive(Debug, Clone)]
pub struct IncomingResponse {
    /// Status code.
    pub code: u16,
    /// The message.
    pub message: rsip::Response,
    /// Its identifying fields.
    pub fields: Fields,
    /// The dialog it created or belongs to (1xx with a To tag and 2xx to INVITE).
    pub dialog: Option<DialogId>,
    /// For a 401/407 to one of our non-INVITE requests or re-INVITEs: that request, to send
    /// again with credentials ([`crate::Endpoint::resend_challenged`]).
    pub challenged: Option<crate::ChallengedRequest>,
}

/// One event of the endpoint.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum EndpointEvent {
    /// A new request with its server transaction (for ACK of a 2xx: see [`EndpointEvent::Ack`]).
    Request {
        /// The server transaction to respond on.
        tx: TxId,
        /// The request.
        request: Box<IncomingRequest>,
    },
    /// A response for a client transaction.
    Response {
        /// The client transaction.
        tx: TxId,
        /// The response.
        response: Box<IncomingResponse>,
    },
    /// The ACK for our 2xx arrived.
    Ack {
        /// The INVITE server transaction that sent the 2xx.
        tx: TxId,
        /// The dialog.
        dialog: DialogId,
        /// The ACK.
        request: Box<IncomingRequest>,
    },
    /// Our 2xx got no ACK in 64·T1 (§13.3.1.4): the session should be ended with a BYE.
    AckTimeout {
        /// The INVITE server transaction.
        tx: TxId,
        /// The dialog.
        dialog: Option<DialogId>,
    },
    /// An INVITE we are serving was cancelled: 200 went to the CANCEL, 487 to the INVITE.
    Cancelled {
        /// The INVITE server transaction.
        tx: TxId,
        /// The CANCEL request.
        cancel: Box<IncomingRequest>,
    },
    /// A client transaction timed out (Timer B / F, or the CANCEL give-up).
    Timeout {
        /// The transaction.
        tx: TxId,
    },
    /// A transaction could not deliver its message (RFC 3261 §17.1.1.2, §17.2.4).
    TransportError {
        /// The transaction.
        tx: TxId,
    },
    /// A transaction reached Terminated and was removed.
    Terminated {
        /// The transaction.
        tx: TxId,
    },
}
