//! `sipdrop serve`: a UA driven by JSON-line commands on stdin, reporting events on stdout
//! (cli.md). A thin mapping onto the [`Ua`] API: the controlling application decides
//! everything, including when to answer, release and deallocate calls.
//!
//! ```text
//! {"cmd":"call","id":1,"uri":"sip:bob@127.0.0.1:5070"}      -> reply {request:1, call:N}
//! {"cmd":"answer","call":3}  {"cmd":"accept","call":3}
//! {"cmd":"drop","id":2,"call":3,"uui":"04a1","cause":16}    -> reply {request:2} when done
//! {"cmd":"deallocate","call":3}  {"cmd":"info","call":3}  {"cmd":"quit"}
//! {"cmd":"conference","id":4,"calls":[3,5]}                  -> reply with "call": the conference
//! ```
//! Beyond cli.md, the rest of the model's call control (additions only):
//! ```text
//! {"cmd":"hold","id":5,"call":3}  {"cmd":"unhold","id":6,"call":3}  -> reply when the re-INVITE ends
//! {"cmd":"disconnect","id":7,"call":3,"code":"noanswer","uui":"04a1"} -> TAPI 3 codes, reply when done
//! {"cmd":"add_to_conference","id":8,"conference":9,"call":5}
//! {"cmd":"remove_from_conference","id":10,"call":5}
//! {"cmd":"add_station","id":11,"call":3}                    -> reply with "call": the station
//! {"cmd":"rejoin","id":12,"call":13}
//! {"cmd":"allocated","id":14}                                -> reply with "allocated": N
//! ```
//! Every command with an `id` gets a `reply` carrying it; a command without one gets a reply
//! (with `"request":null`) only when it fails, so errors are never silent.
use std::collections::HashMap;
use std::process::ExitCode;

use serde::Deserialize;
use sipdrop_runtime::{
    CallError, CallHandle, CallTarget, DisconnectCode, DropParams, Event, RequestId, SipUri, Ua,
    UaError, UaEvent,
};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::time::Instant;

use super::report::print_event;
use super::{announce, signals, start_registration, start_ua, SHUTDOWN_GRACE};
use crate::cli::args::ServeArgs;
use crate::cli::events_json::{CallInfoLine, EventSink, ReplyLine};
use crate::cli::ua_config::{drop_params, transport, ua_config, uses_tcp, UaShape, SERVER_UDP};
use crate::cli::values::decode_hex;

/// One command line.
#[derive(Debug, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case", deny_unknown_fields)]
enum ServeCommand {
    Call {
        id: Option<u64>,
        uri: String,
    },
    Accept {
        id: Option<u64>,
        call: u32,
    },
    Answer {
        id: Option<u64>,
        call: u32,
    },
    Drop {
        id: Option<u64>,
        call: u32,
        uui: Option<String>,
        cause: Option<u16>,
        decline_code: Option<u16>,
    },
    Deallocate {
        id: Option<u64>,
        call: u32,
    },
    Conference {
        id: Option<u64>,
        calls: Vec<u32>,
    },
    Info {
        id: Option<u64>,
        call: u32,
    },
    Hold {
        id: Option<u64>,
        call: u32,
    },
    Unhold {
        id: Option<u64>,
        call: u32,
    },
    Disconnect {
        id: Option<u64>,
        call: u32,
        code: String,
        uui: Option<String>,
    },
    AddToConference {
        id: Option<u64>,
        conference: u32,
        call: u32,
    },
    RemoveFromConference {
        id: Option<u64>,
        call: u32,
    },
    AddStation {
        id: Option<u64>,
        call: u32,
    },
    Rejoin {
        id: Option<u64>,
        call: u32,
    },
    Allocated {
        id: Option<u64>,
    },
    Quit {
        id: Option<u64>,
    },
}

/// The serve loop's state.
struct Server {
    ua: Ua,
    sink: EventSink,
    transport: Option<sipdrop_runtime::Transport>,
    defaults: DropParams,
    /// The model's request id of each asynchronous command (drop, disconnect, hold, unhold)
    /// → the `id` of the command that asked for it, so the `reply` carries the command's id.
    pending: HashMap<RequestId, Option<u64>>,
}

/// Runs `serve` until `quit`, end of input, or a signal; exits 0.
pub async fn run(args: ServeArgs, origin: Instant) -> anyhow::Result<ExitCode> {
    let shape = UaShape {
        default_udp: SERVER_UDP,
        decline_code: args.decline_code,
        needs_tcp: uses_tcp(&args.common, None),
    };
    let (ua, mut events) = start_ua(ua_config(&args.common, shape, origin, "serve")).await?;
    announce(&ua);
    start_registration(&ua, &args.register).await?;
    let mut server = Server {
        ua: ua.clone(),
        // Events are what `serve` is for: always printed.
        sink: EventSink::new(true),
        transport: transport(&args.common),
        defaults: drop_params(&args.common),
        pending: HashMap::new(),
    };
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let signal = signals::shutdown_requested();
    tokio::pin!(signal);
    loop {
        tokio::select! {
            line = lines.next_line() => match line {
                Ok(Some(line)) => {
                    if server.on_line(&line).await.is_break() {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::error!(%e, "cannot read stdin");
                    break;
                }
            },
            event = events.recv() => match event {
                Some(event) => server.on_event(&event).await,
                None => anyhow::bail!("the user agent stopped unexpectedly"),
            },
            () = &mut signal => break,
        }
    }
    if let Err(e) = ua
        .shutdown_with(SHUTDOWN_GRACE, server.defaults.clone())
        .await
    {
        tracing::warn!(%e, "shutdown");
    }
    // Replies to drops asked for just before `quit` still carry their command's id.
    while let Some(event) = events.recv().await {
        server.on_event(&event).await;
    }
    Ok(ExitCode::SUCCESS)
}

impl Server {
    async fn on_event(&mut self, event: &UaEvent) {
        if let Event::Reply { request, result } = &event.event {
            // `request` in serve's output is always a command's id; a reply to a drop no
            // command asked for (the shutdown's) would collide with those ids, so it is only
            // logged.
            match self.pending.remove(request) {
                Some(id) => self.sink.event(&ReplyLine::from_result(id, *result)),
                None => tracing::debug!(?request, ?result, "reply to an internal drop"),
            }
            return;
        }
        print_event(&self.ua, &self.sink, event).await;
    }

    /// Handles one input line; `Break` on `quit`.
    async fn on_line(&mut self, line: &str) -> std::ops::ControlFlow<()> {
        if line.trim().is_empty() {
            return std::ops::ControlFlow::Continue(());
        }
        // Read the id first, so even a malformed command's error reply carries it.
        let value: serde_json::Value = match serde_json::from_str(line) {
            Ok(value) => value,
            Err(e) => {
                tracing::warn!(%e, "not a JSON command");
                self.sink
                    .event(&ReplyLine::error(None, CallError::InvalParam.as_str()));
                return std::ops::ControlFlow::Continue(());
            }
        };
        let id = value.get("id").and_then(serde_json::Value::as_u64);
        match serde_json::from_value::<ServeCommand>(value) {
            Ok(ServeCommand::Quit { id }) => {
                self.sink.event(&ReplyLine::ok(id));
                std::ops::ControlFlow::Break(())
            }
            Ok(command) => {
                self.on_command(command).await;
                std::ops::ControlFlow::Continue(())
            }
            Err(e) => {
                tracing::warn!(%e, "invalid command");
                self.sink
                    .event(&ReplyLine::error(id, CallError::InvalParam.as_str()));
                std::ops::ControlFlow::Continue(())
            }
        }
    }

    async fn on_command(&mut self, command: ServeCommand) {
        let ua = &self.ua;
        let (id, result) = match command {
            ServeCommand::Call { id, uri } => {
                if let Err(e) = SipUri::parse(&uri) {
                    tracing::warn!(%uri, %e, "invalid URI");
                    self.sink
                        .event(&ReplyLine::error(id, CallError::InvalAddress.as_str()));
                    return;
                }
                let target = CallTarget {
                    uri,
                    destination: None,
                    transport: self.transport,
                };
                match ua.make_call(target).await {
                    Ok(call) => self.sink.event(&ReplyLine::ok(id).with_call(call)),
                    Err(e) => self.sink.event(&ReplyLine::error(id, e.reply_name())),
                }
                return;
            }
            ServeCommand::Accept { id, call } => (id, ua.accept(CallHandle(call)).await),
            ServeCommand::Answer { id, call } => (id, ua.answer(CallHandle(call)).await),
            ServeCommand::Deallocate { id, call } => (id, ua.deallocate(CallHandle(call)).await),
            ServeCommand::Drop {
                id,
                call,
                uui,
                cause,
                decline_code,
            } => {
                let Some(params) = self.drop_params(uui, cause, decline_code) else {
                    self.sink
                        .event(&ReplyLine::error(id, CallError::InvalParam.as_str()));
                    return;
                };
                let request = ua.drop_call(CallHandle(call), params).await;
                return self.started(id, request);
            }
            ServeCommand::Info { id, call } => match ua.call_info(CallHandle(call)).await {
                Some(record) => {
                    self.sink
                        .event(&CallInfoLine::new(CallHandle(call), &record));
                    if id.is_some() {
                        self.sink.event(&ReplyLine::ok(id));
                    }
                    return;
                }
                None => (id, Err(UaError::Call(CallError::InvalCallHandle))),
            },
            ServeCommand::Conference { id, calls } => {
                // The first call sets the conference up, the others join; the reply carries
                // the conference handle, which `drop` then cascades to every participant.
                let Some((first, rest)) = calls.split_first() else {
                    self.sink
                        .event(&ReplyLine::error(id, CallError::InvalParam.as_str()));
                    return;
                };
                let parent = match ua.setup_conference(CallHandle(*first)).await {
                    Ok(parent) => parent,
                    Err(e) => {
                        self.sink.event(&ReplyLine::error(id, e.reply_name()));
                        return;
                    }
                };
                for call in rest {
                    if let Err(e) = ua.add_to_conference(parent, CallHandle(*call)).await {
                        self.sink
                            .event(&ReplyLine::error(id, e.reply_name()).with_call(parent));
                        return;
                    }
                }
                self.sink.event(&ReplyLine::ok(id).with_call(parent));
                return;
            }
            ServeCommand::Hold { id, call } => {
                let request = ua.hold(CallHandle(call)).await;
                return self.started(id, request);
            }
            ServeCommand::Unhold { id, call } => {
                let request = ua.unhold(CallHandle(call)).await;
                return self.started(id, request);
            }
            ServeCommand::Disconnect {
                id,
                call,
                code,
                uui,
            } => {
                let (Some(code), Some(uui)) = (DisconnectCode::from_name(&code), self.uui(uui))
                else {
                    self.sink
                        .event(&ReplyLine::error(id, CallError::InvalParam.as_str()));
                    return;
                };
                let request = ua.disconnect(CallHandle(call), code, uui).await;
                return self.started(id, request);
            }
            ServeCommand::AddToConference {
                id,
                conference,
                call,
            } => (
                id,
                ua.add_to_conference(CallHandle(conference), CallHandle(call))
                    .await,
            ),
            ServeCommand::RemoveFromConference { id, call } => {
                (id, ua.remove_from_conference(CallHandle(call)).await)
            }
            ServeCommand::AddStation { id, call } => {
                match ua.add_station(CallHandle(call)).await {
                    Ok(station) => self.sink.event(&ReplyLine::ok(id).with_call(station)),
                    Err(e) => self.sink.event(&ReplyLine::error(id, e.reply_name())),
                }
                return;
            }
            ServeCommand::Rejoin { id, call } => (id, ua.rejoin(CallHandle(call)).await),
            ServeCommand::Allocated { id } => {
                match ua.allocated_calls().await {
                    Ok(n) => self.sink.event(&ReplyLine::ok(id).with_allocated(n)),
                    Err(e) => self.sink.event(&ReplyLine::error(id, e.reply_name())),
                }
                return;
            }
            ServeCommand::Quit { .. } => return,
        };
        match result {
            Ok(()) if id.is_some() => self.sink.event(&ReplyLine::ok(id)),
            Ok(()) => {}
            Err(e) => self.sink.event(&ReplyLine::error(id, e.reply_name())),
        }
    }

    /// An asynchronous command was accepted (its `reply` follows when the model has carried
    /// it out) or refused at once.
    fn started(&mut self, id: Option<u64>, request: Result<RequestId, UaError>) {
        match request {
            Ok(request) => {
                self.pending.insert(request, id);
            }
            Err(e) => self.sink.event(&ReplyLine::error(id, e.reply_name())),
        }
    }

    /// The command's drop parameters over the flags' defaults; `None` for a bad UUI.
    fn drop_params(
        &self,
        uui: Option<String>,
        cause: Option<u16>,
        decline_code: Option<u16>,
    ) -> Option<DropParams> {
        Some(DropParams {
            uui: self.uui(uui)?,
            cause: cause.or(self.defaults.cause),
            decline_code: decline_code.or(self.defaults.decline_code),
        })
    }

    /// The command's UUI (hex) over the `--uui` default; `None` when it is not valid hex.
    fn uui(&self, hex: Option<String>) -> Option<Option<Vec<u8>>> {
        match hex {
            // No length check here: an oversized UUI gets the model's `useruserinfotoobig`.
            Some(hex) => Some(Some(decode_hex(&hex).filter(|octets| !octets.is_empty())?)),
            None => Some(self.defaults.uui.clone()),
        }
    }
}
