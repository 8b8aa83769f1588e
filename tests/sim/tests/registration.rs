//! Registration (RFC 3261 §10) against a scripted registrar: challenge, grant, refresh at
//! exact times, 423 Min-Expires, unregistration.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod common;

use call_model::{
    CallModel, Config, Credentials, Event, Registration, RegistrationState, Transport,
};
use common::{addr, model_with, ms};
use sipdrop_sim::{header_of, response_to, Scripted, Sim};

fn setup() -> Sim {
    let mut sim = Sim::new(12);
    let credentials = Some(Credentials {
        user: "bob".into(),
        password: "pw".into(),
    });
    sim.add(
        addr(5060),
        model_with(
            addr(5060),
            Config {
                seed: 5,
                credentials,
                ..Config::default()
            },
        ),
    );
    sim.add(addr(5070), Scripted::new());
    sim
}

fn registration(expires: u32) -> Registration {
    Registration {
        aor: "sip:bob@example.test".into(),
        registrar: "sip:example.test".into(),
        destination: addr(5070),
        transport: Transport::Udp,
        expires,
    }
}

fn states(sim: &mut Sim) -> Vec<(u64, RegistrationState)> {
    std::iter::from_fn(|| sim.node::<CallModel>(0).poll_event())
        .filter_map(|e| match e {
            Event::Registration { state, at } => Some((at.as_millis(), state)),
            _ => None,
        })
        .collect()
}

fn answer(sim: &mut Sim, code: u16, phrase: &str, extra: &str) {
    let last = sim.node::<Scripted>(1).last_text();
    let text = response_to(
        &last,
        code,
        phrase,
        Some("reg"),
        "sip:bob@127.0.0.1:5060",
        extra,
    );
    sim.node::<Scripted>(1).send(addr(5060), &text);
}

#[test]
fn register_answers_the_challenge_and_refreshes_before_expiry() {
    let mut sim = setup();
    sim.node::<CallModel>(0)
        .register(ms(0), registration(120))
        .unwrap();
    sim.run_until(ms(0));
    let first = sim.node::<Scripted>(1).last_text();
    assert!(first.starts_with("REGISTER sip:example.test SIP/2.0"));
    assert_eq!(header_of(&first, "To"), Some("<sip:bob@example.test>"));
    assert_eq!(header_of(&first, "Expires"), Some("120"));
    assert!(header_of(&first, "Contact")
        .unwrap()
        .contains("127.0.0.1:5060"));
    answer(
        &mut sim,
        401,
        "Unauthorized",
        "WWW-Authenticate: Digest realm=\"example.test\", nonce=\"abc\"\r\n",
    );
    sim.run_until(ms(10));
    let second = sim.node::<Scripted>(1).last_text();
    assert_eq!(header_of(&second, "CSeq"), Some("2 REGISTER"));
    assert_eq!(header_of(&second, "Call-ID"), header_of(&first, "Call-ID"));
    assert!(header_of(&second, "Authorization")
        .unwrap()
        .contains("uri=\"sip:example.test\""));
    answer(
        &mut sim,
        200,
        "OK",
        "Contact: <sip:bob@127.0.0.1:5060>;expires=100\r\n",
    );
    sim.run_until(ms(20));
    assert_eq!(
        states(&mut sim),
        vec![(10, RegistrationState::Registered { expires: 100 })]
    );
    // Refresh at max(100/2, 100-60) = 50 s after the grant at 10 ms.
    sim.run_until(ms(50_009));
    assert_eq!(sim.sent(|e| e.is_request("REGISTER")).len(), 2);
    sim.run_until(ms(50_010));
    let refresh = sim.sent(|e| e.is_request("REGISTER"));
    assert_eq!(refresh.len(), 3);
    assert_eq!(refresh[2].header("CSeq"), Some("3 REGISTER"));
}

#[test]
fn interval_too_brief_is_retried_with_min_expires() {
    let mut sim = setup();
    sim.node::<CallModel>(0)
        .register(ms(0), registration(30))
        .unwrap();
    sim.run_until(ms(0));
    answer(&mut sim, 423, "Interval Too Brief", "Min-Expires: 300\r\n");
    sim.run_until(ms(10));
    assert_eq!(
        header_of(&sim.node::<Scripted>(1).last_text(), "Expires"),
        Some("300")
    );
}

#[test]
fn unregister_sends_expires_zero_and_reports_it() {
    let mut sim = setup();
    sim.node::<CallModel>(0)
        .register(ms(0), registration(3600))
        .unwrap();
    sim.run_until(ms(0));
    answer(&mut sim, 200, "OK", "Expires: 3600\r\n");
    sim.run_until(ms(10));
    assert!(sim.node::<CallModel>(0).unregister(ms(10)));
    sim.run_until(ms(10));
    assert_eq!(
        header_of(&sim.node::<Scripted>(1).last_text(), "Expires"),
        Some("0")
    );
    answer(&mut sim, 200, "OK", "");
    sim.run_until(ms(20));
    let st = states(&mut sim);
    assert_eq!(st.last(), Some(&(10, RegistrationState::Unregistered)));
    assert!(
        sim.node::<CallModel>(0).poll_timeout().is_some(),
        "the transaction lingers on Timer K"
    );
    sim.run_until(ms(100_000));
    assert!(
        sim.node::<CallModel>(0).poll_timeout().is_none(),
        "no refresh after unregistering"
    );
}

#[test]
fn a_refused_registration_is_retried_a_minute_later() {
    let mut sim = setup();
    sim.node::<CallModel>(0)
        .register(ms(0), registration(3600))
        .unwrap();
    sim.run_until(ms(0));
    answer(&mut sim, 403, "Forbidden", "");
    sim.run_until(ms(10));
    assert_eq!(
        states(&mut sim),
        vec![(0, RegistrationState::Failed { status: Some(403) })]
    );
    sim.run_until(ms(60_000));
    assert_eq!(sim.sent(|e| e.is_request("REGISTER")).len(), 2);
}
