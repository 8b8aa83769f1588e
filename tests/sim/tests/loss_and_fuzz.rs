//! Robustness: random loss with every call still completing, TCP scenarios, and random
//! operation sequences that never panic or leave a transaction stuck.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod common;

use std::time::Duration;

use call_model::{CallHandle, CallModel, CallState, CallTarget, DropParams, Event, Transport};
use common::{addr, model, ms};
use proptest::prelude::*;
use sipdrop_sim::Sim;

fn offered(sim: &mut Sim, node: usize) -> Vec<CallHandle> {
    std::iter::from_fn(|| sim.node::<CallModel>(node).poll_event())
        .filter_map(|e| match e {
            Event::CallState {
                call,
                state: CallState::Offering,
                ..
            } => Some(call),
            _ => None,
        })
        .collect()
}

/// A places `n` calls; B answers each; A drops each after one second. With `loss` of UDP
/// messages lost at random, every call must still connect and end.
fn calls_complete(n: usize, loss: f64, transport: Transport, seed: u64) -> (usize, usize) {
    let mut sim = Sim::new(seed);
    sim.add(addr(5060), model(addr(5060), seed));
    sim.add(addr(5070), model(addr(5070), seed + 1));
    sim.set_latency(Duration::from_millis(20));
    sim.set_loss_rate(loss);
    let mut a_calls = Vec::new();
    for i in 0..n {
        let now = ms(i as u64 * 10);
        sim.run_until(now);
        let target = CallTarget {
            uri: "sip:bob@127.0.0.1:5070".into(),
            destination: None,
            transport: Some(transport),
        };
        a_calls.push(sim.node::<CallModel>(0).make_call(now, target).unwrap());
    }
    let mut connected = std::collections::HashSet::new();
    let mut dropped = 0;
    for step in 0..400u64 {
        sim.run_until(ms(1_000 + step * 100));
        let now = sim.now();
        for b in offered(&mut sim, 1) {
            sim.node::<CallModel>(1).answer(now, b).unwrap();
        }
        sim.flush();
        for &a in &a_calls {
            let state = sim.node::<CallModel>(0).call_info(a).map(|r| r.state);
            if state == Some(CallState::Connected) && connected.insert(a) {
                sim.node::<CallModel>(0)
                    .drop_call(now, a, DropParams::default())
                    .unwrap();
                dropped += 1;
            }
        }
        // Drain A's events so nothing accumulates.
        while sim.node::<CallModel>(0).poll_event().is_some() {}
    }
    sim.run_for(Duration::from_secs(60));
    // Every B call was ended by A's BYE.
    let b = sim.node::<CallModel>(1);
    let live_b = b
        .live_calls()
        .into_iter()
        .filter(|c| b.call_info(*c).map(|r| r.state) != Some(CallState::Disconnected));
    assert_eq!(live_b.count(), 0, "every B call saw its BYE");
    assert!(sim.node::<CallModel>(0).is_quiescent());
    assert!(sim.node::<CallModel>(1).is_quiescent());
    (connected.len(), dropped)
}

#[test]
fn twenty_percent_loss_every_call_still_completes() {
    let (connected, dropped) = calls_complete(40, 0.2, Transport::Udp, 42);
    assert_eq!(connected, 40);
    assert_eq!(dropped, 40);
}

#[test]
fn over_tcp_calls_complete_with_no_retransmissions() {
    let (connected, _) = calls_complete(10, 0.0, Transport::Tcp, 9);
    assert_eq!(connected, 10);
}

#[derive(Debug, Clone)]
enum Op {
    Call,
    Answer(usize),
    Accept(usize),
    DropA(usize),
    DropB(usize),
    Deallocate(usize),
    HoldA(usize),
    UnholdA(usize),
    HoldB(usize),
    Wait(u16),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Call),
        (0..8usize).prop_map(Op::Answer),
        (0..8usize).prop_map(Op::Accept),
        (0..8usize).prop_map(Op::DropA),
        (0..8usize).prop_map(Op::DropB),
        (0..8usize).prop_map(Op::Deallocate),
        (0..8usize).prop_map(Op::HoldA),
        (0..8usize).prop_map(Op::UnholdA),
        (0..8usize).prop_map(Op::HoldB),
        (0..3000u16).prop_map(Op::Wait),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

    /// Random command sequences on both sides with random loss: no panic, and once the
    /// network has settled no transaction is left (nothing stuck).
    #[test]
    fn random_operation_sequences_never_panic_or_stick(ops in prop::collection::vec(op(), 1..24), seed in 0u64..1000, loss in 0.0f64..0.3) {
        let mut sim = Sim::new(seed);
        sim.add(addr(5060), model(addr(5060), seed));
        sim.add(addr(5070), model(addr(5070), seed + 7));
        sim.set_latency(Duration::from_millis(15));
        sim.set_loss_rate(loss);
        let mut a_calls: Vec<CallHandle> = Vec::new();
        let mut b_calls: Vec<CallHandle> = Vec::new();
        for op in ops {
            let now = sim.now();
            match op {
                Op::Call => {
                    let target = CallTarget { uri: "sip:bob@127.0.0.1:5070".into(), destination: None, transport: None };
                    if let Ok(c) = sim.node::<CallModel>(0).make_call(now, target) { a_calls.push(c); }
                }
                Op::Answer(i) => if let Some(&c) = b_calls.get(i) { let _ = sim.node::<CallModel>(1).answer(now, c); },
                Op::Accept(i) => if let Some(&c) = b_calls.get(i) { let _ = sim.node::<CallModel>(1).accept(now, c); },
                Op::DropA(i) => if let Some(&c) = a_calls.get(i) { let _ = sim.node::<CallModel>(0).drop_call(now, c, DropParams::default()); },
                Op::DropB(i) => if let Some(&c) = b_calls.get(i) { let _ = sim.node::<CallModel>(1).drop_call(now, c, DropParams::default()); },
                Op::Deallocate(i) => if let Some(&c) = a_calls.get(i) { let _ = sim.node::<CallModel>(0).deallocate(c); },
                Op::HoldA(i) => if let Some(&c) = a_calls.get(i) { let _ = sim.node::<CallModel>(0).hold(now, c); },
                Op::UnholdA(i) => if let Some(&c) = a_calls.get(i) { let _ = sim.node::<CallModel>(0).unhold(now, c); },
                Op::HoldB(i) => if let Some(&c) = b_calls.get(i) { let _ = sim.node::<CallModel>(1).hold(now, c); },
                Op::Wait(d) => sim.run_for(Duration::from_millis(u64::from(d))),
            }
            sim.flush();
            b_calls.extend(offered(&mut sim, 1));
            while sim.node::<CallModel>(0).poll_event().is_some() {}
        }
        // The application drops everything still live, twice: an INVITE still in flight at
        // the first pass is offered later and stays offered until the application acts.
        for _ in 0..2 {
            let now = sim.now();
            for node in [0, 1] {
                for c in sim.node::<CallModel>(node).live_calls() {
                    let _ = sim.node::<CallModel>(node).drop_call(now, c, DropParams::default());
                }
            }
            sim.run_for(Duration::from_secs(100));
        }
        for node in [0, 1] {
            let m = sim.node::<CallModel>(node);
            prop_assert!(m.is_quiescent(), "node {} has transactions left", node);
            prop_assert_eq!(m.transaction_count(), 0, "node {} has lingering transactions", node);
            prop_assert!(m.poll_timeout().is_none(), "node {} has timers left", node);
            // Once every call is deallocated, nothing may remain in the routing indexes.
            for c in 1..=64 {
                let _ = m.deallocate(CallHandle(c));
            }
            prop_assert_eq!(m.allocated_calls(), 0, "node {} has live calls", node);
            prop_assert_eq!(m.routing_entries(), 0, "node {} leaks index entries", node);
        }
    }
}
