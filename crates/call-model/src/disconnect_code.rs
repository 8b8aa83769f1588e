//! TAPI 3 style `ITBasicCallControl::Disconnect(code)` (drop-semantics §7): a drop whose
//! response code and Q.850 cause follow from the code and the call's state.
use crate::model::CallModel;
use crate::{CallError, CallHandle, CallState, DropParams, RequestId, Time};

/// `DISCONNECT_CODE` of TAPI 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisconnectCode {
    /// `DC_NORMAL`.
    Normal,
    /// `DC_NOANSWER`.
    NoAnswer,
    /// `DC_REJECTED`.
    Rejected,
}

impl DisconnectCode {
    /// Parses `normal`, `noanswer` or `rejected`.
    pub fn from_name(name: &str) -> Option<DisconnectCode> {
        match name {
            "normal" => Some(DisconnectCode::Normal),
            "noanswer" => Some(DisconnectCode::NoAnswer),
            "rejected" => Some(DisconnectCode::Rejected),
            _ => None,
        }
    }
}

/// The drop parameters of §7's table for a call in `state`; `uui` rides along.
pub fn disconnect_params(
    code: DisconnectCode,
    state: CallState,
    uui: Option<Vec<u8>>,
) -> DropParams {
    let offered = matches!(state, CallState::Offering | CallState::Accepted);
    let unanswered = matches!(
        state,
        CallState::Dialing | CallState::Proceeding | CallState::Ringback
    );
    let (decline_code, cause) = match (code, offered, unanswered) {
        (DisconnectCode::Normal, true, _) => (None, None),
        (DisconnectCode::Normal, _, _) => (None, Some(16)),
        (DisconnectCode::NoAnswer, true, _) => (Some(480), Some(19)),
        (DisconnectCode::NoAnswer, false, true) => (None, Some(19)),
        (DisconnectCode::NoAnswer, false, false) => (None, Some(16)),
        (DisconnectCode::Rejected, true, _) => (Some(603), Some(21)),
        (DisconnectCode::Rejected, false, _) => (None, Some(21)),
    };
    DropParams {
        uui,
        cause,
        decline_code,
    }
}

impl CallModel {
    /// Disconnects a call the TAPI 3 way: like [`CallModel::drop_call`], with the response
    /// code and cause chosen by `code` (drop-semantics §7).
    pub fn disconnect(
        &mut self,
        now: Time,
        call: CallHandle,
        code: DisconnectCode,
        uui: Option<Vec<u8>>,
    ) -> Result<RequestId, CallError> {
        let state = self
            .call_info(call)
            .ok_or(CallError::InvalCallHandle)?
            .state;
        self.drop_call(now, call, disconnect_params(code, state, uui))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CallState::*;
    use DisconnectCode::*;

    fn p(code: DisconnectCode, state: CallState) -> (Option<u16>, Option<u16>) {
        let d = disconnect_params(code, state, None);
        (d.decline_code, d.cause)
    }

    #[test]
    fn the_table_of_section_7() {
        // normal: 603 (configured) / CANCEL 16 / BYE 16
        assert_eq!(p(Normal, Offering), (None, None));
        assert_eq!(p(Normal, Ringback), (None, Some(16)));
        assert_eq!(p(Normal, Connected), (None, Some(16)));
        // noanswer: 480 + 19 / CANCEL 19 / BYE 16
        assert_eq!(p(NoAnswer, Offering), (Some(480), Some(19)));
        assert_eq!(p(NoAnswer, Dialing), (None, Some(19)));
        assert_eq!(p(NoAnswer, Proceeding), (None, Some(19)));
        assert_eq!(p(NoAnswer, Connected), (None, Some(16)));
        // rejected: 603 + 21 / CANCEL 21 / BYE 21
        assert_eq!(p(Rejected, Accepted), (Some(603), Some(21)));
        assert_eq!(p(Rejected, Ringback), (None, Some(21)));
        assert_eq!(p(Rejected, Connected), (None, Some(21)));
    }
}
