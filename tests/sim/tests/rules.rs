//! The remaining rules of RFC 3261 §8.2, §12, §17 at the endpoint: Timers J, K, L, M and the
//! CANCEL give-up with exact timestamps, transport failures, the RFC 2543 matching fallback,
//! route sets and loose routing, CSeq ordering, and the 415/416/420 checks.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod common;

use common::{addr, endpoint, invite_to, ms};
use dialog_layer::{CancelOutcome, Endpoint, EndpointEvent, InviteRequest};
use sip_message::Transport;
use sipdrop_sim::{response_to, Scripted, Sim};

const EP: usize = 0;
const PEER: usize = 1;

fn setup() -> Sim {
    let mut sim = Sim::new(4);
    sim.add(addr(5060), endpoint(addr(5060), 1));
    sim.add(addr(5070), Scripted::new());
    sim
}

fn events(sim: &mut Sim) -> Vec<EndpointEvent> {
    std::iter::from_fn(|| sim.node::<Endpoint>(EP).poll_event()).collect()
}

fn terminated_at(sim: &mut Sim, until: u64) -> Vec<u64> {
    let mut out = Vec::new();
    let mut t = sim.now().as_millis();
    while t <= until {
        sim.run_until(ms(t));
        for e in events(sim) {
            if let EndpointEvent::Terminated { .. } = e {
                out.push(t);
            }
        }
        t += 500;
    }
    out
}

fn request(method: &str, branch: &str, extra: &str) -> String {
    format!(
        "{method} sip:bob@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch={branch}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:peer@127.0.0.1:5070>;tag=p1\r\nTo: <sip:bob@127.0.0.1:5060>\r\n\
         Call-ID: rules-{branch}\r\nCSeq: 1 {method}\r\nContact: <sip:peer@127.0.0.1:5070>\r\n{extra}\
         Content-Length: 0\r\n\r\n"
    )
}

#[test]
fn timer_j_keeps_a_non_invite_server_transaction_for_64_t1_and_answers_retransmissions() {
    let mut sim = setup();
    sim.node::<Scripted>(PEER)
        .send(addr(5060), &request("OPTIONS", "z9hG4bKj", ""));
    sim.run_until(ms(0));
    events(&mut sim);
    sim.run_until(ms(20_000));
    sim.node::<Scripted>(PEER)
        .send(addr(5060), &request("OPTIONS", "z9hG4bKj", ""));
    sim.run_until(ms(20_000));
    assert_eq!(
        sim.times_ms(|e| e.is_response(200)),
        vec![0, 20_000],
        "answered again from the transaction"
    );
    assert!(events(&mut sim).is_empty(), "the TU saw the request once");
    assert_eq!(
        terminated_at(&mut sim, 40_000),
        vec![32_000],
        "Timer J = 64·T1"
    );
}

#[test]
fn timer_k_lingers_t4_after_a_final_response() {
    let mut sim = setup();
    let to = addr(5070);
    sim.node::<Endpoint>(EP)
        .send_request(
            ms(0),
            "OPTIONS",
            "sip:peer@127.0.0.1:5070",
            to,
            Transport::Udp,
            Vec::new(),
        )
        .unwrap();
    sim.run_until(ms(0));
    let req = sim.node::<Scripted>(PEER).last_text();
    sim.node::<Scripted>(PEER).send(
        addr(5060),
        &response_to(&req, 200, "OK", Some("t"), "sip:p@127.0.0.1:5070", ""),
    );
    sim.run_until(ms(100));
    assert!(events(&mut sim)
        .iter()
        .any(|e| matches!(e, EndpointEvent::Response { .. })));
    // Timer K = T4 after the 200, which arrived at 0.
    sim.run_until(ms(4_999));
    assert_eq!(sim.node::<Endpoint>(EP).transaction_count(), 1);
    sim.run_until(ms(5_000));
    assert_eq!(sim.node::<Endpoint>(EP).transaction_count(), 0);
}

#[test]
fn timer_m_absorbs_2xx_retransmissions_then_ends_and_l_ends_an_acked_server_transaction() {
    let mut sim = Sim::new(4);
    sim.add(addr(5060), endpoint(addr(5060), 1));
    sim.add(addr(5070), endpoint(addr(5070), 2));
    let to = addr(5070);
    let invite = invite_to(to, Transport::Udp);
    sim.node::<Endpoint>(0).send_invite(ms(0), invite).unwrap();
    sim.run_until(ms(0));
    let tx = std::iter::from_fn(|| sim.node::<Endpoint>(1).poll_event())
        .find_map(|e| match e {
            EndpointEvent::Request { tx, .. } => Some(tx),
            _ => None,
        })
        .unwrap();
    sim.node::<Endpoint>(1)
        .respond(ms(0), tx, 200, Vec::new(), None)
        .unwrap();
    sim.run_until(ms(31_999));
    assert_eq!(
        sim.node::<Endpoint>(0).transaction_count(),
        1,
        "client INVITE lingers in Accepted"
    );
    assert_eq!(
        sim.node::<Endpoint>(1).transaction_count(),
        1,
        "server INVITE lingers in Accepted"
    );
    sim.run_until(ms(32_000));
    assert_eq!(
        sim.node::<Endpoint>(0).transaction_count(),
        0,
        "Timer M = 64·T1"
    );
    assert_eq!(
        sim.node::<Endpoint>(1).transaction_count(),
        0,
        "Timer L = 64·T1"
    );
    let acked = std::iter::from_fn(|| sim.node::<Endpoint>(1).poll_event())
        .any(|e| matches!(e, EndpointEvent::AckTimeout { .. }));
    assert!(!acked, "the ACK came: no ACK timeout at L");
}

#[test]
fn a_cancel_without_final_response_gives_the_invite_up_64_t1_later() {
    let mut sim = setup();
    let to = addr(5070);
    let invite = invite_to(to, Transport::Udp);
    let sent = sim.node::<Endpoint>(EP).send_invite(ms(0), invite).unwrap();
    sim.run_until(ms(0));
    let inv = sim.node::<Scripted>(PEER).last_text();
    sim.node::<Scripted>(PEER).send(
        addr(5060),
        &response_to(&inv, 180, "Ringing", Some("r"), "sip:p@127.0.0.1:5070", ""),
    );
    sim.run_until(ms(1_000));
    let outcome = sim
        .node::<Endpoint>(EP)
        .cancel(ms(1_000), sent.tx, Vec::new());
    assert!(matches!(outcome, CancelOutcome::Sent(_)));
    events(&mut sim);
    // The peer answers nothing (neither the CANCEL nor the INVITE): the CANCEL times out on
    // Timer F at 33 s and the INVITE is given up 64·T1 after the CANCEL.
    sim.run_until(ms(32_999));
    assert!(!events(&mut sim)
        .iter()
        .any(|e| matches!(e, EndpointEvent::Timeout { tx } if *tx == sent.tx)));
    sim.run_until(ms(33_000));
    let ev = events(&mut sim);
    assert!(ev
        .iter()
        .any(|e| matches!(e, EndpointEvent::Timeout { tx } if *tx == sent.tx)));
    assert_eq!(sim.node::<Endpoint>(EP).transaction_count(), 0);
    let cancels = sim.times_ms(|e| e.is_request("CANCEL"));
    assert_eq!(cancels[0], 1_000);
}

#[test]
fn a_send_failure_ends_the_transaction_with_a_transport_error() {
    let mut sim = setup();
    let to = addr(5070);
    let tx = sim
        .node::<Endpoint>(EP)
        .send_request(
            ms(0),
            "OPTIONS",
            "sip:peer@127.0.0.1:5070",
            to,
            Transport::Tcp,
            Vec::new(),
        )
        .unwrap();
    sim.node::<Endpoint>(EP)
        .handle_send_failure(ms(5), Transport::Tcp, to);
    let ev = events(&mut sim);
    assert!(ev
        .iter()
        .any(|e| matches!(e, EndpointEvent::TransportError { tx: t } if *t == tx)));
    assert_eq!(sim.node::<Endpoint>(EP).transaction_count(), 0);
}

#[test]
fn rfc_2543_requests_without_the_cookie_match_their_transaction() {
    let mut sim = setup();
    let old = request("OPTIONS", "oldstyle1", "");
    sim.node::<Scripted>(PEER).send(addr(5060), &old);
    sim.run_until(ms(10));
    sim.node::<Scripted>(PEER).send(addr(5060), &old);
    sim.run_until(ms(20));
    assert_eq!(sim.times_ms(|e| e.is_response(200)), vec![0, 10]);
    let requests = events(&mut sim)
        .iter()
        .filter(|e| matches!(e, EndpointEvent::Request { .. }))
        .count();
    assert_eq!(
        requests, 0,
        "OPTIONS is answered by the endpoint itself, once"
    );
    // A branch without the cookie and the same Call-ID, CSeq, From tag, Via but another method
    // is another transaction.
    sim.node::<Scripted>(PEER)
        .send(addr(5060), &old.replace("OPTIONS", "INFO"));
    sim.run_until(ms(20));
    assert!(sim
        .node::<Scripted>(PEER)
        .last_text()
        .starts_with("SIP/2.0 481 "));
}

#[test]
fn unsupported_scheme_extension_body_and_accept_get_416_420_415_406() {
    let mut sim = setup();
    let tel = request("INVITE", "z9hG4bKtel", "")
        .replace("INVITE sip:bob@127.0.0.1:5060", "INVITE tel:+15551234");
    sim.node::<Scripted>(PEER).send(addr(5060), &tel);
    sim.run_until(ms(1));
    assert!(sim
        .node::<Scripted>(PEER)
        .last_text()
        .starts_with("SIP/2.0 416 "));
    sim.node::<Scripted>(PEER).send(
        addr(5060),
        &request("INVITE", "z9hG4bKreq", "Require: 100rel-x\r\n"),
    );
    sim.run_until(ms(2));
    let last = sim.node::<Scripted>(PEER).last_text();
    assert!(last.starts_with("SIP/2.0 420 "), "{last}");
    assert!(last.contains("Unsupported: 100rel-x"));
    let body = request("INVITE", "z9hG4bKbody", "Content-Type: text/plain\r\n").replace(
        "Content-Length: 0\r\n\r\n",
        "Content-Length: 5\r\n\r\nhello",
    );
    sim.node::<Scripted>(PEER).send(addr(5060), &body);
    sim.run_until(ms(3));
    let last = sim.node::<Scripted>(PEER).last_text();
    assert!(last.starts_with("SIP/2.0 415 "), "{last}");
    assert!(last.contains("Accept: application/sdp"));
    let picky = request("INVITE", "z9hG4bKacc", "Accept: text/nobodyKnowsThis\r\n");
    sim.node::<Scripted>(PEER).send(addr(5060), &picky);
    sim.run_until(ms(4));
    let last = sim.node::<Scripted>(PEER).last_text();
    assert!(last.starts_with("SIP/2.0 406 Not Acceptable"), "{last}");
    let fine = request(
        "INVITE",
        "z9hG4bKacc2",
        "Accept: application/sdp;level=1, text/plain\r\n",
    );
    sim.node::<Scripted>(PEER).send(addr(5060), &fine);
    sim.run_until(ms(5));
    assert!(sim
        .node::<Scripted>(PEER)
        .last_text()
        .starts_with("SIP/2.0 100 "));
    let offered = events(&mut sim)
        .iter()
        .filter(|e| matches!(e, EndpointEvent::Request { .. }))
        .count();
    assert_eq!(
        offered, 1,
        "only the INVITE that accepts SDP reaches the TU"
    );
}

#[test]
fn record_route_builds_the_route_set_and_requests_are_loose_routed() {
    let mut sim = setup();
    let to = addr(5070);
    let invite = InviteRequest {
        uri: "sip:bob@127.0.0.1:5099".into(),
        destination: to,
        transport: Transport::Udp,
        from_user: "a".into(),
        headers: Vec::new(),
        body: None,
    };
    sim.node::<Endpoint>(EP).send_invite(ms(0), invite).unwrap();
    sim.run_until(ms(0));
    let inv = sim.node::<Scripted>(PEER).last_text();
    let rr = "Record-Route: <sip:p2@127.0.0.1:5071;lr>, <sip:p1@127.0.0.1:5070;lr>\r\n";
    sim.node::<Scripted>(PEER).send(
        addr(5060),
        &response_to(&inv, 200, "OK", Some("b1"), "sip:bob@127.0.0.1:5099", rr),
    );
    sim.run_until(ms(10));
    let dialog = events(&mut sim)
        .into_iter()
        .find_map(|e| match e {
            EndpointEvent::Response { response, .. } if response.code == 200 => response.dialog,
            _ => None,
        })
        .unwrap();
    let d = sim.node::<Endpoint>(EP).dialog(&dialog).unwrap().clone();
    // UAC route set: Record-Route reversed (§12.1.2).
    assert_eq!(
        d.route_set,
        vec![
            "<sip:p1@127.0.0.1:5070;lr>".to_owned(),
            "<sip:p2@127.0.0.1:5071;lr>".to_owned()
        ]
    );
    assert_eq!(d.remote_target, "sip:bob@127.0.0.1:5099");
    // The ACK and the BYE go to the first route with the remote target as Request-URI.
    sim.node::<Endpoint>(EP)
        .send_in_dialog(ms(20), &dialog, "BYE", Vec::new(), None)
        .unwrap();
    sim.run_until(ms(20));
    for method in ["ACK", "BYE"] {
        let m = sim.sent(|e| e.is_request(method));
        assert_eq!(m.len(), 1);
        assert_eq!(
            m[0].first_line(),
            format!("{method} sip:bob@127.0.0.1:5099 SIP/2.0")
        );
        assert_eq!(m[0].to, addr(5070), "{method} goes to the first route");
        let text = std::str::from_utf8(&m[0].bytes).unwrap();
        let routes: Vec<&str> = text.lines().filter(|l| l.starts_with("Route:")).collect();
        assert_eq!(
            routes,
            vec![
                "Route: <sip:p1@127.0.0.1:5070;lr>",
                "Route: <sip:p2@127.0.0.1:5071;lr>"
            ]
        );
    }
    // CSeq: the BYE is the INVITE's + 1 (local CSeq space, §12.2.1.1).
    assert_eq!(
        sim.sent(|e| e.is_request("BYE"))[0].header("CSeq"),
        Some("2 BYE")
    );
}

#[test]
fn in_dialog_requests_with_a_lower_cseq_get_500() {
    let mut sim = Sim::new(4);
    sim.add(addr(5060), endpoint(addr(5060), 1));
    sim.add(addr(5070), Scripted::new());
    let invite = request("INVITE", "z9hG4bKinv", "").replace("CSeq: 1 INVITE", "CSeq: 10 INVITE");
    sim.node::<Scripted>(PEER).send(addr(5060), &invite);
    sim.run_until(ms(0));
    let tx = events(&mut sim)
        .into_iter()
        .find_map(|e| match e {
            EndpointEvent::Request { tx, .. } => Some(tx),
            _ => None,
        })
        .unwrap();
    sim.node::<Endpoint>(EP)
        .respond(ms(0), tx, 200, Vec::new(), None)
        .unwrap();
    sim.run_until(ms(1));
    let ok = sim.node::<Scripted>(PEER).last_text();
    let to = ok
        .lines()
        .find(|l| l.starts_with("To:"))
        .unwrap()
        .trim_start_matches("To:")
        .trim()
        .to_owned();
    let info = |cseq: u32, branch: &str| {
        format!(
            "INFO sip:bob@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch={branch}\r\n\
             Max-Forwards: 70\r\nFrom: <sip:peer@127.0.0.1:5070>;tag=p1\r\nTo: {to}\r\n\
             Call-ID: rules-z9hG4bKinv\r\nCSeq: {cseq} INFO\r\nContent-Length: 0\r\n\r\n"
        )
    };
    sim.node::<Scripted>(PEER)
        .send(addr(5060), &info(11, "z9hG4bKi1"));
    sim.run_until(ms(2));
    assert!(events(&mut sim)
        .iter()
        .any(|e| matches!(e, EndpointEvent::Request { request, .. } if request.method == "INFO")));
    sim.node::<Scripted>(PEER)
        .send(addr(5060), &info(5, "z9hG4bKi2"));
    sim.run_until(ms(3));
    assert!(sim
        .node::<Scripted>(PEER)
        .last_text()
        .starts_with("SIP/2.0 500 "));
}

#[test]
fn a_re_invite_refreshes_the_remote_target() {
    let mut sim = Sim::new(4);
    sim.add(addr(5060), endpoint(addr(5060), 1));
    sim.add(addr(5070), Scripted::new());
    sim.node::<Scripted>(PEER)
        .send(addr(5060), &request("INVITE", "z9hG4bKri", ""));
    sim.run_until(ms(0));
    let tx = events(&mut sim)
        .into_iter()
        .find_map(|e| match e {
            EndpointEvent::Request { tx, .. } => Some(tx),
            _ => None,
        })
        .unwrap();
    let dialog = sim
        .node::<Endpoint>(EP)
        .respond(ms(0), tx, 200, Vec::new(), None)
        .unwrap()
        .unwrap();
    sim.run_until(ms(1));
    assert_eq!(
        sim.node::<Endpoint>(EP)
            .dialog(&dialog)
            .unwrap()
            .remote_target,
        "sip:peer@127.0.0.1:5070"
    );
    let reinvite = format!(
        "INVITE sip:bob@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKri2\r\n\
         Max-Forwards: 70\r\nFrom: <sip:peer@127.0.0.1:5070>;tag=p1\r\nTo: <sip:bob@127.0.0.1:5060>;tag={}\r\n\
         Call-ID: rules-z9hG4bKri\r\nCSeq: 2 INVITE\r\nContact: <sip:moved@127.0.0.1:5071>\r\nContent-Length: 0\r\n\r\n",
        dialog.local_tag
    );
    sim.node::<Scripted>(PEER).send(addr(5060), &reinvite);
    sim.run_until(ms(2));
    assert_eq!(
        sim.node::<Endpoint>(EP)
            .dialog(&dialog)
            .unwrap()
            .remote_target,
        "sip:moved@127.0.0.1:5071"
    );
}
