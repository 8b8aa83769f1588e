//! `sipdrop call URI`: places `--calls` calls at `--rate` with at most `--concurrency` in
//! progress, drops them on schedule, and ends with the summary line.
use std::process::ExitCode;
use std::time::Duration;

use sipdrop_runtime::{CallTarget, DisconnectMode};
use tokio::time::Instant;

use super::report::print_event;
use super::timers::Timers;
use super::uac::Uac;
use super::{signals, start_ua, SHUTDOWN_GRACE};
use crate::cli::args::CallArgs;
use crate::cli::events_json::EventSink;
use crate::cli::ua_config::{client_udp_for, drop_params, transport, ua_config, uses_tcp, UaShape};
use crate::cli::values::Expect;
use crate::summary::Summary;

/// How far behind schedule the pacing may run before it stops catching up.
const MAX_CATCH_UP: Duration = Duration::from_millis(100);

/// Runs `call`: 0 when every call ended as `--expect` says (or on a signal), else 1.
pub async fn run(args: CallArgs, origin: Instant) -> anyhow::Result<ExitCode> {
    let common = &args.common;
    let shape = UaShape {
        default_udp: client_udp_for(&args.uri.uri),
        decline_code: 603,
        needs_tcp: uses_tcp(common, args.uri.uri.transport),
    };
    let (ua, mut events) = start_ua(ua_config(common, shape, origin, "call")).await?;
    let sink = EventSink::new(common.events);
    let expect = args.expect.unwrap_or(
        if args.drop_after.is_some() || args.cancel_after.is_some() {
            Expect::Dropped
        } else {
            Expect::Mode(DisconnectMode::Normal)
        },
    );
    let target = CallTarget {
        uri: args.uri.text.clone(),
        destination: None,
        transport: transport(common),
    };
    let params = drop_params(common);
    let mut uac = Uac::new(args.drop_after, args.cancel_after, params.clone());
    let (timers, mut dues) = Timers::new();
    let mut summary = Summary::default();

    let interval = Duration::from_secs_f64(1.0 / args.rate);
    let concurrency = args.concurrency.unwrap_or(u64::MAX);
    let mut next_start = Instant::now();
    let mut ended = 0u64;
    let signal = signals::shutdown_requested();
    tokio::pin!(signal);
    let mut interrupted = false;

    while ended < args.calls {
        let in_progress = u64::try_from(uac.in_progress()).unwrap_or(u64::MAX);
        let can_start = summary.attempted < args.calls && in_progress < concurrency;
        tokio::select! {
            () = tokio::time::sleep_until(next_start), if can_start => {
                summary.attempted += 1;
                // Keep the rate even though the timer wakes in whole milliseconds: a start a
                // little late is caught up by the next ones; after a long wait for a free slot
                // (more than MAX_CATCH_UP behind) start afresh rather than in a burst.
                next_start += interval;
                let now = Instant::now();
                if next_start + MAX_CATCH_UP < now {
                    next_start = now;
                }
                if let Err(outcome) = uac.place(&ua, &timers, target.clone()).await {
                    summary.record(&outcome, expect);
                    ended += 1;
                }
            }
            event = events.recv() => {
                let Some(event) = event else {
                    tracing::error!("the user agent stopped unexpectedly");
                    break;
                };
                print_event(&ua, &sink, &event).await;
                if let Some(outcome) = uac.on_event(&ua, &timers, &event).await {
                    summary.record(&outcome, expect);
                    ended += 1;
                }
            }
            Some(due) = dues.recv() => uac.on_due(&ua, due).await,
            () = &mut signal => {
                interrupted = true;
                break;
            }
        }
    }

    // On a signal, the calls still in progress are dropped by us, with our UUI and cause.
    if interrupted {
        uac.drop_all(&ua).await;
    }
    if let Err(e) = ua.shutdown_with(SHUTDOWN_GRACE, params).await {
        tracing::warn!(%e, "shutdown");
    }
    // The events produced until the UA stopped: print them, and count the calls they end.
    while let Some(event) = events.recv().await {
        print_event(&ua, &sink, &event).await;
        if let Some(outcome) = uac.on_event(&ua, &timers, &event).await {
            summary.record(&outcome, expect);
        }
    }
    for outcome in uac.abandon() {
        summary.record(&outcome, expect);
    }
    sink.always(&summary.line());

    let all_expected = summary.unexpected == 0 && summary.attempted == args.calls;
    Ok(if interrupted || all_expected {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
