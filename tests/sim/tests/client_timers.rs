//! Client transaction timers A, B, E, F on a simulated clock, with exact timestamps.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod common;

use common::{addr, endpoint, invite_to, ms};
use dialog_layer::{Endpoint, EndpointEvent};
use sip_message::Transport;
use sipdrop_sim::Sim;

fn timeouts(sim: &mut Sim, node: usize) -> Vec<u64> {
    let now = sim.now().as_millis();
    let mut out = Vec::new();
    while let Some(event) = sim.node::<Endpoint>(node).poll_event() {
        if let EndpointEvent::Timeout { .. } = event {
            out.push(now);
        }
    }
    out
}

#[test]
fn invite_over_udp_with_every_response_lost_retransmits_on_timer_a_and_gives_up_on_timer_b() {
    let mut sim = Sim::new(1);
    let a = sim.add(addr(5060), endpoint(addr(5060), 1));
    // Nobody listens at 5070: every INVITE is lost.
    sim.node::<Endpoint>(a)
        .send_invite(ms(0), invite_to(addr(5070), Transport::Udp))
        .unwrap();
    sim.run_until(ms(31_999));
    assert!(
        timeouts(&mut sim, a).is_empty(),
        "no timeout before Timer B"
    );
    assert_eq!(
        sim.times_ms(|e| e.is_request("INVITE")),
        vec![0, 500, 1_500, 3_500, 7_500, 15_500, 31_500]
    );
    sim.run_until(ms(32_000));
    assert_eq!(timeouts(&mut sim, a), vec![32_000], "Timer B = 64·T1");
    assert_eq!(sim.node::<Endpoint>(a).transaction_count(), 0);
    sim.run_until(ms(100_000));
    assert_eq!(
        sim.sent(|e| e.is_request("INVITE")).len(),
        7,
        "nothing after Timer B"
    );
}

#[test]
fn invite_over_tcp_is_never_retransmitted() {
    let mut sim = Sim::new(1);
    let a = sim.add(addr(5060), endpoint(addr(5060), 1));
    sim.node::<Endpoint>(a)
        .send_invite(ms(0), invite_to(addr(5070), Transport::Tcp))
        .unwrap();
    sim.run_until(ms(32_000));
    assert_eq!(sim.times_ms(|e| e.is_request("INVITE")), vec![0]);
    assert_eq!(timeouts(&mut sim, a), vec![32_000]);
}

#[test]
fn non_invite_retransmission_caps_at_t2_and_gives_up_on_timer_f() {
    let mut sim = Sim::new(1);
    let a = sim.add(addr(5060), endpoint(addr(5060), 1));
    let to = addr(5070);
    sim.node::<Endpoint>(a)
        .send_request(
            ms(0),
            "OPTIONS",
            &format!("sip:bob@{to}"),
            to,
            Transport::Udp,
            Vec::new(),
        )
        .unwrap();
    sim.run_until(ms(31_999));
    assert_eq!(
        sim.times_ms(|e| e.is_request("OPTIONS")),
        vec![0, 500, 1_500, 3_500, 7_500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]
    );
    assert!(timeouts(&mut sim, a).is_empty());
    sim.run_until(ms(32_000));
    assert_eq!(timeouts(&mut sim, a), vec![32_000], "Timer F = 64·T1");
}

#[test]
fn non_invite_over_tcp_is_sent_once_and_times_out_on_timer_f() {
    let mut sim = Sim::new(1);
    let a = sim.add(addr(5060), endpoint(addr(5060), 1));
    let to = addr(5070);
    sim.node::<Endpoint>(a)
        .send_request(
            ms(0),
            "OPTIONS",
            &format!("sip:bob@{to}"),
            to,
            Transport::Tcp,
            Vec::new(),
        )
        .unwrap();
    sim.run_until(ms(40_000));
    assert_eq!(sim.times_ms(|e| e.is_request("OPTIONS")), vec![0]);
}
