//! Commands from [`crate::Ua`] handles to the event loop. Each carries a oneshot for its answer,
//! so the caller awaits the model's synchronous result while the loop never awaits the caller.
use std::time::Duration;

use call_model::{
    CallError, CallHandle, CallRecord, CallTarget, DisconnectCode, DropParams, RequestId,
};
use tokio::sync::oneshot;

use crate::UaError;

/// One request to the event loop.
#[derive(Debug)]
pub(crate) enum Command {
    MakeCall {
        target: CallTarget,
        reply: oneshot::Sender<Result<CallHandle, UaError>>,
    },
    Accept {
        call: CallHandle,
        reply: oneshot::Sender<Result<(), CallError>>,
    },
    Answer {
        call: CallHandle,
        reply: oneshot::Sender<Result<(), CallError>>,
    },
    DropCall {
        call: CallHandle,
        params: DropParams,
        reply: oneshot::Sender<Result<RequestId, CallError>>,
    },
    Deallocate {
        call: CallHandle,
        reply: oneshot::Sender<Result<(), CallError>>,
    },
    CallInfo {
        call: CallHandle,
        reply: oneshot::Sender<Option<CallRecord>>,
    },
    AllocatedCalls {
        reply: oneshot::Sender<usize>,
    },
    LiveCalls {
        reply: oneshot::Sender<Vec<CallHandle>>,
    },
    /// Register at a registrar (and refresh until shutdown, which unregisters).
    Register {
        registration: call_model::Registration,
        reply: oneshot::Sender<Result<(), CallError>>,
    },
    /// TAPI 3 `disconnect(code)`.
    Disconnect {
        call: CallHandle,
        code: DisconnectCode,
        uui: Option<Vec<u8>>,
        reply: oneshot::Sender<Result<RequestId, CallError>>,
    },
    /// Hold (`hold: true`) or retrieve a call by re-INVITE.
    Hold {
        call: CallHandle,
        hold: bool,
        reply: oneshot::Sender<Result<RequestId, CallError>>,
    },
    /// Conference and bridged-appearance control.
    Control {
        op: ControlOp,
        reply: oneshot::Sender<Result<Option<CallHandle>, CallError>>,
    },
    /// Drop every live call with `params`, then stop once the model is quiescent or `grace`
    /// has passed. `done` fires when the loop has stopped.
    Shutdown {
        grace: Duration,
        params: DropParams,
        done: oneshot::Sender<()>,
    },
}

impl Command {
    /// A short name for spans and logs.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Command::MakeCall { .. } => "make_call",
            Command::Accept { .. } => "accept",
            Command::Answer { .. } => "answer",
            Command::DropCall { .. } => "drop_call",
            Command::Deallocate { .. } => "deallocate",
            Command::CallInfo { .. } => "call_info",
            Command::AllocatedCalls { .. } => "allocated_calls",
            Command::LiveCalls { .. } => "live_calls",
            Command::Register { .. } => "register",
            Command::Disconnect { .. } => "disconnect",
            Command::Hold { hold: true, .. } => "hold",
            Command::Hold { hold: false, .. } => "unhold",
            Command::Control { op, .. } => op.kind(),
            Command::Shutdown { .. } => "shutdown",
        }
    }
}

/// Conference (drop-semantics §5) and bridged-appearance (§6) operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ControlOp {
    SetupConference(CallHandle),
    AddToConference {
        conference: CallHandle,
        call: CallHandle,
    },
    RemoveFromConference(CallHandle),
    AddStation(CallHandle),
    Rejoin(CallHandle),
}

impl ControlOp {
    fn kind(&self) -> &'static str {
        match self {
            ControlOp::SetupConference(_) => "setup_conference",
            ControlOp::AddToConference { .. } => "add_to_conference",
            ControlOp::RemoveFromConference(_) => "remove_from_conference",
            ControlOp::AddStation(_) => "add_station",
            ControlOp::Rejoin(_) => "rejoin",
        }
    }
}
