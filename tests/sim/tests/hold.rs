//! Hold and retrieve by re-INVITE (RFC 3261 §14, RFC 3264 §8.4), between two call models and
//! against a scripted peer, with exact timestamps: the offer and answer directions, the ACK's
//! CSeq, glare (491), the failures that keep the session and the ones that end the dialog,
//! and a drop while the re-INVITE is in progress.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod common;

use std::time::Duration;

use call_model::{
    CallError, CallHandle, CallModel, CallState, CallTarget, ConnectedMode, DisconnectMode,
    DropParams, EndedBy, Event, Mode,
};
use common::{addr, model, ms};
use sipdrop_sim::{response_to, LogEntry, Scripted, Sim};

const A: usize = 0;
const B: usize = 1;

use common::{model_events as events, state_changes as states};

fn replies(events: &[Event]) -> Vec<Result<(), CallError>> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Reply { result, .. } => Some(*result),
            _ => None,
        })
        .collect()
}

fn body(entry: &LogEntry) -> &str {
    let text = std::str::from_utf8(&entry.bytes).unwrap_or("");
    text.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

fn direction(entry: &LogEntry) -> &str {
    body(entry)
        .lines()
        .find_map(|l| l.strip_prefix("a=").filter(|a| !a.starts_with("rtpmap")))
        .unwrap_or("")
}

fn origin_version(entry: &LogEntry) -> &str {
    body(entry)
        .lines()
        .find_map(|l| l.strip_prefix("o="))
        .and_then(|o| o.split_whitespace().nth(2))
        .unwrap_or("")
}

fn target() -> CallTarget {
    CallTarget {
        uri: "sip:bob@127.0.0.1:5070".into(),
        destination: None,
        transport: None,
    }
}

const ACTIVE: Option<Mode> = Some(Mode::Connected(ConnectedMode::Active));

/// A (5060) calls B (5070), 10 ms each way; B answers at once. Returns (A's, B's call) at
/// 20 ms, once the ACK has arrived.
fn connected_pair() -> (Sim, CallHandle, CallHandle) {
    let mut sim = Sim::new(3);
    sim.set_latency(Duration::from_millis(10));
    sim.add(addr(5060), model(addr(5060), 1));
    sim.add(addr(5070), model(addr(5070), 2));
    let a = sim.node::<CallModel>(A).make_call(ms(0), target()).unwrap();
    sim.run_until(ms(10));
    let b = common::first_offered(&events(&mut sim, B)).unwrap();
    sim.node::<CallModel>(B).answer(ms(10), b).unwrap();
    sim.run_until(ms(30));
    events(&mut sim, A);
    events(&mut sim, B);
    (sim, a, b)
}

#[test]
fn hold_and_retrieve_by_the_caller() {
    let (mut sim, a, b) = connected_pair();
    sim.run_until(ms(1_000));
    let hold = sim.node::<CallModel>(A).hold(ms(1_000), a).unwrap();
    sim.run_until(ms(1_010));
    let reinvites = sim.sent(|e| e.is_request("INVITE") && e.at == ms(1_000));
    assert_eq!(reinvites.len(), 1);
    assert_eq!(reinvites[0].header("CSeq"), Some("2 INVITE"));
    assert!(reinvites[0].header("To").unwrap().contains("tag="));
    assert!(reinvites[0].header("Contact").is_some());
    assert_eq!(direction(reinvites[0]), "sendonly");
    assert_eq!(origin_version(reinvites[0]), "2");
    // B answers at once (at 1,010), A ACKs with the re-INVITE's CSeq at 1,020.
    sim.run_until(ms(1_030));
    let ok = sim.sent(|e| e.is_response(200) && e.at == ms(1_010));
    assert_eq!(ok.len(), 1);
    assert_eq!(direction(ok[0]), "recvonly");
    let acks = sim.sent(|e| e.is_request("ACK") && e.at == ms(1_020));
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0].header("CSeq"), Some("2 ACK"));
    let ev = events(&mut sim, A);
    assert_eq!(states(&ev), vec![(CallState::OnHold, None)]);
    assert!(ev.contains(&Event::Reply {
        request: hold,
        result: Ok(())
    }));
    // B sees no state change: being held is not a TAPI state at the held side.
    assert!(states(&events(&mut sim, B)).is_empty());
    assert_eq!(
        sim.node::<CallModel>(B).call_info(b).unwrap().state,
        CallState::Connected
    );

    sim.run_until(ms(2_000));

    let retrieve = sim.node::<CallModel>(A).unhold(ms(2_000), a).unwrap();
    sim.run_until(ms(2_030));
    let reinvite = sim.sent(|e| e.is_request("INVITE") && e.at == ms(2_000));
    assert_eq!(reinvite[0].header("CSeq"), Some("3 INVITE"));
    assert_eq!(direction(reinvite[0]), "sendrecv");
    assert_eq!(origin_version(reinvite[0]), "3");
    let ok = sim.sent(|e| e.is_response(200) && e.at == ms(2_010));
    assert_eq!(direction(ok[0]), "sendrecv");
    assert_eq!(
        sim.sent(|e| e.is_request("ACK") && e.at == ms(2_020))[0].header("CSeq"),
        Some("3 ACK")
    );
    let ev = events(&mut sim, A);
    assert_eq!(states(&ev), vec![(CallState::Connected, ACTIVE)]);
    assert!(ev.contains(&Event::Reply {
        request: retrieve,
        result: Ok(())
    }));
}

#[test]
fn the_callee_holds_with_its_own_cseq_space() {
    let (mut sim, a, b) = connected_pair();
    sim.run_until(ms(500));
    sim.node::<CallModel>(B).hold(ms(500), b).unwrap();
    sim.run_until(ms(540));
    let reinvite = sim.sent(|e| e.is_request("INVITE") && e.at == ms(500));
    assert_eq!(reinvite.len(), 1);
    assert_eq!(reinvite[0].from, addr(5070));
    // B's first request in the dialog: its CSeq space starts at 1 (§12.1.1 leaves it free).
    assert_eq!(reinvite[0].header("CSeq"), Some("1 INVITE"));
    assert_eq!(
        sim.sent(|e| e.is_request("ACK") && e.at == ms(520))[0].header("CSeq"),
        Some("1 ACK")
    );
    assert_eq!(
        states(&events(&mut sim, B)),
        vec![(CallState::OnHold, None)]
    );
    assert_eq!(
        sim.node::<CallModel>(A).call_info(a).unwrap().state,
        CallState::Connected
    );
}

#[test]
fn a_held_call_answers_a_peer_offer_keeping_its_hold() {
    let (mut sim, a, b) = connected_pair();
    sim.run_until(ms(100));
    sim.node::<CallModel>(A).hold(ms(100), a).unwrap();
    sim.run_until(ms(200));
    // B now holds too: its sendonly offer meets our hold, so A answers inactive (RFC 3264
    // §6.1) and stays on hold.
    sim.run_until(ms(300));
    sim.node::<CallModel>(B).hold(ms(300), b).unwrap();
    sim.run_until(ms(400));
    let ok = sim.sent(|e| e.is_response(200) && e.at == ms(310));
    assert_eq!(ok.len(), 1);
    assert_eq!(direction(ok[0]), "inactive");
    assert_eq!(
        sim.node::<CallModel>(A).call_info(a).unwrap().state,
        CallState::OnHold
    );
    assert_eq!(
        sim.node::<CallModel>(B).call_info(b).unwrap().state,
        CallState::OnHold
    );
}

#[test]
fn drop_of_a_held_call_sends_bye() {
    let (mut sim, a, _) = connected_pair();
    sim.run_until(ms(100));
    sim.node::<CallModel>(A).hold(ms(100), a).unwrap();
    sim.run_until(ms(200));
    events(&mut sim, A);
    sim.run_until(ms(300));
    sim.node::<CallModel>(A)
        .drop_call(ms(300), a, DropParams::default())
        .unwrap();
    sim.run_until(ms(400));
    let bye = sim.sent(|e| e.is_request("BYE"));
    assert_eq!(bye.len(), 1);
    assert_eq!(bye[0].at, ms(300));
    assert_eq!(bye[0].header("CSeq"), Some("3 BYE"));
    assert!(bye[0].header("Reason").unwrap().contains("cause=16"));
    assert_eq!(states(&events(&mut sim, A)), vec![(CallState::Idle, None)]);
}

#[test]
fn glare_gets_491_on_both_sides_then_each_tries_once_more_after_its_pause() {
    let (mut sim, a, b) = connected_pair();
    // Both re-INVITEs cross on the wire: each side answers the other's with 491 (§14.2).
    sim.run_until(ms(100));
    let ha = sim.node::<CallModel>(A).hold(ms(100), a).unwrap();
    sim.run_until(ms(100));
    let hb = sim.node::<CallModel>(B).hold(ms(100), b).unwrap();
    sim.run_until(ms(200));
    assert_eq!(
        sim.times_ms(|e| e.is_response(491)),
        vec![110, 110],
        "both answer 491 on arrival"
    );
    assert_eq!(
        sim.times_ms(|e| e.is_request("ACK") && e.at > ms(100)),
        vec![120, 120]
    );
    // No reply yet: each request waits for its second try.
    let (ea, eb) = (events(&mut sim, A), events(&mut sim, B));
    assert!(states(&ea).is_empty() && states(&eb).is_empty());
    assert!(replies(&ea).is_empty() && replies(&eb).is_empty());
    // A second hold while the first waits is refused (one re-INVITE at a time).
    assert_eq!(
        sim.node::<CallModel>(A).hold(ms(200), a),
        Err(CallError::InvalCallState)
    );

    sim.run_until(ms(5_000));
    let retry_ms = |sim: &Sim, from: u16| -> Vec<u64> {
        sim.times_ms(|e| e.is_request("INVITE") && e.at > ms(100) && e.from == addr(from))
    };
    // §14.1: the 491 arrived at 120 ms. B does not own the Call-ID: 0 to 2 s later; A (the
    // caller, the owner) 2.1 to 4 s later; both in steps of 10 ms.
    let (b_retry, a_retry) = (retry_ms(&sim, 5070), retry_ms(&sim, 5060));
    assert_eq!(b_retry.len(), 1, "{b_retry:?}");
    assert_eq!(a_retry.len(), 1, "{a_retry:?}");
    assert!(
        (120..=2_120).contains(&b_retry[0]),
        "B retried at {}",
        b_retry[0]
    );
    assert!(
        (2_220..=4_120).contains(&a_retry[0]),
        "A retried at {}",
        a_retry[0]
    );
    assert_eq!((b_retry[0] - 120) % 10, 0);
    assert_eq!((a_retry[0] - 120) % 10, 0);
    // B's retry is answered by A (not holding yet): recvonly. A's retry meets B's hold:
    // inactive. Both end on hold and both requests succeed.
    let answer_at = |t: u64| {
        let ok = sim.sent(|e| e.is_response(200) && e.at == ms(t + 10));
        direction(ok[0]).to_owned()
    };
    assert_eq!(answer_at(b_retry[0]), "recvonly");
    assert_eq!(answer_at(a_retry[0]), "inactive");
    let (ea, eb) = (events(&mut sim, A), events(&mut sim, B));
    assert_eq!(states(&ea), vec![(CallState::OnHold, None)]);
    assert_eq!(states(&eb), vec![(CallState::OnHold, None)]);
    assert!(ea.contains(&Event::Reply {
        request: ha,
        result: Ok(())
    }));
    assert!(eb.contains(&Event::Reply {
        request: hb,
        result: Ok(())
    }));
}

#[test]
fn a_second_491_fails_the_hold_and_keeps_the_session() {
    let (mut sim, a) = connected_to_script();
    let hold = sim.node::<CallModel>(A).hold(ms(1_000), a).unwrap();
    sim.run_until(ms(1_000));
    answer_reinvite(&mut sim, 491, "Request Pending");
    sim.run_until(ms(1_000));
    assert!(replies(&events(&mut sim, A)).is_empty());
    sim.run_until(ms(5_100));
    let retry = sim.sent(|e| e.is_request("INVITE") && e.at > ms(1_000));
    assert_eq!(retry.len(), 1);
    // We placed the call: the pause is 2.1 to 4 s.
    let next = retry[0].at.as_millis();
    assert!((3_100..=5_000).contains(&next), "retried at {next}");
    assert_eq!(retry[0].header("CSeq"), Some("3 INVITE"));
    assert_eq!(direction(retry[0]), "sendonly");
    answer_reinvite(&mut sim, 491, "Request Pending");
    sim.run_until(ms(next + 10_000));
    let ev = events(&mut sim, A);
    assert_eq!(
        ev.iter()
            .filter(|e| matches!(e, Event::Reply { request, .. } if *request == hold))
            .count(),
        1
    );
    assert_eq!(replies(&ev), vec![Err(CallError::OperationFailed)]);
    assert!(states(&ev).is_empty());
    assert_eq!(
        sim.sent(|e| e.is_request("INVITE")).len(),
        3,
        "no third try"
    );
    assert_eq!(
        sim.node::<CallModel>(A).call_info(a).unwrap().state,
        CallState::Connected
    );
}

#[test]
fn a_drop_during_the_glare_pause_fails_the_hold_and_sends_nothing_more() {
    let (mut sim, a) = connected_to_script();
    let hold = sim.node::<CallModel>(A).hold(ms(1_000), a).unwrap();
    sim.run_until(ms(1_000));
    answer_reinvite(&mut sim, 491, "Request Pending");
    sim.run_until(ms(1_500));
    let drop = sim
        .node::<CallModel>(A)
        .drop_call(ms(1_500), a, DropParams::default())
        .unwrap();
    let ev = events(&mut sim, A);
    assert!(ev.contains(&Event::Reply {
        request: drop,
        result: Ok(())
    }));
    assert!(ev.contains(&Event::Reply {
        request: hold,
        result: Err(CallError::OperationFailed)
    }));
    sim.run_until(ms(10_000));
    assert_eq!(
        sim.sent(|e| e.is_request("INVITE")).len(),
        2,
        "no retry after the drop"
    );
    assert!(replies(&events(&mut sim, A)).is_empty());
}

#[test]
fn hold_is_refused_outside_its_states() {
    let (mut sim, a, _) = connected_pair();
    let m = sim.node::<CallModel>(A);
    assert_eq!(m.unhold(ms(100), a), Err(CallError::InvalCallState));
    assert_eq!(
        m.hold(ms(100), CallHandle(99)),
        Err(CallError::InvalCallHandle)
    );
    m.hold(ms(100), a).unwrap();
    // One re-INVITE at a time (§14.1).
    assert_eq!(m.hold(ms(100), a), Err(CallError::InvalCallState));
    assert_eq!(m.unhold(ms(100), a), Err(CallError::InvalCallState));
    let dialing = m.make_call(ms(100), target()).unwrap();
    assert_eq!(m.hold(ms(100), dialing), Err(CallError::InvalCallState));
}

#[test]
fn the_callee_cannot_hold_before_the_ack() {
    let mut sim = Sim::new(3);
    sim.set_latency(Duration::from_millis(10));
    sim.add(addr(5060), model(addr(5060), 1));
    sim.add(addr(5070), model(addr(5070), 2));
    sim.node::<CallModel>(A).make_call(ms(0), target()).unwrap();
    sim.run_until(ms(10));
    let b = CallHandle(1);
    sim.node::<CallModel>(B).answer(ms(10), b).unwrap();
    // The INVITE is still in progress until the ACK arrives at 30 ms.
    assert_eq!(
        sim.node::<CallModel>(B).hold(ms(10), b),
        Err(CallError::InvalCallState)
    );
    sim.run_until(ms(30));
    assert!(sim.node::<CallModel>(B).hold(ms(30), b).is_ok());
}

#[test]
fn a_drop_during_the_reinvite_fails_the_hold_and_the_late_2xx_is_still_acked() {
    let (mut sim, a, _) = connected_pair();
    sim.run_until(ms(100));
    let hold = sim.node::<CallModel>(A).hold(ms(100), a).unwrap();
    sim.run_until(ms(100));
    let drop = sim
        .node::<CallModel>(A)
        .drop_call(ms(100), a, DropParams::default())
        .unwrap();
    let ev = events(&mut sim, A);
    assert_eq!(states(&ev), vec![(CallState::Idle, None)]);
    assert_eq!(
        ev.iter()
            .filter_map(|e| match e {
                Event::Reply { request, result } => Some((*request, *result)),
                _ => None,
            })
            .collect::<Vec<_>>(),
        vec![(drop, Ok(())), (hold, Err(CallError::OperationFailed))]
    );
    sim.run_until(ms(200));
    // B answered the re-INVITE (at 110) before the BYE arrived; A ACKs that 2xx at 120.
    assert_eq!(sim.times_ms(|e| e.is_request("BYE")), vec![100]);
    assert_eq!(
        sim.sent(|e| e.is_request("ACK") && e.at == ms(120))[0].header("CSeq"),
        Some("2 ACK")
    );
    assert!(states(&events(&mut sim, A)).is_empty());
}

/// A calls a scripted peer that answers; returns the sim and A's call at 0 ms + the peer's
/// INVITE text.
fn connected_to_script() -> (Sim, CallHandle) {
    let mut sim = Sim::new(5);
    sim.add(addr(5060), model(addr(5060), 1));
    sim.add(addr(5070), Scripted::new());
    let call = sim.node::<CallModel>(A).make_call(ms(0), target()).unwrap();
    sim.run_until(ms(0));
    let invite = sim.node::<Scripted>(B).last_text();
    let ok = response_to(&invite, 200, "OK", Some("p1"), "sip:b@127.0.0.1:5070", "");
    sim.node::<Scripted>(B).send(addr(5060), &ok);
    sim.run_until(ms(0));
    events(&mut sim, A);
    (sim, call)
}

fn answer_reinvite(sim: &mut Sim, code: u16, phrase: &str) {
    let reinvite = sim.node::<Scripted>(B).last_text();
    assert!(reinvite.starts_with("INVITE "), "{reinvite}");
    let response = response_to(
        &reinvite,
        code,
        phrase,
        Some("p1"),
        "sip:b@127.0.0.1:5070",
        "",
    );
    sim.node::<Scripted>(B).send(addr(5060), &response);
}

#[test]
fn a_488_keeps_the_session_and_the_next_hold_offers_sendonly_again() {
    let (mut sim, a) = connected_to_script();
    sim.run_until(ms(1_000));
    let hold = sim.node::<CallModel>(A).hold(ms(1_000), a).unwrap();
    sim.run_until(ms(1_000));
    answer_reinvite(&mut sim, 488, "Not Acceptable Here");
    sim.run_until(ms(1_000));
    // The transaction ACKs the 488 (§17.1.1.3); the call stays connected.
    assert_eq!(sim.sent(|e| e.is_request("ACK")).len(), 2);
    let ev = events(&mut sim, A);
    assert!(states(&ev).is_empty());
    assert_eq!(replies(&ev), vec![Err(CallError::OperationFailed)]);
    assert!(ev.contains(&Event::Reply {
        request: hold,
        result: Err(CallError::OperationFailed)
    }));
    assert_eq!(
        sim.node::<CallModel>(A).call_info(a).unwrap().state,
        CallState::Connected
    );
    sim.run_until(ms(2_000));
    sim.node::<CallModel>(A).hold(ms(2_000), a).unwrap();
    sim.run_until(ms(2_000));
    let again = sim.sent(|e| e.is_request("INVITE") && e.at == ms(2_000));
    assert_eq!(direction(again[0]), "sendonly");
    assert_eq!(again[0].header("CSeq"), Some("3 INVITE"));
}

#[test]
fn a_481_ends_the_call_without_a_bye() {
    let (mut sim, a) = connected_to_script();
    sim.run_until(ms(1_000));
    sim.node::<CallModel>(A).hold(ms(1_000), a).unwrap();
    sim.run_until(ms(1_000));
    answer_reinvite(&mut sim, 481, "Call/Transaction Does Not Exist");
    sim.run_until(ms(40_000));
    let ev = events(&mut sim, A);
    assert_eq!(
        states(&ev),
        vec![(
            CallState::Disconnected,
            Some(Mode::Disconnected(DisconnectMode::Unknown))
        )]
    );
    assert_eq!(replies(&ev), vec![Err(CallError::OperationFailed)]);
    assert!(sim.sent(|e| e.is_request("BYE")).is_empty());
    let record = sim.node::<CallModel>(A).call_info(a).unwrap().clone();
    assert_eq!(record.sip_status, Some(481));
    assert_eq!(record.ended_by, Some(EndedBy::Remote));
}

#[test]
fn a_408_ends_the_call_with_a_bye() {
    let (mut sim, a) = connected_to_script();
    sim.run_until(ms(1_000));
    sim.node::<CallModel>(A).hold(ms(1_000), a).unwrap();
    sim.run_until(ms(1_000));
    answer_reinvite(&mut sim, 408, "Request Timeout");
    sim.run_until(ms(1_000));
    let bye = sim.sent(|e| e.is_request("BYE"));
    assert_eq!(bye.len(), 1);
    assert_eq!(bye[0].at, ms(1_000));
    assert!(bye[0].header("Reason").unwrap().contains("cause=102"));
    assert_eq!(
        states(&events(&mut sim, A)),
        vec![(
            CallState::Disconnected,
            Some(Mode::Disconnected(DisconnectMode::Unreachable))
        )]
    );
}

#[test]
fn an_unanswered_reinvite_ends_the_call_at_timer_b() {
    let (mut sim, a) = connected_to_script();
    sim.run_until(ms(1_000));
    sim.node::<CallModel>(A).hold(ms(1_000), a).unwrap();
    sim.run_until(ms(40_000));
    // Retransmitted like any INVITE (Timer A), given up at 64·T1 = 32 s (Timer B).
    assert_eq!(
        sim.times_ms(|e| e.is_request("INVITE") && e.at >= ms(1_000)),
        vec![1_000, 1_500, 2_500, 4_500, 8_500, 16_500, 32_500]
    );
    // The BYE tells the peer, in case it only lost the re-INVITE (retransmitted: it is silent).
    assert_eq!(
        sim.times_ms(|e| e.is_request("BYE")),
        vec![33_000, 33_500, 34_500, 36_500]
    );
    let ev = events(&mut sim, A);
    assert_eq!(
        states(&ev),
        vec![(
            CallState::Disconnected,
            Some(Mode::Disconnected(DisconnectMode::Unreachable))
        )]
    );
    assert_eq!(replies(&ev), vec![Err(CallError::OperationFailed)]);
    assert_eq!(
        sim.node::<CallModel>(A).call_info(a).unwrap().ended_by,
        Some(EndedBy::Stack)
    );
}
