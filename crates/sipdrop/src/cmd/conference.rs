//! `sipdrop conference URI URI...`: calls every URI, and once all are connected drops them
//! together after `--drop-after`, one BYE per participant with the same Reason/UUI.
//!
//! TODO(conference API): the call model has no conference yet (`setup_conference`,
//! `add_to_conference`, drop of the parent cascading to every participant, drop-semantics §5).
//! Until it has, this drops each participant call itself; the model-level conference will
//! replace this loop, and the parent's `idle` will then follow the participants'.
use std::process::ExitCode;

use sipdrop_runtime::CallTarget;
use tokio::time::Instant;

use super::report::print_event;
use super::timers::{Due, Timers};
use super::uac::Uac;
use super::{signals, start_ua, SHUTDOWN_GRACE};
use crate::cli::args::ConferenceArgs;
use crate::cli::events_json::EventSink;
use crate::cli::ua_config::{drop_params, transport, ua_config, uses_tcp, UaShape, CLIENT_UDP};
use crate::cli::values::Expect;
use crate::summary::Summary;

/// Runs `conference`: 0 when every participant connected and was dropped by us, else 1.
pub async fn run(args: ConferenceArgs, origin: Instant) -> anyhow::Result<ExitCode> {
    let common = &args.common;
    let shape = UaShape {
        default_udp: CLIENT_UDP,
        decline_code: 603,
        needs_tcp: args.uris.iter().any(|u| uses_tcp(common, u.uri.transport)),
    };
    let (ua, mut events) = start_ua(ua_config(common, shape, origin, "conference")).await?;
    let sink = EventSink::new(common.events);
    let params = drop_params(common);
    // No per-call timers: the conference decides when every call is dropped.
    let mut uac = Uac::new(None, None, params.clone());
    let (timers, mut dues) = Timers::new();
    let mut summary = Summary::default();
    let total = u64::try_from(args.uris.len()).unwrap_or(u64::MAX);
    let mut ended = 0u64;

    for uri in &args.uris {
        summary.attempted += 1;
        let target = CallTarget {
            uri: uri.text.clone(),
            destination: None,
            transport: transport(common),
        };
        if let Err(outcome) = uac.place(&ua, &timers, target).await {
            summary.record(&outcome, Expect::Dropped);
            ended += 1;
        }
    }
    // One participant failing to join ends the conference: drop the others.
    let mut conference_up = false;
    let mut dropping = ended > 0;
    if dropping {
        uac.drop_all(&ua).await;
    }

    let signal = signals::shutdown_requested();
    tokio::pin!(signal);
    let mut interrupted = false;
    while ended < total {
        tokio::select! {
            event = events.recv() => {
                let Some(event) = event else {
                    tracing::error!("the user agent stopped unexpectedly");
                    break;
                };
                print_event(&ua, &sink, &event).await;
                if let Some(outcome) = uac.on_event(&ua, &timers, &event).await {
                    summary.record(&outcome, Expect::Dropped);
                    ended += 1;
                    if !dropping {
                        tracing::warn!("a participant left before the conference was dropped");
                        dropping = true;
                        uac.drop_all(&ua).await;
                    }
                }
                if !conference_up && !dropping && uac.all_connected() {
                    conference_up = true;
                    tracing::info!(participants = total, "all connected");
                    timers.after(args.drop_after, Due::DropAll);
                }
            }
            Some(due) = dues.recv() => {
                dropping = true;
                uac.on_due(&ua, due).await;
            }
            () = &mut signal => {
                interrupted = true;
                break;
            }
        }
    }

    if interrupted {
        uac.drop_all(&ua).await;
    }
    if let Err(e) = ua.shutdown_with(SHUTDOWN_GRACE, params).await {
        tracing::warn!(%e, "shutdown");
    }
    while let Some(event) = events.recv().await {
        print_event(&ua, &sink, &event).await;
        if let Some(outcome) = uac.on_event(&ua, &timers, &event).await {
            summary.record(&outcome, Expect::Dropped);
        }
    }
    for outcome in uac.abandon() {
        summary.record(&outcome, Expect::Dropped);
    }
    sink.always(&summary.line());
    let all_dropped = summary.unexpected == 0 && summary.connected == total;
    Ok(if interrupted || all_dropped {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
