//! The drop rules (drop-semantics §3) as one pure function from a call's state to a plan.
use crate::{CallError, CallState};

/// What a drop does on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropPlan {
    /// An offered call: send a final error response (603 by default).
    Decline,
    /// INVITE sent, no provisional: hold the CANCEL until one arrives (RFC 3261 §9.1).
    DeferredCancel,
    /// A provisional arrived: CANCEL now.
    Cancel,
    /// A confirmed dialog: BYE now.
    Bye,
    /// We answered but the ACK has not come: BYE once it does, or on the ACK timeout
    /// (RFC 3261 §15: the callee MUST NOT send BYE before).
    ByeAfterAck,
    /// The remote already ended it: nothing on the wire.
    Nothing,
}

/// The plan for dropping a call in `state`; `awaiting_ack`: we are the UAS of a 2xx whose ACK
/// has not arrived.
pub fn plan_drop(state: CallState, awaiting_ack: bool) -> Result<DropPlan, CallError> {
    Ok(match state {
        CallState::Offering | CallState::Accepted => DropPlan::Decline,
        CallState::Dialing => DropPlan::DeferredCancel,
        CallState::Proceeding | CallState::Ringback => DropPlan::Cancel,
        CallState::Connected
        | CallState::OnHold
        | CallState::Conferenced
        | CallState::OnHoldPendConf
            if awaiting_ack =>
        {
            DropPlan::ByeAfterAck
        }
        CallState::Connected
        | CallState::OnHold
        | CallState::Conferenced
        | CallState::OnHoldPendConf => DropPlan::Bye,
        CallState::Disconnected => DropPlan::Nothing,
        CallState::Idle => return Err(CallError::InvalCallState),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_of_the_drop_table() {
        use CallState::*;
        assert_eq!(plan_drop(Offering, false), Ok(DropPlan::Decline));
        assert_eq!(plan_drop(Accepted, false), Ok(DropPlan::Decline));
        assert_eq!(plan_drop(Dialing, false), Ok(DropPlan::DeferredCancel));
        assert_eq!(plan_drop(Proceeding, false), Ok(DropPlan::Cancel));
        assert_eq!(plan_drop(Ringback, false), Ok(DropPlan::Cancel));
        assert_eq!(plan_drop(Connected, false), Ok(DropPlan::Bye));
        assert_eq!(plan_drop(OnHold, false), Ok(DropPlan::Bye));
        assert_eq!(plan_drop(Connected, true), Ok(DropPlan::ByeAfterAck));
        assert_eq!(plan_drop(Disconnected, false), Ok(DropPlan::Nothing));
        assert_eq!(plan_drop(Idle, false), Err(CallError::InvalCallState));
    }
}
