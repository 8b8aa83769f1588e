//! The sipdrop runtime: the IO half of the user agent.
//!
//! The protocol lives in the sans-IO [`call_model::CallModel`]. This crate owns one
//! instance of it inside one tokio task running one `select!` loop, and feeds it the three
//! kinds of input it has: datagrams and framed messages from [`sip_transport`], commands from
//! the application (through a cloneable [`Ua`] handle), and the expiry of the single timer the
//! model asks for. After every input the loop drains every output: messages go to the
//! transports, events go to the application stamped with a time ([`UaEvent`]). No protocol
//! decision is made here; the only thing the runtime adds is what needs IO the core may not
//! do: resolving host names and the outbound proxy to socket addresses.
//!
//! ```no_run
//! # async fn demo() -> Result<(), sipdrop_runtime::UaError> {
//! use sipdrop_runtime::{CallTarget, DropParams, Ua, UaConfig};
//! let mut config = UaConfig::default();
//! config.transport.udp.push("127.0.0.1:0".parse().expect("literal address"));
//! let (ua, mut events) = Ua::start(config).await?;
//! let call = ua
//!     .make_call(CallTarget {
//!         uri: "sip:bob@127.0.0.1:5070".into(),
//!         destination: None,
//!         transport: None,
//!     })
//!     .await?;
//! let _request = ua.drop_call(call, DropParams::default()).await?;
//! while let Some(event) = events.recv().await {
//!     println!("{} ms: {:?}", event.t_ms, event.event);
//! }
//! # Ok(())
//! # }
//! ```

mod command;
mod config;
mod error;
mod event_loop;
mod resolve;
mod ua;
mod uri;

pub use config::UaConfig;
pub use error::UaError;
pub use ua::{Ua, UaEvent, UaEvents};
pub use uri::{Host, SipUri, UriError};

/// The call model's configuration, as [`UaConfig::model`] takes it.
pub use call_model::Config as ModelConfig;
pub use call_model::{
    CallError, CallHandle, CallRecord, CallState, CallTarget, ConnectedMode, Credentials,
    Direction, DisconnectCode, DisconnectMode, DropParams, EndedBy, Event, Mode, Registration,
    RegistrationState, RequestId, TimerConfig, Transport,
};
pub use sip_transport::TransportConfig;

/// The tracing target of the SIP trace (every message sent and received, logged at info when
/// [`UaConfig::sip_trace`] is set). Enable it in a subscriber with `sipdrop_runtime::sip_trace=info`.
pub const SIP_TRACE_TARGET: &str = "sipdrop_runtime::sip_trace";
