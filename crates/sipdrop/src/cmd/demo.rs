//! `sipdrop demo`: two UAs in one process on loopback, three scenarios showing what a drop
//! puts on the wire, with every event of both sides printed as JSON lines (`"ua":"A"|"B"`):
//!
//! 1. A calls B, B answers, A drops after 300 ms with UUI `04a1b2c3`: BYE; B sees `normal`
//!    and receives the UUI.
//! 2. B declines (a drop while offered): 603; A sees `reject`.
//! 3. B only rings, A drops before an answer: CANCEL; B sees `cancelled`.
//! 4. A calls B twice, joins both calls into a local conference and drops the conference: one
//!    BYE per participant in one pass; B sees two `normal` ends with the UUI.
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use sipdrop_runtime::{
    CallTarget, DisconnectMode, DropParams, Event, ModelConfig, TimerConfig, Transport,
    TransportConfig, Ua, UaConfig, UaEvents,
};
use tokio::time::Instant;

use super::report::print_event;
use super::timers::Timers;
use super::uac::{Uac, UacOutcome};
use super::uas::{Uas, UasOutcome, UasPolicy};
use super::{start_ua, SHUTDOWN_GRACE};
use crate::cli::args::{DemoArgs, OnOffer};
use crate::cli::events_json::EventSink;
use crate::cli::ua_config::CLIENT_UDP;
use crate::cli::values::Expect;
use crate::summary::ended_as_expected;

/// The UUI A sends when it hangs up in scenario 1.
const DEMO_UUI: [u8; 4] = [0x04, 0xa1, 0xb2, 0xc3];
/// How long one scenario may take before it counts as failed.
const SCENARIO_LIMIT: Duration = Duration::from_secs(10);

/// One scenario: B's policy, A's drop schedule, and what each side must see.
struct Scenario {
    title: &'static str,
    b_policy: OnOffer,
    a_drop_after: Option<Duration>,
    a_cancel_after: Option<Duration>,
    a_expect: Expect,
    /// B's disconnect mode; `None` when B itself dropped the call.
    b_mode: Option<DisconnectMode>,
    b_uui: Option<&'static [u8]>,
}

fn scenarios() -> [Scenario; 3] {
    [
        Scenario {
            title: "A calls B, B answers, A drops after 300 ms with UUI 04a1b2c3 (BYE)",
            b_policy: OnOffer::Answer,
            a_drop_after: Some(Duration::from_millis(300)),
            a_cancel_after: None,
            a_expect: Expect::Dropped,
            b_mode: Some(DisconnectMode::Normal),
            b_uui: Some(&DEMO_UUI),
        },
        Scenario {
            title: "A calls B, B declines (603 with Reason Q.850 cause 21)",
            b_policy: OnOffer::Decline,
            a_drop_after: None,
            a_cancel_after: None,
            a_expect: Expect::Mode(DisconnectMode::Reject),
            b_mode: None,
            b_uui: None,
        },
        Scenario {
            title: "A calls B, B rings, A drops before the answer (CANCEL)",
            b_policy: OnOffer::Ring,
            a_drop_after: None,
            a_cancel_after: Some(Duration::from_millis(300)),
            a_expect: Expect::Dropped,
            b_mode: Some(DisconnectMode::Cancelled),
            b_uui: Some(&DEMO_UUI),
        },
    ]
}

/// One UA of the demo and its event stream.
struct Side {
    ua: Ua,
    events: UaEvents,
    sink: EventSink,
}

/// Runs the three scenarios; 0 when each ended as expected.
pub async fn run(args: DemoArgs, origin: Instant) -> anyhow::Result<ExitCode> {
    let mut a = start_side("A", &args, origin).await?;
    let mut b = start_side("B", &args, origin).await?;
    let b_addr =
        b.ua.local_addrs()
            .iter()
            .find(|(t, _)| *t == Transport::Udp)
            .map(|(_, addr)| *addr)
            .ok_or_else(|| anyhow::anyhow!("B has no UDP address"))?;

    let mut failures = 0;
    for (n, scenario) in scenarios().iter().enumerate() {
        eprintln!("== scenario {}: {}", n + 1, scenario.title);
        match tokio::time::timeout(SCENARIO_LIMIT, play(scenario, &mut a, &mut b, b_addr)).await {
            Ok(Ok(())) => eprintln!("   ok"),
            Ok(Err(why)) => {
                failures += 1;
                eprintln!("   FAILED: {why}");
            }
            Err(_) => {
                failures += 1;
                eprintln!("   FAILED: not finished within {SCENARIO_LIMIT:?}");
            }
        }
    }
    eprintln!(
        "== scenario 4: A calls B twice, conferences the calls, drops the conference (BYE cascade)"
    );
    match tokio::time::timeout(SCENARIO_LIMIT, play_conference(&mut a, &mut b, b_addr)).await {
        Ok(Ok(())) => eprintln!("   ok"),
        Ok(Err(why)) => {
            failures += 1;
            eprintln!("   FAILED: {why}");
        }
        Err(_) => {
            failures += 1;
            eprintln!("   FAILED: not finished within {SCENARIO_LIMIT:?}");
        }
    }
    // Both wait out their transactions at once rather than one after the other.
    tokio::join!(stop(a), stop(b));
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Shuts a side down and prints its remaining events.
async fn stop(side: Side) {
    let Side {
        ua,
        mut events,
        sink,
    } = side;
    let _ = ua.shutdown(SHUTDOWN_GRACE).await;
    while let Some(event) = events.recv().await {
        print_event(&ua, &sink, &event).await;
    }
}

async fn start_side(name: &'static str, args: &DemoArgs, origin: Instant) -> anyhow::Result<Side> {
    let config = UaConfig {
        model: ModelConfig {
            timers: TimerConfig::from_t1(args.t1),
            seed: rand::random(),
            local_user: name.to_ascii_lowercase(),
            ..ModelConfig::default()
        },
        transport: TransportConfig {
            udp: vec![CLIENT_UDP],
            ..TransportConfig::default()
        },
        proxy: None,
        sip_trace: args.log.sip_trace,
        origin: Some(origin),
        name: name.to_owned(),
    };
    let (ua, events) = start_ua(config).await?;
    Ok(Side {
        ua,
        events,
        sink: EventSink::labelled(name),
    })
}

/// Plays one scenario to the end of both calls; `Err` says what was not as expected.
async fn play(s: &Scenario, a: &mut Side, b: &mut Side, b_addr: SocketAddr) -> Result<(), String> {
    let uui_params = DropParams {
        uui: Some(DEMO_UUI.to_vec()),
        ..DropParams::default()
    };
    let mut uac = Uac::new(s.a_drop_after, s.a_cancel_after, uui_params.clone());
    let mut uas = Uas::new(UasPolicy {
        on_offer: s.b_policy,
        answer_after: Duration::ZERO,
        drop_after: None,
        drop_params: DropParams::default(),
    });
    let (a_timers, mut a_dues) = Timers::new();
    let (b_timers, mut b_dues) = Timers::new();
    let target = CallTarget {
        uri: format!("sip:b@{b_addr}"),
        destination: None,
        transport: Some(Transport::Udp),
    };
    if uac.place(&a.ua, &a_timers, target).await.is_err() {
        return Err("A could not place the call".into());
    }
    let mut a_outcome: Option<UacOutcome> = None;
    let mut b_outcome: Option<UasOutcome> = None;
    while a_outcome.is_none() || b_outcome.is_none() {
        tokio::select! {
            event = a.events.recv() => {
                let event = event.ok_or("A stopped")?;
                print_event(&a.ua, &a.sink, &event).await;
                if let Some(outcome) = uac.on_event(&a.ua, &a_timers, &event).await {
                    a_outcome = Some(outcome);
                }
            }
            event = b.events.recv() => {
                let event = event.ok_or("B stopped")?;
                print_event(&b.ua, &b.sink, &event).await;
                if let Event::CallState { call, state, .. } = event.event {
                    if let Some(outcome) = uas.on_state(&b.ua, &b_timers, call, state).await {
                        b_outcome = Some(outcome);
                    }
                }
            }
            Some(due) = a_dues.recv() => uac.on_due(&a.ua, due).await,
            Some(due) = b_dues.recv() => uas.on_due(&b.ua, due).await,
        }
    }
    check(s, a_outcome, b_outcome)
}

fn check(s: &Scenario, a: Option<UacOutcome>, b: Option<UasOutcome>) -> Result<(), String> {
    let (Some(a), Some(b)) = (a, b) else {
        return Err("a call did not end".into());
    };
    if !ended_as_expected(&a, s.a_expect) {
        return Err(format!("A expected {}, got {a:?}", s.a_expect));
    }
    if b.mode != s.b_mode {
        return Err(format!("B expected mode {:?}, got {:?}", s.b_mode, b.mode));
    }
    if let Some(uui) = s.b_uui {
        if b.uui_received.as_deref() != Some(uui) {
            return Err(format!(
                "B expected UUI {uui:02x?}, got {:02x?}",
                b.uui_received
            ));
        }
    }
    Ok(())
}

/// Scenario 4: two calls to B, joined into one conference at A, the conference dropped.
async fn play_conference(a: &mut Side, b: &mut Side, b_addr: SocketAddr) -> Result<(), String> {
    let uui_params = DropParams {
        uui: Some(DEMO_UUI.to_vec()),
        ..DropParams::default()
    };
    let mut uac = Uac::new(None, None, uui_params.clone());
    let mut uas = Uas::new(UasPolicy {
        on_offer: OnOffer::Answer,
        answer_after: Duration::ZERO,
        drop_after: None,
        drop_params: DropParams::default(),
    });
    let (a_timers, mut a_dues) = Timers::new();
    let (b_timers, _b_dues) = Timers::new();
    for n in 1..=2 {
        let target = CallTarget {
            uri: format!("sip:b{n}@{b_addr}"),
            destination: None,
            transport: Some(Transport::Udp),
        };
        if uac.place(&a.ua, &a_timers, target).await.is_err() {
            return Err("A could not place a call".into());
        }
    }
    let mut conference = None;
    let mut a_outcomes = Vec::new();
    let mut b_outcomes = Vec::new();
    while a_outcomes.len() < 2 || b_outcomes.len() < 2 {
        tokio::select! {
            event = a.events.recv() => {
                let event = event.ok_or("A stopped")?;
                print_event(&a.ua, &a.sink, &event).await;
                if let Some(outcome) = uac.on_event(&a.ua, &a_timers, &event).await {
                    a_outcomes.push(outcome);
                }
                if conference.is_none() && uac.in_progress() == 2 && uac.all_connected() {
                    conference = super::conference::join(&a.ua, &uac.handles()).await;
                    if conference.is_none() {
                        return Err("A could not set up the conference".into());
                    }
                    a_timers.after(Duration::from_millis(300), super::timers::Due::DropAll);
                }
            }
            event = b.events.recv() => {
                let event = event.ok_or("B stopped")?;
                print_event(&b.ua, &b.sink, &event).await;
                if let Event::CallState { call, state, .. } = event.event {
                    if let Some(outcome) = uas.on_state(&b.ua, &b_timers, call, state).await {
                        b_outcomes.push(outcome);
                    }
                }
            }
            Some(_due) = a_dues.recv() => {
                if let Some(parent) = conference {
                    uac.mark_dropped();
                    if let Err(e) = a.ua.drop_call(parent, uui_params.clone()).await {
                        return Err(format!("the conference drop was refused: {e}"));
                    }
                }
            }
        }
    }
    if !a_outcomes
        .iter()
        .all(|o| ended_as_expected(o, Expect::Dropped))
    {
        return Err(format!(
            "A expected both participants dropped, got {a_outcomes:?}"
        ));
    }
    for outcome in &b_outcomes {
        if outcome.mode != Some(DisconnectMode::Normal)
            || outcome.uui_received.as_deref() != Some(&DEMO_UUI[..])
        {
            return Err(format!(
                "B expected two normal ends with the UUI, got {outcome:?}"
            ));
        }
    }
    Ok(())
}
