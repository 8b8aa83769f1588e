//! How a [`crate::Ua`] is set up.
use tokio::time::Instant;

/// Everything needed to start a [`crate::Ua`].
#[derive(Debug, Clone, Default)]
pub struct UaConfig {
    /// The call model's configuration (timers, RNG seed, drop defaults). The caller seeds the
    /// RNG: the runtime never draws randomness of its own.
    pub model: call_model::Config,
    /// The sockets to bind. Every address bound is registered with the model.
    pub transport: sip_transport::TransportConfig,
    /// An outbound proxy URI (e.g. `sip:proxy.example.test;transport=tcp`): resolved once at
    /// start, it becomes the destination of every call (loose routing).
    pub proxy: Option<String>,
    /// Log every SIP message sent and received at info level under
    /// [`crate::SIP_TRACE_TARGET`].
    pub sip_trace: bool,
    /// The origin of the model's clock and of [`crate::UaEvent::t_ms`]. `None` means "when the
    /// UA starts"; a CLI passes its process start so that `t_ms` counts from there.
    pub origin: Option<Instant>,
    /// A name for this UA in logs (useful when one process runs several).
    pub name: String,
}
