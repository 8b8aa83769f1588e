//! `sipdrop listen`: a UAS handling offered calls by policy until `--max-calls` calls have
//! ended or a signal arrives.
use std::process::ExitCode;

use sipdrop_runtime::{DropParams, Event, Ua, UaEvents};
use tokio::time::Instant;

use super::report::print_event;
use super::timers::Timers;
use super::uas::{Uas, UasPolicy};
use super::{announce, signals, start_registration, start_ua, SHUTDOWN_GRACE};
use crate::cli::args::ListenArgs;
use crate::cli::events_json::EventSink;
use crate::cli::ua_config::{drop_params, ua_config, uses_tcp, UaShape, SERVER_UDP};

/// Runs `listen`; always exits 0 once stopped (cli.md).
pub async fn run(args: ListenArgs, origin: Instant) -> anyhow::Result<ExitCode> {
    let shape = UaShape {
        default_udp: SERVER_UDP,
        decline_code: args.decline_code,
        needs_tcp: uses_tcp(&args.common, None),
    };
    let (ua, mut events) = start_ua(ua_config(&args.common, shape, origin, "listen")).await?;
    announce(&ua);
    start_registration(&ua, &args.register).await?;
    let sink = EventSink::new(args.common.events);
    let params = DropParams {
        decline_code: Some(args.decline_code),
        ..drop_params(&args.common)
    };
    let mut uas = Uas::new(UasPolicy {
        on_offer: args.on_offer,
        answer_after: args.answer_after,
        drop_after: args.drop_after,
        drop_params: params.clone(),
    });
    let (timers, mut dues) = Timers::new();
    let signal = signals::shutdown_requested();
    tokio::pin!(signal);
    let mut ended = 0u64;
    loop {
        tokio::select! {
            event = events.recv() => {
                let Some(event) = event else {
                    anyhow::bail!("the user agent stopped unexpectedly");
                };
                print_event(&ua, &sink, &event).await;
                if let Event::CallState { call, state, .. } = event.event {
                    if uas.on_state(&ua, &timers, call, state).await.is_some() {
                        ended += 1;
                        if args.max_calls.is_some_and(|max| ended >= max) {
                            tracing::info!(ended, "--max-calls reached");
                            break;
                        }
                    }
                }
            }
            Some(due) = dues.recv() => uas.on_due(&ua, due).await,
            () = &mut signal => break,
        }
    }
    stop(&ua, events, &sink, params).await;
    Ok(ExitCode::SUCCESS)
}

/// Drops every live call, waits for the transactions (at most [`SHUTDOWN_GRACE`]) and prints
/// the events produced meanwhile.
pub async fn stop(ua: &Ua, mut events: UaEvents, sink: &EventSink, params: DropParams) {
    if let Err(e) = ua.shutdown_with(SHUTDOWN_GRACE, params).await {
        tracing::warn!(%e, "shutdown");
    }
    while let Some(event) = events.recv().await {
        print_event(ua, sink, &event).await;
    }
}
