//! Speed of the sans-IO core, without sockets: parsing one INVITE, and whole calls (INVITE,
//! 100, 200, ACK, BYE with Reason and UUI, 200) between two call models on the simulated
//! network. `cargo bench -p sipdrop-bench`; results go to docs/benchmarks.md.
#![allow(missing_docs, clippy::unwrap_used)]
use std::hint::black_box;

use call_model::{CallModel, CallState, CallTarget, Config, DropParams, Event, Transport};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dialog_layer::Time;
use sipdrop_sim::Sim;

const INVITE: &str = "INVITE sip:bob@127.0.0.1:5070 SIP/2.0\r\n\
Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK776asdhds;rport\r\n\
Max-Forwards: 70\r\n\
To: Bob <sip:bob@127.0.0.1:5070>\r\n\
From: Alice <sip:alice@127.0.0.1:5060>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710@pc33.example.test\r\n\
CSeq: 314159 INVITE\r\n\
Contact: <sip:alice@127.0.0.1:5060>\r\n\
User-Agent: bench\r\n\
Content-Type: application/sdp\r\n\
Content-Length: 131\r\n\r\n\
v=0\r\no=alice 2890844526 2890844526 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n\
t=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("sip-message");
    group.throughput(Throughput::Elements(1));
    group.bench_function("frame+parse INVITE", |b| {
        let limits = sip_message::Limits::default();
        b.iter(|| {
            let framed =
                sip_message::frame_datagram(black_box(INVITE.as_bytes()), &limits).unwrap();
            black_box(sip_message::parse(framed).unwrap())
        })
    });
    group.finish();
}

fn model(port: u16, seed: u64) -> CallModel {
    let mut m = CallModel::new(Config {
        seed,
        ..Config::default()
    });
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    m.add_local_address(Transport::Udp, addr);
    m
}

/// `n` complete calls, A calling B, B answering, A dropping with UUI; both sides deallocate.
fn calls(n: u64) {
    let mut sim = Sim::new(1);
    sim.add(([127, 0, 0, 1], 5060).into(), model(5060, 1));
    sim.add(([127, 0, 0, 1], 5070).into(), model(5070, 2));
    let params = DropParams {
        uui: Some(vec![0x04, 0xa1]),
        ..DropParams::default()
    };
    for i in 0..n {
        let now = Time::from_millis(i);
        let target = CallTarget {
            uri: "sip:bob@127.0.0.1:5070".into(),
            destination: None,
            transport: None,
        };
        sim.node::<CallModel>(0).make_call(now, target).unwrap();
        sim.run_until(now);
        while let Some(e) = sim.node::<CallModel>(1).poll_event() {
            if let Event::CallState { call, state, .. } = e {
                match state {
                    CallState::Offering => sim.node::<CallModel>(1).answer(now, call).unwrap(),
                    CallState::Disconnected => {
                        sim.node::<CallModel>(1)
                            .drop_call(now, call, DropParams::default())
                            .unwrap();
                    }
                    CallState::Idle => sim.node::<CallModel>(1).deallocate(call).unwrap(),
                    _ => {}
                }
            }
        }
        sim.run_until(now);
        while let Some(e) = sim.node::<CallModel>(0).poll_event() {
            if let Event::CallState { call, state, .. } = e {
                match state {
                    CallState::Connected => {
                        sim.node::<CallModel>(0)
                            .drop_call(now, call, params.clone())
                            .unwrap();
                    }
                    CallState::Idle => sim.node::<CallModel>(0).deallocate(call).unwrap(),
                    _ => {}
                }
            }
        }
        sim.run_until(now);
    }
    black_box(sim.log().len());
}

fn call_cycle(c: &mut Criterion) {
    let mut group = c.benchmark_group("call-model");
    group.throughput(Throughput::Elements(1000));
    group.sample_size(20);
    group.bench_function("1000 calls: INVITE..BYE, both sides", |b| {
        b.iter(|| calls(1000))
    });
    group.finish();
}

criterion_group!(benches, parse, call_cycle);
criterion_main!(benches);
