//! End to end: real `sipdrop` processes talking SIP over loopback UDP (ephemeral ports), checked
//! through the contract only: exit statuses, the JSON event lines, the summary line.
//!
//! A short T1 (`--t1 50`) keeps the post-call transaction timers (T4 = 10·T1) short, so each
//! process exits quickly after its calls end.
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

const LIMIT: Duration = Duration::from_secs(30);

/// A running sipdrop whose output is collected by threads (so no pipe ever fills) and which
/// is killed if the test ends first.
struct Proc {
    child: Child,
    stdout: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
    stderr_seen: Vec<String>,
}

impl Proc {
    fn spawn(args: &[&str]) -> Proc {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sipdrop"))
            .args(args)
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sipdrop starts");
        let stdout = lines(child.stdout.take().expect("piped stdout"));
        let stderr = lines(child.stderr.take().expect("piped stderr"));
        Proc {
            child,
            stdout,
            stderr,
            stderr_seen: Vec::new(),
        }
    }

    /// The UDP port from the `sipdrop: listening on udp ADDR` line.
    fn udp_port(&mut self) -> u16 {
        let deadline = Instant::now() + LIMIT;
        while Instant::now() < deadline {
            let Ok(line) = self.stderr.recv_timeout(Duration::from_millis(100)) else {
                continue;
            };
            self.stderr_seen.push(line.clone());
            if let Some(addr) = line.strip_prefix("sipdrop: listening on udp ") {
                let addr: std::net::SocketAddr = addr.trim().parse().expect("an address");
                return addr.port();
            }
        }
        panic!("no 'listening on udp' line; stderr: {:?}", self.stderr_seen);
    }

    fn send_line(&mut self, line: &str) {
        let stdin = self.child.stdin.as_mut().expect("piped stdin");
        writeln!(stdin, "{line}").expect("write to stdin");
    }

    /// Waits for the exit (killing it after [`LIMIT`]); returns the status and stdout lines.
    fn finish(mut self) -> (ExitStatus, Vec<String>, String) {
        let deadline = Instant::now() + LIMIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                let stderr: Vec<String> = self.stderr.try_iter().collect();
                panic!("sipdrop did not exit within {LIMIT:?}; stderr: {stderr:?}");
            }
            thread::sleep(Duration::from_millis(20));
        };
        let stdout: Vec<String> = self.stdout.iter().collect();
        let mut stderr = std::mem::take(&mut self.stderr_seen);
        stderr.extend(self.stderr.iter());
        (status, stdout, stderr.join("\n"))
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn lines(stream: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn json(lines: &[String]) -> Vec<Value> {
    lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

/// The `state` values of the `call_state` events, in order.
fn states(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["event"] == "call_state")
        .map(|e| e["state"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Whether `wanted` occurs in `seen` in this order (other states may come between).
fn in_order(seen: &[String], wanted: &[&str]) -> bool {
    let mut rest = seen.iter();
    wanted.iter().all(|w| rest.any(|s| s == w))
}

fn mode_of(events: &[Value], state: &str) -> Option<String> {
    events
        .iter()
        .find(|e| e["event"] == "call_state" && e["state"] == state)
        .and_then(|e| e["mode"].as_str().map(str::to_owned))
}

fn listen(extra: &[&str]) -> (Proc, u16) {
    let mut args = vec!["listen", "--udp", "127.0.0.1:0", "--events", "--t1", "50"];
    args.extend_from_slice(extra);
    let mut proc = Proc::spawn(&args);
    let port = proc.udp_port();
    (proc, port)
}

fn call(port: u16, extra: &[&str]) -> (ExitStatus, Vec<Value>, String) {
    let uri = format!("sip:bob@127.0.0.1:{port}");
    let mut args = vec!["call", uri.as_str(), "--events", "--t1", "50"];
    args.extend_from_slice(extra);
    let (status, stdout, stderr) = Proc::spawn(&args).finish();
    (status, json(&stdout), stderr)
}

fn summary(events: &[Value]) -> &Value {
    let last = events.last().expect("at least the summary line");
    assert!(
        last.get("summary").is_some(),
        "last line is not the summary: {last}"
    );
    &last["summary"]
}

#[test]
fn answered_call_dropped_by_the_caller_with_uui() {
    let (listener, port) = listen(&["--max-calls", "1"]);
    let (status, events, stderr) = call(port, &["--drop-after", "200", "--uui", "04a1"]);
    assert!(status.success(), "call failed: {stderr}");
    let s = summary(&events);
    assert_eq!(s["attempted"], 1);
    assert_eq!(s["connected"], 1);
    assert_eq!(s["dropped"], 1);
    assert_eq!(s["failed"], 0);
    let seen = states(&events);
    assert_eq!(
        seen.first().map(String::as_str),
        Some("dialing"),
        "{seen:?}"
    );
    assert!(
        in_order(&seen, &["dialing", "connected", "idle"]),
        "{seen:?}"
    );
    assert!(
        !seen.contains(&"disconnected".to_owned()),
        "we dropped it: {seen:?}"
    );
    let t: Vec<u64> = events.iter().filter_map(|e| e["t_ms"].as_u64()).collect();
    assert!(
        t.windows(2).all(|w| w[0] <= w[1]),
        "t_ms not monotonic: {t:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "reply" && e["result"] == "ok"),
        "no reply for the drop"
    );

    let (status, stdout, stderr) = listener.finish();
    assert!(status.success(), "listen failed: {stderr}");
    let events = json(&stdout);
    let seen = states(&events);
    assert!(
        in_order(&seen, &["offering", "connected", "disconnected", "idle"]),
        "{seen:?}"
    );
    assert_eq!(mode_of(&events, "disconnected").as_deref(), Some("normal"));
    assert_eq!(mode_of(&events, "connected").as_deref(), Some("active"));
    let info = events
        .iter()
        .find(|e| e["event"] == "call_info")
        .expect("a call_info event");
    assert_eq!(info["uui_received"], "04a1");
    assert!(info["sip_call_id"]
        .as_str()
        .is_some_and(|id| !id.is_empty()));
}

#[test]
fn declined_call_is_a_reject() {
    let (listener, port) = listen(&["--max-calls", "1", "--on-offer", "decline"]);
    let (status, events, stderr) = call(port, &["--expect", "reject"]);
    assert!(status.success(), "call failed: {stderr}");
    let s = summary(&events);
    assert_eq!(
        (s["connected"].as_u64(), s["failed"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(s["modes"]["reject"], 1);
    assert_eq!(mode_of(&events, "disconnected").as_deref(), Some("reject"));
    let (status, _, stderr) = listener.finish();
    assert!(status.success(), "listen failed: {stderr}");
}

#[test]
fn ringing_call_cancelled_by_the_caller() {
    let (listener, port) = listen(&["--max-calls", "1", "--on-offer", "ring"]);
    let (status, events, stderr) = call(port, &["--cancel-after", "300", "--uui", "04a1b2"]);
    assert!(status.success(), "call failed: {stderr}");
    let s = summary(&events);
    assert_eq!(
        (s["connected"].as_u64(), s["dropped"].as_u64()),
        (Some(0), Some(1))
    );
    assert!(in_order(&states(&events), &["dialing", "ringback", "idle"]));
    let (status, stdout, stderr) = listener.finish();
    assert!(status.success(), "listen failed: {stderr}");
    let events = json(&stdout);
    assert!(in_order(
        &states(&events),
        &["offering", "accepted", "disconnected", "idle"]
    ));
    assert_eq!(
        mode_of(&events, "disconnected").as_deref(),
        Some("cancelled")
    );
}

#[test]
fn unexpected_outcome_exits_1_with_the_summary_last() {
    let (listener, port) = listen(&["--max-calls", "1", "--on-offer", "decline"]);
    // Expecting `normal` (the default without a drop flag) but the call is declined.
    let (status, events, stderr) = call(port, &[]);
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert_eq!(summary(&events)["modes"]["reject"], 1);
    drop(listener.finish());
}

#[test]
fn load_of_calls_with_concurrency() {
    let (listener, port) = listen(&["--max-calls", "6"]);
    let extra = [
        "--calls",
        "6",
        "--rate",
        "50",
        "--concurrency",
        "2",
        "--drop-after",
        "50",
    ];
    let (status, events, stderr) = call(port, &extra);
    assert!(status.success(), "call failed: {stderr}");
    let s = summary(&events);
    assert_eq!(
        (s["attempted"].as_u64(), s["dropped"].as_u64()),
        (Some(6), Some(6))
    );
    let (status, _, stderr) = listener.finish();
    assert!(status.success(), "listen failed: {stderr}");
}

#[test]
fn serve_maps_commands_to_replies() {
    let (listener, port) = listen(&["--max-calls", "1"]);
    let mut serve = Proc::spawn(&["serve", "--udp", "127.0.0.1:0", "--t1", "50"]);
    let _ = serve.udp_port();
    let uri = format!("sip:bob@127.0.0.1:{port}");
    serve.send_line(&format!(r#"{{"cmd":"call","id":1,"uri":"{uri}"}}"#));
    serve.send_line(r#"{"cmd":"drop","id":7,"call":999}"#);
    serve.send_line("not json");
    // Read events until the call connects; its handle comes from the reply to command 1.
    let deadline = Instant::now() + LIMIT;
    let mut seen = Vec::new();
    let mut handle = None;
    while Instant::now() < deadline {
        let Ok(line) = serve.stdout.recv_timeout(Duration::from_millis(100)) else {
            continue;
        };
        let event: Value = serde_json::from_str(&line).expect("JSON");
        if event["event"] == "reply" && event["request"] == 1 {
            handle = event["call"].as_u64();
        }
        let connected = event["event"] == "call_state" && event["state"] == "connected";
        seen.push(event);
        if connected {
            break;
        }
    }
    let handle = handle.expect("a reply with the call handle");
    serve.send_line(&format!(
        r#"{{"cmd":"drop","id":2,"call":{handle},"uui":"04a1"}}"#
    ));
    serve.send_line(r#"{"cmd":"quit"}"#);
    let (status, stdout, stderr) = serve.finish();
    assert!(status.success(), "serve failed: {stderr}");
    seen.extend(json(&stdout));
    let reply = |id: u64| {
        seen.iter()
            .find(|e| e["event"] == "reply" && e["request"] == id)
    };
    assert_eq!(reply(1).map(|r| r["result"].clone()), Some("ok".into()));
    assert_eq!(
        reply(7).map(|r| r["error"].clone()),
        Some("invalcallhandle".into())
    );
    assert_eq!(reply(2).map(|r| r["result"].clone()), Some("ok".into()));
    assert!(
        seen.iter().any(|e| e["error"] == "invalparam"),
        "bad line not answered"
    );
    let (status, _, stderr) = listener.finish();
    assert!(status.success(), "listen failed: {stderr}");
}

/// Reads `proc`'s stdout events into `seen` until one satisfies `wanted`; returns it.
fn wait_for(proc: &mut Proc, seen: &mut Vec<Value>, wanted: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + LIMIT;
    while Instant::now() < deadline {
        let Ok(line) = proc.stdout.recv_timeout(Duration::from_millis(100)) else {
            continue;
        };
        let event: Value = serde_json::from_str(&line).expect("JSON");
        seen.push(event.clone());
        if wanted(&event) {
            return event;
        }
    }
    panic!("no such event; seen: {seen:?}");
}

fn reply_to(id: u64) -> impl Fn(&Value) -> bool {
    move |e: &Value| e["event"] == "reply" && e["request"] == id
}

#[test]
fn serve_holds_retrieves_bridges_and_disconnects() {
    let (listener, port) = listen(&["--max-calls", "1"]);
    let mut serve = Proc::spawn(&["serve", "--udp", "127.0.0.1:0", "--t1", "50"]);
    let _ = serve.udp_port();
    let mut seen = Vec::new();
    let uri = format!("sip:bob@127.0.0.1:{port}");
    serve.send_line(&format!(r#"{{"cmd":"call","id":1,"uri":"{uri}"}}"#));
    let call = wait_for(&mut serve, &mut seen, reply_to(1))["call"]
        .as_u64()
        .expect("a call handle");
    wait_for(&mut serve, &mut seen, |e| e["state"] == "connected");

    serve.send_line(&format!(r#"{{"cmd":"hold","id":2,"call":{call}}}"#));
    assert_eq!(wait_for(&mut serve, &mut seen, reply_to(2))["result"], "ok");
    assert!(seen
        .iter()
        .any(|e| e["call"] == call && e["state"] == "onhold"));
    serve.send_line(&format!(r#"{{"cmd":"hold","id":3,"call":{call}}}"#));
    assert_eq!(
        wait_for(&mut serve, &mut seen, reply_to(3))["error"],
        "invalcallstate"
    );
    serve.send_line(&format!(r#"{{"cmd":"unhold","id":4,"call":{call}}}"#));
    assert_eq!(wait_for(&mut serve, &mut seen, reply_to(4))["result"], "ok");
    let last_state = seen
        .iter()
        .rev()
        .find(|e| e["event"] == "call_state")
        .cloned();
    assert_eq!(
        last_state.map(|e| e["state"].clone()),
        Some("connected".into())
    );

    serve.send_line(&format!(r#"{{"cmd":"add_station","id":5,"call":{call}}}"#));
    let station = wait_for(&mut serve, &mut seen, reply_to(5))["call"]
        .as_u64()
        .expect("a station handle");
    serve.send_line(&format!(r#"{{"cmd":"drop","id":6,"call":{station}}}"#));
    assert_eq!(wait_for(&mut serve, &mut seen, reply_to(6))["result"], "ok");
    assert!(seen
        .iter()
        .any(|e| e["call"] == station && e["state"] == "connected" && e["mode"] == "inactive"));
    serve.send_line(r#"{"cmd":"allocated","id":7}"#);
    assert_eq!(wait_for(&mut serve, &mut seen, reply_to(7))["allocated"], 2);
    serve.send_line(&format!(
        r#"{{"cmd":"disconnect","id":8,"call":{call},"code":"sideways"}}"#
    ));
    assert_eq!(
        wait_for(&mut serve, &mut seen, reply_to(8))["error"],
        "invalparam"
    );
    serve.send_line(&format!(
        r#"{{"cmd":"disconnect","id":9,"call":{call},"code":"rejected"}}"#
    ));
    assert_eq!(wait_for(&mut serve, &mut seen, reply_to(9))["result"], "ok");
    serve.send_line(r#"{"cmd":"quit"}"#);
    let (status, stdout, stderr) = serve.finish();
    assert!(status.success(), "serve failed: {stderr}");
    seen.extend(json(&stdout));
    assert!(seen
        .iter()
        .any(|e| e["call"] == call && e["state"] == "idle"));
    let (status, stdout, stderr) = listener.finish();
    assert!(status.success(), "listen failed: {stderr}");
    // The callee saw the hold come and go without a state change, then a BYE with cause 21.
    let events = json(&stdout);
    assert_eq!(mode_of(&events, "disconnected").as_deref(), Some("reject"));
}

#[test]
fn demo_runs_its_four_scenarios() {
    let (status, stdout, stderr) = Proc::spawn(&["demo"]).finish();
    assert!(status.success(), "demo failed: {stderr}");
    assert_eq!(stderr.matches("== scenario").count(), 4, "{stderr}");
    assert_eq!(stderr.matches("   ok").count(), 4, "{stderr}");
    let events = json(&stdout);
    assert!(events.iter().all(|e| e["ua"] == "A" || e["ua"] == "B"));
    // Scenario 4: both of A's calls go `conferenced`, then `idle` with the conference handle.
    let conferenced = events
        .iter()
        .filter(|e| e["ua"] == "A" && e["state"] == "conferenced")
        .count();
    assert_eq!(conferenced, 2);
}
