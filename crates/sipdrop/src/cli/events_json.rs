//! The event lines of cli.md, exactly as shown there:
//!
//! ```text
//! {"event":"call_state","call":3,"state":"offering","mode":null,"t_ms":12}
//! {"event":"reply","request":2,"result":"ok"}
//! {"event":"reply","request":5,"result":"error","error":"invalcallstate"}
//! {"event":"call_info","call":3,"uui_received":"04a1","reason":"Q.850;cause=16","sip_call_id":"..."}
//! ```
//!
//! Structs rather than `json!` maps because serde_json sorts map keys; struct fields keep the
//! contract's order.
use std::io::Write;

use serde::Serialize;
use sipdrop_runtime::{CallError, CallHandle, CallRecord, CallState, Mode, RegistrationState};

use super::values::encode_hex;

/// `call_state`.
#[derive(Debug, Serialize)]
pub struct CallStateLine {
    event: &'static str,
    call: u32,
    state: &'static str,
    mode: Option<&'static str>,
    t_ms: u64,
}

impl CallStateLine {
    /// A state change of `call` at `t_ms`.
    pub fn new(call: CallHandle, state: CallState, mode: Option<Mode>, t_ms: u64) -> Self {
        CallStateLine {
            event: "call_state",
            call: call.0,
            state: state.as_str(),
            mode: mode.map(Mode::as_str),
            t_ms,
        }
    }
}

/// `registration`: where the `--register` binding stands (an addition to cli.md's events).
#[derive(Debug, Serialize)]
pub struct RegistrationLine {
    event: &'static str,
    state: &'static str,
    expires: Option<u32>,
    status: Option<u16>,
    t_ms: u64,
}

impl RegistrationLine {
    /// The registration reached `state` at `t_ms`.
    pub fn new(state: RegistrationState, t_ms: u64) -> Self {
        let (name, expires, status) = match state {
            RegistrationState::Registered { expires } => ("registered", Some(expires), None),
            RegistrationState::Failed { status } => ("failed", None, status),
            RegistrationState::Unregistered => ("unregistered", None, None),
        };
        RegistrationLine {
            event: "registration",
            state: name,
            expires,
            status,
            t_ms,
        }
    }
}

/// `reply`: the outcome of an asynchronous request, or of a `serve` command.
#[derive(Debug, Serialize)]
pub struct ReplyLine {
    event: &'static str,
    /// The request id: the model's for the CLI's own drops, the command's `id` in `serve`.
    request: Option<u64>,
    result: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
    /// The new call's handle, on the reply to a `serve` `call` command.
    #[serde(skip_serializing_if = "Option::is_none")]
    call: Option<u32>,
    /// The number of allocated calls, on the reply to a `serve` `allocated` command.
    #[serde(skip_serializing_if = "Option::is_none")]
    allocated: Option<usize>,
}

impl ReplyLine {
    /// `result: ok`.
    pub fn ok(request: Option<u64>) -> Self {
        ReplyLine {
            event: "reply",
            request,
            result: "ok",
            error: None,
            call: None,
            allocated: None,
        }
    }

    /// `result: error` with the TAPI-style error name.
    pub fn error(request: Option<u64>, error: &'static str) -> Self {
        ReplyLine {
            event: "reply",
            request,
            result: "error",
            error: Some(error),
            call: None,
            allocated: None,
        }
    }

    /// From a model result.
    pub fn from_result(request: Option<u64>, result: Result<(), CallError>) -> Self {
        match result {
            Ok(()) => ReplyLine::ok(request),
            Err(e) => ReplyLine::error(request, e.as_str()),
        }
    }

    /// Adds the `allocated` field.
    pub fn with_allocated(mut self, allocated: usize) -> Self {
        self.allocated = Some(allocated);
        self
    }

    /// Adds the handle of the call the command created or named.
    pub fn with_call(mut self, call: CallHandle) -> Self {
        self.call = Some(call.0);
        self
    }
}

/// `call_info`: what the record says of UUI and Reason received.
#[derive(Debug, Serialize)]
pub struct CallInfoLine {
    event: &'static str,
    call: u32,
    uui_received: Option<String>,
    /// The Reason values received, comma-joined as they would be in one header.
    reason: Option<String>,
    sip_call_id: String,
    /// The peer is a remote conference focus (RFC 4579): only present when true, an addition
    /// to cli.md's line.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    remote_focus: bool,
}

impl CallInfoLine {
    /// From a call's record.
    pub fn new(call: CallHandle, record: &CallRecord) -> Self {
        CallInfoLine {
            event: "call_info",
            call: call.0,
            uui_received: record.uui_received.as_deref().map(encode_hex),
            reason: (!record.reason_received.is_empty()).then(|| record.reason_received.join(", ")),
            sip_call_id: record.sip_call_id.clone(),
            remote_focus: record.remote_focus,
        }
    }
}

/// Where event lines go: stdout, one JSON object per line, flushed per line so a reader sees
/// each event as it happens.
#[derive(Debug, Clone, Copy)]
pub struct EventSink {
    /// Print events at all (`--events`); the summary line is printed regardless.
    enabled: bool,
    /// With two UAs in one process (`demo`), which one: a leading `"ua":"A"` field.
    ua: Option<&'static str>,
}

impl EventSink {
    /// A sink that prints events only when `enabled`.
    pub fn new(enabled: bool) -> Self {
        EventSink { enabled, ua: None }
    }

    /// A sink that always prints, labelling every line with `"ua":label`.
    pub fn labelled(label: &'static str) -> Self {
        EventSink {
            enabled: true,
            ua: Some(label),
        }
    }

    /// Whether event lines are printed.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Prints an event line if events are enabled.
    pub fn event(&self, line: &impl Serialize) {
        if self.enabled {
            self.write(line);
        }
    }

    /// Prints a line whatever `--events` says (the summary).
    pub fn always(&self, line: &impl Serialize) {
        self.write(line);
    }

    fn write(&self, line: &impl Serialize) {
        let json = match serde_json::to_string(line) {
            Ok(json) => json,
            Err(e) => {
                tracing::error!(%e, "cannot encode an event");
                return;
            }
        };
        let json = match self.ua {
            // Every line is an object: splice the label in as its first field.
            Some(label) if json.starts_with('{') && json.len() > 2 => {
                format!("{{\"ua\":\"{label}\",{}", &json[1..])
            }
            _ => json,
        };
        let mut out = std::io::stdout().lock();
        // A closed stdout (reader gone) must not stop the UA: its calls still need dropping.
        let _ = writeln!(out, "{json}").and_then(|()| out.flush());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sipdrop_runtime::DisconnectMode;

    #[test]
    fn lines_match_the_contract() {
        let line = CallStateLine::new(CallHandle(3), CallState::Offering, None, 12);
        assert_eq!(
            serde_json::to_string(&line).expect("json"),
            r#"{"event":"call_state","call":3,"state":"offering","mode":null,"t_ms":12}"#
        );
        let mode = Some(Mode::Disconnected(DisconnectMode::Busy));
        let line = CallStateLine::new(CallHandle(3), CallState::Disconnected, mode, 40);
        assert_eq!(
            serde_json::to_string(&line).expect("json"),
            r#"{"event":"call_state","call":3,"state":"disconnected","mode":"busy","t_ms":40}"#
        );
        assert_eq!(
            serde_json::to_string(&ReplyLine::ok(Some(2))).expect("json"),
            r#"{"event":"reply","request":2,"result":"ok"}"#
        );
        let line = ReplyLine::from_result(Some(5), Err(CallError::InvalCallState));
        assert_eq!(
            serde_json::to_string(&line).expect("json"),
            r#"{"event":"reply","request":5,"result":"error","error":"invalcallstate"}"#
        );
        let line = ReplyLine::ok(Some(1)).with_call(CallHandle(3));
        assert_eq!(
            serde_json::to_string(&line).expect("json"),
            r#"{"event":"reply","request":1,"result":"ok","call":3}"#
        );
    }
}
