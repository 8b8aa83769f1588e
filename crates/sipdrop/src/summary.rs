//! The last line of `call` (and `conference`) on stdout, and the exit status it implies:
//! `{"summary":{"attempted":N,"connected":N,"dropped":N,"failed":N,"modes":{"busy":N,...}}}`.
use std::collections::BTreeMap;

use serde::Serialize;

use crate::cli::values::Expect;
use crate::cmd::uac::UacOutcome;

/// The counts, as printed.
///
/// - `attempted`: calls we tried to place, including those the UA refused at once.
/// - `connected`: calls that reached `connected`.
/// - `dropped`: calls we dropped ourselves (`--drop-after`, `--cancel-after`, conference drop,
///   or a signal); releasing a call the remote had already disconnected does not count.
/// - `failed`: calls that never connected and that we did not drop: refused at once, rejected
///   or unanswered by the remote, or given up by the stack (timeout, transport error).
/// - `modes`: for calls the remote or the stack disconnected, how many per disconnect mode.
///
/// A call both connected and dropped counts in both; `failed` never overlaps either.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    /// Calls placed.
    pub attempted: u64,
    /// Calls that connected.
    pub connected: u64,
    /// Calls we dropped.
    pub dropped: u64,
    /// Calls that never connected and were not dropped by us.
    pub failed: u64,
    /// Disconnect modes of calls the remote (or the stack) ended.
    pub modes: BTreeMap<&'static str, u64>,
    /// Calls that did not end as `--expect` says (not printed: it sets the exit status).
    #[serde(skip)]
    pub unexpected: u64,
}

/// The summary line's wrapper object.
#[derive(Debug, Serialize)]
pub struct SummaryLine<'a> {
    summary: &'a Summary,
}

impl Summary {
    /// Counts a call that ended with `outcome`, judged against `expect`.
    pub fn record(&mut self, outcome: &UacOutcome, expect: Expect) {
        self.connected += u64::from(outcome.connected);
        self.dropped += u64::from(outcome.dropped_by_us);
        self.failed += u64::from(!outcome.connected && !outcome.dropped_by_us);
        if let Some(mode) = outcome.mode {
            *self.modes.entry(mode.as_str()).or_default() += 1;
        }
        if !ended_as_expected(outcome, expect) {
            self.unexpected += 1;
        }
    }

    /// The line to print.
    pub fn line(&self) -> SummaryLine<'_> {
        SummaryLine { summary: self }
    }
}

/// A call "ended as expected" when we dropped it and `dropped` was expected, or when its
/// disconnect mode is the expected one.
pub fn ended_as_expected(outcome: &UacOutcome, expect: Expect) -> bool {
    match expect {
        Expect::Dropped => outcome.dropped_by_us,
        Expect::Mode(mode) => outcome.mode == Some(mode),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sipdrop_runtime::DisconnectMode;

    #[test]
    fn counts_and_expectations() {
        let mut s = Summary {
            attempted: 4,
            ..Summary::default()
        };
        let dropped = UacOutcome {
            connected: true,
            dropped_by_us: true,
            mode: None,
        };
        let busy = UacOutcome {
            mode: Some(DisconnectMode::Busy),
            ..UacOutcome::default()
        };
        let refused = UacOutcome::default();
        let cancelled = UacOutcome {
            dropped_by_us: true,
            ..UacOutcome::default()
        };
        for o in [dropped, busy, refused, cancelled] {
            s.record(&o, Expect::Dropped);
        }
        assert_eq!(
            (s.connected, s.dropped, s.failed, s.unexpected),
            (1, 2, 2, 2)
        );
        assert_eq!(
            serde_json::to_string(&s.line()).expect("json"),
            r#"{"summary":{"attempted":4,"connected":1,"dropped":2,"failed":2,"modes":{"busy":1}}}"#
        );
        assert!(ended_as_expected(&busy, Expect::Mode(DisconnectMode::Busy)));
        assert!(!ended_as_expected(
            &dropped,
            Expect::Mode(DisconnectMode::Normal)
        ));
    }
}
