//! Synchronous errors of the call-control API (TAPI `LINEERR_*` names).

/// Why a call-control command was refused. Nothing was sent when one of these is returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// No call has this handle (never allocated, or deallocated).
    #[error("invalcallhandle")]
    InvalCallHandle,
    /// The command is not valid in the call's current state.
    #[error("invalcallstate")]
    InvalCallState,
    /// The user-user information is longer than the configured limit.
    #[error("useruserinfotoobig")]
    UserUserInfoTooBig,
    /// The target address is not a usable SIP URI.
    #[error("invaladdress")]
    InvalAddress,
    /// The parameters are invalid (e.g. a decline code outside 400..=699).
    #[error("invalparam")]
    InvalParam,
    /// No local transport can reach the destination.
    #[error("operationunavail")]
    OperationUnavail,
    /// The request was carried out on the wire but the peer refused it or it could not
    /// complete (a re-INVITE answered 491 or 488, or the call ended first); asynchronous only.
    #[error("operationfailed")]
    OperationFailed,
}

impl CallError {
    /// The name used in `reply` events (`invalcallstate`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            CallError::InvalCallHandle => "invalcallhandle",
            CallError::InvalCallState => "invalcallstate",
            CallError::UserUserInfoTooBig => "useruserinfotoobig",
            CallError::InvalAddress => "invaladdress",
            CallError::InvalParam => "invalparam",
            CallError::OperationUnavail => "operationunavail",
            CallError::OperationFailed => "operationfailed",
        }
    }
}
