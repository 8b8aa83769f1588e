//! The endpoint: the one driving type of the dialog layer.
//!
//! Inputs are `handle_packet`, `handle_timeout` and `handle_send_failure`, each with `now`;
//! commands are `send_invite`, `cancel`, `send_in_dialog`, `respond`; after every input or
//! command drain `poll_transmit` and `poll_event`, then sleep until `poll_timeout`.
mod incoming;
mod records;
mod resend;
mod uac;
mod uas;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;

use bytes::Bytes;
use sip_message::Transport;

use crate::ids::IdGenerator;
use crate::timer::{Timer, TimerQueue};
use crate::{Dialog, DialogId, EndpointEvent, Time, TimerConfig, Transmit, TxId};
pub use records::{ClientKey, ServerKey};
use records::{Tx, TxKind};
pub use resend::ChallengedRequest;
pub use uac::{
    literal_destination, CancelOutcome, InviteOptions, InviteRequest, RequestOptions, SentInvite,
};

/// The methods we accept (Allow header).
pub const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO";

/// Configuration of an endpoint.
#[derive(Debug, Clone)]
pub struct EndpointConfig {
    /// T1, T2, T4.
    pub timers: TimerConfig,
    /// Seed for branches, tags and Call-IDs.
    pub seed: u64,
    /// `User-Agent` / `Server` header value.
    pub user_agent: String,
    /// Framing limits for received datagrams.
    pub limits: sip_message::Limits,
    /// User part of our Contact URIs.
    pub contact_user: String,
}

impl Default for EndpointConfig {
    fn default() -> Self {
        EndpointConfig {
            timers: TimerConfig::default(),
            seed: 0,
            user_agent: "sipdrop".into(),
            limits: sip_message::Limits::default(),
            contact_user: "sipdrop".into(),
        }
    }
}

/// Errors of endpoint commands (API misuse, never peer behaviour).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// No such transaction (finished, or never existed).
    #[error("no such transaction")]
    NoTransaction,
    /// No such dialog.
    #[error("no such dialog")]
    NoDialog,
    /// The transaction's state does not allow this response.
    #[error("response not allowed in the transaction's state")]
    InvalidState,
    /// No local address for the transport and address family.
    #[error("no local {0} address")]
    NoLocalAddress(Transport),
    /// The URI cannot be used as a request target.
    #[error("invalid request URI")]
    InvalidUri,
    /// A challenged request cannot be sent again (ACK, CANCEL, a dialog's first INVITE, or
    /// octets that are not one of our requests).
    #[error("request cannot be sent again")]
    NotResendable,
}

/// The RFC 3261 transaction and dialog layer.
#[derive(Debug)]
pub struct Endpoint {
    config: EndpointConfig,
    ids: IdGenerator,
    next_tx: u64,
    local_addrs: Vec<(Transport, SocketAddr)>,
    txs: HashMap<TxId, Tx>,
    client_index: HashMap<ClientKey, TxId>,
    server_index: HashMap<ServerKey, TxId>,
    dialogs: HashMap<DialogId, Dialog>,
    /// Pending INVITEs outside a dialog, for merged-request detection (§8.2.2.2).
    merge_index: HashMap<records::MergeKey, TxId>,
    /// INVITE server transactions whose 2xx waits for its ACK, by dialog.
    awaiting_ack: HashMap<DialogId, TxId>,
    timers: TimerQueue,
    transmits: VecDeque<Transmit>,
    events: VecDeque<EndpointEvent>,
}

impl Endpoint {
    /// An endpoint with no transactions.
    pub fn new(config: EndpointConfig) -> Self {
        Endpoint {
            ids: IdGenerator::new(config.seed),
            config,
            next_tx: 1,
            local_addrs: Vec::new(),
            txs: HashMap::new(),
            client_index: HashMap::new(),
            server_index: HashMap::new(),
            dialogs: HashMap::new(),
            awaiting_ack: HashMap::new(),
            merge_index: HashMap::new(),
            timers: TimerQueue::default(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &EndpointConfig {
        &self.config
    }

    /// Registers a local address messages can be sent from (Via, Contact).
    pub fn add_local_address(&mut self, transport: Transport, addr: SocketAddr) {
        if !self.local_addrs.contains(&(transport, addr)) {
            self.local_addrs.push((transport, addr));
        }
    }

    /// The local address for `transport` in `peer`'s address family.
    pub fn local_address(&self, transport: Transport, peer: SocketAddr) -> Option<SocketAddr> {
        self.local_addrs
            .iter()
            .find(|(t, a)| *t == transport && a.is_ipv4() == peer.is_ipv4())
            .map(|&(_, a)| a)
    }

    /// A fresh tag from the seeded RNG.
    pub fn new_tag(&mut self) -> String {
        self.ids.tag()
    }

    /// A fresh Call-ID from the seeded RNG.
    pub fn new_call_id(&mut self) -> String {
        self.ids.call_id()
    }

    /// A dialog, by id.
    pub fn dialog(&self, id: &DialogId) -> Option<&Dialog> {
        self.dialogs.get(id)
    }

    /// Forgets a dialog (after its BYE, or when the call ends otherwise).
    pub fn remove_dialog(&mut self, id: &DialogId) {
        self.dialogs.remove(id);
    }

    /// Number of live transactions.
    pub fn transaction_count(&self) -> usize {
        self.txs.len()
    }

    /// Number of transactions that still have work to do: sending, retransmitting, or waiting
    /// for a response or an ACK. Transactions that only absorb retransmissions (Timers D, I,
    /// J, K, L after the ACK, M) are not counted.
    pub fn active_transaction_count(&self) -> usize {
        self.txs
            .values()
            .filter(|tx| !tx.kind.is_lingering())
            .count()
    }

    /// Number of dialogs.
    pub fn dialog_count(&self) -> usize {
        self.dialogs.len()
    }

    /// Fires every timer due at or before `now`.
    pub fn handle_timeout(&mut self, now: Time) {
        while let Some((at, id, timer)) = self.timers.pop_due(now) {
            let live = self
                .txs
                .get(&id)
                .is_some_and(|tx| tx.timers.is_armed(timer, at));
            if live {
                self.fire_timer(now, id, timer);
            }
        }
    }

    /// Reports that sending to `destination` failed: every transaction sending there ends
    /// with [`EndpointEvent::TransportError`].
    pub fn handle_send_failure(
        &mut self,
        now: Time,
        transport: Transport,
        destination: SocketAddr,
    ) {
        let _ = now;
        let hit: Vec<TxId> = self
            .txs
            .iter()
            .filter(|(_, tx)| tx.transport == transport && tx.destination == destination)
            .map(|(id, _)| *id)
            .collect();
        for id in hit {
            self.transport_error(id);
        }
    }

    /// The next message to send.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event for the transaction user.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<EndpointEvent> {
        self.events.pop_front()
    }

    /// When [`Endpoint::handle_timeout`] must next be called.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Time> {
        self.timers.peek()
    }

    fn alloc_tx(&mut self) -> TxId {
        let id = TxId(self.next_tx);
        self.next_tx += 1;
        id
    }

    fn send(&mut self, transport: Transport, destination: SocketAddr, bytes: Bytes) {
        tracing::trace!(%transport, %destination, len = bytes.len(), "transmit");
        self.transmits.push_back(Transmit {
            transport,
            destination,
            bytes,
        });
    }

    /// Moves the fresh timers of `id` onto the queue.
    fn schedule(&mut self, id: TxId) {
        if let Some(tx) = self.txs.get_mut(&id) {
            for (timer, at) in tx.timers.take_fresh() {
                self.timers.push(at, id, timer);
            }
        }
    }

    /// Removes a terminated transaction and its index entries.
    fn remove_tx(&mut self, id: TxId) {
        if let Some(tx) = self.txs.remove(&id) {
            match &tx.kind {
                TxKind::Client(c) => {
                    self.client_index.remove(&c.key);
                }
                TxKind::Server(s) => {
                    self.server_index.remove(&s.key);
                    if let Some(key) = &s.merge_key {
                        if self.merge_index.get(key) == Some(&id) {
                            self.merge_index.remove(key);
                        }
                    }
                }
            }
            tracing::debug!(tx = %id, "transaction removed");
            self.events.push_back(EndpointEvent::Terminated { tx: id });
        }
    }

    fn fire_timer(&mut self, now: Time, id: TxId, timer: Timer) {
        let _span = tracing::debug_span!("tx", tx = %id, ?timer).entered();
        let is_client = matches!(self.txs.get(&id).map(|t| &t.kind), Some(TxKind::Client(_)));
        if is_client {
            self.fire_client_timer(now, id, timer);
        } else {
            self.fire_server_timer(now, id, timer);
        }
        self.schedule(id);
    }

    fn transport_error(&mut self, id: TxId) {
        let Some(tx) = self.txs.get_mut(&id) else {
            return;
        };
        let ended = match &mut tx.kind {
            TxKind::Client(c) => c.on_transport_error(&mut tx.timers),
            TxKind::Server(s) => s.on_transport_error(&mut tx.timers),
        };
        if ended {
            self.events
                .push_back(EndpointEvent::TransportError { tx: id });
            self.remove_tx(id);
        }
    }
}
