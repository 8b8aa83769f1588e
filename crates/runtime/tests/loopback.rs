//! Two user agents in one process on loopback UDP: the runtime's loop, command API, event
//! stream, host-name resolution and shutdown, driven through the public API only.
use std::net::SocketAddr;
use std::time::Duration;

use sipdrop_runtime::{
    CallHandle, CallState, CallTarget, DisconnectMode, DropParams, Event, Mode, Transport,
    TransportConfig, Ua, UaConfig, UaError, UaEvents,
};

const WAIT: Duration = Duration::from_secs(10);

async fn start(name: &str, seed: u64) -> (Ua, UaEvents, SocketAddr) {
    let config = UaConfig {
        model: sipdrop_runtime::ModelConfig {
            // A short T1 keeps the transactions that outlive a call short.
            timers: sipdrop_runtime::TimerConfig::from_t1(Duration::from_millis(20)),
            seed,
            ..sipdrop_runtime::ModelConfig::default()
        },
        transport: TransportConfig {
            udp: vec!["127.0.0.1:0".parse().expect("literal")],
            ..TransportConfig::default()
        },
        name: name.into(),
        ..UaConfig::default()
    };
    let (ua, events) = Ua::start(config).await.expect("the UA starts");
    let addr = ua
        .local_addrs()
        .iter()
        .find(|(t, _)| *t == Transport::Udp)
        .map(|(_, a)| *a)
        .expect("a UDP address");
    assert_ne!(addr.port(), 0, "the chosen port is reported");
    (ua, events, addr)
}

/// Waits for `call` to reach `state`; returns its mode.
async fn reach(events: &mut UaEvents, call: CallHandle, state: CallState) -> Option<Mode> {
    let wait = async {
        loop {
            let event = events.recv().await.expect("the UA is running");
            if let Event::CallState {
                call: c,
                state: s,
                mode,
                ..
            } = event.event
            {
                if c == call && s == state {
                    return mode;
                }
            }
        }
    };
    tokio::time::timeout(WAIT, wait)
        .await
        .expect("state reached in time")
}

/// Waits for the first offered call.
async fn offered(events: &mut UaEvents) -> CallHandle {
    let wait = async {
        loop {
            let event = events.recv().await.expect("the UA is running");
            if let Event::CallState {
                call,
                state: CallState::Offering,
                ..
            } = event.event
            {
                return call;
            }
        }
    };
    tokio::time::timeout(WAIT, wait)
        .await
        .expect("an offer in time")
}

fn target(uri: String) -> CallTarget {
    CallTarget {
        uri,
        destination: None,
        transport: None,
    }
}

#[tokio::test]
async fn call_answer_drop_with_uui_and_deallocate() {
    let (a, mut a_events, _) = start("A", 1).await;
    let (b, mut b_events, b_addr) = start("B", 2).await;

    let a_call = a
        .make_call(target(format!("sip:bob@{b_addr}")))
        .await
        .expect("placed");
    let b_call = offered(&mut b_events).await;
    b.answer(b_call).await.expect("answered");
    reach(&mut a_events, a_call, CallState::Connected).await;

    let uui = vec![0x04, 0xa1, 0xb2, 0xc3];
    let params = DropParams {
        uui: Some(uui.clone()),
        ..DropParams::default()
    };
    a.drop_call(a_call, params).await.expect("drop accepted");
    reach(&mut a_events, a_call, CallState::Idle).await;
    let mode = reach(&mut b_events, b_call, CallState::Disconnected).await;
    assert_eq!(mode, Some(Mode::Disconnected(DisconnectMode::Normal)));

    let record = b
        .call_info(b_call)
        .await
        .expect("the record stays until deallocate");
    assert_eq!(record.uui_received, Some(uui));
    // Refused while not idle (drop-semantics §2), then fine once dropped.
    let refused = b.deallocate(b_call).await;
    assert!(matches!(refused, Err(UaError::Call(_))), "{refused:?}");
    b.drop_call(b_call, DropParams::default())
        .await
        .expect("release");
    reach(&mut b_events, b_call, CallState::Idle).await;
    b.deallocate(b_call).await.expect("deallocated");
    a.deallocate(a_call).await.expect("deallocated");
    assert_eq!(a.allocated_calls().await.expect("running"), 0);
    assert_eq!(b.allocated_calls().await.expect("running"), 0);
    assert_eq!(b.call_info(b_call).await, None);
}

#[tokio::test]
async fn host_names_are_resolved_by_the_runtime() {
    let (a, mut a_events, _) = start("A", 3).await;
    let (b, mut b_events, b_addr) = start("B", 4).await;
    let uri = format!("sip:bob@localhost:{}", b_addr.port());
    let a_call = a.make_call(target(uri)).await.expect("placed");
    let b_call = offered(&mut b_events).await;
    b.answer(b_call).await.expect("answered");
    reach(&mut a_events, a_call, CallState::Connected).await;
    let unknown = a
        .make_call(target("sip:bob@no-such-host.invalid".into()))
        .await;
    assert!(
        matches!(unknown, Err(UaError::Resolve { .. })),
        "{unknown:?}"
    );
    assert_eq!(
        unknown.map_err(|e| e.reply_name()).err(),
        Some("invaladdress")
    );
}

#[tokio::test]
async fn shutdown_drops_live_calls_then_stops() {
    let (a, mut a_events, _) = start("A", 5).await;
    let (b, mut b_events, b_addr) = start("B", 6).await;
    let a_call = a
        .make_call(target(format!("sip:bob@{b_addr}")))
        .await
        .expect("placed");
    let b_call = offered(&mut b_events).await;
    b.answer(b_call).await.expect("answered");
    reach(&mut a_events, a_call, CallState::Connected).await;

    a.shutdown(Duration::from_secs(3)).await.expect("shut down");
    let mode = reach(&mut b_events, b_call, CallState::Disconnected).await;
    assert_eq!(mode, Some(Mode::Disconnected(DisconnectMode::Normal)));
    // The dropped call's idle event was delivered before the stream ended.
    reach(&mut a_events, a_call, CallState::Idle).await;
    let rest = tokio::time::timeout(WAIT, async { while a_events.recv().await.is_some() {} });
    rest.await.expect("the event stream ends after a shutdown");
    assert!(matches!(a.live_calls().await, Err(UaError::Stopped)));
    assert!(matches!(
        a.make_call(target(format!("sip:x@{b_addr}"))).await,
        Err(UaError::Stopped)
    ));
    // A second shutdown of a stopped UA is a no-op.
    a.shutdown(Duration::from_secs(1))
        .await
        .expect("idempotent");
}
