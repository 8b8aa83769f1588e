//! The application's side: a cloneable [`Ua`] handle and the [`UaEvents`] stream.
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use call_model::{
    CallError, CallHandle, CallModel, CallRecord, CallTarget, DisconnectCode, DropParams, Event,
    RequestId, Transport,
};
use sip_transport::Transports;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::command::{Command, ControlOp};
use crate::event_loop::{self, EventLoop};
use crate::resolve::{resolve_name, resolve_uri};
use crate::{Host, SipUri, UaConfig, UaError};

/// How many commands may wait for the loop before callers wait to send. The loop answers each
/// in microseconds; the bound only keeps a runaway caller from queueing without limit.
const COMMAND_QUEUE: usize = 1024;

/// One event from the model, stamped with the time it was drained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UaEvent {
    /// Milliseconds since the UA's origin ([`UaConfig::origin`], the process start in the CLI).
    pub t_ms: u64,
    /// The model's event.
    pub event: Event,
}

/// The stream of events of one [`Ua`].
///
/// Lossless and unbounded: the loop never waits for the application (it may be awaiting a
/// command the loop has to answer, so waiting would deadlock), and dropping events would
/// corrupt the application's view of its calls. An application must keep reading it, or drop
/// it to ignore events.
#[derive(Debug)]
pub struct UaEvents {
    receiver: mpsc::UnboundedReceiver<UaEvent>,
}

impl UaEvents {
    /// The next event; `None` once the UA has stopped and every event was read.
    pub async fn recv(&mut self) -> Option<UaEvent> {
        self.receiver.recv().await
    }

    /// The next event if one is ready, without waiting.
    pub fn try_recv(&mut self) -> Option<UaEvent> {
        self.receiver.try_recv().ok()
    }
}

/// The outbound proxy, resolved at start.
#[derive(Debug)]
struct Proxy {
    addr: SocketAddr,
    transport: Option<Transport>,
}

#[derive(Debug)]
struct Shared {
    commands: mpsc::Sender<Command>,
    transports: Transports,
    local_addrs: Vec<(Transport, SocketAddr)>,
    proxy: Option<Proxy>,
    origin: Instant,
}

/// A running user agent: a handle to its event loop. Cheap to clone; the loop stops when
/// [`Ua::shutdown`] completes or when every handle is dropped.
///
/// Every command is answered synchronously by the model (a handle, a request id, or a
/// [`UaError`]); what happens afterwards arrives as [`UaEvent`]s.
#[derive(Debug, Clone)]
pub struct Ua {
    shared: Arc<Shared>,
}

impl Ua {
    /// Binds the transports, registers every bound address with a new model, resolves the
    /// proxy, and starts the event loop on the current tokio runtime.
    pub async fn start(config: UaConfig) -> Result<(Ua, UaEvents), UaError> {
        let origin = config.origin.unwrap_or_else(Instant::now);
        let (transports, transport_events) =
            sip_transport::Transports::bind(config.transport.clone()).await?;
        let local_addrs = bound_addresses(&transports, &config.transport);
        tracing::info!(ua = %config.name, ?local_addrs, "transports bound");

        let proxy = match &config.proxy {
            Some(text) => Some(resolve_proxy(text, &transports).await?),
            None => None,
        };

        let mut model = CallModel::new(config.model);
        for (transport, addr) in &local_addrs {
            model.add_local_address(*transport, *addr);
        }

        let (command_tx, command_rx) = mpsc::channel(COMMAND_QUEUE);
        let (event_tx, event_rx) = mpsc::unbounded_channel();
        let event_loop = EventLoop::new(
            model,
            transports.clone(),
            transport_events,
            command_rx,
            event_tx,
            origin,
            config.sip_trace,
        );
        // The task is detached: its end is observed through the channels (commands fail with
        // `Stopped`, the event stream ends), which also covers a panic inside the model.
        drop(event_loop::spawn(event_loop, &config.name));

        let shared = Shared {
            commands: command_tx,
            transports,
            local_addrs,
            proxy,
            origin,
        };
        Ok((
            Ua {
                shared: Arc::new(shared),
            },
            UaEvents { receiver: event_rx },
        ))
    }

    /// The addresses bound, with port 0 replaced by the port the OS chose.
    pub fn local_addrs(&self) -> &[(Transport, SocketAddr)] {
        &self.shared.local_addrs
    }

    /// The origin of the UA's clock (`t_ms` counts from here).
    pub fn origin(&self) -> Instant {
        self.shared.origin
    }

    /// Places a call (state `dialing`).
    ///
    /// When `target.destination` is unset, the runtime fills it: with the outbound proxy when
    /// one is configured (whose `transport` parameter also applies when `target.transport` is
    /// unset), else with the resolved address when the URI's host is a name (port 5060 unless
    /// given). IP literals, and URIs this reader cannot parse, go to the model unchanged: the
    /// model routes them or refuses them (`invaladdress`).
    #[tracing::instrument(level = "debug", skip(self), fields(uri = %target.uri))]
    pub async fn make_call(&self, mut target: CallTarget) -> Result<CallHandle, UaError> {
        if target.destination.is_none() {
            if let Some(proxy) = &self.shared.proxy {
                target.destination = Some(proxy.addr);
                target.transport = target.transport.or(proxy.transport);
            } else if let Ok(uri) = SipUri::parse(&target.uri) {
                let transport = target.transport.or(uri.transport).unwrap_or(Transport::Udp);
                let transports = &self.shared.transports;
                target.destination = resolve_name(&uri, transport, |a| {
                    transports.local_addr(transport, a).is_some()
                })
                .await?;
            }
        }
        self.request(|reply| Command::MakeCall { target, reply })
            .await?
    }

    /// Registers `aor` (e.g. `sip:bob@example.test`) for `expires` seconds, at the outbound
    /// proxy when one is configured, else at the AOR's host; the model refreshes it and
    /// [`Ua::shutdown`] removes it. Progress comes as `Event::Registration`.
    pub async fn register(&self, aor: &str, expires: u32) -> Result<(), UaError> {
        let uri = SipUri::parse(aor).map_err(|source| UaError::Uri {
            uri: aor.to_owned(),
            source,
        })?;
        let (destination, transport) = match &self.shared.proxy {
            Some(proxy) => (proxy.addr, proxy.transport.unwrap_or(Transport::Udp)),
            None => {
                let transport = uri.transport.unwrap_or(Transport::Udp);
                let transports = &self.shared.transports;
                let addr = resolve_uri(&uri, transport, |a| {
                    transports.local_addr(transport, a).is_some()
                })
                .await?;
                (addr, transport)
            }
        };
        let host = match &uri.host {
            Host::Ip(std::net::IpAddr::V6(ip)) => format!("[{ip}]"),
            Host::Ip(ip) => ip.to_string(),
            Host::Name(name) => name.clone(),
        };
        let registrar = match uri.port {
            Some(port) => format!("sip:{host}:{port}"),
            None => format!("sip:{host}"),
        };
        let registration = call_model::Registration {
            aor: aor.to_owned(),
            registrar,
            destination,
            transport,
            expires,
        };
        Ok(self
            .request(|reply| Command::Register {
                registration,
                reply,
            })
            .await??)
    }

    /// Accepts an offered call: 180 Ringing (state `accepted`).
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn accept(&self, call: CallHandle) -> Result<(), UaError> {
        Ok(self
            .request(|reply| Command::Accept { call, reply })
            .await??)
    }

    /// Disconnects a call the TAPI 3 way (drop-semantics §7): like [`Ua::drop_call`] with the
    /// response code and Q.850 cause chosen by `code`.
    #[tracing::instrument(level = "debug", skip(self, uui))]
    pub async fn disconnect(
        &self,
        call: CallHandle,
        code: DisconnectCode,
        uui: Option<Vec<u8>>,
    ) -> Result<RequestId, UaError> {
        Ok(self
            .request(|reply| Command::Disconnect {
                call,
                code,
                uui,
                reply,
            })
            .await??)
    }

    /// Puts a connected call on hold (TAPI `lineHold`) with a re-INVITE offering
    /// `a=sendonly`: returns the request id at once; its `reply` event follows when the
    /// re-INVITE ends, with the call `onhold` on success.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn hold(&self, call: CallHandle) -> Result<RequestId, UaError> {
        self.reinvite(call, true).await
    }

    /// Retrieves a held call (TAPI `lineUnhold`): like [`Ua::hold`], back to `connected`.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn unhold(&self, call: CallHandle) -> Result<RequestId, UaError> {
        self.reinvite(call, false).await
    }

    async fn reinvite(&self, call: CallHandle, hold: bool) -> Result<RequestId, UaError> {
        Ok(self
            .request(|reply| Command::Hold { call, hold, reply })
            .await??)
    }

    /// Starts a local conference with `call` as its first participant; returns the conference
    /// handle.
    pub async fn setup_conference(&self, call: CallHandle) -> Result<CallHandle, UaError> {
        let handle = self.control(ControlOp::SetupConference(call)).await?;
        handle.ok_or(UaError::Call(CallError::InvalCallState))
    }

    /// Adds a connected call to a conference.
    pub async fn add_to_conference(
        &self,
        conference: CallHandle,
        call: CallHandle,
    ) -> Result<(), UaError> {
        self.control(ControlOp::AddToConference { conference, call })
            .await
            .map(|_| ())
    }

    /// Takes a participant out of its conference (it is `connected` again).
    pub async fn remove_from_conference(&self, call: CallHandle) -> Result<(), UaError> {
        self.control(ControlOp::RemoveFromConference(call))
            .await
            .map(|_| ())
    }

    /// Adds a bridged station to a connected call; returns the station's handle.
    pub async fn add_station(&self, call: CallHandle) -> Result<CallHandle, UaError> {
        let handle = self.control(ControlOp::AddStation(call)).await?;
        handle.ok_or(UaError::Call(CallError::InvalCallState))
    }

    /// An inactive bridged station joins again.
    pub async fn rejoin(&self, station: CallHandle) -> Result<(), UaError> {
        self.control(ControlOp::Rejoin(station)).await.map(|_| ())
    }

    async fn control(&self, op: ControlOp) -> Result<Option<CallHandle>, UaError> {
        Ok(self
            .request(|reply| Command::Control { op, reply })
            .await??)
    }

    /// Answers an offered or accepted call: 200 OK (state `connected`).
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn answer(&self, call: CallHandle) -> Result<(), UaError> {
        Ok(self
            .request(|reply| Command::Answer { call, reply })
            .await??)
    }

    /// Drops a call (TAPI `lineDrop`): returns the request id at once; a `reply` event with it
    /// follows when the BYE / CANCEL / final response is on its way.
    #[tracing::instrument(level = "debug", skip(self, params))]
    pub async fn drop_call(
        &self,
        call: CallHandle,
        params: DropParams,
    ) -> Result<RequestId, UaError> {
        Ok(self
            .request(|reply| Command::DropCall {
                call,
                params,
                reply,
            })
            .await??)
    }

    /// Frees an idle call's record (refused with `invalcallstate` while it is not idle).
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn deallocate(&self, call: CallHandle) -> Result<(), UaError> {
        Ok(self
            .request(|reply| Command::Deallocate { call, reply })
            .await??)
    }

    /// A snapshot of an allocated call's record; `None` for an unknown handle, or once the UA
    /// has stopped.
    pub async fn call_info(&self, call: CallHandle) -> Option<CallRecord> {
        self.request(|reply| Command::CallInfo { call, reply })
            .await
            .ok()
            .flatten()
    }

    /// How many calls are allocated (not yet deallocated): a leak shows here.
    pub async fn allocated_calls(&self) -> Result<usize, UaError> {
        self.request(|reply| Command::AllocatedCalls { reply })
            .await
    }

    /// The handles of every call that is not idle.
    pub async fn live_calls(&self) -> Result<Vec<CallHandle>, UaError> {
        self.request(|reply| Command::LiveCalls { reply }).await
    }

    /// Drops every live call with default parameters, waits until no transaction is left or
    /// `grace` has passed, and stops the loop. See [`Ua::shutdown_with`].
    pub async fn shutdown(&self, grace: Duration) -> Result<(), UaError> {
        self.shutdown_with(grace, DropParams::default()).await
    }

    /// Like [`Ua::shutdown`], with the UUI, cause and decline code to drop with. Calls offered
    /// during the grace period are dropped too; new calls are refused
    /// ([`UaError::ShuttingDown`]). Returns once the loop has stopped; events produced until
    /// then are still delivered, after which the event stream ends.
    #[tracing::instrument(level = "debug", skip(self, params))]
    pub async fn shutdown_with(&self, grace: Duration, params: DropParams) -> Result<(), UaError> {
        let (done, stopped) = oneshot::channel();
        let command = Command::Shutdown {
            grace,
            params,
            done,
        };
        if self.shared.commands.send(command).await.is_err() {
            // Already stopped: the goal of a shutdown is reached.
            return Ok(());
        }
        // The sender is dropped without firing only if the loop ended another way; the UA is
        // stopped either way.
        let _ = stopped.await;
        Ok(())
    }

    /// Sends a command and waits for its answer; [`UaError::Stopped`] when the loop is gone.
    async fn request<T>(
        &self,
        command: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, UaError> {
        let (reply, answer) = oneshot::channel();
        self.shared
            .commands
            .send(command(reply))
            .await
            .map_err(|_| UaError::Stopped)?;
        answer.await.map_err(|_| UaError::Stopped)
    }
}

/// The addresses actually bound (port 0 resolved), one per configured socket, deduplicated.
fn bound_addresses(
    transports: &Transports,
    config: &sip_transport::TransportConfig,
) -> Vec<(Transport, SocketAddr)> {
    let wanted = config
        .udp
        .iter()
        .map(|a| (Transport::Udp, *a))
        .chain(config.tcp.iter().map(|a| (Transport::Tcp, *a)));
    let mut bound = Vec::new();
    for (transport, configured) in wanted {
        // `local_addr` picks the socket by the peer's address family: the configured address
        // has the family of the socket bound for it.
        if let Some(addr) = transports.local_addr(transport, configured) {
            if !bound.contains(&(transport, addr)) {
                bound.push((transport, addr));
            }
        }
    }
    bound
}

async fn resolve_proxy(text: &str, transports: &Transports) -> Result<Proxy, UaError> {
    let uri = SipUri::parse(text).map_err(|source| UaError::Uri {
        uri: text.to_owned(),
        source,
    })?;
    let transport = uri.transport.unwrap_or(Transport::Udp);
    let addr = resolve_uri(&uri, transport, |a| {
        transports.local_addr(transport, a).is_some()
    })
    .await?;
    tracing::info!(proxy = %addr, %transport, "outbound proxy");
    Ok(Proxy {
        addr,
        transport: uri.transport,
    })
}
