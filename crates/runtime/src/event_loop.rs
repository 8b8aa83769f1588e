//! The one loop: every input goes into the model, and after every input every output is drained
//! (architecture principle 2). Nothing here decides anything about SIP.
use std::collections::HashSet;

use call_model::{CallHandle, CallModel, DropParams, Event, Time, Transmit};
use sip_transport::{Inbound, TransportEvent, Transports};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tracing::Instrument;

use crate::command::{Command, ControlOp};
use crate::{UaError, UaEvent, SIP_TRACE_TARGET};

/// A shutdown in progress: calls are being dropped, the loop waits for quiescence.
struct Shutdown {
    /// Stop at this instant even if transactions are still running.
    deadline: Instant,
    /// What to send with the drops.
    params: DropParams,
    /// Calls already dropped, so an offer arriving during the grace period is dropped too but
    /// no call is dropped twice.
    dropped: HashSet<CallHandle>,
    /// Fired when the loop stops.
    done: Vec<oneshot::Sender<()>>,
}

/// The state owned by the event-loop task.
pub(crate) struct EventLoop {
    pub(crate) model: CallModel,
    pub(crate) transports: Transports,
    pub(crate) transport_events: mpsc::Receiver<TransportEvent>,
    pub(crate) commands: mpsc::Receiver<Command>,
    pub(crate) events: mpsc::UnboundedSender<UaEvent>,
    pub(crate) origin: Instant,
    pub(crate) sip_trace: bool,
    shutdown: Option<Shutdown>,
}

impl EventLoop {
    /// A loop over a model that has its local addresses registered.
    pub(crate) fn new(
        model: CallModel,
        transports: Transports,
        transport_events: mpsc::Receiver<TransportEvent>,
        commands: mpsc::Receiver<Command>,
        events: mpsc::UnboundedSender<UaEvent>,
        origin: Instant,
        sip_trace: bool,
    ) -> Self {
        EventLoop {
            model,
            transports,
            transport_events,
            commands,
            events,
            origin,
            sip_trace,
            shutdown: None,
        }
    }

    /// Runs until a shutdown completes, every [`crate::Ua`] handle is gone, or the transports
    /// stop.
    pub(crate) async fn run(mut self) {
        // One timer, re-armed before every wait: the model only ever needs the earliest one.
        let sleep = tokio::time::sleep_until(self.origin);
        tokio::pin!(sleep);
        loop {
            let wake = self.next_wake();
            if let Some(at) = wake {
                sleep.as_mut().reset(at);
            }
            tokio::select! {
                event = self.transport_events.recv() => match event {
                    Some(event) => self.on_transport(event),
                    None => {
                        tracing::error!("transports stopped; stopping the user agent");
                        break;
                    }
                },
                command = self.commands.recv() => match command {
                    Some(command) => {
                        let span = tracing::debug_span!("command", kind = command.kind());
                        span.in_scope(|| self.on_command(command));
                    }
                    None => {
                        tracing::debug!("every Ua handle dropped; stopping");
                        break;
                    }
                },
                () = &mut sleep, if wake.is_some() => {
                    // Also reached for the shutdown deadline: the model fires only what is due.
                    let now = self.now();
                    self.model.handle_timeout(now);
                }
            }
            self.drain();
            if self.shutdown_finished() {
                break;
            }
        }
        // Close the sockets gracefully: what was just queued (an ACK, a BYE) is still written.
        self.transports.shutdown().await;
        if let Some(shutdown) = self.shutdown.take() {
            for done in shutdown.done {
                let _ = done.send(());
            }
        }
    }

    /// The model's clock: time since the origin.
    fn now(&self) -> Time {
        Time::from_duration(self.origin.elapsed())
    }

    fn instant(&self, at: Time) -> Instant {
        self.origin + at.since_origin()
    }

    /// The earlier of the model's timer and the shutdown deadline.
    fn next_wake(&self) -> Option<Instant> {
        let timer = self.model.poll_timeout().map(|t| self.instant(t));
        let deadline = self.shutdown.as_ref().map(|s| s.deadline);
        match (timer, deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn on_transport(&mut self, event: TransportEvent) {
        let now = self.now();
        match event {
            TransportEvent::Received(Inbound {
                transport,
                local,
                remote,
                bytes,
            }) => {
                if self.sip_trace {
                    tracing::info!(
                        target: SIP_TRACE_TARGET,
                        "recv {transport} {remote} -> {local} ({} bytes)\n{}",
                        bytes.len(),
                        String::from_utf8_lossy(&bytes)
                    );
                }
                self.model
                    .handle_packet(now, transport, local, remote, &bytes);
            }
            TransportEvent::SendFailed {
                transport,
                destination,
                error,
            } => {
                tracing::debug!(%transport, %destination, %error, "send failed");
                self.model.handle_send_failure(now, transport, destination);
            }
        }
    }

    fn on_command(&mut self, command: Command) {
        let now = self.now();
        // A dropped oneshot receiver means the caller stopped waiting: nothing to do about it.
        match command {
            Command::MakeCall { target, reply } => {
                let result = if self.shutdown.is_some() {
                    Err(UaError::ShuttingDown)
                } else {
                    self.model.make_call(now, target).map_err(UaError::from)
                };
                let _ = reply.send(result);
            }
            Command::Accept { call, reply } => {
                let _ = reply.send(self.model.accept(now, call));
            }
            Command::Answer { call, reply } => {
                let _ = reply.send(self.model.answer(now, call));
            }
            Command::DropCall {
                call,
                params,
                reply,
            } => {
                let _ = reply.send(self.model.drop_call(now, call, params));
            }
            Command::Register {
                registration,
                reply,
            } => {
                let _ = reply.send(self.model.register(now, registration));
            }
            Command::Disconnect {
                call,
                code,
                uui,
                reply,
            } => {
                let _ = reply.send(self.model.disconnect(now, call, code, uui));
            }
            Command::Hold { call, hold, reply } => {
                let result = if hold {
                    self.model.hold(now, call)
                } else {
                    self.model.unhold(now, call)
                };
                let _ = reply.send(result);
            }
            Command::Control { op, reply } => {
                let result = match op {
                    ControlOp::SetupConference(call) => {
                        self.model.setup_conference(now, call).map(Some)
                    }
                    ControlOp::AddToConference { conference, call } => self
                        .model
                        .add_to_conference(now, conference, call)
                        .map(|()| None),
                    ControlOp::RemoveFromConference(call) => {
                        self.model.remove_from_conference(now, call).map(|()| None)
                    }
                    ControlOp::AddStation(call) => self.model.add_station(now, call).map(Some),
                    ControlOp::Rejoin(call) => self.model.rejoin(now, call).map(|()| None),
                };
                let _ = reply.send(result);
            }
            Command::Deallocate { call, reply } => {
                let _ = reply.send(self.model.deallocate(call));
            }
            Command::CallInfo { call, reply } => {
                let _ = reply.send(self.model.call_info(call).cloned());
            }
            Command::AllocatedCalls { reply } => {
                let _ = reply.send(self.model.allocated_calls());
            }
            Command::LiveCalls { reply } => {
                let _ = reply.send(self.model.live_calls());
            }
            Command::Shutdown {
                grace,
                params,
                done,
            } => match &mut self.shutdown {
                // A second shutdown joins the first; its grace period does not extend it.
                Some(shutdown) => shutdown.done.push(done),
                None => {
                    tracing::info!(
                        ?grace,
                        live = self.model.live_calls().len(),
                        "shutting down"
                    );
                    // Remove our binding on the way out (RFC 3261 §10.2.2).
                    self.model.unregister(now);
                    self.shutdown = Some(Shutdown {
                        deadline: Instant::now() + grace,
                        params,
                        dropped: HashSet::new(),
                        done: vec![done],
                    });
                }
            },
        }
    }

    /// Drains every output of the model: messages to the transports, events to the
    /// application. During a shutdown, first drops whatever call is still live.
    fn drain(&mut self) {
        self.drop_for_shutdown();
        while let Some(Transmit {
            transport,
            destination,
            bytes,
        }) = self.model.poll_transmit()
        {
            if self.sip_trace {
                tracing::info!(
                    target: SIP_TRACE_TARGET,
                    "send {transport} -> {destination} ({} bytes)\n{}",
                    bytes.len(),
                    String::from_utf8_lossy(&bytes)
                );
            }
            self.transports.send(transport, destination, bytes);
        }
        let t_ms = self.now().as_millis();
        while let Some(event) = self.model.poll_event() {
            trace_event(&event);
            // The application may have dropped its receiver: the UA keeps working without it.
            let _ = self.events.send(UaEvent { t_ms, event });
        }
    }

    fn drop_for_shutdown(&mut self) {
        let Some(shutdown) = &mut self.shutdown else {
            return;
        };
        let now = Time::from_duration(self.origin.elapsed());
        for call in self.model.live_calls() {
            if shutdown.dropped.insert(call) {
                if let Err(error) = self.model.drop_call(now, call, shutdown.params.clone()) {
                    tracing::debug!(%call, %error, "shutdown drop refused");
                }
            }
        }
    }

    fn shutdown_finished(&self) -> bool {
        let Some(shutdown) = &self.shutdown else {
            return false;
        };
        if Instant::now() >= shutdown.deadline {
            // Normal after a rejected call or a BYE: Completed transactions wait out Timers D
            // and K to absorb retransmissions; nothing is left that needs sending.
            tracing::info!("shutdown grace period over with transactions still running");
            return true;
        }
        self.model.is_quiescent() && self.model.live_calls().is_empty()
    }
}

fn trace_event(event: &Event) {
    match event {
        Event::CallState {
            call, state, mode, ..
        } => {
            let mode = mode.map(|m| m.as_str());
            tracing::debug!(%call, %state, ?mode, "call state");
        }
        other => tracing::trace!(?other, "event"),
    }
}

/// Spawns the loop on the current tokio runtime, inside a span naming the UA.
pub(crate) fn spawn(event_loop: EventLoop, name: &str) -> tokio::task::JoinHandle<()> {
    let span = tracing::info_span!("ua", name = %name);
    tokio::spawn(event_loop.run().instrument(span))
}
