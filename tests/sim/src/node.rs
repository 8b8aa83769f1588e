//! What the harness drives: anything with the sans-IO shape.
use std::any::Any;
use std::net::SocketAddr;

use call_model::CallModel;
use dialog_layer::{Endpoint, Time, Transmit};
use sip_message::Transport;

/// A sans-IO node: inputs with `now`, drained outputs.
pub trait Node: Any {
    /// A packet arrived.
    fn handle_packet(
        &mut self,
        now: Time,
        transport: Transport,
        local: SocketAddr,
        remote: SocketAddr,
        bytes: &[u8],
    );
    /// Timers due.
    fn handle_timeout(&mut self, now: Time);
    /// Next message to send.
    fn poll_transmit(&mut self) -> Option<Transmit>;
    /// Next deadline.
    fn poll_timeout(&self) -> Option<Time>;
    /// For downcasting to the concrete type.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl Node for Endpoint {
    fn handle_packet(
        &mut self,
        now: Time,
        transport: Transport,
        local: SocketAddr,
        remote: SocketAddr,
        bytes: &[u8],
    ) {
        Endpoint::handle_packet(self, now, transport, local, remote, bytes);
    }
    fn handle_timeout(&mut self, now: Time) {
        Endpoint::handle_timeout(self, now);
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        Endpoint::poll_transmit(self)
    }
    fn poll_timeout(&self) -> Option<Time> {
        Endpoint::poll_timeout(self)
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl Node for CallModel {
    fn handle_packet(
        &mut self,
        now: Time,
        transport: Transport,
        local: SocketAddr,
        remote: SocketAddr,
        bytes: &[u8],
    ) {
        CallModel::handle_packet(self, now, transport, local, remote, bytes);
    }
    fn handle_timeout(&mut self, now: Time) {
        CallModel::handle_timeout(self, now);
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        CallModel::poll_transmit(self)
    }
    fn poll_timeout(&self) -> Option<Time> {
        CallModel::poll_timeout(self)
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
