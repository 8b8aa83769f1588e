//! The virtual network and clock.
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use dialog_layer::Time;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sip_message::Transport;

use crate::Node;

/// One message the network carried (or lost).
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// When it was sent.
    pub at: Time,
    /// Sender.
    pub from: SocketAddr,
    /// Destination.
    pub to: SocketAddr,
    /// Transport.
    pub transport: Transport,
    /// The octets.
    pub bytes: Bytes,
    /// True when the network lost it.
    pub dropped: bool,
}

impl LogEntry {
    /// The start line (`INVITE sip:...`, `SIP/2.0 200 OK`).
    pub fn first_line(&self) -> &str {
        let text = std::str::from_utf8(&self.bytes).unwrap_or("");
        text.split("\r\n").next().unwrap_or("")
    }

    /// True for a request with this method.
    pub fn is_request(&self, method: &str) -> bool {
        self.first_line().starts_with(&format!("{method} "))
    }

    /// True for a response with this status.
    pub fn is_response(&self, code: u16) -> bool {
        self.first_line().starts_with(&format!("SIP/2.0 {code} "))
    }

    /// The CSeq method of the message.
    pub fn cseq_method(&self) -> Option<&str> {
        self.header("CSeq")
            .and_then(|v| v.split_whitespace().nth(1))
    }

    /// The first value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        let text = std::str::from_utf8(&self.bytes).ok()?;
        text.split("\r\n")
            .take_while(|l| !l.is_empty())
            .skip(1)
            .find_map(|line| {
                let (n, v) = line.split_once(':')?;
                n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
            })
    }
}

type Predicate = Box<dyn FnMut(&LogEntry) -> bool>;

struct InFlight {
    transport: Transport,
    from: SocketAddr,
    to: SocketAddr,
    bytes: Bytes,
}

/// Nodes on a virtual clock and network.
pub struct Sim {
    now: Time,
    nodes: Vec<(SocketAddr, Box<dyn Node>)>,
    queue: BinaryHeap<Reverse<(Time, u64)>>,
    in_flight: HashMap<u64, InFlight>,
    seq: u64,
    latency: HashMap<(SocketAddr, SocketAddr), Duration>,
    default_latency: Duration,
    drop_rules: Vec<(usize, Predicate)>,
    loss_rate: f64,
    jitter: Duration,
    rng: StdRng,
    log: Vec<LogEntry>,
}

impl Sim {
    /// An empty simulation at time zero; `seed` drives loss and jitter.
    pub fn new(seed: u64) -> Self {
        Sim {
            now: Time::ZERO,
            nodes: Vec::new(),
            queue: BinaryHeap::new(),
            in_flight: HashMap::new(),
            seq: 0,
            latency: HashMap::new(),
            default_latency: Duration::ZERO,
            drop_rules: Vec::new(),
            loss_rate: 0.0,
            jitter: Duration::ZERO,
            rng: StdRng::seed_from_u64(seed),
            log: Vec::new(),
        }
    }

    /// Adds a node at `addr`; returns its index.
    pub fn add(&mut self, addr: SocketAddr, node: impl Node) -> usize {
        self.nodes.push((addr, Box::new(node)));
        self.nodes.len() - 1
    }

    /// The node at `index` as its concrete type.
    ///
    /// # Panics
    /// When the index or the type is wrong (a test bug).
    pub fn node<T: Node>(&mut self, index: usize) -> &mut T {
        match self.nodes[index].1.as_any_mut().downcast_mut::<T>() {
            Some(node) => node,
            None => panic!("node {index} is not of the requested type"),
        }
    }

    /// The address of node `index`.
    pub fn addr(&self, index: usize) -> SocketAddr {
        self.nodes[index].0
    }

    /// The current virtual time.
    pub fn now(&self) -> Time {
        self.now
    }

    /// Latency for every direction without its own.
    pub fn set_latency(&mut self, latency: Duration) {
        self.default_latency = latency;
    }

    /// Latency from `from` to `to`.
    pub fn set_link_latency(&mut self, from: SocketAddr, to: SocketAddr, latency: Duration) {
        self.latency.insert((from, to), latency);
    }

    /// Random loss of each UDP message with this probability (seeded).
    pub fn set_loss_rate(&mut self, rate: f64) {
        self.loss_rate = rate;
    }

    /// Adds a random extra delay up to `jitter` to each UDP message, which reorders them.
    pub fn set_jitter(&mut self, jitter: Duration) {
        self.jitter = jitter;
    }

    /// Loses the next `count` messages matching `predicate`.
    pub fn drop_next(&mut self, count: usize, predicate: impl FnMut(&LogEntry) -> bool + 'static) {
        self.drop_rules.push((count, Box::new(predicate)));
    }

    /// Every message sent so far.
    pub fn log(&self) -> &[LogEntry] {
        &self.log
    }

    /// Messages matching `predicate`.
    pub fn sent(&self, mut predicate: impl FnMut(&LogEntry) -> bool) -> Vec<&LogEntry> {
        self.log.iter().filter(|e| predicate(e)).collect()
    }

    /// Send times (in ms) of messages matching `predicate`.
    pub fn times_ms(&self, predicate: impl FnMut(&LogEntry) -> bool) -> Vec<u64> {
        self.sent(predicate)
            .iter()
            .map(|e| e.at.as_millis())
            .collect()
    }

    /// Drains the transmits of every node onto the network (call after a command).
    pub fn flush(&mut self) {
        for i in 0..self.nodes.len() {
            self.drain(i);
        }
    }

    /// The time of the next delivery or timer.
    pub fn next_event(&self) -> Option<Time> {
        let next_packet = self.queue.peek().map(|Reverse((t, _))| *t);
        let next_timer = self
            .nodes
            .iter()
            .filter_map(|(_, n)| n.poll_timeout())
            .min();
        [next_packet, next_timer].into_iter().flatten().min()
    }

    /// Advances to the next event and handles it. False when nothing is left to happen.
    pub fn step(&mut self) -> bool {
        self.flush();
        match self.next_event() {
            Some(next) => {
                self.advance_to(next);
                true
            }
            None => false,
        }
    }

    /// Runs every event up to and including `until`, then sets the clock to `until`.
    pub fn run_until(&mut self, until: Time) {
        loop {
            self.flush();
            match self.next_event() {
                Some(t) if t <= until => self.advance_to(t),
                _ => break,
            }
        }
        if until > self.now {
            self.now = until;
        }
    }

    /// Runs for `duration` of virtual time.
    pub fn run_for(&mut self, duration: Duration) {
        let until = self.now + duration;
        self.run_until(until);
    }

    fn advance_to(&mut self, t: Time) {
        if t > self.now {
            self.now = t;
        }
        let now = self.now;
        while let Some(Reverse((at, id))) = self.queue.peek().copied() {
            if at > now {
                break;
            }
            self.queue.pop();
            if let Some(p) = self.in_flight.remove(&id) {
                if let Some(i) = self.nodes.iter().position(|(a, _)| *a == p.to) {
                    self.nodes[i]
                        .1
                        .handle_packet(now, p.transport, p.to, p.from, &p.bytes);
                    self.drain(i);
                }
            }
        }
        for i in 0..self.nodes.len() {
            if self.nodes[i].1.poll_timeout().is_some_and(|d| d <= now) {
                self.nodes[i].1.handle_timeout(now);
                self.drain(i);
            }
        }
    }

    fn drain(&mut self, i: usize) {
        let from = self.nodes[i].0;
        while let Some(t) = self.nodes[i].1.poll_transmit() {
            let mut entry = LogEntry {
                at: self.now,
                from,
                to: t.destination,
                transport: t.transport,
                bytes: t.bytes.clone(),
                dropped: false,
            };
            entry.dropped = self.should_drop(&entry);
            let latency = self
                .latency
                .get(&(from, t.destination))
                .copied()
                .unwrap_or(self.default_latency);
            let jitter = if t.transport == Transport::Udp && !self.jitter.is_zero() {
                let nanos = u64::try_from(self.jitter.as_nanos()).unwrap_or(u64::MAX);
                Duration::from_nanos(self.rng.random_range(0..=nanos))
            } else {
                Duration::ZERO
            };
            if !entry.dropped {
                self.seq += 1;
                self.in_flight.insert(
                    self.seq,
                    InFlight {
                        transport: t.transport,
                        from,
                        to: t.destination,
                        bytes: t.bytes,
                    },
                );
                self.queue
                    .push(Reverse((self.now + latency + jitter, self.seq)));
            }
            self.log.push(entry);
        }
    }

    fn should_drop(&mut self, entry: &LogEntry) -> bool {
        for (count, predicate) in self.drop_rules.iter_mut() {
            if *count > 0 && predicate(entry) {
                *count -= 1;
                return true;
            }
        }
        entry.transport == Transport::Udp
            && self.loss_rate > 0.0
            && self.rng.random_bool(self.loss_rate.clamp(0.0, 1.0))
    }
}
