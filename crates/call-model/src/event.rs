//! What the call model reports to the application.
use crate::{CallError, CallHandle, CallState, Mode, RequestId};
use dialog_layer::Time;

/// One event, drained with [`crate::CallModel::poll_event`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A call changed state (one event per change).
    CallState {
        /// The call.
        call: CallHandle,
        /// Its new state.
        state: CallState,
        /// Connected or disconnect mode, where the state has one.
        mode: Option<Mode>,
        /// When.
        at: Time,
    },
    /// An asynchronous request (a drop) was carried out, or failed.
    Reply {
        /// The id returned when the request was made.
        request: RequestId,
        /// Its outcome.
        result: Result<(), CallError>,
    },
    /// The registration changed (see [`crate::CallModel::register`]).
    Registration {
        /// Where it stands.
        state: crate::RegistrationState,
        /// When.
        at: Time,
    },
    /// Information about a call changed (UUI or Reason received); announced before the
    /// `disconnected` state it may explain.
    CallInfo {
        /// The call.
        call: CallHandle,
    },
}
