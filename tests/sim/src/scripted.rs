//! A scripted peer: records what it receives and sends whatever octets a test gives it, to
//! play what no well-behaved endpoint would (forks, crossed messages, malformed input).
use std::any::Any;
use std::collections::VecDeque;
use std::net::SocketAddr;

use bytes::Bytes;
use dialog_layer::{Time, Transmit};
use sip_message::Transport;

use crate::Node;

/// A peer driven byte by byte by the test.
#[derive(Debug, Default)]
pub struct Scripted {
    received: Vec<(Time, SocketAddr, Bytes)>,
    outbox: VecDeque<Transmit>,
}

impl Scripted {
    /// A silent peer.
    pub fn new() -> Self {
        Scripted::default()
    }

    /// Queues `text` to `to` over UDP (sent at the next flush or step).
    pub fn send(&mut self, to: SocketAddr, text: &str) {
        self.outbox.push_back(Transmit {
            transport: Transport::Udp,
            destination: to,
            bytes: Bytes::copy_from_slice(text.as_bytes()),
        });
    }

    /// Everything received, with times and sources.
    pub fn received(&self) -> &[(Time, SocketAddr, Bytes)] {
        &self.received
    }

    /// The last received message as text.
    pub fn last_text(&self) -> String {
        self.received
            .last()
            .map(|(_, _, b)| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    }
}

impl Node for Scripted {
    fn handle_packet(
        &mut self,
        now: Time,
        _transport: Transport,
        _local: SocketAddr,
        remote: SocketAddr,
        bytes: &[u8],
    ) {
        self.received
            .push((now, remote, Bytes::copy_from_slice(bytes)));
    }
    fn handle_timeout(&mut self, _now: Time) {}
    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.outbox.pop_front()
    }
    fn poll_timeout(&self) -> Option<Time> {
        None
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// The value of header `name` in a message text (first occurrence, case-insensitive).
pub fn header_of<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.split("\r\n")
        .take_while(|l| !l.is_empty())
        .skip(1)
        .find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
}

/// A response to the request `request` (its text): copies Via, From, Call-ID, CSeq, sets
/// To with `to_tag`, adds `extra` header lines and a Contact.
pub fn response_to(
    request: &str,
    code: u16,
    phrase: &str,
    to_tag: Option<&str>,
    contact: &str,
    extra: &str,
) -> String {
    let mut out = format!("SIP/2.0 {code} {phrase}\r\n");
    for line in request.split("\r\n").take_while(|l| !l.is_empty()).skip(1) {
        let name = line
            .split(':')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if matches!(name.as_str(), "via" | "from" | "call-id" | "cseq") {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    let to = header_of(request, "To").unwrap_or("");
    match to_tag {
        Some(tag) => out.push_str(&format!("To: {to};tag={tag}\r\n")),
        None => out.push_str(&format!("To: {to}\r\n")),
    }
    out.push_str(&format!("Contact: <{contact}>\r\n"));
    out.push_str(extra);
    out.push_str("Content-Length: 0\r\n\r\n");
    out
}
