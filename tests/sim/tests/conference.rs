//! Local conferences (drop-semantics §5) and bridged appearances (§6).
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod common;

use call_model::{
    CallError, CallHandle, CallModel, CallState, CallTarget, ConnectedMode, DropParams, Event, Mode,
};
use common::{addr, model, ms};
use sipdrop_sim::Sim;

const HOST: usize = 0;

/// The host (node 0) calls `n` peers (nodes 1..=n) which answer; returns the host's calls.
fn host_with(n: usize) -> (Sim, Vec<CallHandle>) {
    let mut sim = Sim::new(21);
    sim.add(addr(5060), model(addr(5060), 1));
    for i in 1..=n {
        let port = 5060 + 10 * i as u16;
        sim.add(addr(port), model(addr(port), 1 + i as u64));
    }
    let mut calls = Vec::new();
    for i in 1..=n {
        let port = 5060 + 10 * i as u16;
        let target = CallTarget {
            uri: format!("sip:p{i}@127.0.0.1:{port}"),
            destination: None,
            transport: None,
        };
        calls.push(
            sim.node::<CallModel>(HOST)
                .make_call(ms(0), target)
                .unwrap(),
        );
    }
    sim.run_until(ms(0));
    for i in 1..=n {
        let offered: Vec<CallHandle> = std::iter::from_fn(|| sim.node::<CallModel>(i).poll_event())
            .filter_map(|e| match e {
                Event::CallState {
                    call,
                    state: CallState::Offering,
                    ..
                } => Some(call),
                _ => None,
            })
            .collect();
        for c in offered {
            sim.node::<CallModel>(i).answer(ms(0), c).unwrap();
        }
    }
    sim.run_until(ms(10));
    events(&mut sim, HOST);
    (sim, calls)
}

fn events(sim: &mut Sim, node: usize) -> Vec<Event> {
    std::iter::from_fn(|| sim.node::<CallModel>(node).poll_event()).collect()
}

fn states(events: &[Event]) -> Vec<(CallHandle, CallState, Option<Mode>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::CallState {
                call, state, mode, ..
            } => Some((*call, *state, *mode)),
            _ => None,
        })
        .collect()
}

const ACTIVE: Option<Mode> = Some(Mode::Connected(ConnectedMode::Active));
const INACTIVE: Option<Mode> = Some(Mode::Connected(ConnectedMode::Inactive));

#[test]
fn dropping_the_conference_cascades_a_bye_to_every_participant_in_one_pass() {
    let (mut sim, calls) = host_with(3);
    let m = sim.node::<CallModel>(HOST);
    let conf = m.setup_conference(ms(10), calls[0]).unwrap();
    m.add_to_conference(ms(10), conf, calls[1]).unwrap();
    m.add_to_conference(ms(10), conf, calls[2]).unwrap();
    assert_eq!(
        states(&events(&mut sim, HOST)),
        vec![
            (conf, CallState::Connected, ACTIVE),
            (calls[0], CallState::Conferenced, None),
            (calls[1], CallState::Conferenced, None),
            (calls[2], CallState::Conferenced, None),
        ]
    );
    let params = DropParams {
        uui: Some(vec![0x04, 0x99]),
        ..DropParams::default()
    };
    let request = sim
        .node::<CallModel>(HOST)
        .drop_call(ms(10), conf, params)
        .unwrap();
    let ev = events(&mut sim, HOST);
    assert_eq!(
        states(&ev),
        vec![
            (calls[0], CallState::Idle, None),
            (calls[1], CallState::Idle, None),
            (calls[2], CallState::Idle, None),
            (conf, CallState::Idle, None),
        ]
    );
    assert!(ev.contains(&Event::Reply {
        request,
        result: Ok(())
    }));
    sim.run_until(ms(1_000));
    let byes = sim.sent(|e| e.is_request("BYE"));
    assert_eq!(byes.len(), 3);
    assert!(byes.iter().all(|b| b.at == ms(10)), "all BYEs in one pass");
    assert!(byes
        .iter()
        .all(|b| b.header("User-to-User") == Some("0499;encoding=hex;purpose=isdn-uui")));
    let mut to: Vec<u16> = byes.iter().map(|b| b.to.port()).collect();
    to.sort();
    assert_eq!(to, vec![5070, 5080, 5090]);
    for peer in 1..=3 {
        let st = states(&events(&mut sim, peer));
        assert!(matches!(st.last(), Some((_, CallState::Disconnected, _))));
    }
}

#[test]
fn a_participant_whose_bye_is_lost_still_ends_idle() {
    let (mut sim, calls) = host_with(2);
    let m = sim.node::<CallModel>(HOST);
    let conf = m.setup_conference(ms(10), calls[0]).unwrap();
    m.add_to_conference(ms(10), conf, calls[1]).unwrap();
    sim.drop_next(usize::MAX, |e| e.is_request("BYE") && e.to.port() == 5070);
    sim.node::<CallModel>(HOST)
        .drop_call(ms(10), conf, DropParams::default())
        .unwrap();
    sim.run_for(std::time::Duration::from_secs(40));
    let m = sim.node::<CallModel>(HOST);
    assert!(m.is_quiescent());
    for c in [calls[0], calls[1], conf] {
        assert_eq!(m.call_info(c).unwrap().state, CallState::Idle);
    }
}

#[test]
fn dropping_one_participant_byes_only_its_dialog_and_two_left_keep_the_conference() {
    let (mut sim, calls) = host_with(3);
    let m = sim.node::<CallModel>(HOST);
    let conf = m.setup_conference(ms(10), calls[0]).unwrap();
    m.add_to_conference(ms(10), conf, calls[1]).unwrap();
    m.add_to_conference(ms(10), conf, calls[2]).unwrap();
    events(&mut sim, HOST);
    sim.node::<CallModel>(HOST)
        .drop_call(ms(10), calls[1], DropParams::default())
        .unwrap();
    assert_eq!(
        states(&events(&mut sim, HOST)),
        vec![(calls[1], CallState::Idle, None)]
    );
    sim.run_until(ms(100));
    assert_eq!(sim.sent(|e| e.is_request("BYE")).len(), 1);
    assert_eq!(
        sim.node::<CallModel>(HOST).conference_participants(conf),
        vec![calls[0], calls[2]]
    );
}

#[test]
fn one_participant_left_collapses_the_conference_to_a_two_party_call() {
    let (mut sim, calls) = host_with(2);
    let m = sim.node::<CallModel>(HOST);
    let conf = m.setup_conference(ms(10), calls[0]).unwrap();
    m.add_to_conference(ms(10), conf, calls[1]).unwrap();
    events(&mut sim, HOST);
    sim.node::<CallModel>(HOST)
        .drop_call(ms(10), calls[0], DropParams::default())
        .unwrap();
    assert_eq!(
        states(&events(&mut sim, HOST)),
        vec![
            (calls[0], CallState::Idle, None),
            (calls[1], CallState::Connected, ACTIVE),
            (conf, CallState::Idle, None),
        ]
    );
    // The survivor is an ordinary call again: its drop is a BYE.
    sim.node::<CallModel>(HOST)
        .drop_call(ms(20), calls[1], DropParams::default())
        .unwrap();
    sim.run_until(ms(100));
    assert_eq!(sim.sent(|e| e.is_request("BYE")).len(), 2);
}

#[test]
fn a_remote_bye_takes_the_participant_out_and_collapses() {
    let (mut sim, calls) = host_with(2);
    let m = sim.node::<CallModel>(HOST);
    let conf = m.setup_conference(ms(10), calls[0]).unwrap();
    m.add_to_conference(ms(10), conf, calls[1]).unwrap();
    events(&mut sim, HOST);
    // Peer 1 hangs up.
    let peer_call = sim.node::<CallModel>(1).live_calls()[0];
    sim.node::<CallModel>(1)
        .drop_call(ms(20), peer_call, DropParams::default())
        .unwrap();
    sim.run_until(ms(30));
    let st = states(&events(&mut sim, HOST));
    assert_eq!(st[0].0, calls[0]);
    assert_eq!(st[0].1, CallState::Disconnected);
    assert_eq!(st[1], (calls[1], CallState::Connected, ACTIVE));
    assert_eq!(st[2], (conf, CallState::Idle, None));
}

#[test]
fn conference_commands_check_states() {
    let (mut sim, calls) = host_with(2);
    let m = sim.node::<CallModel>(HOST);
    assert_eq!(
        m.add_to_conference(ms(10), calls[0], calls[1]),
        Err(CallError::InvalCallState)
    );
    assert_eq!(
        m.remove_from_conference(ms(10), calls[0]),
        Err(CallError::InvalCallState)
    );
    let conf = m.setup_conference(ms(10), calls[0]).unwrap();
    assert_eq!(
        m.setup_conference(ms(10), calls[0]),
        Err(CallError::InvalCallState)
    );
    m.add_to_conference(ms(10), conf, calls[1]).unwrap();
    m.remove_from_conference(ms(10), calls[1]).unwrap();
    // Removing down to one participant collapsed it.
    assert_eq!(m.call_info(conf).unwrap().state, CallState::Idle);
    assert_eq!(m.call_info(calls[0]).unwrap().state, CallState::Connected);
}

#[test]
fn bridged_drop_at_one_station_goes_inactive_with_nothing_on_the_wire() {
    let (mut sim, calls) = host_with(1);
    let m = sim.node::<CallModel>(HOST);
    let owner = calls[0];
    let s2 = m.add_station(ms(10), owner).unwrap();
    let s3 = m.add_station(ms(10), owner).unwrap();
    assert_eq!(m.stations(s2), vec![owner, s2, s3]);
    events(&mut sim, HOST);
    let before = sim.log().len();
    sim.node::<CallModel>(HOST)
        .drop_call(ms(10), owner, DropParams::default())
        .unwrap();
    sim.node::<CallModel>(HOST)
        .drop_call(ms(10), s2, DropParams::default())
        .unwrap();
    assert_eq!(
        states(&events(&mut sim, HOST)),
        vec![
            (owner, CallState::Connected, INACTIVE),
            (s2, CallState::Connected, INACTIVE)
        ]
    );
    sim.run_until(ms(100));
    assert_eq!(sim.log().len(), before, "nothing on the wire");
    // An inactive station re-joins; then both active ones drop: the last sends the BYE.
    sim.node::<CallModel>(HOST).rejoin(ms(100), s2).unwrap();
    sim.node::<CallModel>(HOST)
        .drop_call(ms(100), s3, DropParams::default())
        .unwrap();
    assert_eq!(sim.sent(|e| e.is_request("BYE")).len(), 0);
    sim.node::<CallModel>(HOST)
        .drop_call(ms(100), s2, DropParams::default())
        .unwrap();
    sim.run_until(ms(200));
    assert_eq!(sim.sent(|e| e.is_request("BYE")).len(), 1);
    let m = sim.node::<CallModel>(HOST);
    for c in [owner, s2, s3] {
        assert_eq!(
            m.call_info(c).unwrap().state,
            CallState::Idle,
            "station {c}"
        );
    }
}

#[test]
fn a_remote_bye_disconnects_every_station() {
    let (mut sim, calls) = host_with(1);
    let owner = calls[0];
    let s2 = sim
        .node::<CallModel>(HOST)
        .add_station(ms(10), owner)
        .unwrap();
    events(&mut sim, HOST);
    let peer_call = sim.node::<CallModel>(1).live_calls()[0];
    sim.node::<CallModel>(1)
        .drop_call(ms(20), peer_call, DropParams::default())
        .unwrap();
    sim.run_until(ms(30));
    let st = states(&events(&mut sim, HOST));
    assert_eq!(st.len(), 2);
    assert!(st.iter().all(|(_, s, _)| *s == CallState::Disconnected));
    assert_eq!(st[1].0, s2);
}

/// RFC 4579: a call to a remote focus is one dialog; the record says it is a focus, and
/// dropping it is one BYE to the focus (the conference goes on without us: CONFDROP false).
#[test]
fn a_remote_focus_is_recorded_and_dropping_it_is_one_bye() {
    use sipdrop_sim::{response_to, Scripted};
    let mut sim = Sim::new(4);
    sim.add(addr(5060), model(addr(5060), 1));
    sim.add(addr(5070), Scripted::new());
    let target = CallTarget {
        uri: "sip:conf42@127.0.0.1:5070".into(),
        destination: None,
        transport: None,
    };
    let call = sim.node::<CallModel>(0).make_call(ms(0), target).unwrap();
    sim.run_until(ms(0));
    let invite = sim.node::<Scripted>(1).last_text();
    let ok = response_to(
        &invite,
        200,
        "OK",
        Some("f"),
        "sip:conf42@127.0.0.1:5070",
        "",
    )
    .replace(
        "Contact: <sip:conf42@127.0.0.1:5070>",
        "Contact: <sip:conf42@127.0.0.1:5070>;isfocus",
    );
    sim.node::<Scripted>(1).send(addr(5060), &ok);
    sim.run_until(ms(10));
    let record = sim.node::<CallModel>(0).call_info(call).unwrap().clone();
    assert_eq!(record.state, CallState::Connected);
    assert!(record.remote_focus);
    sim.node::<CallModel>(0)
        .drop_call(ms(10), call, DropParams::default())
        .unwrap();
    sim.run_until(ms(20));
    let byes = sim.sent(|e| e.is_request("BYE"));
    assert_eq!(byes.len(), 1);
    assert_eq!(byes[0].to, addr(5070));
    assert!(byes[0]
        .first_line()
        .starts_with("BYE sip:conf42@127.0.0.1:5070 "));
}
