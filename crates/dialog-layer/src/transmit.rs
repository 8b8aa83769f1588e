//! An outgoing message.
use std::net::SocketAddr;

use bytes::Bytes;
use sip_message::Transport;

/// One message to put on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// The transport to send on.
    pub transport: Transport,
    /// Where to.
    pub destination: SocketAddr,
    /// The encoded message.
    pub bytes: Bytes,
}
