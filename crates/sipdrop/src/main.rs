//! `sipdrop`: a SIP user agent giving applications the TAPI call-control model, above all Drop.
//! The command-line contract is `cli.md`: subcommands, flags, JSON events, the summary line and
//! exit statuses (0 success, 1 a call not ending as expected or a runtime failure, 2 bad
//! arguments).
mod cli;
mod cmd;
mod summary;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::args::Cli;
use crate::cli::clap_error::{self, USAGE_EXIT};
use crate::cmd::UsageError;

fn main() -> ExitCode {
    // `t_ms` counts from the process start.
    let started = std::time::Instant::now();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_error::report(&e),
    };
    cli::logging::init(cli.command.log());
    // One thread: the UA is one event loop, and the CLI's tasks talk to it all the time; with
    // a multi-thread runtime those hand-offs (wake-ups across threads) cost more than the SIP
    // work itself (docs/benchmarks.md).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("sipdrop: error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let origin = tokio::time::Instant::from_std(started);
        cmd::run(cli.command, origin).await
    });
    match result {
        Ok(code) => code,
        Err(e) => match e.downcast_ref::<UsageError>() {
            Some(usage) => {
                eprintln!("sipdrop: error: {usage}");
                ExitCode::from(USAGE_EXIT)
            }
            None => {
                eprintln!("sipdrop: error: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}
