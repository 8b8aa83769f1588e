//! Server transaction timers G, H, I, J, L, the 2xx retransmission until ACK, and Timer D on
//! the client, on a simulated clock with exact timestamps.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod common;

use common::{addr, endpoint, invite_to, ms};
use dialog_layer::{Endpoint, EndpointEvent, TxId};
use sip_message::Transport;
use sipdrop_sim::Sim;

/// Alice (node 0) at 5060 sends an INVITE to Bob (node 1) at 5070 at t=0; returns Bob's
/// server transaction.
fn setup(transport: Transport) -> (Sim, TxId) {
    let mut sim = Sim::new(7);
    sim.add(addr(5060), endpoint(addr(5060), 1));
    sim.add(addr(5070), endpoint(addr(5070), 2));
    let to = addr(5070);
    sim.node::<Endpoint>(0)
        .send_invite(ms(0), invite_to(to, transport))
        .unwrap();
    sim.run_until(ms(0));
    let tx = events(&mut sim, 1)
        .into_iter()
        .find_map(|e| match e {
            EndpointEvent::Request { tx, request } if request.method == "INVITE" => Some(tx),
            _ => None,
        })
        .expect("Bob got the INVITE");
    (sim, tx)
}

fn events(sim: &mut Sim, node: usize) -> Vec<EndpointEvent> {
    std::iter::from_fn(|| sim.node::<Endpoint>(node).poll_event()).collect()
}

fn responses(events: &[EndpointEvent], code: u16) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, EndpointEvent::Response { response, .. } if response.code == code))
        .count()
}

#[test]
fn trying_is_sent_at_once_and_stops_invite_retransmission() {
    let (mut sim, _tx) = setup(Transport::Udp);
    sim.run_until(ms(10_000));
    assert_eq!(sim.times_ms(|e| e.is_response(100)), vec![0]);
    assert_eq!(
        sim.times_ms(|e| e.is_request("INVITE")),
        vec![0],
        "100 stopped Timer A"
    );
}

#[test]
fn non_2xx_is_retransmitted_on_timer_g_until_timer_h_when_every_ack_is_lost() {
    let (mut sim, tx) = setup(Transport::Udp);
    sim.drop_next(usize::MAX, |e| e.is_request("ACK"));
    sim.node::<Endpoint>(1)
        .respond(ms(0), tx, 486, Vec::new(), None)
        .unwrap();
    sim.run_until(ms(31_999));
    assert_eq!(
        sim.times_ms(|e| e.is_response(486)),
        vec![0, 500, 1_500, 3_500, 7_500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]
    );
    // Timer D absorbs every retransmitted 486: one passed up, each one ACKed again.
    assert_eq!(responses(&events(&mut sim, 0), 486), 1);
    assert_eq!(sim.sent(|e| e.is_request("ACK")).len(), 11);
    assert!(!events(&mut sim, 1)
        .iter()
        .any(|e| matches!(e, EndpointEvent::Timeout { .. })));
    sim.run_until(ms(32_000));
    let timeouts: Vec<_> = events(&mut sim, 1)
        .into_iter()
        .filter(|e| matches!(e, EndpointEvent::Timeout { .. }))
        .collect();
    assert_eq!(timeouts.len(), 1, "Timer H at 64·T1");
}

#[test]
fn ack_confirms_then_timer_i_and_timer_d_terminate() {
    let (mut sim, tx) = setup(Transport::Udp);
    sim.drop_next(1, |e| e.is_request("ACK"));
    sim.node::<Endpoint>(1)
        .respond(ms(0), tx, 486, Vec::new(), None)
        .unwrap();
    sim.run_until(ms(600));
    assert_eq!(sim.times_ms(|e| e.is_response(486)), vec![0, 500]);
    assert_eq!(sim.times_ms(|e| e.is_request("ACK")), vec![0, 500]);
    events(&mut sim, 1);
    // Timer I = T4 after the ACK at 500.
    sim.run_until(ms(5_499));
    assert_eq!(sim.node::<Endpoint>(1).transaction_count(), 1);
    sim.run_until(ms(5_500));
    assert_eq!(sim.node::<Endpoint>(1).transaction_count(), 0);
    // Timer D = 32 s after the first 486 at the client.
    sim.run_until(ms(31_999));
    assert_eq!(sim.node::<Endpoint>(0).transaction_count(), 1);
    sim.run_until(ms(32_000));
    assert_eq!(sim.node::<Endpoint>(0).transaction_count(), 0);
    assert_eq!(
        sim.times_ms(|e| e.is_response(486)),
        vec![0, 500],
        "no more after the ACK"
    );
}

#[test]
fn two_xx_is_retransmitted_until_ack_and_given_up_after_64_t1() {
    let (mut sim, tx) = setup(Transport::Udp);
    sim.drop_next(usize::MAX, |e| e.is_request("ACK"));
    sim.node::<Endpoint>(1)
        .respond(ms(0), tx, 200, Vec::new(), None)
        .unwrap();
    sim.run_until(ms(31_999));
    assert_eq!(
        sim.times_ms(|e| e.is_response(200)),
        vec![0, 500, 1_500, 3_500, 7_500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]
    );
    // The UAC core ACKs every 2xx, retransmissions included, and passes up one.
    assert_eq!(sim.sent(|e| e.is_request("ACK")).len(), 11);
    assert_eq!(responses(&events(&mut sim, 0), 200), 1);
    assert!(!events(&mut sim, 1)
        .iter()
        .any(|e| matches!(e, EndpointEvent::AckTimeout { .. })));
    sim.run_until(ms(32_000));
    assert!(
        events(&mut sim, 1)
            .iter()
            .any(|e| matches!(e, EndpointEvent::AckTimeout { .. })),
        "ACK timeout at 64·T1"
    );
}

#[test]
fn two_xx_retransmission_stops_at_the_ack() {
    let (mut sim, tx) = setup(Transport::Udp);
    sim.drop_next(2, |e| e.is_request("ACK"));
    sim.node::<Endpoint>(1)
        .respond(ms(0), tx, 200, Vec::new(), None)
        .unwrap();
    sim.run_until(ms(40_000));
    assert_eq!(sim.times_ms(|e| e.is_response(200)), vec![0, 500, 1_500]);
    let bob = events(&mut sim, 1);
    assert_eq!(
        bob.iter()
            .filter(|e| matches!(e, EndpointEvent::Ack { .. }))
            .count(),
        1
    );
    assert!(!bob
        .iter()
        .any(|e| matches!(e, EndpointEvent::AckTimeout { .. })));
}

#[test]
fn over_tcp_nothing_is_retransmitted_and_timers_d_i_are_zero() {
    let (mut sim, tx) = setup(Transport::Tcp);
    sim.drop_next(usize::MAX, |e| e.is_request("ACK"));
    sim.node::<Endpoint>(1)
        .respond(ms(0), tx, 486, Vec::new(), None)
        .unwrap();
    sim.run_until(ms(31_999));
    assert_eq!(sim.times_ms(|e| e.is_response(486)), vec![0]);
    // Timer D is zero over TCP: the client transaction is gone at once.
    assert_eq!(sim.node::<Endpoint>(0).transaction_count(), 0);
    sim.run_until(ms(32_000));
    assert_eq!(
        sim.node::<Endpoint>(1).transaction_count(),
        0,
        "Timer H still ends it"
    );
}

#[test]
fn retransmitted_invite_is_absorbed_and_answered_with_the_last_response() {
    let mut sim = Sim::new(7);
    sim.add(addr(5060), endpoint(addr(5060), 1));
    sim.add(addr(5070), endpoint(addr(5070), 2));
    // The first 100 is lost: Alice retransmits at 500, Bob resends the 100 and passes
    // nothing more up.
    sim.drop_next(1, |e| e.is_response(100));
    let to = addr(5070);
    sim.node::<Endpoint>(0)
        .send_invite(ms(0), invite_to(to, Transport::Udp))
        .unwrap();
    sim.run_until(ms(10_000));
    assert_eq!(sim.times_ms(|e| e.is_request("INVITE")), vec![0, 500]);
    assert_eq!(sim.times_ms(|e| e.is_response(100)), vec![0, 500]);
    let requests = events(&mut sim, 1)
        .iter()
        .filter(|e| matches!(e, EndpointEvent::Request { .. }))
        .count();
    assert_eq!(requests, 1, "the TU saw the INVITE once");
}
