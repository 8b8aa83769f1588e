//! Forking (RFC 3261 §12.1.2, §13.2.2.4): several early dialogs, several 2xx, each ACKed,
//! each retransmitted 2xx ACKed again; matching, 481 and 482 against a scripted peer.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod common;

use call_model::{CallModel, CallState, CallTarget, Event};
use common::{addr, endpoint, invite_to, model, ms};
use dialog_layer::{DialogState, Endpoint, EndpointEvent};
use sip_message::Transport;
use sipdrop_sim::{header_of, response_to, Scripted, Sim};

const UAC: usize = 0;
const PEER: usize = 1;

fn start(sim: &mut Sim) -> String {
    let to = addr(5070);
    sim.node::<Endpoint>(UAC)
        .send_invite(ms(0), invite_to(to, Transport::Udp))
        .unwrap();
    sim.run_until(ms(0));
    sim.node::<Scripted>(PEER).last_text()
}

fn events(sim: &mut Sim) -> Vec<EndpointEvent> {
    std::iter::from_fn(|| sim.node::<Endpoint>(UAC).poll_event()).collect()
}

#[test]
fn two_forks_make_two_early_dialogs_and_each_2xx_is_acked_to_its_own_contact() {
    let mut sim = Sim::new(3);
    sim.add(addr(5060), endpoint(addr(5060), 1));
    sim.add(addr(5070), Scripted::new());
    let invite = start(&mut sim);
    let uac = addr(5060);
    for (tag, contact) in [
        ("fork-a", "sip:a@127.0.0.1:5071"),
        ("fork-b", "sip:b@127.0.0.1:5072"),
    ] {
        let ringing = response_to(&invite, 180, "Ringing", Some(tag), contact, "");
        sim.node::<Scripted>(PEER).send(uac, &ringing);
    }
    sim.run_until(ms(10));
    assert_eq!(sim.node::<Endpoint>(UAC).dialog_count(), 2);
    let early: Vec<_> = events(&mut sim)
        .into_iter()
        .filter_map(|e| match e {
            EndpointEvent::Response { response, .. } if response.code == 180 => response.dialog,
            _ => None,
        })
        .collect();
    assert_eq!(early.len(), 2);
    assert_ne!(early[0], early[1]);
    for id in &early {
        assert_eq!(
            sim.node::<Endpoint>(UAC).dialog(id).unwrap().state,
            DialogState::Early
        );
    }
    for (tag, contact) in [
        ("fork-a", "sip:a@127.0.0.1:5071"),
        ("fork-b", "sip:b@127.0.0.1:5072"),
    ] {
        let ok = response_to(&invite, 200, "OK", Some(tag), contact, "");
        sim.node::<Scripted>(PEER).send(uac, &ok);
    }
    sim.run_until(ms(20));
    let acks = sim.sent(|e| e.is_request("ACK"));
    assert_eq!(acks.len(), 2, "one ACK per answering fork");
    assert_eq!(acks[0].first_line(), "ACK sip:a@127.0.0.1:5071 SIP/2.0");
    assert_eq!(acks[1].first_line(), "ACK sip:b@127.0.0.1:5072 SIP/2.0");
    assert_eq!(
        acks[0].to,
        addr(5071),
        "ACK for a 2xx goes to the remote target"
    );
    assert!(
        header_of(std::str::from_utf8(&acks[0].bytes).unwrap(), "To")
            .unwrap()
            .contains("tag=fork-a")
    );
    let answered = events(&mut sim)
        .into_iter()
        .filter(|e| matches!(e, EndpointEvent::Response { response, .. } if response.code == 200))
        .count();
    assert_eq!(answered, 2);
    // A retransmitted 2xx of fork a is ACKed again and not passed up again.
    let ok = response_to(
        &invite,
        200,
        "OK",
        Some("fork-a"),
        "sip:a@127.0.0.1:5071",
        "",
    );
    sim.node::<Scripted>(PEER).send(uac, &ok);
    sim.run_until(ms(30));
    assert_eq!(sim.sent(|e| e.is_request("ACK")).len(), 3);
    assert!(events(&mut sim).is_empty());
}

#[test]
fn the_call_model_keeps_the_first_answer_and_byes_a_second_fork() {
    let mut sim = Sim::new(3);
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
    for tag in ["fork-a", "fork-b"] {
        let ok = response_to(&invite, 200, "OK", Some(tag), "sip:x@127.0.0.1:5070", "");
        sim.node::<Scripted>(PEER).send(uac, &ok);
    }
    sim.run_until(ms(10));
    let byes = sim.sent(|e| e.is_request("BYE"));
    assert_eq!(byes.len(), 1);
    assert!(byes[0].header("To").unwrap().contains("tag=fork-b"));
    let m = sim.node::<CallModel>(UAC);
    assert_eq!(m.call_info(call).unwrap().state, CallState::Connected);
    assert_eq!(
        m.call_info(call).unwrap().remote_tag.as_deref(),
        Some("fork-a")
    );
    let connected = std::iter::from_fn(|| m.poll_event())
        .filter(|e| {
            matches!(
                e,
                Event::CallState {
                    state: CallState::Connected,
                    ..
                }
            )
        })
        .count();
    assert_eq!(connected, 1);
}

fn request(method: &str, branch: &str, to_tag: Option<&str>, cseq: u32) -> String {
    let to = match to_tag {
        Some(t) => format!("<sip:bob@127.0.0.1:5060>;tag={t}"),
        None => "<sip:bob@127.0.0.1:5060>".to_owned(),
    };
    format!(
        "{method} sip:bob@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch={branch}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:peer@127.0.0.1:5070>;tag=p1\r\nTo: {to}\r\n\
         Call-ID: fixed-call-id\r\nCSeq: {cseq} {method}\r\nContact: <sip:peer@127.0.0.1:5070>\r\n\
         Content-Length: 0\r\n\r\n"
    )
}

#[test]
fn requests_in_unknown_dialogs_get_481_and_merged_requests_get_482() {
    let mut sim = Sim::new(3);
    sim.add(addr(5060), endpoint(addr(5060), 1));
    sim.add(addr(5070), Scripted::new());
    let uas = addr(5060);
    sim.node::<Scripted>(PEER)
        .send(uas, &request("BYE", "z9hG4bKbye1", Some("nope"), 2));
    sim.run_until(ms(1));
    assert!(sim
        .node::<Scripted>(PEER)
        .last_text()
        .starts_with("SIP/2.0 481 "));
    // The same INVITE arriving by two paths (two branches): the second gets 482 (§8.2.2.2).
    sim.node::<Scripted>(PEER)
        .send(uas, &request("INVITE", "z9hG4bKpath1", None, 1));
    sim.run_until(ms(2));
    sim.node::<Scripted>(PEER)
        .send(uas, &request("INVITE", "z9hG4bKpath2", None, 1));
    sim.run_until(ms(3));
    let last = sim.node::<Scripted>(PEER).last_text();
    assert!(last.starts_with("SIP/2.0 482 "), "{last}");
    assert!(last.contains("branch=z9hG4bKpath2"));
    let requests = events(&mut sim)
        .into_iter()
        .filter(|e| matches!(e, EndpointEvent::Request { .. }))
        .count();
    assert_eq!(requests, 1, "only the first INVITE reaches the TU");
}

#[test]
fn unknown_methods_get_501_and_unsupported_ones_405_with_allow() {
    let mut sim = Sim::new(3);
    sim.add(addr(5060), endpoint(addr(5060), 1));
    sim.add(addr(5070), Scripted::new());
    let uas = addr(5060);
    sim.node::<Scripted>(PEER)
        .send(uas, &request("FOOBAR", "z9hG4bKx1", None, 1));
    sim.run_until(ms(1));
    assert!(sim
        .node::<Scripted>(PEER)
        .last_text()
        .starts_with("SIP/2.0 501 Not Implemented"));
    sim.node::<Scripted>(PEER)
        .send(uas, &request("REGISTER", "z9hG4bKx2", None, 1));
    sim.run_until(ms(2));
    let last = sim.node::<Scripted>(PEER).last_text();
    assert!(last.starts_with("SIP/2.0 405 Method Not Allowed"), "{last}");
    assert!(header_of(&last, "Allow").unwrap().contains("INVITE"));
    // A retransmission of the FOOBAR is answered again from the transaction, not re-processed.
    sim.node::<Scripted>(PEER)
        .send(uas, &request("FOOBAR", "z9hG4bKx1", None, 1));
    sim.run_until(ms(3));
    assert!(sim
        .node::<Scripted>(PEER)
        .last_text()
        .starts_with("SIP/2.0 501 "));
    assert!(events(&mut sim)
        .iter()
        .all(|e| !matches!(e, EndpointEvent::Request { .. })));
}

#[test]
fn cancel_of_an_unknown_transaction_gets_481() {
    let mut sim = Sim::new(3);
    sim.add(addr(5060), endpoint(addr(5060), 1));
    sim.add(addr(5070), Scripted::new());
    sim.node::<Scripted>(PEER)
        .send(addr(5060), &request("CANCEL", "z9hG4bKnone", None, 1));
    sim.run_until(ms(1));
    assert!(sim
        .node::<Scripted>(PEER)
        .last_text()
        .starts_with("SIP/2.0 481 "));
}

#[test]
fn malformed_requests_are_answered_400_and_disturb_nothing() {
    let mut sim = Sim::new(3);
    sim.add(addr(5060), endpoint(addr(5060), 1));
    sim.add(addr(5070), Scripted::new());
    let bad = "INVITE sip:bob@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKbad\r\n\
               From: <sip:p@h>;tag=1\r\nTo: <sip:bob@h>\r\nCall-ID: x\r\nCSeq: 99999999999 INVITE\r\n\
               Content-Length: 0\r\n\r\n";
    sim.node::<Scripted>(PEER).send(addr(5060), bad);
    sim.node::<Scripted>(PEER)
        .send(addr(5060), "\u{0}\u{1}garbage\r\n\r\n");
    sim.run_until(ms(1));
    let received = sim.node::<Scripted>(PEER).received().len();
    assert_eq!(received, 1, "one answer (400); garbage is discarded");
    assert!(sim
        .node::<Scripted>(PEER)
        .last_text()
        .starts_with("SIP/2.0 400 Bad Request"));
    assert!(events(&mut sim).is_empty());
}

#[test]
fn responses_go_to_the_source_address_never_to_a_host_a_via_merely_names() {
    let mut sim = Sim::new(3);
    sim.add(addr(5060), endpoint(addr(5060), 1));
    sim.add(addr(5070), Scripted::new());
    // The Via names a foreign host; the packet comes from 127.0.0.1:5070 (RFC 3261 §18.2.2:
    // received = the source IP, at the sent-by port).
    let options = request("OPTIONS", "z9hG4bKfar", None, 1).replace(
        "Via: SIP/2.0/UDP 127.0.0.1:5070",
        "Via: SIP/2.0/UDP 192.0.2.1:5070",
    );
    sim.node::<Scripted>(PEER).send(addr(5060), &options);
    sim.run_until(ms(1));
    let answers = sim.sent(|e| e.from == addr(5060));
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].to, addr(5070));
    assert!(answers[0]
        .header("Via")
        .unwrap()
        .contains("received=127.0.0.1"));
    assert!(answers[0].is_response(200));
}
