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
