//! Digest authentication of our INVITEs (RFC 3261 §22.2) against a scripted PBX.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod common;

use call_model::{
    authorization, parse_challenge, CallModel, CallState, CallTarget, Config, Credentials,
    DisconnectMode,
};
use common::{addr, model_with, ms};
use sipdrop_sim::{header_of, response_to, Scripted, Sim};

const CHALLENGE: &str =
    "WWW-Authenticate: Digest realm=\"asterisk\", nonce=\"n0nce\", algorithm=MD5, qop=\"auth\"\r\n";

fn credentials() -> Credentials {
    Credentials {
        user: "alice".into(),
        password: "secret".into(),
    }
}

fn setup(credentials: Option<Credentials>) -> (Sim, call_model::CallHandle) {
    let mut sim = Sim::new(8);
    sim.add(
        addr(5060),
        model_with(
            addr(5060),
            Config {
                seed: 3,
                credentials,
                ..Config::default()
            },
        ),
    );
    sim.add(addr(5070), Scripted::new());
    let target = CallTarget {
        uri: "sip:bob@127.0.0.1:5070".into(),
        destination: None,
        transport: None,
    };
    let call = sim.node::<CallModel>(0).make_call(ms(0), target).unwrap();
    sim.run_until(ms(0));
    (sim, call)
}

#[test]
fn a_401_is_answered_once_with_credentials_and_the_call_connects() {
    let (mut sim, call) = setup(Some(credentials()));
    let first = sim.node::<Scripted>(1).last_text();
    sim.node::<Scripted>(1).send(
        addr(5060),
        &response_to(
            &first,
            401,
            "Unauthorized",
            Some("pbx"),
            "sip:pbx@127.0.0.1:5070",
            CHALLENGE,
        ),
    );
    sim.run_until(ms(10));
    let invites = sim.sent(|e| e.is_request("INVITE"));
    assert_eq!(invites.len(), 2);
    assert_eq!(
        sim.sent(|e| e.is_request("ACK")).len(),
        1,
        "the 401 is ACKed"
    );
    let second = std::str::from_utf8(&invites[1].bytes).unwrap().to_owned();
    assert_eq!(header_of(&second, "Call-ID"), header_of(&first, "Call-ID"));
    assert_eq!(header_of(&second, "From"), header_of(&first, "From"));
    assert_eq!(header_of(&second, "CSeq"), Some("2 INVITE"));
    assert_ne!(
        invites[1].header("Via"),
        invites[0].header("Via"),
        "a new branch"
    );
    let auth = header_of(&second, "Authorization").unwrap();
    // Recompute what a PBX checks: the response for this user, realm, nonce, cnonce, nc.
    let cnonce = auth
        .split("cnonce=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let challenge = parse_challenge(CHALLENGE.trim_start_matches("WWW-Authenticate:")).unwrap();
    let expected = authorization(
        &challenge,
        &credentials(),
        "INVITE",
        "sip:bob@127.0.0.1:5070",
        cnonce,
        1,
    );
    assert_eq!(auth, expected);
    sim.node::<Scripted>(1).send(
        addr(5060),
        &response_to(
            &second,
            200,
            "OK",
            Some("pbx2"),
            "sip:pbx@127.0.0.1:5070",
            "",
        ),
    );
    sim.run_until(ms(20));
    assert_eq!(
        sim.node::<CallModel>(0).call_info(call).unwrap().state,
        CallState::Connected
    );
}

#[test]
fn without_credentials_a_401_ends_the_call() {
    let (mut sim, call) = setup(None);
    let first = sim.node::<Scripted>(1).last_text();
    sim.node::<Scripted>(1).send(
        addr(5060),
        &response_to(
            &first,
            401,
            "Unauthorized",
            Some("pbx"),
            "sip:pbx@127.0.0.1:5070",
            CHALLENGE,
        ),
    );
    sim.run_until(ms(10));
    assert_eq!(sim.sent(|e| e.is_request("INVITE")).len(), 1);
    let record = sim.node::<CallModel>(0).call_info(call).unwrap().clone();
    assert_eq!(record.state, CallState::Disconnected);
    assert_eq!(record.disconnect_mode, Some(DisconnectMode::Unknown));
    assert_eq!(record.sip_status, Some(401));
}

#[test]
fn wrong_credentials_are_not_retried_forever() {
    let (mut sim, call) = setup(Some(credentials()));
    for round in 0..3 {
        let last = sim
            .node::<Scripted>(1)
            .received()
            .iter()
            .rev()
            .find(|(_, _, b)| b.starts_with(b"INVITE"))
            .map(|(_, _, b)| String::from_utf8_lossy(b).into_owned())
            .unwrap();
        let header = CHALLENGE
            .replace("407", "401")
            .replace("Proxy-Authenticate", "WWW-Authenticate");
        sim.node::<Scripted>(1).send(
            addr(5060),
            &response_to(
                &last,
                407,
                "Proxy Authentication Required",
                Some("p"),
                "sip:p@127.0.0.1:5070",
                &header.replace("WWW-Authenticate", "Proxy-Authenticate"),
            ),
        );
        sim.run_until(ms(10 * (round + 1)));
    }
    assert_eq!(
        sim.sent(|e| e.is_request("INVITE")).len(),
        3,
        "the first INVITE and two answers"
    );
    assert!(sim.sent(|e| e.is_request("INVITE"))[2]
        .header("Proxy-Authorization")
        .is_some());
    assert_eq!(
        sim.node::<CallModel>(0).call_info(call).unwrap().state,
        CallState::Disconnected
    );
}

/// The call of `setup` answered 200 by the scripted PBX; returns the INVITE's text.
fn answered(sim: &mut Sim) -> String {
    let invite = sim.node::<Scripted>(1).last_text();
    let ok = response_to(
        &invite,
        200,
        "OK",
        Some("pbx"),
        "sip:pbx@127.0.0.1:5070",
        "",
    );
    sim.node::<Scripted>(1).send(addr(5060), &ok);
    sim.run_until(ms(10));
    invite
}

/// The last request with `method` the PBX received.
fn last_request(sim: &mut Sim, method: &str) -> String {
    sim.node::<Scripted>(1)
        .received()
        .iter()
        .rev()
        .find(|(_, _, b)| b.starts_with(method.as_bytes()))
        .map(|(_, _, b)| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

fn challenge_bye(sim: &mut Sim, code: u16, header: &str, at: u64) {
    let bye = last_request(sim, "BYE");
    let response = response_to(&bye, code, "Challenge", Some("pbx"), "sip:pbx@x", header);
    sim.node::<Scripted>(1).send(addr(5060), &response);
    sim.run_until(ms(at));
}

#[test]
fn a_challenged_bye_is_sent_again_with_credentials_even_after_deallocate() {
    let (mut sim, call) = setup(Some(credentials()));
    answered(&mut sim);
    let m = sim.node::<CallModel>(0);
    m.drop_call(ms(10), call, call_model::DropParams::default())
        .unwrap();
    // The CLI deallocates at once: the BYE's duties must not depend on the record.
    m.deallocate(call).unwrap();
    sim.run_until(ms(20));
    let proxy = CHALLENGE.replace("WWW-Authenticate", "Proxy-Authenticate");
    challenge_bye(&mut sim, 407, &proxy, 30);
    let byes = sim.sent(|e| e.is_request("BYE"));
    assert_eq!(byes.len(), 2);
    assert_eq!(byes[1].at, ms(20));
    let first = std::str::from_utf8(&byes[0].bytes).unwrap();
    let second = std::str::from_utf8(&byes[1].bytes).unwrap();
    assert_eq!(header_of(first, "CSeq"), Some("2 BYE"));
    assert_eq!(header_of(second, "CSeq"), Some("3 BYE"));
    assert_eq!(header_of(second, "Reason"), header_of(first, "Reason"));
    assert_eq!(header_of(second, "To"), header_of(first, "To"));
    assert_ne!(header_of(second, "Via"), header_of(first, "Via"));
    assert!(second.ends_with("Content-Length: 0\r\n\r\n"), "{second}");
    let auth = header_of(second, "Proxy-Authorization").unwrap();
    let cnonce = auth.split("cnonce=\"").nth(1).unwrap().split('"').next();
    let challenge = parse_challenge(proxy.trim_start_matches("Proxy-Authenticate:")).unwrap();
    let uri = second.split(' ').nth(1).unwrap();
    assert_eq!(
        uri, "sip:pbx@127.0.0.1:5070",
        "the BYE goes to the remote target"
    );
    let expected = authorization(&challenge, &credentials(), "BYE", uri, cnonce.unwrap(), 1);
    assert_eq!(auth, expected);
}

#[test]
fn a_bye_challenged_three_times_is_answered_twice() {
    let (mut sim, call) = setup(Some(credentials()));
    answered(&mut sim);
    sim.node::<CallModel>(0)
        .drop_call(ms(10), call, call_model::DropParams::default())
        .unwrap();
    sim.run_until(ms(20));
    for round in 0..3 {
        challenge_bye(&mut sim, 401, CHALLENGE, 30 + 10 * round);
    }
    let cseqs: Vec<_> = sim
        .sent(|e| e.is_request("BYE"))
        .iter()
        .map(|e| e.header("CSeq").unwrap_or("").to_owned())
        .collect();
    assert_eq!(cseqs, ["2 BYE", "3 BYE", "4 BYE"]);
    assert_eq!(
        sim.node::<CallModel>(0).call_info(call).unwrap().state,
        CallState::Idle
    );
}

#[test]
fn without_credentials_a_challenged_bye_is_left_alone() {
    let (mut sim, call) = setup(None);
    answered(&mut sim);
    sim.node::<CallModel>(0)
        .drop_call(ms(10), call, call_model::DropParams::default())
        .unwrap();
    sim.run_until(ms(20));
    challenge_bye(&mut sim, 401, CHALLENGE, 30);
    assert_eq!(sim.sent(|e| e.is_request("BYE")).len(), 1);
}

#[test]
fn a_challenged_reinvite_is_sent_again_and_the_hold_completes() {
    let (mut sim, call) = setup(Some(credentials()));
    answered(&mut sim);
    let hold = sim.node::<CallModel>(0).hold(ms(10), call).unwrap();
    sim.run_until(ms(20));
    let reinvite = last_request(&mut sim, "INVITE");
    assert!(
        header_of(&reinvite, "CSeq") == Some("2 INVITE"),
        "{reinvite}"
    );
    let challenge = response_to(
        &reinvite,
        407,
        "Proxy Auth",
        Some("pbx"),
        "sip:pbx@x",
        &CHALLENGE.replace("WWW-Authenticate", "Proxy-Authenticate"),
    );
    sim.node::<Scripted>(1).send(addr(5060), &challenge);
    sim.run_until(ms(30));
    // The 407 is ACKed by its transaction; the re-INVITE goes again with credentials.
    let acks: Vec<String> = sim
        .sent(|e| e.is_request("ACK"))
        .iter()
        .map(|e| e.header("CSeq").unwrap_or("").to_owned())
        .collect();
    assert_eq!(acks, ["1 ACK", "2 ACK"]);
    let again = last_request(&mut sim, "INVITE");
    assert_eq!(header_of(&again, "CSeq"), Some("3 INVITE"));
    assert!(header_of(&again, "Proxy-Authorization").is_some());
    assert!(again.contains("a=sendonly"), "{again}");
    assert_eq!(header_of(&again, "To"), header_of(&reinvite, "To"));
    let ok = response_to(&again, 200, "OK", Some("pbx"), "sip:pbx@127.0.0.1:5070", "");
    sim.node::<Scripted>(1).send(addr(5060), &ok);
    sim.run_until(ms(40));
    // Its 2xx is ACKed with the new CSeq, and the hold request succeeds.
    assert_eq!(
        sim.sent(|e| e.is_request("ACK"))
            .last()
            .unwrap()
            .header("CSeq"),
        Some("3 ACK")
    );
    let m = sim.node::<CallModel>(0);
    assert_eq!(m.call_info(call).unwrap().state, CallState::OnHold);
    let events: Vec<_> = std::iter::from_fn(|| m.poll_event()).collect();
    assert!(events.contains(&call_model::Event::Reply {
        request: hold,
        result: Ok(())
    }));
}

#[test]
fn of_several_challenges_the_first_we_can_answer_is_taken() {
    let (mut sim, _call) = setup(Some(credentials()));
    let first = sim.node::<Scripted>(1).last_text();
    // RFC 8760 §2.4: the server lists its challenges in its order of preference.
    let challenges = "WWW-Authenticate: Digest realm=\"pbx\", nonce=\"n1\", algorithm=SHA-512-256\r\n\
                      WWW-Authenticate: Digest realm=\"pbx\", nonce=\"n2\", algorithm=SHA-256, qop=\"auth\"\r\n\
                      WWW-Authenticate: Digest realm=\"pbx\", nonce=\"n3\", algorithm=MD5\r\n";
    let response = response_to(
        &first,
        401,
        "Unauthorized",
        Some("pbx"),
        "sip:pbx@x",
        challenges,
    );
    sim.node::<Scripted>(1).send(addr(5060), &response);
    sim.run_until(ms(10));
    let second = last_request(&mut sim, "INVITE");
    let auth = header_of(&second, "Authorization").unwrap();
    assert!(auth.contains("algorithm=SHA-256"), "{auth}");
    assert!(auth.contains("nonce=\"n2\""), "{auth}");
    let cnonce = auth
        .split("cnonce=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let challenge =
        parse_challenge("Digest realm=\"pbx\", nonce=\"n2\", algorithm=SHA-256, qop=\"auth\"")
            .unwrap();
    let expected = authorization(
        &challenge,
        &credentials(),
        "INVITE",
        "sip:bob@127.0.0.1:5070",
        cnonce,
        1,
    );
    assert_eq!(auth, expected);
}
