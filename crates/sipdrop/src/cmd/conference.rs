//! `sipdrop conference URI URI...`: calls every URI, joins the calls into one local conference
//! (drop-semantics §5) once all are connected, and drops the conference after `--drop-after`:
//! the model cascades one BYE per participant with the same Reason/UUI, an `idle` event for
//! each participant and then for the conference handle.
use std::process::ExitCode;

use sipdrop_runtime::{CallHandle, CallTarget, Ua};
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
    let mut conference: Option<CallHandle> = None;
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
                    conference = join(&ua, &uac.handles()).await;
                    timers.after(args.drop_after, Due::DropAll);
                }
            }
            Some(due) = dues.recv() => {
                dropping = true;
                match (due, conference.take()) {
                    (Due::DropAll, Some(parent)) => {
                        // One drop of the parent cascades to every participant.
                        uac.mark_dropped();
                        if let Err(e) = ua.drop_call(parent, params.clone()).await {
                            tracing::warn!(%e, "conference drop refused; dropping each call");
                            uac.drop_all(&ua).await;
                        }
                    }
                    (due, _) => uac.on_due(&ua, due).await,
                }
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

/// Joins `calls` into one conference; `None` (and the calls stay separate) when the model
/// refuses, e.g. a participant left in between.
pub(super) async fn join(ua: &Ua, calls: &[CallHandle]) -> Option<CallHandle> {
    let mut calls = calls.to_vec();
    calls.sort();
    let (first, rest) = calls.split_first()?;
    let parent = match ua.setup_conference(*first).await {
        Ok(parent) => parent,
        Err(e) => {
            tracing::warn!(%e, "conference not set up");
            return None;
        }
    };
    for call in rest {
        if let Err(e) = ua.add_to_conference(parent, *call).await {
            tracing::warn!(%e, %call, "not added to the conference");
        }
    }
    Some(parent)
}
