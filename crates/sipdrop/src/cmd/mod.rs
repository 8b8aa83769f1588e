//! The subcommands, and what they share.
pub mod call;
pub mod conference;
pub mod demo;
pub mod listen;
pub mod report;
pub mod serve;
pub mod signals;
pub mod timers;
pub mod uac;
pub mod uas;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use sipdrop_runtime::{Ua, UaConfig, UaError, UaEvents};
use tokio::time::Instant;

use crate::cli::args::{Command, RegisterArgs};

/// How long a shutdown waits for transactions to finish (cli.md: "wait up to 5 s").
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A bad argument found after parsing (exit status 2, like clap's own errors).
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Runs the subcommand; `origin` is the process start (`t_ms` counts from it).
pub async fn run(command: Command, origin: Instant) -> anyhow::Result<ExitCode> {
    match command {
        Command::Listen(args) => listen::run(args, origin).await,
        Command::Call(args) => call::run(args, origin).await,
        Command::Conference(args) => conference::run(args, origin).await,
        Command::Serve(args) => serve::run(args, origin).await,
        Command::Demo(args) => demo::run(args, origin).await,
    }
}

/// Lifetime asked for a `--register` binding, seconds (refreshed before it runs out).
const REGISTER_EXPIRES: u32 = 3600;

/// Starts the `--register` registration, if asked for; a bad AOR is a usage error.
pub async fn start_registration(ua: &Ua, args: &RegisterArgs) -> anyhow::Result<()> {
    let Some(aor) = &args.register else {
        return Ok(());
    };
    match ua.register(&aor.text, REGISTER_EXPIRES).await {
        Ok(()) => Ok(()),
        Err(e @ (UaError::Uri { .. } | UaError::Resolve { .. } | UaError::NoAddress { .. })) => {
            Err(UsageError(format!("--register: {e}")).into())
        }
        Err(e) => Err(e).context("cannot register"),
    }
}

/// Starts a UA. An unusable `--proxy` is a usage error; anything else (a port in use) is a
/// runtime failure.
pub async fn start_ua(config: UaConfig) -> anyhow::Result<(Ua, UaEvents)> {
    match Ua::start(config).await {
        Ok(started) => Ok(started),
        Err(e @ (UaError::Uri { .. } | UaError::Resolve { .. } | UaError::NoAddress { .. })) => {
            Err(UsageError(format!("--proxy: {e}")).into())
        }
        Err(e) => Err(e).context("cannot start the user agent"),
    }
}

/// Tells the user where the UA listens (on stderr, so stdout stays pure JSON): with port 0
/// this is the only way to learn the port.
pub fn announce(ua: &Ua) {
    for (transport, addr) in ua.local_addrs() {
        eprintln!("sipdrop: listening on {} {addr}", transport.uri_param());
    }
}
