//! Every row of the drop table (drop-semantics §3) and its races, between two call models on
//! a simulated network, with exact timestamps.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod common;

use std::time::Duration;

use call_model::{
    CallError, CallHandle, CallModel, CallState, CallTarget, DisconnectMode, DropParams, EndedBy,
    Event, Mode,
};
use common::{addr, model, ms};
use sipdrop_sim::{LogEntry, Sim};

const A: usize = 0;
const B: usize = 1;

fn pair() -> Sim {
    let mut sim = Sim::new(11);
    sim.add(addr(5060), model(addr(5060), 1));
    sim.add(addr(5070), model(addr(5070), 2));
    sim
}

fn call(sim: &mut Sim) -> CallHandle {
    let now = sim.now();
    let target = CallTarget {
        uri: "sip:bob@127.0.0.1:5070".into(),
        destination: None,
        transport: None,
    };
    let handle = sim.node::<CallModel>(A).make_call(now, target).unwrap();
    sim.flush();
    handle
}

use common::{model_events as events, state_changes as states};

fn offered(events: &[Event]) -> CallHandle {
    common::first_offered(events).expect("an offered call")
}

fn uui() -> DropParams {
    DropParams {
        uui: Some(vec![0x04, 0xa1, 0xb2]),
        ..DropParams::default()
    }
}

fn disconnected(mode: DisconnectMode) -> (CallState, Option<Mode>) {
    (CallState::Disconnected, Some(Mode::Disconnected(mode)))
}

/// A is connected to B (B answered at once); returns (A's call, B's call).
fn connected(sim: &mut Sim) -> (CallHandle, CallHandle) {
    let a = call(sim);
    sim.run_until(ms(0));
    let b = offered(&events(sim, B));
    let now = sim.now();
    sim.node::<CallModel>(B).answer(now, b).unwrap();
    sim.run_until(ms(0));
    events(sim, A);
    events(sim, B);
    (a, b)
}

fn header<'a>(entry: &'a LogEntry, name: &str) -> &'a str {
    entry.header(name).unwrap_or("")
}

#[test]
fn drop_connected_sends_bye_with_reason_and_uui() {
    let mut sim = pair();
    let (a, b) = connected(&mut sim);
    sim.run_until(ms(1_000));
    let request = sim
        .node::<CallModel>(A)
        .drop_call(ms(1_000), a, uui())
        .unwrap();
    let ev = events(&mut sim, A);
    assert!(ev.contains(&Event::Reply {
        request,
        result: Ok(())
    }));
    assert_eq!(states(&ev), vec![(CallState::Idle, None)]);
    sim.run_until(ms(2_000));
    let bye = sim.sent(|e| e.is_request("BYE"));
    assert_eq!(bye.len(), 1);
    assert_eq!(
        header(bye[0], "Reason"),
        "Q.850;cause=16;text=\"Normal call clearing\""
    );
    assert_eq!(
        header(bye[0], "User-to-User"),
        "04a1b2;encoding=hex;purpose=isdn-uui"
    );
    assert_eq!(
        sim.sent(|e| e.is_response(200) && e.cseq_method() == Some("BYE"))
            .len(),
        1
    );
    // B sees the remote end: UUI and Reason announced before `disconnected normal`.
    let ev_b = events(&mut sim, B);
    assert_eq!(states(&ev_b), vec![disconnected(DisconnectMode::Normal)]);
    assert!(matches!(ev_b[0], Event::CallInfo { call } if call == b));
    let rec = sim.node::<CallModel>(B).call_info(b).unwrap().clone();
    assert_eq!(rec.uui_received, Some(vec![0x04, 0xa1, 0xb2]));
    assert_eq!(rec.ended_by, Some(EndedBy::Remote));
    // B's application drops the disconnected call: nothing on the wire, idle.
    sim.node::<CallModel>(B)
        .drop_call(ms(2_000), b, DropParams::default())
        .unwrap();
    sim.run_until(ms(40_000));
    assert_eq!(sim.sent(|e| e.is_request("BYE")).len(), 1);
    assert_eq!(states(&events(&mut sim, B)), vec![(CallState::Idle, None)]);
}

#[test]
fn drop_offered_call_declines_with_603_reason_21_and_uui() {
    let mut sim = pair();
    let a = call(&mut sim);
    sim.run_until(ms(0));
    let b = offered(&events(&mut sim, B));
    sim.node::<CallModel>(B).drop_call(ms(0), b, uui()).unwrap();
    sim.run_until(ms(1_000));
    let decline = sim.sent(|e| e.is_response(603));
    assert_eq!(decline.len(), 1);
    assert_eq!(decline[0].first_line(), "SIP/2.0 603 Decline");
    assert!(header(decline[0], "Reason").starts_with("Q.850;cause=21"));
    assert_eq!(
        header(decline[0], "User-to-User"),
        "04a1b2;encoding=hex;purpose=isdn-uui"
    );
    assert_eq!(sim.sent(|e| e.is_request("ACK")).len(), 1);
    assert_eq!(
        states(&events(&mut sim, A)),
        vec![
            (CallState::Dialing, None),
            (CallState::Proceeding, None),
            disconnected(DisconnectMode::Reject)
        ]
    );
    let rec = sim.node::<CallModel>(A).call_info(a).unwrap();
    assert_eq!(rec.sip_status, Some(603));
}

#[test]
fn decline_code_is_configurable_per_drop() {
    let mut sim = pair();
    let _a = call(&mut sim);
    sim.run_until(ms(0));
    let b = offered(&events(&mut sim, B));
    let params = DropParams {
        decline_code: Some(486),
        ..DropParams::default()
    };
    sim.node::<CallModel>(B)
        .drop_call(ms(0), b, params)
        .unwrap();
    sim.run_until(ms(1_000));
    assert_eq!(sim.sent(|e| e.is_response(486)).len(), 1);
    assert_eq!(
        states(&events(&mut sim, A)).last(),
        Some(&disconnected(DisconnectMode::Busy))
    );
}

#[test]
fn drop_before_any_provisional_defers_the_cancel_until_the_first_1xx() {
    let mut sim = pair();
    sim.set_latency(Duration::from_millis(50));
    let a = call(&mut sim);
    let request = sim.node::<CallModel>(A).drop_call(ms(0), a, uui()).unwrap();
    let ev = events(&mut sim, A);
    assert_eq!(
        states(&ev),
        vec![(CallState::Dialing, None), (CallState::Idle, None)]
    );
    assert!(
        !ev.iter().any(|e| matches!(e, Event::Reply { .. })),
        "reply waits for the CANCEL"
    );
    sim.run_until(ms(5_000));
    // The 100 leaves B at 50 and reaches A at 100: the CANCEL goes then, not before.
    let cancel = sim.sent(|e| e.is_request("CANCEL"));
    assert_eq!(cancel.len(), 1);
    assert_eq!(cancel[0].at, ms(100));
    assert!(header(cancel[0], "Reason").starts_with("Q.850;cause=16"));
    assert!(events(&mut sim, A).contains(&Event::Reply {
        request,
        result: Ok(())
    }));
    // B: 200 to the CANCEL, 487 to the INVITE, which A ACKs.
    assert_eq!(sim.sent(|e| e.is_response(487)).len(), 1);
    assert_eq!(sim.sent(|e| e.is_request("ACK")).len(), 1);
    let ev_b = events(&mut sim, B);
    assert_eq!(
        states(&ev_b),
        vec![
            (CallState::Offering, None),
            disconnected(DisconnectMode::Cancelled)
        ]
    );
}

#[test]
fn drop_in_ringback_cancels_and_the_487_is_not_a_remote_disconnect() {
    let mut sim = pair();
    let a = call(&mut sim);
    sim.run_until(ms(0));
    let b = offered(&events(&mut sim, B));
    sim.node::<CallModel>(B).accept(ms(0), b).unwrap();
    sim.run_until(ms(100));
    assert_eq!(
        states(&events(&mut sim, A)),
        vec![
            (CallState::Dialing, None),
            (CallState::Proceeding, None),
            (CallState::Ringback, None)
        ]
    );
    sim.node::<CallModel>(A)
        .drop_call(ms(100), a, uui())
        .unwrap();
    sim.run_until(ms(5_000));
    let cancel = sim.sent(|e| e.is_request("CANCEL"));
    assert_eq!(cancel.len(), 1);
    assert_eq!(
        header(cancel[0], "User-to-User"),
        "04a1b2;encoding=hex;purpose=isdn-uui"
    );
    assert_eq!(states(&events(&mut sim, A)), vec![(CallState::Idle, None)]);
    assert_eq!(
        states(&events(&mut sim, B)),
        vec![
            (CallState::Accepted, None),
            disconnected(DisconnectMode::Cancelled)
        ]
    );
    let rec = sim.node::<CallModel>(B).call_info(b).unwrap();
    assert_eq!(rec.uui_received, Some(vec![0x04, 0xa1, 0xb2]));
}

#[test]
fn two_xx_crossing_the_cancel_gets_ack_then_bye_with_the_same_reason_and_uui() {
    let mut sim = pair();
    sim.set_latency(Duration::from_millis(100));
    let a = call(&mut sim);
    sim.run_until(ms(100));
    let b = offered(&events(&mut sim, B));
    sim.node::<CallModel>(B).accept(ms(100), b).unwrap();
    sim.run_until(ms(200)); // 180 reaches A
                            // B answers at 250; A drops at 250: the CANCEL and the 200 cross on the wire.
    sim.run_until(ms(250));
    sim.node::<CallModel>(B).answer(ms(250), b).unwrap();
    sim.node::<CallModel>(A)
        .drop_call(ms(250), a, uui())
        .unwrap();
    sim.run_until(ms(5_000));
    let ack = sim.sent(|e| e.is_request("ACK"));
    let bye = sim.sent(|e| e.is_request("BYE"));
    assert_eq!(ack.len(), 1);
    assert_eq!(bye.len(), 1);
    assert!(ack[0].at <= bye[0].at);
    assert_eq!(bye[0].at, ms(350));
    assert!(header(bye[0], "Reason").starts_with("Q.850;cause=16"));
    assert_eq!(
        header(bye[0], "User-to-User"),
        "04a1b2;encoding=hex;purpose=isdn-uui"
    );
    // B: the CANCEL came too late (200 OK to it, no 487); then the BYE ends the call.
    assert_eq!(sim.sent(|e| e.is_response(487)).len(), 0);
    assert_eq!(
        states(&events(&mut sim, B)).last(),
        Some(&disconnected(DisconnectMode::Normal))
    );
}

#[test]
fn uas_drop_before_the_ack_holds_the_bye_until_the_ack() {
    let mut sim = pair();
    let _a = call(&mut sim);
    sim.run_until(ms(0));
    let b = offered(&events(&mut sim, B));
    sim.drop_next(1, |e| e.is_request("ACK"));
    sim.node::<CallModel>(B).answer(ms(0), b).unwrap();
    let request = sim.node::<CallModel>(B).drop_call(ms(0), b, uui()).unwrap();
    assert!(!events(&mut sim, B)
        .iter()
        .any(|e| matches!(e, Event::Reply { .. })));
    sim.run_until(ms(5_000));
    // The first ACK is lost; the 2xx retransmission at 500 brings the second ACK; then BYE.
    assert_eq!(sim.times_ms(|e| e.is_request("ACK")), vec![0, 500]);
    assert_eq!(sim.times_ms(|e| e.is_request("BYE")), vec![500]);
    assert!(events(&mut sim, B).contains(&Event::Reply {
        request,
        result: Ok(())
    }));
}

#[test]
fn uas_drop_with_no_ack_ever_sends_the_bye_at_the_ack_timeout() {
    let mut sim = pair();
    let _a = call(&mut sim);
    sim.run_until(ms(0));
    let b = offered(&events(&mut sim, B));
    sim.drop_next(usize::MAX, |e| e.is_request("ACK"));
    sim.node::<CallModel>(B).answer(ms(0), b).unwrap();
    sim.node::<CallModel>(B)
        .drop_call(ms(0), b, DropParams::default())
        .unwrap();
    sim.run_until(ms(40_000));
    assert_eq!(sim.times_ms(|e| e.is_request("BYE")), vec![32_000]);
}

#[test]
fn drop_of_an_idle_call_is_refused_and_deallocate_frees_the_record() {
    let mut sim = pair();
    let (a, _b) = connected(&mut sim);
    sim.node::<CallModel>(A)
        .drop_call(ms(0), a, DropParams::default())
        .unwrap();
    let m = sim.node::<CallModel>(A);
    assert_eq!(
        m.drop_call(ms(0), a, DropParams::default()),
        Err(CallError::InvalCallState)
    );
    assert_eq!(m.allocated_calls(), 1, "the record stays until deallocate");
    assert_eq!(m.call_info(a).unwrap().state, CallState::Idle);
    m.deallocate(a).unwrap();
    assert_eq!(m.allocated_calls(), 0);
    assert!(m.call_info(a).is_none());
    assert_eq!(
        m.drop_call(ms(0), a, DropParams::default()),
        Err(CallError::InvalCallHandle)
    );
    assert_eq!(m.deallocate(a), Err(CallError::InvalCallHandle));
}

#[test]
fn deallocate_of_a_live_call_is_refused() {
    let mut sim = pair();
    let (a, _b) = connected(&mut sim);
    let m = sim.node::<CallModel>(A);
    assert_eq!(m.deallocate(a), Err(CallError::InvalCallState));
    assert_eq!(m.allocated_calls(), 1);
}

#[test]
fn uui_longer_than_the_limit_is_refused_and_nothing_is_sent() {
    let mut sim = pair();
    let (a, _b) = connected(&mut sim);
    let sent_before = sim.log().len();
    let params = DropParams {
        uui: Some(vec![0; 129]),
        ..DropParams::default()
    };
    let m = sim.node::<CallModel>(A);
    assert_eq!(
        m.drop_call(ms(0), a, params),
        Err(CallError::UserUserInfoTooBig)
    );
    assert_eq!(m.call_info(a).unwrap().state, CallState::Connected);
    sim.run_until(ms(1_000));
    assert_eq!(sim.log().len(), sent_before);
}

#[test]
fn bye_that_times_out_leaves_the_call_idle() {
    let mut sim = pair();
    let (a, _b) = connected(&mut sim);
    sim.drop_next(usize::MAX, |e| e.is_request("BYE"));
    sim.node::<CallModel>(A)
        .drop_call(ms(0), a, DropParams::default())
        .unwrap();
    sim.run_until(ms(40_000));
    assert_eq!(sim.sent(|e| e.is_request("BYE")).len(), 11);
    assert!(sim.node::<CallModel>(A).is_quiescent());
    assert_eq!(
        sim.node::<CallModel>(A).call_info(a).unwrap().state,
        CallState::Idle
    );
}

#[test]
fn a_crossing_2xx_still_gets_its_bye_after_the_application_deallocated_the_call() {
    let mut sim = pair();
    sim.set_latency(Duration::from_millis(100));
    let a = call(&mut sim);
    sim.run_until(ms(100));
    let b = offered(&events(&mut sim, B));
    sim.node::<CallModel>(B).accept(ms(100), b).unwrap();
    sim.run_until(ms(250));
    sim.node::<CallModel>(B).answer(ms(250), b).unwrap();
    let request = sim
        .node::<CallModel>(A)
        .drop_call(ms(250), a, uui())
        .unwrap();
    // The application frees the idle call at once, as the CLI does.
    sim.node::<CallModel>(A).deallocate(a).unwrap();
    assert_eq!(sim.node::<CallModel>(A).allocated_calls(), 0);
    sim.run_until(ms(5_000));
    let bye = sim.sent(|e| e.is_request("BYE"));
    assert_eq!(
        bye.len(),
        1,
        "the BYE is owed whatever became of the record"
    );
    assert_eq!(
        header(bye[0], "User-to-User"),
        "04a1b2;encoding=hex;purpose=isdn-uui"
    );
    assert!(events(&mut sim, A).contains(&Event::Reply {
        request,
        result: Ok(())
    }));
}

#[test]
fn a_deferred_cancel_is_still_sent_and_replied_after_deallocation() {
    let mut sim = pair();
    sim.set_latency(Duration::from_millis(50));
    let a = call(&mut sim);
    let request = sim
        .node::<CallModel>(A)
        .drop_call(ms(0), a, DropParams::default())
        .unwrap();
    sim.node::<CallModel>(A).deallocate(a).unwrap();
    sim.run_until(ms(5_000));
    assert_eq!(sim.times_ms(|e| e.is_request("CANCEL")), vec![100]);
    assert!(events(&mut sim, A).contains(&Event::Reply {
        request,
        result: Ok(())
    }));
}

#[test]
fn a_bye_held_for_the_ack_is_still_sent_after_deallocation() {
    let mut sim = pair();
    let _a = call(&mut sim);
    sim.run_until(ms(0));
    let b = offered(&events(&mut sim, B));
    sim.drop_next(1, |e| e.is_request("ACK"));
    sim.node::<CallModel>(B).answer(ms(0), b).unwrap();
    sim.node::<CallModel>(B).drop_call(ms(0), b, uui()).unwrap();
    sim.node::<CallModel>(B).deallocate(b).unwrap();
    sim.run_until(ms(5_000));
    assert_eq!(sim.times_ms(|e| e.is_request("BYE")), vec![500]);
}

#[test]
fn tapi3_disconnect_codes_choose_the_response_and_cause() {
    use call_model::DisconnectCode;
    // noanswer on an offered call: 480 with Q.850 19; the caller sees `noanswer`.
    let mut sim = pair();
    let _a = call(&mut sim);
    sim.run_until(ms(0));
    let b = offered(&events(&mut sim, B));
    sim.node::<CallModel>(B)
        .disconnect(ms(0), b, DisconnectCode::NoAnswer, None)
        .unwrap();
    sim.run_until(ms(100));
    let r = sim.sent(|e| e.is_response(480));
    assert_eq!(r.len(), 1);
    assert!(header(r[0], "Reason").starts_with("Q.850;cause=19"));
    assert_eq!(
        states(&events(&mut sim, A)).last(),
        Some(&disconnected(DisconnectMode::NoAnswer))
    );
    // rejected on a connected call: BYE with Q.850 21; the far end sees `reject`.
    let mut sim = pair();
    let (a, _b) = connected(&mut sim);
    sim.node::<CallModel>(A)
        .disconnect(ms(0), a, DisconnectCode::Rejected, None)
        .unwrap();
    sim.run_until(ms(100));
    let bye = sim.sent(|e| e.is_request("BYE"));
    assert!(header(bye[0], "Reason").starts_with("Q.850;cause=21"));
    assert_eq!(
        states(&events(&mut sim, B)).last(),
        Some(&disconnected(DisconnectMode::Reject))
    );
    // noanswer on an outgoing call in ringback: CANCEL with Q.850 19.
    let mut sim = pair();
    let a = call(&mut sim);
    sim.run_until(ms(0));
    let b = offered(&events(&mut sim, B));
    sim.node::<CallModel>(B).accept(ms(0), b).unwrap();
    sim.run_until(ms(10));
    sim.node::<CallModel>(A)
        .disconnect(ms(10), a, DisconnectCode::NoAnswer, None)
        .unwrap();
    sim.run_until(ms(100));
    assert!(header(sim.sent(|e| e.is_request("CANCEL"))[0], "Reason").starts_with("Q.850;cause=19"));
}

#[test]
fn many_calls_deallocated_leave_no_routing_entry_behind() {
    let mut sim = pair();
    let mut ours = Vec::new();
    for i in 0..50u64 {
        // Half are dropped by the caller once connected, half declined by the callee.
        let a = call(&mut sim);
        sim.run_until(ms(i * 100));
        let b = offered(&events(&mut sim, B));
        let now = sim.now();
        if i % 2 == 0 {
            sim.node::<CallModel>(B).answer(now, b).unwrap();
            sim.run_until(ms(i * 100 + 10));
            let now = sim.now();
            sim.node::<CallModel>(A)
                .drop_call(now, a, DropParams::default())
                .unwrap();
        } else {
            sim.node::<CallModel>(B)
                .drop_call(now, b, DropParams::default())
                .unwrap();
        }
        sim.run_until(ms(i * 100 + 50));
        ours.push((a, b));
    }
    for node in [A, B] {
        events(&mut sim, node);
    }
    for (a, b) in ours {
        for (node, call) in [(A, a), (B, b)] {
            let now = sim.now();
            let m = sim.node::<CallModel>(node);
            if m.call_info(call)
                .is_some_and(|r| r.state != CallState::Idle)
            {
                m.drop_call(now, call, DropParams::default()).unwrap();
            }
            m.deallocate(call).unwrap();
        }
    }
    // Every transaction ends within 64·T1 (32 s); nothing may stay in the indexes.
    sim.run_for(Duration::from_secs(40));
    for node in [A, B] {
        let m = sim.node::<CallModel>(node);
        assert_eq!(m.allocated_calls(), 0);
        assert_eq!(m.transaction_count(), 0);
        assert_eq!(m.routing_entries(), 0, "node {node}");
    }
}
