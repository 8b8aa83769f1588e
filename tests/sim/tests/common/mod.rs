//! Shared set-up for the simulation tests.
#![allow(dead_code)]
use std::net::SocketAddr;
use std::time::Duration;

use call_model::{CallHandle, CallModel, CallState, Config, Event, Mode};
use dialog_layer::{Endpoint, EndpointConfig, InviteRequest, Time, TimerConfig};
use sip_message::Transport;
use sipdrop_sim::Sim;

/// Loopback address `127.0.0.1:port` (the simulated network never touches a socket).
pub fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// An endpoint at `local` (UDP and TCP), seeded.
pub fn endpoint(local: SocketAddr, seed: u64) -> Endpoint {
    let mut e = Endpoint::new(EndpointConfig {
        seed,
        ..EndpointConfig::default()
    });
    e.add_local_address(Transport::Udp, local);
    e.add_local_address(Transport::Tcp, local);
    e
}

/// A call model at `local` (UDP and TCP), seeded.
pub fn model(local: SocketAddr, seed: u64) -> CallModel {
    model_with(
        local,
        Config {
            seed,
            ..Config::default()
        },
    )
}

/// A call model at `local` with `config`.
pub fn model_with(local: SocketAddr, config: Config) -> CallModel {
    let mut m = CallModel::new(config);
    m.add_local_address(Transport::Udp, local);
    m.add_local_address(Transport::Tcp, local);
    m
}

/// Default RFC timers.
pub fn timers() -> TimerConfig {
    TimerConfig::default()
}

/// `ms` milliseconds after the origin.
pub fn ms(ms: u64) -> Time {
    Time::from_millis(ms)
}

/// `s` seconds as a duration.
pub fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// An INVITE from `alice` to `sip:bob@{to}`, sent to `to`, without body.
pub fn invite_to(to: SocketAddr, transport: Transport) -> InviteRequest {
    InviteRequest {
        uri: format!("sip:bob@{to}"),
        destination: to,
        transport,
        from_user: "alice".into(),
        headers: Vec::new(),
        body: None,
    }
}

/// Every event call model `node` has queued.
pub fn model_events(sim: &mut Sim, node: usize) -> Vec<Event> {
    std::iter::from_fn(|| sim.node::<CallModel>(node).poll_event()).collect()
}

/// The state changes among `events`, in order.
pub fn state_changes(events: &[Event]) -> Vec<(CallState, Option<Mode>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::CallState { state, mode, .. } => Some((*state, *mode)),
            _ => None,
        })
        .collect()
}

/// The handle of the first call offered among `events`.
pub fn first_offered(events: &[Event]) -> Option<CallHandle> {
    events.iter().find_map(|e| match e {
        Event::CallState {
            call,
            state: CallState::Offering,
            ..
        } => Some(*call),
        _ => None,
    })
}
