//! Errors of the runtime API.
use call_model::{CallError, Transport};
use sip_transport::TransportError;

use crate::UriError;

/// Why a [`crate::Ua`] operation failed.
///
/// [`UaError::Call`] is the call model refusing a command (API misuse or a state that does not
/// allow it: nothing was sent); the other variants come from the runtime itself.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UaError {
    /// The call model refused the command.
    #[error(transparent)]
    Call(#[from] CallError),
    /// The transports could not be bound.
    #[error(transparent)]
    Bind(#[from] TransportError),
    /// A URI the runtime must read (the proxy) is not a SIP URI.
    #[error("invalid SIP URI '{uri}': {source}")]
    Uri {
        /// The URI as given.
        uri: String,
        /// What is wrong with it.
        source: UriError,
    },
    /// A host name could not be resolved.
    #[error("cannot resolve '{host}': {source}")]
    Resolve {
        /// The host name.
        host: String,
        /// The resolver's error.
        source: std::io::Error,
    },
    /// A host name resolved, but to no address a bound socket can reach.
    #[error("'{host}' has no address reachable over a bound {transport} socket")]
    NoAddress {
        /// The host name.
        host: String,
        /// The transport that would carry the request.
        transport: Transport,
    },
    /// The UA is shutting down and takes no new calls.
    #[error("the user agent is shutting down")]
    ShuttingDown,
    /// The UA's event loop has ended (shut down, or stopped by a failure).
    #[error("the user agent has stopped")]
    Stopped,
}

impl UaError {
    /// The TAPI-style error name for a `reply` event: the model's name for a
    /// [`UaError::Call`], `invaladdress` for addressing failures, `operationunavail` otherwise.
    pub fn reply_name(&self) -> &'static str {
        match self {
            UaError::Call(e) => e.as_str(),
            UaError::Uri { .. } | UaError::Resolve { .. } | UaError::NoAddress { .. } => {
                "invaladdress"
            }
            UaError::Bind(_) | UaError::ShuttingDown | UaError::Stopped => "operationunavail",
        }
    }

    /// The model's error, when the model refused the command.
    pub fn call_error(&self) -> Option<CallError> {
        match self {
            UaError::Call(e) => Some(*e),
            _ => None,
        }
    }
}
