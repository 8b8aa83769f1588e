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

/// Both sans-IO types have the same inputs and outputs; one macro states it once.
macro_rules! sans_io_node {
    ($ty:ty) => {
        impl Node for $ty {
            fn handle_packet(
                &mut self,
                now: Time,
                transport: Transport,
                local: SocketAddr,
                remote: SocketAddr,
                bytes: &[u8],
            ) {
                <$ty>::handle_packet(self, now, transport, local, remote, bytes);
            }
            fn handle_timeout(&mut self, now: Time) {
                <$ty>::handle_timeout(self, now);
            }
            fn poll_transmit(&mut self) -> Option<Transmit> {
                <$ty>::poll_transmit(self)
            }
            fn poll_timeout(&self) -> Option<Time> {
                <$ty>::poll_timeout(self)
            }
            fn as_any_mut(&mut self) -> &mut dyn Any {
                self
            }
        }
    };
}

sans_io_node!(Endpoint);
sans_io_node!(CallModel);
