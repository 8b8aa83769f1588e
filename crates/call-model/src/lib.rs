//! The TAPI call model on SIP, sans-IO: calls, their states, and every Drop case of
//! `drop-semantics.md`, on top of the [`dialog_layer`] endpoint it owns.
//!
//! Drive it like every sans-IO core here: feed inputs (`handle_packet`, `handle_timeout`,
//! `handle_send_failure`) and commands (`make_call`, `answer`, `drop_call`, ...), then drain
//! `poll_transmit` and `poll_event` until they return `None`, and sleep until `poll_timeout`.

mod auth_retry;
mod bridge;
mod call;
mod conference;
mod config;
mod digest;
mod disconnect;
mod disconnect_code;
mod drop_headers;
mod drop_plan;
mod error;
mod event;
mod focus;
mod glare;
mod handlers;
mod hold;
mod model;
mod record;
mod registration;
mod sdp;
mod state;

pub use config::{Config, TimerConfig};
pub use dialog_layer::{Time, Transmit};
pub use digest::{authorization, parse_challenge, Challenge, Credentials};
pub use disconnect::{mode_for_bye, mode_for_cancel, mode_for_q850, mode_for_response};
pub use disconnect_code::{disconnect_params, DisconnectCode};
pub use drop_plan::{plan_drop, DropPlan};
pub use error::CallError;
pub use event::Event;
pub use model::{CallHandle, CallModel, CallTarget, DropParams, RequestId};
pub use record::{CallRecord, Direction, EndedBy};
pub use registration::{Registration, RegistrationState};
pub use sdp::MediaDirection;
pub use sip_message::Transport;
pub use state::{CallState, ConnectedMode, DisconnectMode, Mode};
