//! The call model's driving type. (API contract; implementation in progress.)
use std::net::SocketAddr;

use crate::{CallError, CallRecord, Config, Event, Time, Transmit, Transport};

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
    config: Config,
}

impl CallModel {
    /// A call model with no calls.
    pub fn new(config: Config) -> Self {
        CallModel { config }
    }

    /// Tells the model a local address it can send from and receive on (Via, Contact).
    pub fn add_local_address(&mut self, transport: Transport, addr: SocketAddr) {
        let _ = (transport, addr);
        todo!()
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
        let _ = (now, transport, local, remote, bytes);
        todo!()
    }

    /// Fires every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Time) {
        let _ = now;
        todo!()
    }

    /// Reports that a send to `destination` failed (RFC 3261 §8.1.3.1).
    pub fn handle_send_failure(&mut self, now: Time, transport: Transport, destination: SocketAddr) {
        let _ = (now, transport, destination);
        todo!()
    }

    /// Places a call: allocates a handle and sends the INVITE (state `dialing`).
    pub fn make_call(&mut self, now: Time, target: CallTarget) -> Result<CallHandle, CallError> {
        let _ = (now, target);
        todo!()
    }

    /// Accepts an offered call: sends 180 Ringing (state `accepted`).
    pub fn accept(&mut self, now: Time, call: CallHandle) -> Result<(), CallError> {
        let _ = (now, call);
        todo!()
    }

    /// Answers an offered or accepted call: sends 200 with an SDP answer (state `connected`).
    pub fn answer(&mut self, now: Time, call: CallHandle) -> Result<(), CallError> {
        let _ = (now, call);
        todo!()
    }

    /// Drops a call (TAPI `lineDrop`): returns a request id at once; a `reply` event follows
    /// when the BYE / CANCEL / final response has been handed to the transaction layer.
    pub fn drop_call(
        &mut self,
        now: Time,
        call: CallHandle,
        params: DropParams,
    ) -> Result<RequestId, CallError> {
        let _ = (now, call, params);
        todo!()
    }

    /// Frees an idle call's record. Refused (`invalcallstate`) while the call is not idle.
    pub fn deallocate(&mut self, call: CallHandle) -> Result<(), CallError> {
        let _ = call;
        todo!()
    }

    /// The record of an allocated call.
    pub fn call_info(&self, call: CallHandle) -> Option<&CallRecord> {
        let _ = call;
        todo!()
    }

    /// How many calls are allocated (not yet deallocated): leaks show here.
    pub fn allocated_calls(&self) -> usize {
        todo!()
    }

    /// Handles of every call that is not idle.
    pub fn live_calls(&self) -> Vec<CallHandle> {
        todo!()
    }

    /// True when no transaction is in progress (nothing left to retransmit or wait for).
    pub fn is_quiescent(&self) -> bool {
        todo!()
    }

    /// The next message to send.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        todo!()
    }

    /// The next event for the application.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        todo!()
    }

    /// When [`CallModel::handle_timeout`] must next be called.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Time> {
        let _ = &self.config;
        todo!()
    }
}
