//! RFC 3261 transactions (§17, with RFC 6026) and dialogs (§12), sans-IO.
//!
//! No clock reads, sleeps, sockets or unseeded randomness: time is an input ([`Time`]), ids
//! come from a seeded RNG, and outputs are drained with `poll_transmit` / `poll_event` /
//! `poll_timeout` after every input.

mod time;
mod timers_config;
mod transmit;

pub use time::Time;
pub use timers_config::TimerConfig;
pub use transmit::Transmit;
