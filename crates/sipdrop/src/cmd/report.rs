//! Printing a UA's events, and the housekeeping every subcommand but `serve` does: a call the
//! remote disconnected is dropped (TAPI: it stays `disconnected` until the application drops
//! it; nothing goes on the wire) and an idle call is deallocated, so nothing leaks.
use sipdrop_runtime::{CallError, CallHandle, DropParams, Event, Ua, UaError, UaEvent};

use crate::cli::events_json::{
    CallInfoLine, CallStateLine, EventSink, RegistrationLine, ReplyLine,
};

/// Prints `event` on `sink`; for `CallInfo`, reads the record and prints it.
pub async fn print_event(ua: &Ua, sink: &EventSink, event: &UaEvent) {
    match &event.event {
        Event::CallState {
            call, state, mode, ..
        } => {
            sink.event(&CallStateLine::new(*call, *state, *mode, event.t_ms));
        }
        Event::Reply { request, result } => {
            sink.event(&ReplyLine::from_result(Some(u64::from(request.0)), *result));
        }
        Event::CallInfo { call } => {
            if sink.enabled() {
                // `None` once the UA has stopped (events drained after a shutdown).
                if let Some(record) = ua.call_info(*call).await {
                    sink.event(&CallInfoLine::new(*call, &record));
                }
            }
        }
        Event::Registration { state, .. } => {
            sink.event(&RegistrationLine::new(*state, event.t_ms));
        }
        other => tracing::debug!(?other, "event not printed"),
    }
}

/// Moves a `disconnected` call to `idle` by dropping it.
pub async fn release(ua: &Ua, call: CallHandle) {
    match ua.drop_call(call, DropParams::default()).await {
        // The model may have idled it already; the UA may be shutting down.
        Ok(_) | Err(UaError::Call(CallError::InvalCallState)) | Err(UaError::Stopped) => {}
        Err(e) => tracing::warn!(%call, %e, "cannot release a disconnected call"),
    }
}

/// Frees an idle call's record.
pub async fn deallocate(ua: &Ua, call: CallHandle) {
    match ua.deallocate(call).await {
        Ok(()) | Err(UaError::Stopped) => {}
        Err(e) => tracing::warn!(%call, %e, "cannot deallocate"),
    }
}

/// Logs a refused command whose refusal is expected in a race (the call ended meanwhile) at
/// debug, and any other at warn.
pub fn log_refusal(what: &str, call: CallHandle, error: &UaError) {
    match error {
        UaError::Call(CallError::InvalCallState | CallError::InvalCallHandle)
        | UaError::Stopped => {
            tracing::debug!(%call, %error, "{what} refused");
        }
        _ => tracing::warn!(%call, %error, "{what} refused"),
    }
}
