//! A simulation harness for the sans-IO core: several nodes (dialog-layer endpoints or call
//! models) on a virtual clock and a virtual network with per-direction latency, scripted and
//! seeded random loss, and reordering. Every message is logged with its timestamp, so tests
//! assert exact times. A 40-second scenario runs in microseconds.
//!
//! Each `step` jumps to the next packet delivery or timer, feeds it to its node, and drains
//! that node's transmits onto the network, as the real runtime does after every input.

mod network;
mod node;
mod scripted;

pub use network::{LogEntry, Sim};
pub use node::Node;
pub use scripted::{header_of, response_to, Scripted};
