//! Random packets, split on a separator, fed to a call model with a live call: the state
//! machines must never panic, whatever arrives.
#![no_main]
use std::net::SocketAddr;

use call_model::{CallModel, CallTarget, Config, Time, Transport};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let local: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 5060));
    let peer: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 5070));
    let mut model = CallModel::new(Config::default());
    model.add_local_address(Transport::Udp, local);
    let target = CallTarget { uri: "sip:b@127.0.0.1:5070".into(), destination: None, transport: None };
    let _ = model.make_call(Time::ZERO, target);
    for (i, packet) in data.split(|b| *b == 0xff).enumerate() {
        let now = Time::from_millis(i as u64 * 100);
        model.handle_packet(now, Transport::Udp, local, peer, packet);
        model.handle_timeout(now);
        while model.poll_transmit().is_some() {}
        while model.poll_event().is_some() {}
    }
});
