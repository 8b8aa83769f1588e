//! RFC 3261 transactions (§17, with RFC 6026) and dialogs (§12), sans-IO.
//!
//! No clock reads, sleeps, sockets or unseeded randomness: time is an input ([`Time`]), ids
//! come from a seeded RNG, and outputs are drained with `poll_transmit` / `poll_event` /
//! `poll_timeout` after every input.

mod dialog;
mod endpoint;
mod event;
pub mod fields;
mod ids;
mod time;
mod timer;
mod timers_config;
mod transaction;
mod transmit;
mod writer;

pub use dialog::{Dialog, DialogId, DialogState, Role};
pub use endpoint::{
    literal_destination, CancelOutcome, ChallengedRequest, ClientKey, Endpoint, EndpointConfig,
    EndpointError, InviteOptions, InviteRequest, RequestOptions, SentInvite, ServerKey, ALLOW,
};
pub use event::{EndpointEvent, IncomingRequest, IncomingResponse};
pub use fields::Fields;
pub use ids::{IdGenerator, TxId, BRANCH_COOKIE};
pub use time::Time;
pub use timer::Timer;
pub use timers_config::TimerConfig;
pub use transmit::Transmit;
pub use writer::{Body, MessageWriter};
