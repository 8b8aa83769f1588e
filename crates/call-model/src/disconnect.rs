//! Remote ends mapped to TAPI disconnect modes (drop-semantics §4). Precedence: a Q.850
//! cause in a Reason header beats the SIP status code, which beats the default.
use sip_message::{Reason, ReasonProtocol};

use crate::DisconnectMode;

/// The mode a Q.850 cause maps to, when the table names it.
pub fn mode_for_q850(cause: u16) -> Option<DisconnectMode> {
    use DisconnectMode::*;
    Some(match cause {
        16 | 31 => Normal,
        17 => Busy,
        21 => Reject,
        52..=55 | 57 | 87 => Blocked,
        1 | 3 | 28 => BadAddress,
        22 => NumberChanged,
        18 | 19 => NoAnswer,
        20 => Unreachable,
        58 | 65 | 70 | 79 | 88 => Incompatible,
        49 => QosUnavail,
        27 => OutOfOrder,
        34 | 42 | 44 => Congestion,
        38 | 41 | 47 | 102 => TempFailure,
        26 => Pickup,
        _ => return None,
    })
}

/// The first Q.850 cause among `reasons` that maps to a mode.
fn q850_mode(reasons: &[Reason]) -> Option<DisconnectMode> {
    reasons
        .iter()
        .filter(|r| r.protocol == ReasonProtocol::Q850)
        .find_map(|r| r.cause.and_then(mode_for_q850))
}

/// The mode of a final error response to our INVITE. `ringback`: a 180/183 came first.
pub fn mode_for_response(code: u16, ringback: bool, reasons: &[Reason]) -> DisconnectMode {
    if let Some(mode) = q850_mode(reasons) {
        return mode;
    }
    use DisconnectMode::*;
    match code {
        486 | 600 => Busy,
        403 | 603 | 607 => Reject,
        608 => Blocked,
        404 | 484 | 485 | 604 | 416 => BadAddress,
        410 => NumberChanged,
        480 | 408 if ringback => NoAnswer,
        480 | 408 => Unreachable,
        415 | 488 | 501 | 606 => Incompatible,
        580 => QosUnavail,
        502 => OutOfOrder,
        500 | 503 | 504 => TempFailure,
        300..=399 => Forwarded,
        487 => Cancelled,
        _ => Unknown,
    }
}

/// The mode of a BYE from the peer.
pub fn mode_for_bye(reasons: &[Reason]) -> DisconnectMode {
    let sip_408 = reasons
        .iter()
        .any(|r| r.protocol == ReasonProtocol::Sip && r.cause == Some(408));
    if let Some(mode) = q850_mode(reasons) {
        return mode;
    }
    if sip_408 {
        DisconnectMode::TempFailure
    } else {
        DisconnectMode::Normal
    }
}

/// The mode of a CANCEL of our offered call: `pickup` when answered elsewhere.
pub fn mode_for_cancel(reasons: &[Reason]) -> DisconnectMode {
    let elsewhere = reasons.iter().any(|r| {
        (r.protocol == ReasonProtocol::Sip && r.cause == Some(200))
            || (r.protocol == ReasonProtocol::Q850 && r.cause == Some(26))
    });
    if elsewhere {
        DisconnectMode::Pickup
    } else {
        DisconnectMode::Cancelled
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DisconnectMode::*;

    fn q850(cause: u16) -> Reason {
        Reason {
            protocol: ReasonProtocol::Q850,
            cause: Some(cause),
            text: None,
        }
    }

    fn sip(cause: u16) -> Reason {
        Reason {
            protocol: ReasonProtocol::Sip,
            cause: Some(cause),
            text: None,
        }
    }

    #[test]
    fn status_table() {
        let rows: &[(u16, bool, DisconnectMode)] = &[
            (486, false, Busy),
            (600, false, Busy),
            (403, false, Reject),
            (603, false, Reject),
            (607, false, Reject),
            (608, false, Blocked),
            (404, false, BadAddress),
            (484, false, BadAddress),
            (485, false, BadAddress),
            (604, false, BadAddress),
            (416, false, BadAddress),
            (410, false, NumberChanged),
            (480, true, NoAnswer),
            (408, true, NoAnswer),
            (480, false, Unreachable),
            (408, false, Unreachable),
            (415, false, Incompatible),
            (488, false, Incompatible),
            (501, false, Incompatible),
            (606, false, Incompatible),
            (580, false, QosUnavail),
            (502, false, OutOfOrder),
            (503, false, TempFailure),
            (500, false, TempFailure),
            (504, false, TempFailure),
            (302, false, Forwarded),
            (487, false, Cancelled),
            (499, false, Unknown),
        ];
        for &(code, ringback, mode) in rows {
            assert_eq!(
                mode_for_response(code, ringback, &[]),
                mode,
                "status {code}"
            );
        }
    }

    #[test]
    fn q850_beats_status() {
        assert_eq!(mode_for_response(503, false, &[q850(34)]), Congestion);
        assert_eq!(mode_for_response(503, false, &[q850(42)]), Congestion);
        assert_eq!(mode_for_response(486, false, &[q850(21)]), Reject);
        assert_eq!(mode_for_response(500, false, &[q850(17)]), Busy);
        assert_eq!(mode_for_response(404, false, &[q850(20)]), Unreachable);
        // An unmapped cause falls back to the status.
        assert_eq!(mode_for_response(486, false, &[q850(99)]), Busy);
    }

    #[test]
    fn q850_table() {
        let rows: &[(u16, DisconnectMode)] = &[
            (16, Normal),
            (31, Normal),
            (17, Busy),
            (21, Reject),
            (52, Blocked),
            (55, Blocked),
            (57, Blocked),
            (87, Blocked),
            (1, BadAddress),
            (3, BadAddress),
            (28, BadAddress),
            (22, NumberChanged),
            (18, NoAnswer),
            (19, NoAnswer),
            (20, Unreachable),
            (58, Incompatible),
            (65, Incompatible),
            (70, Incompatible),
            (79, Incompatible),
            (88, Incompatible),
            (49, QosUnavail),
            (27, OutOfOrder),
            (34, Congestion),
            (38, TempFailure),
            (41, TempFailure),
            (47, TempFailure),
            (102, TempFailure),
        ];
        for &(cause, mode) in rows {
            assert_eq!(mode_for_q850(cause), Some(mode), "cause {cause}");
        }
    }

    #[test]
    fn bye_and_cancel() {
        assert_eq!(mode_for_bye(&[]), Normal);
        assert_eq!(mode_for_bye(&[q850(16)]), Normal);
        assert_eq!(mode_for_bye(&[q850(31)]), Normal);
        assert_eq!(mode_for_bye(&[sip(408)]), TempFailure);
        assert_eq!(mode_for_bye(&[q850(102)]), TempFailure);
        assert_eq!(mode_for_cancel(&[]), Cancelled);
        assert_eq!(mode_for_cancel(&[sip(200)]), Pickup);
        assert_eq!(mode_for_cancel(&[q850(26)]), Pickup);
        assert_eq!(mode_for_cancel(&[q850(16)]), Cancelled);
    }
}
