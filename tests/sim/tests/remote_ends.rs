//! Remote ends mapped to disconnect modes (drop-semantics §4) through the whole stack: a
//! scripted peer answers our INVITE with each status, with and without a Q.850 Reason.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod common;

use std::time::Duration;

use call_model::{CallModel, CallState, CallTarget, DisconnectMode, Event, Mode};
use common::{addr, model, ms};
use sipdrop_sim::{response_to, Scripted, Sim};

const UAC: usize = 0;
const PEER: usize = 1;

/// Places a call to the scripted peer, plays `provisional` (if any) then `code` with `extra`
/// header lines; returns the disconnect mode the call ended in.
fn ends_with(provisional: Option<u16>, code: u16, extra: &str) -> Option<DisconnectMode> {
    let mut sim = Sim::new(5);
    sim.add(addr(5060), model(addr(5060), 1));
    sim.add(addr(5070), Scripted::new());
    let target = CallTarget {
        uri: "sip:bob@127.0.0.1:5070".into(),
        destination: None,
        transport: None,
    };
    let call = sim.node::<CallModel>(UAC).make_call(ms(0), target).unwrap();
    sim.run_until(ms(0));
    let invite = sim.node::<Scripted>(PEER).last_text();
    let uac = addr(5060);
    if let Some(p) = provisional {
        let text = response_to(
            &invite,
            p,
            "Ringing",
            Some("t1"),
            "sip:b@127.0.0.1:5070",
            "",
        );
        sim.node::<Scripted>(PEER).send(uac, &text);
    }
    let text = response_to(
        &invite,
        code,
        "Whatever",
        Some("t1"),
        "sip:b@127.0.0.1:5070",
        extra,
    );
    sim.node::<Scripted>(PEER).send(uac, &text);
    sim.run_until(ms(10));
    // Every non-2xx final is ACKed by the transaction layer.
    assert_eq!(sim.sent(|e| e.is_request("ACK")).len(), 1, "ACK for {code}");
    let m = sim.node::<CallModel>(UAC);
    let record = m.call_info(call).unwrap().clone();
    let events: Vec<Event> = std::iter::from_fn(|| m.poll_event()).collect();
    let last = events.iter().rev().find_map(|e| match e {
        Event::CallState { state, mode, .. } => Some((*state, *mode)),
        _ => None,
    });
    assert_eq!(record.sip_status, Some(code));
    match last {
        Some((CallState::Disconnected, Some(Mode::Disconnected(mode)))) => {
            assert_eq!(record.disconnect_mode, Some(mode));
            Some(mode)
        }
        _ => None,
    }
}

#[test]
fn status_codes_map_to_modes() {
    use DisconnectMode::*;
    let rows: &[(Option<u16>, u16, DisconnectMode)] = &[
        (None, 486, Busy),
        (None, 600, Busy),
        (None, 403, Reject),
        (None, 603, Reject),
        (None, 607, Reject),
        (None, 608, Blocked),
        (None, 404, BadAddress),
        (None, 484, BadAddress),
        (None, 410, NumberChanged),
        (Some(180), 480, NoAnswer),
        (Some(180), 408, NoAnswer),
        (None, 480, Unreachable),
        (None, 408, Unreachable),
        (None, 488, Incompatible),
        (None, 580, QosUnavail),
        (None, 502, OutOfOrder),
        (None, 503, TempFailure),
        (None, 500, TempFailure),
        (None, 302, Forwarded),
        (None, 487, Cancelled),
        (None, 499, Unknown),
    ];
    for &(provisional, code, mode) in rows {
        assert_eq!(
            ends_with(provisional, code, ""),
            Some(mode),
            "status {code}"
        );
    }
}

#[test]
fn a_q850_reason_beats_the_status() {
    use DisconnectMode::*;
    assert_eq!(
        ends_with(None, 503, "Reason: Q.850;cause=34\r\n"),
        Some(Congestion)
    );
    assert_eq!(
        ends_with(None, 486, "Reason: Q.850 ; CAUSE=21\r\n"),
        Some(Reject)
    );
    assert_eq!(
        ends_with(None, 500, "Reason: SIP;cause=500, Q.850;cause=17\r\n"),
        Some(Busy)
    );
}

#[test]
fn timer_b_ends_an_unanswered_call_as_unreachable() {
    let mut sim = Sim::new(5);
    sim.add(addr(5060), model(addr(5060), 1));
    let target = CallTarget {
        uri: "sip:bob@127.0.0.1:5099".into(),
        destination: None,
        transport: None,
    };
    let call = sim.node::<CallModel>(UAC).make_call(ms(0), target).unwrap();
    sim.run_for(Duration::from_secs(40));
    let m = sim.node::<CallModel>(UAC);
    assert_eq!(m.call_info(call).unwrap().state, CallState::Disconnected);
    assert_eq!(
        m.call_info(call).unwrap().disconnect_mode,
        Some(DisconnectMode::Unreachable)
    );
    let disconnected_at = std::iter::from_fn(|| m.poll_event()).find_map(|e| match e {
        Event::CallState {
            state: CallState::Disconnected,
            at,
            ..
        } => Some(at),
        _ => None,
    });
    assert_eq!(disconnected_at, Some(ms(32_000)));
}

#[test]
fn remote_bye_with_reason_and_uui_is_decoded_and_announced_first() {
    let mut sim = Sim::new(5);
    sim.add(addr(5060), model(addr(5060), 1));
    sim.add(addr(5070), model(addr(5070), 2));
    let target = CallTarget {
        uri: "sip:bob@127.0.0.1:5070".into(),
        destination: None,
        transport: None,
    };
    let a = sim.node::<CallModel>(0).make_call(ms(0), target).unwrap();
    sim.run_until(ms(0));
    let b = std::iter::from_fn(|| sim.node::<CallModel>(1).poll_event())
        .find_map(|e| match e {
            Event::CallState {
                call,
                state: CallState::Offering,
                ..
            } => Some(call),
            _ => None,
        })
        .unwrap();
    sim.node::<CallModel>(1).answer(ms(0), b).unwrap();
    sim.run_until(ms(100));
    let params = call_model::DropParams {
        uui: Some(vec![0x04, 0x11]),
        cause: Some(31),
        ..Default::default()
    };
    sim.node::<CallModel>(1)
        .drop_call(ms(100), b, params)
        .unwrap();
    sim.run_until(ms(200));
    let m = sim.node::<CallModel>(0);
    let events: Vec<Event> = std::iter::from_fn(|| m.poll_event()).collect();
    let info = events
        .iter()
        .position(|e| matches!(e, Event::CallInfo { .. }))
        .unwrap();
    let disc = events
        .iter()
        .position(|e| {
            matches!(
                e,
                Event::CallState {
                    state: CallState::Disconnected,
                    ..
                }
            )
        })
        .unwrap();
    assert!(info < disc, "UUI announced before the disconnected state");
    let record = m.call_info(a).unwrap();
    assert_eq!(record.uui_received, Some(vec![0x04, 0x11]));
    assert_eq!(record.disconnect_mode, Some(DisconnectMode::Normal));
    assert_eq!(
        record.reason_received,
        vec!["Q.850;cause=31;text=\"Normal, unspecified\"".to_owned()]
    );
}

#[test]
fn a_bye_on_the_early_dialog_of_an_offered_call_gets_200_and_the_invite_487() {
    let mut sim = Sim::new(5);
    sim.add(addr(5060), model(addr(5060), 1));
    sim.add(addr(5070), Scripted::new());
    let invite = "INVITE sip:bob@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKearly\r\n\
                  Max-Forwards: 70\r\nFrom: <sip:p@127.0.0.1:5070>;tag=pe\r\nTo: <sip:bob@127.0.0.1:5060>\r\n\
                  Call-ID: early-bye\r\nCSeq: 1 INVITE\r\nContact: <sip:p@127.0.0.1:5070>\r\nContent-Length: 0\r\n\r\n";
    sim.node::<Scripted>(PEER).send(addr(5060), invite);
    sim.run_until(ms(0));
    let m = sim.node::<CallModel>(UAC);
    let call = std::iter::from_fn(|| m.poll_event())
        .find_map(|e| match e {
            Event::CallState {
                call,
                state: CallState::Offering,
                ..
            } => Some(call),
            _ => None,
        })
        .unwrap();
    m.accept(ms(0), call).unwrap();
    sim.run_until(ms(1));
    let ringing = sim.node::<Scripted>(PEER).last_text();
    assert!(ringing.starts_with("SIP/2.0 180 "));
    let to = sipdrop_sim::header_of(&ringing, "To").unwrap().to_owned();
    let bye = format!(
        "BYE sip:bob@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKebye\r\n\
         Max-Forwards: 70\r\nFrom: <sip:p@127.0.0.1:5070>;tag=pe\r\nTo: {to}\r\nCall-ID: early-bye\r\n\
         CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n"
    );
    sim.node::<Scripted>(PEER).send(addr(5060), &bye);
    sim.run_until(ms(2));
    let answers: Vec<String> = sim
        .node::<Scripted>(PEER)
        .received()
        .iter()
        .map(|(_, _, b)| {
            String::from_utf8_lossy(b)
                .lines()
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    assert!(
        answers.iter().any(|l| l.starts_with("SIP/2.0 200 ")),
        "{answers:?}"
    );
    assert!(
        answers.iter().any(|l| l.starts_with("SIP/2.0 487 ")),
        "{answers:?}"
    );
    let record = sim.node::<CallModel>(UAC).call_info(call).unwrap();
    assert_eq!(record.state, CallState::Disconnected);
    assert_eq!(record.sip_status, Some(487));
}
