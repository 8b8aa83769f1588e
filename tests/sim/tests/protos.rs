//! The PROTOS c07-sip suite (4,527 malformed INVITEs, `../shared/protos-c07-sip`) fed to a call
//! model acting as a UAS, sans-IO: no packet leaves the process, so no namespace is needed.
//! Every case must be answered or discarded without a panic, leave no call record once over,
//! and a valid INVITE must still be answered after any case.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use call_model::{CallModel, CallState, DropParams, Event, Transport};
use common::{addr, model};
use dialog_layer::Time;

fn cases_dir() -> Option<PathBuf> {
    let tarball =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/protos-c07-sip/cases.tar.xz");
    if !tarball.exists() {
        return None;
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("protos");
    let dir = out.join("cases");
    if !dir.join("0004526").exists() {
        std::fs::create_dir_all(&out).unwrap();
        let status = Command::new("tar")
            .arg("-xJf")
            .arg(&tarball)
            .arg("-C")
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success(), "tar -xJf {}", tarball.display());
    }
    Some(dir)
}

/// The two messages of a case file: `<len> <octets>` twice.
fn split_case(raw: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = raw;
    while let Some(space) = rest.iter().position(|b| *b == b' ') {
        let Some(len) = std::str::from_utf8(&rest[..space])
            .ok()
            .and_then(|s| s.trim().parse::<usize>().ok())
        else {
            break;
        };
        let body = &rest[space + 1..];
        let len = len.min(body.len());
        out.push(body[..len].to_vec());
        rest = &body[len..];
    }
    out
}

fn replace(haystack: &[u8], from: &str, to: &str) -> Vec<u8> {
    let from = from.as_bytes();
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(from) {
            out.extend_from_slice(to.as_bytes());
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// Fills the placeholders of the README's table and recomputes the Content-Length.
fn fill(message: &[u8], case: usize, teardown: &str) -> Vec<u8> {
    let mut m = message.to_vec();
    for (from, to) in [
        ("<To>", "bob@127.0.0.1:5060".to_owned()),
        ("<From>", "protos@127.0.0.1:5070".to_owned()),
        ("<From-Address>", "127.0.0.1".to_owned()),
        ("<From-IP>", "127.0.0.1".to_owned()),
        ("<Local-Port>", "5070".to_owned()),
        ("<Branch-ID>", format!("c{case}")),
        ("<Call-ID>", format!("protos-{case}")),
        ("<CSeq>", "1".to_owned()),
        ("<Teardown-Method>", teardown.to_owned()),
    ] {
        m = replace(&m, from, &to);
    }
    let body_len = m
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| m.len() - i - 4)
        .unwrap_or(0);
    replace(&m, "<Content-Length>", &body_len.to_string())
}

fn valid_invite(n: usize) -> String {
    format!(
        "INVITE sip:bob@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKok{n}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:ok@127.0.0.1:5070>;tag=ok{n}\r\nTo: <sip:bob@127.0.0.1:5060>\r\n\
         Call-ID: valid-{n}\r\nCSeq: 1 INVITE\r\nContact: <sip:ok@127.0.0.1:5070>\r\nContent-Length: 0\r\n\r\n"
    )
}

/// Drains the model like the `listen` command: declines every offered call, drops
/// disconnected ones, deallocates idle ones. Returns how many calls were offered.
fn application(m: &mut CallModel, now: Time) -> usize {
    let mut offered = 0;
    while let Some(event) = m.poll_event() {
        if let Event::CallState { call, state, .. } = event {
            match state {
                CallState::Offering => {
                    offered += 1;
                    m.drop_call(now, call, DropParams::default()).unwrap();
                }
                CallState::Disconnected => {
                    m.drop_call(now, call, DropParams::default()).unwrap();
                }
                CallState::Idle => m.deallocate(call).unwrap(),
                _ => {}
            }
        }
    }
    offered
}

#[test]
fn every_protos_case_is_answered_or_discarded_and_the_ua_keeps_working() {
    let Some(dir) = cases_dir() else {
        panic!("../shared/protos-c07-sip/cases.tar.xz is missing");
    };
    let local = addr(5060);
    let peer = addr(5070);
    let mut m = model(local, 99);
    let mut now = Time::ZERO;
    let mut answered = 0;
    let mut cases = 0;
    for case in 0..4527 {
        let raw = std::fs::read(dir.join(format!("{case:07}"))).unwrap();
        let parts = split_case(&raw);
        assert_eq!(parts.len(), 2, "case {case} has two messages");
        let invite = fill(&parts[0], case, "CANCEL");
        m.handle_packet(now, Transport::Udp, local, peer, &invite);
        let mut responses = 0;
        while m.poll_transmit().is_some() {
            responses += 1;
        }
        application(&mut m, now);
        while m.poll_transmit().is_some() {
            responses += 1;
        }
        if responses > 0 {
            answered += 1;
        }
        // Our decline is a final response: the teardown is an ACK.
        let teardown = fill(&parts[1], case, "ACK");
        m.handle_packet(now, Transport::Udp, local, peer, &teardown);
        while m.poll_transmit().is_some() {}
        application(&mut m, now);
        cases += 1;
        now = now + Duration::from_millis(50);
        m.handle_timeout(now);
        while m.poll_transmit().is_some() {}
        if case % 250 == 0 {
            // A valid INVITE right after: answered (100 Trying) and offered at once.
            m.handle_packet(
                now,
                Transport::Udp,
                local,
                peer,
                valid_invite(case).as_bytes(),
            );
            let first = m.poll_transmit().expect("a valid INVITE is answered");
            assert!(
                first.bytes.starts_with(b"SIP/2.0 100 Trying"),
                "after case {case}"
            );
            while m.poll_transmit().is_some() {}
            assert_eq!(
                application(&mut m, now),
                1,
                "the valid INVITE is offered after case {case}"
            );
        }
    }
    eprintln!("PROTOS c07-sip: {answered} of {cases} cases answered, the rest discarded");
    assert_eq!(cases, 4527);
    // Case 0 is valid: at least it, and most malformed ones, got an answer (400 and friends).
    assert!(answered > 4000, "answered {answered} of {cases}");
    // Let every transaction finish: nothing left, no record kept.
    for _ in 0..100 {
        now = now + Duration::from_secs(1);
        m.handle_timeout(now);
        while m.poll_transmit().is_some() {}
        application(&mut m, now);
    }
    assert!(m.is_quiescent(), "no transaction left");
    assert_eq!(m.transaction_count(), 0, "no lingering transaction left");
    assert_eq!(m.allocated_calls(), 0, "no call record left");
}
